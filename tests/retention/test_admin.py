"""The rules in the admin (system administrators, audited, validated, never deleted) and the
roles that reach the retention pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from casemgmt.models import AuditEvent, User
from casemgmt.roles import Role
from retention.models import RetentionRule

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/retention/retentionrule/add/"


def _capabilities(role: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role)
        .permissions.filter(content_type__app_label="retention")
        .values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            Role.INFORMATION_GOVERNANCE,
            {"retention.review_retention", "retention.manage_legal_holds"},
        ),
        (Role.SENIOR_MANAGER, {"retention.manage_legal_holds"}),
        (
            Role.SYSTEM_ADMINISTRATOR,
            {
                "retention.view_retentionrule",
                "retention.add_retentionrule",
                "retention.change_retentionrule",
                "retention.view_retentionreviewrun",
            },
        ),
        (Role.TEAM_MANAGER, set()),
        (Role.PRACTITIONER, set()),
        (Role.FINANCE_OFFICER, set()),
        (Role.BUSINESS_SUPPORT, set()),
    ],
)
def test_who_holds_the_retention_capabilities(role: str, expected: set[str]) -> None:
    assert _capabilities(role) == expected


def _rule_form(**values: str) -> dict[str, str]:
    return {
        "name": "Youth offending records",
        "category": "other",
        "description": "Kept six years from the last contact (council policy RM-12).",
        "is_active": "on",
        "trigger": "last_contact",
        "years": "6",
        "second_trigger": "",
        "second_years": "",
        "combine": "",
        "second_only_if_died_before_age": "",
        "precedence": "50",
        **values,
    }


def test_an_administrator_adds_a_rule_and_it_is_audited(
    client_for: Callable[[str], Client], users: dict[str, User]
) -> None:
    response = client_for("admin").post(ADD_URL, _rule_form())

    assert response.status_code == 302
    rule = RetentionRule.objects.get(name="Youth offending records")
    assert rule.summary == "Last contact + 6 years"
    event = AuditEvent.objects.get(
        kind=AuditEvent.Kind.CHANGE, object_type="retention.retentionrule"
    )
    assert (event.actor, event.action, event.person_id) == (users["admin"], "create", None)
    assert event.changes["years"] == [None, 6]


def test_a_period_past_the_cap_is_refused_in_the_admin_with_the_reason(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for("admin").post(ADD_URL, _rule_form(trigger="birth", years="151"))

    assert response.status_code == 200
    assert (
        "A period of 151 years would run past the date of birth + 150 years, the longest any "
        "record may be kept. Enter 150 or fewer." in response.content.decode()
    )
    assert not RetentionRule.objects.filter(name="Youth offending records").exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


def test_changing_a_rule_is_audited_with_old_and_new(
    client_for: Callable[[str], Client], rules: dict[str, RetentionRule]
) -> None:
    rule = rules["adult"]
    url = f"/admin/retention/retentionrule/{rule.pk}/change/"
    values = _rule_form(
        name=rule.name,
        category="adult",
        description=rule.description,
        trigger="last_contact",
        years="10",
        precedence=str(rule.precedence),
    )

    response = client_for("admin").post(url, values)

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.years == 10
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CHANGE)
    assert event.changes == {"years": [8, 10]}


def test_rules_are_never_deleted_in_the_admin(
    client_for: Callable[[str], Client], rules: dict[str, RetentionRule]
) -> None:
    rule = rules["adult"]

    response = client_for("admin").get(f"/admin/retention/retentionrule/{rule.pk}/delete/")

    assert response.status_code == 403
    assert RetentionRule.objects.filter(pk=rule.pk).exists()


def test_the_shipped_rules_come_back_after_the_tables_are_emptied() -> None:
    from django.apps import apps

    from retention.apps import _ensure_default_rules

    RetentionRule.objects.all().delete()
    _ensure_default_rules(apps.get_app_config("retention"))

    assert RetentionRule.objects.count() == 5
    # Only an empty table is filled: a council's own changes stay as they are.
    RetentionRule.objects.filter(category="other").update(name="Our catch-all")
    _ensure_default_rules(apps.get_app_config("retention"))
    assert RetentionRule.objects.count() == 5
