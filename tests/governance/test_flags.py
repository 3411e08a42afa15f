"""The reviewer's queue: the list, a flag's page, and closing a flag with an outcome."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from casemgmt.models import AuditEvent, User
from clients.models import Person
from governance.models import AccessFlag
from governance.services import NOTES_MAX_LENGTH, access_flag_close
from tests.conftest import PERSONAS
from tests.factories import PersonFactory, TeamMembershipFactory, UserFactory
from tests.governance.factories import WINDOW_START, AccessFlagFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("governance:flag-list")
GOOD_REVIEW = {"outcome": "legitimate", "notes": "Duty cover for the assessment team."}


def _detail(flag: AccessFlag) -> str:
    return reverse("governance:flag-detail", kwargs={"flag_id": flag.pk})


@pytest.fixture
def flag(worker: User, person: Person) -> AccessFlag:
    other = PersonFactory(first_name="Hyacinth", last_name="Campbell")
    return AccessFlagFactory(
        user=worker,
        rule=AccessFlag.Rule.MANY_UNINVOLVED,
        person_ids=sorted([person.pk, other.pk]),
    )


# ---------------------------------------------------------------------------------------
# Who may reach the queue
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", [p for p in PERSONAS if p not in {"anonymous", "inactive_user"}]
)
def test_only_information_governance_reaches_the_queue(
    persona: str, flag: AccessFlag, client_for: Callable[[str], Client]
) -> None:
    client = client_for(persona)
    before = AuditEvent.objects.count()

    assert client.get(LIST_URL).status_code == 403
    assert client.get(_detail(flag)).status_code == 404
    response = client.post(_detail(flag), GOOD_REVIEW)

    assert response.status_code == 404
    assert AuditEvent.objects.count() == before
    flag.refresh_from_db()
    assert flag.is_open


def test_a_flag_that_does_not_exist_is_404(governance_client: Client) -> None:
    assert governance_client.get("/governance/flags/999999/").status_code == 404
    assert governance_client.post("/governance/flags/999999/", GOOD_REVIEW).status_code == 404
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(
    method: str, governance_client: Client, flag: AccessFlag
) -> None:
    assert getattr(governance_client, method)(_detail(flag)).status_code == 405
    assert getattr(governance_client, method)(LIST_URL).status_code == 405


# ---------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------


def test_open_flags_come_first_then_the_newest(
    governance_client: Client, governance_officer: User
) -> None:
    base = datetime.datetime(2025, 6, 2, 12, tzinfo=datetime.UTC)
    old_open = AccessFlagFactory(created_at=base)
    new_closed = AccessFlagFactory(
        created_at=base + datetime.timedelta(hours=2),
        status=AccessFlag.Status.CLOSED,
        outcome=AccessFlag.Outcome.LEGITIMATE,
        reviewer=governance_officer,
        reviewed_at=base + datetime.timedelta(hours=3),
        notes="Fine.",
    )
    new_open = AccessFlagFactory(created_at=base + datetime.timedelta(hours=1))

    response = governance_client.get(LIST_URL)

    assert response.status_code == 200
    assert [flag.pk for flag in response.context["page"]] == [
        new_open.pk,
        old_open.pk,
        new_closed.pk,
    ]
    content = response.content.decode()
    assert "3 flags" in content
    assert _detail(new_open) in content
    assert "Legitimate: a work reason was confirmed" in content


def test_the_list_filters_by_status_and_rule(
    governance_client: Client, governance_officer: User
) -> None:
    many = AccessFlagFactory(rule=AccessFlag.Rule.MANY_UNINVOLVED)
    surname = AccessFlagFactory(rule=AccessFlag.Rule.SURNAME_AND_POSTCODE)
    closed = AccessFlagFactory(
        rule=AccessFlag.Rule.SURNAME_AND_POSTCODE,
        status=AccessFlag.Status.CLOSED,
        outcome=AccessFlag.Outcome.CONCERN_REFERRED,
        reviewer=governance_officer,
        reviewed_at=WINDOW_START,
        notes="Referred to HR.",
    )

    def listed(query: str) -> list[int]:
        response = governance_client.get(LIST_URL + query)
        assert response.status_code == 200
        return sorted(flag.pk for flag in response.context["page"])

    assert listed("?status=open") == sorted([many.pk, surname.pk])
    assert listed("?status=closed") == [closed.pk]
    assert listed("?rule=surname_postcode") == sorted([surname.pk, closed.pk])
    assert listed("?status=open&rule=surname_postcode") == [surname.pk]
    assert listed("?status=&rule=") == sorted([many.pk, surname.pk, closed.pk])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?status=pending", "Choose a status from the list."),
        ("?rule=everything", "Choose a rule from the list."),
        ("?status=%00", "Choose a status from the list."),
        ("?rule=" + "x" * 5000, "Choose a rule from the list."),
    ],
)
def test_a_bad_filter_is_reported_and_ignored(
    governance_client: Client, query: str, message: str
) -> None:
    flag = AccessFlagFactory()

    response = governance_client.get(LIST_URL + query)

    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content
    assert message in content
    assert [listed.pk for listed in response.context["page"]] == [flag.pk]


def test_the_list_is_paged_fifty_at_a_time(governance_client: Client) -> None:
    user = UserFactory()
    flags = [
        AccessFlagFactory(
            user=user,
            window_start=WINDOW_START - datetime.timedelta(hours=index),
            window_end=WINDOW_START - datetime.timedelta(hours=index - 1),
        )
        for index in range(51)
    ]

    first = governance_client.get(LIST_URL)
    second = governance_client.get(LIST_URL + "?page=2")
    nonsense = governance_client.get(LIST_URL + "?page=nope")

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1
    assert [flag.pk for flag in nonsense.context["page"]] == [
        flag.pk for flag in first.context["page"]
    ]
    assert len(flags) == 51


def test_the_list_takes_a_fixed_number_of_queries(
    governance_client: Client, governance_officer: User, django_assert_max_num_queries: Any
) -> None:
    for index in range(30):
        AccessFlagFactory(user=UserFactory(username=f"staff{index}"))
    governance_client.get(LIST_URL)  # warm the permission cache

    with django_assert_max_num_queries(3):
        response = governance_client.get(LIST_URL)
    assert len(response.context["page"]) == 30


def test_the_list_writes_no_access_event(governance_client: Client) -> None:
    AccessFlagFactory()
    governance_client.get(LIST_URL)
    assert AuditEvent.objects.count() == 0


# ---------------------------------------------------------------------------------------
# A flag's page
# ---------------------------------------------------------------------------------------


def test_a_flag_shows_the_user_the_rule_and_the_people_with_their_access_logs(
    governance_client: Client,
    governance_officer: User,
    flag: AccessFlag,
    person: Person,
    team_a: Any,
) -> None:
    response = governance_client.get(_detail(flag))

    assert response.status_code == 200
    content = response.content.decode()
    assert flag.user.username in content
    assert "Opened many records with no involvement" in content
    assert "Jayden Whitmore" in content
    assert "Hyacinth Campbell" in content
    for person_id in flag.person_ids:
        assert reverse("clients:access-log", kwargs={"person_id": person_id}) in content
    assert team_a.name in content
    # with a link to what the user viewed that day
    user_access = reverse("governance:user-access", kwargs={"user_id": flag.user_id})
    assert f"{user_access}?date_from_day=2&amp;date_from_month=6&amp;date_from_year=2025" in content
    assert "Close the flag" in content


def test_opening_a_flag_is_recorded(
    governance_client: Client, governance_officer: User, flag: AccessFlag
) -> None:
    governance_client.get(_detail(flag))

    event = AuditEvent.objects.get()
    assert event.kind == AuditEvent.Kind.ACCESS
    assert event.actor == governance_officer
    assert event.person_id is None
    assert event.object_type == "access_flag"
    assert event.object_id == str(flag.pk)


def test_a_flag_page_takes_a_fixed_number_of_queries(
    governance_client: Client, django_assert_max_num_queries: Any
) -> None:
    flag = AccessFlagFactory(person_ids=[PersonFactory().pk for _ in range(40)])
    TeamMembershipFactory(user=flag.user)
    TeamMembershipFactory(user=flag.user)
    governance_client.get(_detail(flag))  # warm the permission cache

    with django_assert_max_num_queries(5):
        response = governance_client.get(_detail(flag))
    assert len(response.context["people"]) == 40
    assert len(response.context["teams"]) == 2


def test_a_reviewer_cannot_review_their_own_flag(
    governance_client: Client, governance_officer: User
) -> None:
    own = AccessFlagFactory(user=governance_officer)

    page = governance_client.get(_detail(own))
    response = governance_client.post(_detail(own), GOOD_REVIEW)

    assert "another officer must review it" in page.content.decode()
    assert "Close the flag" not in page.content.decode()
    assert response.status_code == 200
    assert "You cannot review a flag about your own access" in response.content.decode()
    own.refresh_from_db()
    assert own.is_open
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


# ---------------------------------------------------------------------------------------
# Closing a flag
# ---------------------------------------------------------------------------------------


def test_closing_a_flag_records_the_outcome_and_an_audit_change(
    governance_client: Client, governance_officer: User, flag: AccessFlag
) -> None:
    response = governance_client.post(_detail(flag), GOOD_REVIEW)

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    flag.refresh_from_db()
    assert flag.status == AccessFlag.Status.CLOSED
    assert flag.outcome == AccessFlag.Outcome.LEGITIMATE
    assert flag.notes == "Duty cover for the assessment team."
    assert flag.reviewer == governance_officer
    assert flag.reviewed_at is not None
    event = AuditEvent.objects.get()
    assert event.kind == AuditEvent.Kind.CHANGE
    assert event.action == "review"
    assert event.actor == governance_officer
    assert event.object_type == "governance.accessflag"
    assert event.object_id == str(flag.pk)
    assert event.person_id is None
    assert event.changes["status"] == ["open", "closed"]
    assert event.changes["outcome"] == ["", "legitimate"]
    assert event.changes["reviewer"] == [None, governance_officer.pk]
    followed = governance_client.get(LIST_URL)
    assert "Flag closed" in followed.content.decode()


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Choose the outcome of the review.", "Enter notes on what you found and did."]),
        ({"outcome": "legitimate"}, ["Enter notes on what you found and did."]),
        ({"outcome": "legitimate", "notes": "   \n  "}, ["Enter notes on what you found and did."]),
        ({"notes": "Checked."}, ["Choose the outcome of the review."]),
        ({"outcome": "shrug", "notes": "Checked."}, ["Choose the outcome of the review."]),
        ({"outcome": "", "notes": "Checked."}, ["Choose the outcome of the review."]),
        (
            {"outcome": "legitimate", "notes": "Checked\x00."},
            ["Notes contains a control character that cannot be stored."],
        ),
        (
            {"outcome": "legitimate", "notes": "Checked \u202e."},
            ["Notes contains hidden text-direction characters; please type it again."],
        ),
        (
            {"outcome": "legitimate", "notes": "x" * (NOTES_MAX_LENGTH + 1)},
            [f"Notes must be {NOTES_MAX_LENGTH} characters or fewer (you entered 5001)."],
        ),
    ],
)
def test_a_bad_review_is_refused_with_every_problem_shown(
    governance_client: Client, flag: AccessFlag, data: dict[str, str], messages: list[str]
) -> None:
    # When a reviewer sends a review that is missing something or makes no sense
    response = governance_client.post(_detail(flag), data)

    # Then the page comes back with an error summary, what was typed, and nothing changed
    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content
    assert "<title>Error: " in content
    assert [message for message in messages if message not in content] == []
    assert [str(link[1]) for link in response.context["form"].error_links] == messages
    flag.refresh_from_db()
    assert flag.is_open
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


def test_what_was_typed_is_kept_on_error(governance_client: Client, flag: AccessFlag) -> None:
    response = governance_client.post(_detail(flag), {"notes": "Spoke to <b>the manager</b>."})

    content = response.content.decode()
    assert "Spoke to &lt;b&gt;the manager&lt;/b&gt;." in content
    assert "<b>the manager</b>" not in content


def test_a_closed_flag_cannot_be_closed_again(
    governance_client: Client, governance_officer: User, flag: AccessFlag
) -> None:
    governance_client.post(_detail(flag), GOOD_REVIEW)

    page = governance_client.get(_detail(flag))
    response = governance_client.post(
        _detail(flag), {"outcome": "breach_reported", "notes": "Changed my mind."}
    )

    assert "Close the flag" not in page.content.decode()
    assert "Duty cover for the assessment team." in page.content.decode()
    assert response.status_code == 200
    assert "already been reviewed and closed" in response.content.decode()
    flag.refresh_from_db()
    assert flag.outcome == AccessFlag.Outcome.LEGITIMATE
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count() == 1


def test_the_service_checks_what_the_form_checks(
    governance_officer: User, flag: AccessFlag
) -> None:
    with pytest.raises(ValidationError) as error:
        access_flag_close(actor=governance_officer, flag=flag, outcome="maybe", notes="")
    assert error.value.message_dict == {
        "outcome": ["Choose the outcome of the review."],
        "notes": ["Enter notes on what you found and did."],
    }
    flag.refresh_from_db()
    assert flag.is_open


def test_every_outcome_can_close_a_flag(governance_officer: User) -> None:
    for outcome in AccessFlag.Outcome.values:
        flag = AccessFlagFactory()
        closed = access_flag_close(
            actor=governance_officer, flag=flag, outcome=outcome, notes="  Reviewed.  "
        )
        assert (closed.status, closed.outcome, closed.notes) == ("closed", outcome, "Reviewed.")
