"""Restricted and sealed records: who sees them, managing access, and breaking the glass."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, Notification, Team, User
from casemgmt.roles import Role
from clients import record_access
from clients.models import Person, RecordAccessGrant
from clients.search import SearchCriteria, likely_duplicates, search_people
from clients.selectors import person_list_hidden_from, person_list_visible_to
from governance import detection
from governance.models import AccessFlag
from tests.factories import (
    InvolvementFactory,
    PersonFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REASON = "The child's mother works in the council's children's services."


def _restrict(person: Person, level: str, **grant: Any) -> None:
    Person.objects.filter(pk=person.pk).update(access_level=level)
    person.access_level = level
    if grant:
        RecordAccessGrant.objects.create(person=person, reason="Working with the child.", **grant)


def _visible(user: User, person: Person) -> bool:
    return person_list_visible_to(user=user).filter(pk=person.pk).exists()


def _events(person: Person, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(person_id=person.pk, **filters).order_by("id"))


# ----------------------------------------------------------------------------------------
# Who sees what
# ----------------------------------------------------------------------------------------


def test_an_ordinary_record_is_seen_by_everyone_whose_role_sees_people(
    users: dict[str, User], person: Person
) -> None:
    # Given an ordinary record, Then every persona with a people-reading role sees it
    seen = {name for name, user in users.items() if _visible(user, person)}
    assert seen == {
        "allocated_worker",
        "other_team_worker",
        "team_manager",
        "senior_manager",
        "finance_officer",
        "business_support",
        "admin",
    }


def test_a_restricted_record_is_seen_only_by_granted_users_and_teams(
    users: dict[str, User], person: Person, team_b: Team
) -> None:
    # Given a record restricted to the allocated worker by name and to team B
    _restrict(person, "restricted", user=users["allocated_worker"])
    RecordAccessGrant.objects.create(person=person, team=team_b, reason="Disabled children")

    # Then only they (team B's worker through the team) see it
    seen = {name for name, user in users.items() if _visible(user, person)}
    assert seen == {"allocated_worker", "other_team_worker"}


def test_a_sealed_record_opens_to_named_users_only_not_to_teams(
    users: dict[str, User], person: Person, team_a: Team
) -> None:
    # Given a sealed record granted to the allocated worker, and (wrongly) to team A
    _restrict(person, "sealed", user=users["allocated_worker"])
    RecordAccessGrant.objects.create(person=person, team=team_a, reason="Team grant")

    # Then team A's manager and business support still do not see it
    seen = {name for name, user in users.items() if _visible(user, person)}
    assert seen == {"allocated_worker"}


def test_an_expired_grant_opens_nothing(users: dict[str, User], person: Person) -> None:
    # Given a restricted record whose only grant to the team manager expired a minute ago
    _restrict(person, "restricted")
    RecordAccessGrant.objects.create(
        person=person,
        user=users["team_manager"],
        reason="Emergency",
        is_break_glass=True,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    # Then the record is hidden from them again
    assert not _visible(users["team_manager"], person)
    assert person_list_hidden_from(user=users["team_manager"]).filter(pk=person.pk).exists()


def test_a_grant_to_a_former_team_member_opens_nothing(
    users: dict[str, User], person: Person, team_b: Team
) -> None:
    # Given a worker who left team B yesterday, and a record restricted to team B
    leaver = UserFactory(username="lee.leaver", roles=[Role.PRACTITIONER])
    TeamMembershipFactory(
        user=leaver,
        team=team_b,
        start_date=datetime.date(2020, 1, 1),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    _restrict(person, "restricted", team=team_b)
    # Then the leaver does not see it
    assert not _visible(leaver, person)


def test_a_visibility_probe_on_one_person_uses_the_primary_key_index(
    users: dict[str, User], person: Person
) -> None:
    # Given some restricted records and grants
    for _ in range(3):
        other = PersonFactory()
        _restrict(other, "restricted", user=users["allocated_worker"])
    # When the page's one-person probe is explained
    queryset = person_list_visible_to(user=users["other_team_worker"]).filter(pk=person.pk)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Statistics of what this test database holds now, not of whatever an earlier test
        # left behind (with stale ones the planner once chose another index).
        cursor.execute("ANALYZE clients_person, clients_recordaccessgrant")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Then it reads the person by its id through an index; the grants are subplans run once
    assert "Index Cond: (id = " in plan, plan
    assert "Seq Scan on clients_person" not in plan, plan
    assert "hashed SubPlan" in plan, plan


def test_search_hides_a_restricted_person_from_results_and_counts(
    users: dict[str, User], person: Person
) -> None:
    # Given a restricted record granted to the allocated worker only
    _restrict(person, "restricted", user=users["allocated_worker"])
    criteria = SearchCriteria(name="Jayden Whitmore")

    # Then the other team's worker finds nobody, and the allocated worker finds them
    hidden = search_people(user=users["other_team_worker"], criteria=criteria)
    found = search_people(user=users["allocated_worker"], criteria=criteria)
    assert (hidden.total, [m.person.pk for m in hidden]) == (0, [])
    assert (found.total, [m.person.pk for m in found]) == (1, [person.pk])


@pytest.mark.parametrize(
    "url_name",
    ["clients:person-detail", "clients:chronology-export", "clients:note-list", "api-person"],
)
def test_pages_api_and_exports_give_the_404_of_a_missing_person(
    url_name: str,
    users: dict[str, User],
    person: Person,
    client_for: Callable[[str], Client],
) -> None:
    # Given a sealed record the other team's worker was not granted
    _restrict(person, "sealed", user=users["allocated_worker"])
    client = client_for("other_team_worker")

    # When they open it, and a person who does not exist
    hidden = client.get(reverse(url_name, kwargs={"person_id": person.pk}))
    missing = client.get(reverse(url_name, kwargs={"person_id": person.pk + 10_000}))

    # Then both answers are the same 404, and nothing is recorded
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.content == missing.content
    assert _events(person) == []


# ----------------------------------------------------------------------------------------
# Duplicate checks
# ----------------------------------------------------------------------------------------


def test_a_restricted_likely_duplicate_is_mentioned_but_never_shown(
    users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    # Given the child's record is restricted to the allocated worker
    _restrict(person, "restricted", user=users["allocated_worker"])
    client = client_for("other_team_worker")
    typed = {
        "first_name": "Jayden",
        "last_name": "Whitmore",
        "date_of_birth_day": "14",
        "date_of_birth_month": "3",
        "date_of_birth_year": "2015",
        "sex": "M",
    }

    # When another team's worker adds a child with the same name and date of birth
    response = client.post(reverse("clients:person-create"), typed)

    # Then they are told a record they cannot see may match, with nothing about it
    page = response.content.decode()
    assert response.status_code == 200
    assert "A record you cannot see may match" in page
    assert f"Person ID {person.pk}" not in page
    assert f"/people/{person.pk}/" not in page
    assert Person.objects.count() == 1
    assert 'value="Whitmore"' in page  # what they typed is kept
    assert (
        likely_duplicates(
            user=users["other_team_worker"],
            first_name="Jayden",
            last_name="Whitmore",
            date_of_birth=person.date_of_birth,
        )
        == []
    )

    # And having checked, they may still add the record
    checked_for = page.split('name="checked_for" value="')[1].split('"')[0]
    created = client.post(
        reverse("clients:person-create"), {**typed, "confirm": "new", "checked_for": checked_for}
    )
    assert created.status_code == 302
    assert Person.objects.count() == 2


def test_an_nhs_number_clash_with_a_hidden_record_does_not_name_it(
    users: dict[str, User], person: Person
) -> None:
    # Given a restricted record with an NHS number
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919")
    _restrict(person, "restricted", user=users["allocated_worker"])
    from django.core.exceptions import ValidationError

    from clients.services.people import person_create

    # When someone adds another person with that number
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=users["other_team_worker"],
            first_name="Ann",
            last_name="Other",
            sex="F",
            nhs_number="9434765919",
        )
    # Then the message says it is taken, not by whom
    message = " ".join(error.value.message_dict["nhs_number"])
    assert str(person.pk) not in message
    assert "may not be able to see" in message


# ----------------------------------------------------------------------------------------
# Managing access
# ----------------------------------------------------------------------------------------


def test_restricting_a_record_keeps_its_allocated_workers_and_teams(
    users: dict[str, User], person: Person, team_a: Team
) -> None:
    # When the senior manager restricts the record
    record_access.record_access_level_set(
        actor=users["senior_manager"], person=person, access_level="restricted", reason=REASON
    )
    # Then its allocated worker and team are granted, in the grants list, and all audited
    grants = {(g.user_id, g.team_id) for g in RecordAccessGrant.objects.filter(person=person)}
    assert grants == {(users["allocated_worker"].pk, None), (None, team_a.pk)}
    assert _visible(users["team_manager"], person)  # through team A
    assert not _visible(users["other_team_worker"], person)
    changes = _events(person, kind=AuditEvent.Kind.CHANGE)
    assert [e.action for e in changes] == ["set_access_level", "grant_access", "grant_access"]
    assert changes[0].changes == {"access_level": ["ordinary", "restricted"]}
    assert changes[0].reason == REASON


def test_sealing_a_record_keeps_its_allocated_workers_by_name_only(
    users: dict[str, User], person: Person
) -> None:
    record_access.record_access_level_set(
        actor=users["senior_manager"], person=person, access_level="sealed", reason=REASON
    )
    grants = {(g.user_id, g.team_id) for g in RecordAccessGrant.objects.filter(person=person)}
    assert grants == {(users["allocated_worker"].pk, None)}
    assert not _visible(users["team_manager"], person)


def _access_url(person: Person) -> str:
    return reverse("clients:record-access", kwargs={"person_id": person.pk})


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter the reason."),
        ("Too short", "Reason must be at least 10 characters."),
        ("x" * 1001, "must be 1000 characters or fewer"),
        ("Bad\x00reason text", "control character"),
        ("Hidden \u202e direction text", "text-direction"),
    ],
)
def test_a_level_change_with_a_bad_reason_changes_nothing_and_keeps_what_was_typed(
    reason: str, message: str, person: Person, client_for: Callable[[str], Client]
) -> None:
    client = client_for("senior_manager")
    response = client.post(
        _access_url(person),
        {"action": "level", "level-access_level": "sealed", "level-reason": reason},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="sealed" checked' in response.content.decode()
    person.refresh_from_db()
    assert person.access_level == "ordinary"
    assert not RecordAccessGrant.objects.exists()
    assert _events(person, kind=AuditEvent.Kind.CHANGE) == []


@pytest.mark.parametrize(
    "data",
    [
        {"action": "level", "level-access_level": "top-secret", "level-reason": REASON},
        {"action": "level", "level-reason": REASON},
        {"action": "level", "level-access_level": "ordinary", "level-reason": REASON},
        {"action": "explode"},
        {},
    ],
)
def test_a_wrong_or_missing_level_is_refused_with_a_message(
    data: dict[str, str], person: Person, client_for: Callable[[str], Client]
) -> None:
    response = client_for("senior_manager").post(_access_url(person), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    person.refresh_from_db()
    assert person.access_level == "ordinary"


def test_a_manager_restricts_a_record_through_the_page(
    person: Person, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    client = client_for("team_manager")
    page = client.get(_access_url(person))
    assert page.status_code == 200
    response = client.post(
        _access_url(person),
        {"action": "level", "level-access_level": "restricted", "level-reason": REASON},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.access_level == "restricted"
    # The team manager keeps the record through team A's grant, and sees the grants
    listing = client.get(_access_url(person)).content.decode()
    assert "Assessment team north (team)" in listing
    assert str(users["allocated_worker"]) in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"grant-username": "nobody.here"}, "There is no member of staff with this username."),
        ({}, "Enter a member of staff&#x27;s username, or choose a team."),
        ({"grant-username": "oscar.other", "grant-team": "TEAM"}, "or choose a team"),
        ({"grant-team": "999999"}, "Choose a team from the list."),
        ({"grant-username": "o" * 151}, "150 characters or fewer"),
    ],
)
def test_a_bad_grant_is_refused_and_nothing_is_granted(
    data: dict[str, str],
    message: str,
    person: Person,
    team_b: Team,
    client_for: Callable[[str], Client],
) -> None:
    if data.get("grant-team") == "TEAM":
        data = {**data, "grant-team": str(team_b.pk)}
    response = client_for("senior_manager").post(
        _access_url(person), {"action": "grant", "grant-reason": REASON, **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RecordAccessGrant.objects.exists()


def test_a_sealed_record_takes_no_team_grant(
    users: dict[str, User], person: Person, team_b: Team, client_for: Callable[[str], Client]
) -> None:
    _restrict(person, "sealed")
    with pytest.raises(Exception, match="sealed record opens only to named"):
        record_access.record_access_grant_add(
            actor=users["senior_manager"], person=person, team=team_b, reason=REASON
        )
    # and the page offers no team to choose
    page = client_for("senior_manager").get(_access_url(person)).content.decode()
    assert 'name="grant-team"' not in page


def test_granting_and_removing_a_user_is_audited_with_the_reason(
    users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    _restrict(person, "restricted", user=users["allocated_worker"])
    client = client_for("senior_manager")
    response = client.post(
        _access_url(person),
        {"action": "grant", "grant-username": "oscar.other", "grant-reason": REASON},
    )
    assert response.status_code == 302
    assert _visible(users["other_team_worker"], person)
    grant = RecordAccessGrant.objects.get(person=person, user=users["other_team_worker"])

    remove_url = reverse(
        "clients:record-access-remove", kwargs={"person_id": person.pk, "grant_id": grant.pk}
    )
    short = client.post(remove_url, {"reason": "short"})
    assert short.status_code == 400
    assert RecordAccessGrant.objects.filter(pk=grant.pk).exists()
    removed = client.post(remove_url, {"reason": "Cover for leave has ended."})
    assert removed.status_code == 302
    assert not _visible(users["other_team_worker"], person)
    actions = [(e.action, e.reason) for e in _events(person, kind=AuditEvent.Kind.CHANGE)]
    assert actions == [
        ("grant_access", REASON),
        ("remove_access", "Cover for leave has ended."),
    ]
    # Removing it again is a 404: the grant is gone
    assert client.get(remove_url).status_code == 404


def test_a_team_manager_manages_only_their_teams_records(
    users: dict[str, User], client_for: Callable[[str], Client], team_b: Team
) -> None:
    # Given a person allocated to team B only
    other = PersonFactory(last_name="Elsewhere")
    InvolvementFactory(person=other, worker=users["other_team_worker"], team=team_b)
    # Then team A's manager gets the 404 of a missing person on its access page
    response = client_for("team_manager").get(_access_url(other))
    assert response.status_code == 404


# ----------------------------------------------------------------------------------------
# Breaking the glass
# ----------------------------------------------------------------------------------------


def test_a_manager_is_asked_for_a_reason_instead_of_the_404(
    users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    _restrict(person, "restricted", user=users["allocated_worker"])
    response = client_for("team_manager").get(
        reverse("clients:person-detail", kwargs={"person_id": person.pk})
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "This record is restricted" in page
    assert person.last_name not in page
    assert person.first_name not in page
    assert _events(person) == []


@pytest.mark.parametrize("persona", ["other_team_worker", "business_support", "admin"])
def test_without_the_role_the_404_stands(
    persona: str, users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    _restrict(person, "restricted", user=users["allocated_worker"])
    client = client_for(persona)
    assert client.get(reverse("clients:person-detail", args=[person.pk])).status_code == 404
    posted = client.post(reverse("clients:break-glass", args=[person.pk]), {"reason": REASON})
    assert posted.status_code == 404
    assert not RecordAccessGrant.objects.filter(user=users[persona]).exists()


def test_a_sealed_record_cannot_be_opened_by_breaking_the_glass(
    users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    _restrict(person, "sealed", user=users["allocated_worker"])
    client = client_for("senior_manager")
    assert client.get(reverse("clients:person-detail", args=[person.pk])).status_code == 404
    posted = client.post(reverse("clients:break-glass", args=[person.pk]), {"reason": REASON})
    assert posted.status_code == 404
    assert _events(person) == []


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter the reason."),
        ("urgent", "at least 10 characters"),
        ("y" * 1001, "1000 characters or fewer"),
        ("null \x00 byte reason", "control character"),
    ],
)
def test_breaking_the_glass_needs_a_real_reason(
    reason: str,
    message: str,
    users: dict[str, User],
    person: Person,
    client_for: Callable[[str], Client],
) -> None:
    _restrict(person, "restricted", user=users["allocated_worker"])
    response = client_for("team_manager").post(
        reverse("clients:break-glass", args=[person.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert person.last_name not in page
    assert not RecordAccessGrant.objects.filter(user=users["team_manager"]).exists()
    assert _events(person) == []
    assert Notification.objects.count() == 0


def test_breaking_the_glass_opens_the_record_until_the_end_of_the_day_and_tells_its_owners(
    users: dict[str, User],
    person: Person,
    team_a: Team,
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # Given a restricted record, and the senior manager (who is not granted it)
    _restrict(person, "restricted", user=users["allocated_worker"])
    client = client_for("senior_manager")
    why = "Police called out of hours: the child may be at risk tonight."

    # When they break the glass with a reason
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(reverse("clients:break-glass", args=[person.pk]), {"reason": why})

    # Then they are sent to the record, which opens until midnight
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:person-detail", args=[person.pk])
    grant = RecordAccessGrant.objects.get(person=person, user=users["senior_manager"])
    assert grant.is_break_glass
    assert grant.expires_at == record_access.end_of_today()
    assert client.get(response["Location"]).status_code == 200

    # and the break-the-glass event of its own kind holds the reason
    (event,) = _events(person, kind=AuditEvent.Kind.BREAK_GLASS)
    assert (event.actor_id, event.reason) == (users["senior_manager"].pk, why)

    # and the allocated worker and team A's manager are told, in the service and by email
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"alice.worker", "tina.manager"}
    notification = Notification.objects.get(recipient=users["allocated_worker"])
    assert why in notification.body
    assert notification.link == reverse("clients:person-detail", args=[person.pk])
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice.worker@council.example",
        "tina.manager@council.example",
    ]
    # The email says where to look, not whose record or why
    assert all(person.last_name not in m.body and why not in m.body for m in mail.outbox)

    # and information governance's check flags it for review
    window_end = timezone.now() + datetime.timedelta(minutes=1)
    findings = detection.broke_the_glass(window_end - datetime.timedelta(hours=1), window_end)
    assert [(f.user_id, f.rule, f.person_ids) for f in findings] == [
        (users["senior_manager"].pk, AccessFlag.Rule.BREAK_GLASS, (person.pk,))
    ]


def test_the_emergency_access_ends_by_itself(
    users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    _restrict(person, "restricted", user=users["allocated_worker"])
    record_access.record_break_glass(
        actor=users["team_manager"], person=person, reason="Urgent safeguarding call."
    )
    assert _visible(users["team_manager"], person)
    RecordAccessGrant.objects.filter(user=users["team_manager"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client_for("team_manager").get(reverse("clients:person-detail", args=[person.pk]))
    assert response.status_code == 403  # asked again


def test_the_demo_marks_one_record_restricted_and_one_sealed(db: None) -> None:
    from clients import demo

    demo.seed_demo_council(people=120, today=timezone.localdate())
    practitioner = User.objects.get(username="practitioner")
    restricted = Person.objects.get(access_level="restricted")
    sealed = Person.objects.get(access_level="sealed")
    assert _visible(practitioner, restricted)
    assert not _visible(practitioner, sealed)
    # Running it again adds nothing
    demo.seed_demo_council(people=120, today=timezone.localdate())
    assert Person.objects.exclude(access_level="ordinary").count() == 2
