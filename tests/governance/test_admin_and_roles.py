"""Staff home postcodes in the admin, and the roles that reach the governance pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from casemgmt.models import AuditEvent, User
from casemgmt.roles import DEFAULT_CAPABILITIES, Role
from governance.models import StaffHomeAddress
from tests.conftest import PERSONAS
from tests.governance.factories import StaffHomeAddressFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/governance/staffhomeaddress/add/"


def _capabilities(role: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_information_governance_role_exists_with_its_capabilities() -> None:
    assert Role.INFORMATION_GOVERNANCE.label == "Information governance officer"
    assert _capabilities(Role.INFORMATION_GOVERNANCE) == {
        "clients.view_person",
        "clients.view_access_log",
        "governance.view_any_user_access",
        "governance.review_access",
        # Restricting records and granting access to them (clients.record_access).
        "clients.manage_any_record_access",
        # A subject access request starts from the case file export.
        "documents.export_case_file",
        # Records retention: the review list, and legal holds (retention/).
        "retention.review_retention",
        "retention.manage_legal_holds",
        # Subject access requests: running them, and signing a disclosure off (subject_access/).
        "subject_access.view_subjectaccessrequest",
        "subject_access.change_subjectaccessrequest",
        "subject_access.sign_off_subjectaccessrequest",
    }


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        (
            Role.TEAM_MANAGER,
            {"governance.view_team_user_access"},
            {"governance.view_any_user_access", "governance.review_access"},
        ),
        (
            Role.SENIOR_MANAGER,
            {"governance.view_any_user_access"},
            {"governance.review_access"},
        ),
        (
            Role.SYSTEM_ADMINISTRATOR,
            {
                "governance.view_staffhomeaddress",
                "governance.add_staffhomeaddress",
                "governance.change_staffhomeaddress",
            },
            {"governance.view_any_user_access", "governance.review_access"},
        ),
        (
            Role.PRACTITIONER,
            set(),
            {
                "governance.view_team_user_access",
                "governance.view_any_user_access",
                "governance.review_access",
            },
        ),
    ],
)
def test_who_holds_the_governance_capabilities(role: str, has: set[str], lacks: set[str]) -> None:
    capabilities = _capabilities(role)
    assert has <= capabilities
    assert not lacks & capabilities


def test_every_default_capability_exists() -> None:
    # A misspelt capability would be silently skipped by the sync.
    wanted = {name for names in DEFAULT_CAPABILITIES.values() for name in names}
    held = {name for role in DEFAULT_CAPABILITIES for name in _capabilities(role)}
    assert wanted - held == set()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_only_the_administrator_reaches_staff_home_addresses(
    persona: str, client_for: Callable[[str], Client]
) -> None:
    response = client_for(persona).get(ADD_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_says_what_a_missing_postcode_means(client_for: Callable[[str], Client]) -> None:
    response = client_for("admin").get(ADD_URL)

    assert response.status_code == 200
    assert "cannot flag anything for this member of staff" in response.content.decode()


def test_the_administrator_records_a_postcode_in_its_standard_form(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    worker = users["allocated_worker"]

    response = client_for("admin").post(ADD_URL, {"user": worker.pk, "postcode": " sw1a1aa "})

    assert response.status_code == 302
    home = StaffHomeAddress.objects.get(user=worker)
    assert home.postcode == "SW1A 1AA"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CHANGE)
    assert event.actor == users["admin"]
    assert event.action == "create"
    assert event.object_type == "governance.staffhomeaddress"
    assert event.person_id is None
    assert event.changes == {"user": [None, worker.pk], "postcode": [None, "SW1A 1AA"]}


def test_changing_a_postcode_is_audited_with_old_and_new(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    home = StaffHomeAddressFactory(user=users["allocated_worker"], postcode="SW1A 1AA")

    response = client_for("admin").post(
        f"/admin/governance/staffhomeaddress/{home.pk}/change/", {"postcode": "E1 6AN"}
    )

    assert response.status_code == 302
    home.refresh_from_db()
    assert home.postcode == "E1 6AN"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CHANGE)
    assert (event.action, event.changes) == ("update", {"postcode": ["SW1A 1AA", "E1 6AN"]})


def test_a_postcode_can_be_cleared(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    home = StaffHomeAddressFactory(user=users["allocated_worker"], postcode="SW1A 1AA")

    client_for("admin").post(
        f"/admin/governance/staffhomeaddress/{home.pk}/change/", {"postcode": ""}
    )

    home.refresh_from_db()
    assert home.postcode == ""


@pytest.mark.parametrize("postcode", ["NOT A POSTCODE", "SW1A", "12345", "QA1 1AA", "SW1A 1AA\x00"])
def test_a_bad_postcode_is_refused(
    postcode: str, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    response = client_for("admin").post(
        ADD_URL, {"user": users["allocated_worker"].pk, "postcode": postcode}
    )

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not StaffHomeAddress.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_member_of_staff_has_one_home_postcode(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    StaffHomeAddressFactory(user=users["allocated_worker"])

    response = client_for("admin").post(
        ADD_URL, {"user": users["allocated_worker"].pk, "postcode": "E1 6AN"}
    )

    assert response.status_code == 200
    assert StaffHomeAddress.objects.get().postcode == "SW1A 1AA"
