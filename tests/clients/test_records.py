"""Relationships, involvements, alerts and groups: services, pages and bad input."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, Team, User
from clients.models import (
    Alert,
    AlertType,
    Group,
    GroupMembership,
    Involvement,
    InvolvementRole,
    Person,
    Relationship,
    RelationshipType,
)
from clients.services.alerts import alert_add, alert_end
from clients.services.groups import group_create_or_join
from clients.services.involvements import involvement_end, involvement_start
from clients.services.relationships import relationship_create, relationship_end
from tests.factories import (
    AlertFactory,
    GroupFactory,
    GroupMembershipFactory,
    InvolvementFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _type(code: str) -> RelationshipType:
    return RelationshipType.objects.select_related("reciprocal").get(code=code)


def _changes(person: Person | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).order_by("id")
    if person is not None:
        events = events.filter(person_id=person.pk)
    return list(events)


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


# ---------------------------------------------------------------------------
# Relationships
# ---------------------------------------------------------------------------


def test_a_relationship_is_recorded_both_ways_with_labels_from_sex(
    worker: User, person: Person
) -> None:
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")

    forward = relationship_create(
        actor=worker,
        person=person,
        other=mother,
        relationship_type=_type("parent"),
        start_date=datetime.date(2015, 3, 14),
        is_parental_responsibility=True,
    )

    backward = Relationship.objects.get(person=mother, other=person)
    assert forward.reciprocal_id == backward.pk
    assert backward.reciprocal_id == forward.pk
    assert forward.label == "Mother"
    assert backward.label == "Son"
    assert backward.type.code == "child"
    assert forward.is_parental_responsibility is True
    assert backward.is_parental_responsibility is False
    assert backward.start_date == datetime.date(2015, 3, 14)
    # One change event per row, each on its own person's record
    assert [(event.person_id, event.object_id) for event in _changes()] == [
        (person.pk, str(forward.pk)),
        (mother.pk, str(backward.pk)),
    ]
    assert _changes(person)[0].changes["type"] == [None, _type("parent").pk]


def test_relationship_to_self_and_exact_duplicates_are_refused(
    worker: User, person: Person
) -> None:
    sister = PersonFactory(sex="F")
    relationship_create(
        actor=worker, person=person, other=sister, relationship_type=_type("sibling")
    )

    with pytest.raises(ValidationError) as self_error:
        relationship_create(
            actor=worker, person=person, other=person, relationship_type=_type("sibling")
        )
    with pytest.raises(ValidationError) as duplicate_error:
        relationship_create(
            actor=worker, person=person, other=sister, relationship_type=_type("sibling")
        )
    # Recorded from the other side it is the same relationship
    with pytest.raises(ValidationError):
        relationship_create(
            actor=worker, person=sister, other=person, relationship_type=_type("sibling")
        )

    assert "themselves" in self_error.value.message_dict["other"][0]
    assert "already recorded as sister" in duplicate_error.value.message_dict["other"][0]
    assert Relationship.objects.count() == 2


def test_parental_responsibility_is_not_held_by_a_child(worker: User, person: Person) -> None:
    with pytest.raises(ValidationError) as error:
        relationship_create(
            actor=worker,
            person=person,
            other=PersonFactory(),
            relationship_type=_type("child"),
            is_parental_responsibility=True,
        )

    assert "is_parental_responsibility" in error.value.message_dict
    assert Relationship.objects.count() == 0
    assert _changes() == []


def test_ending_a_relationship_ends_both_rows(worker: User, person: Person) -> None:
    partner = PersonFactory()
    forward = relationship_create(
        actor=worker,
        person=person,
        other=partner,
        relationship_type=_type("partner"),
        start_date=datetime.date(2020, 1, 1),
    )

    relationship_end(actor=worker, relationship=forward, end_date=datetime.date(2024, 5, 1))

    assert set(Relationship.objects.values_list("end_date", flat=True)) == {
        datetime.date(2024, 5, 1)
    }
    ended = [event for event in _changes() if event.summary == "Ended relationship"]
    assert {event.person_id for event in ended} == {person.pk, partner.pk}
    assert ended[0].changes == {"end_date": [None, "2024-05-01"]}
    with pytest.raises(ValidationError):
        relationship_end(actor=worker, relationship=forward, end_date=datetime.date(2024, 6, 1))


def test_a_relationship_cannot_end_before_it_started(worker: User, person: Person) -> None:
    forward = relationship_create(
        actor=worker,
        person=person,
        other=PersonFactory(),
        relationship_type=_type("partner"),
        start_date=datetime.date(2020, 1, 1),
    )

    with pytest.raises(ValidationError) as error:
        relationship_end(actor=worker, relationship=forward, end_date=datetime.date(2019, 1, 1))

    assert "end_date" in error.value.message_dict
    assert not Relationship.objects.filter(end_date__isnull=False).exists()


def test_adding_a_relationship_through_the_page(worker_client: Client, person: Person) -> None:
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")

    response = worker_client.post(
        reverse("clients:relationship-add", args=[person.pk]),
        {
            "other": f" {mother.pk} ",
            "relationship_type": str(_type("parent").pk),
            "is_parental_responsibility": "on",
            **_date("start_date", datetime.date(2015, 3, 14)),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:relationships", args=[person.pk])
    relationship = Relationship.objects.get(person=person)
    assert (relationship.other, relationship.label) == (mother, "Mother")
    page = worker_client.get(response["Location"]).content.decode()
    assert "Mary Whitmore added as mother of Jayden Whitmore" in page
    assert "Parental responsibility" in page


def test_finding_the_other_person_by_name(worker_client: Client, person: Person) -> None:
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")
    PersonFactory(first_name="Mary", last_name="Jones")

    response = worker_client.get(
        reverse("clients:relationship-add", args=[person.pk]), {"q": "mary whit"}
    )

    page = response.content.decode()
    assert f"?other={mother.pk}" in page
    assert "Mary Jones" not in page
    [event] = AuditEvent.objects.filter(person_id=person.pk)
    assert "searching for 'mary whit' (1 found)" in event.summary


def test_search_results_say_who_is_already_related(
    worker_client: Client, worker: User, person: Person
) -> None:
    father = PersonFactory(first_name="John", last_name="Whitmore", sex="M")
    relationship_create(
        actor=worker, person=person, other=father, relationship_type=_type("parent")
    )

    response = worker_client.get(
        reverse("clients:relationship-add", args=[person.pk]), {"q": "whitmore"}
    )

    assert "Already recorded: father" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x", "Enter at least 2 letters"),
        ("nobody-like-this", "No one found"),
        ("\x00\u202e", "control character"),
        ("a" * 10_000, "100 characters or fewer"),
    ],
)
def test_a_search_that_finds_no_one_says_why(
    worker_client: Client, person: Person, query: str, message: str
) -> None:
    response = worker_client.get(
        reverse("clients:relationship-add", args=[person.pk]), {"q": query}
    )

    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"other": ""}, "other", "Enter the person ID of the other person"),
        ({"other": "abc"}, "other", "Enter a person ID using numbers only"),
        ({"other": "99999999"}, "other", "There is no person with ID 99999999"),
        ({"other": "9" * 10_000}, "other", "must be 20 characters or fewer"),
        ({"relationship_type": ""}, "relationship_type", "Choose how they are related"),
        ({"relationship_type": "999999"}, "relationship_type", "Choose how they are related"),
        ({"notes": "n" * 10_000}, "notes", "Notes must be 500 characters or fewer"),
        ({"notes": "bad\x00"}, "notes", "Notes contains a control character"),
        ({"start_date_day": "31", "start_date_month": "2"}, "start_date", "must be a real date"),
    ],
)
def test_bad_relationships_are_refused_and_nothing_is_saved(
    worker_client: Client,
    person: Person,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    mother = PersonFactory(sex="F")
    posted = {
        "other": str(mother.pk),
        "relationship_type": str(_type("parent").pk),
        "notes": "Lives nearby 🏠",
        **_date("start_date", datetime.date(2015, 3, 14)),
    }
    posted.update(data)

    response = worker_client.post(reverse("clients:relationship-add", args=[person.pk]), posted)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert message in page
    if field != "notes":
        assert "Lives nearby 🏠" in page
    assert not Relationship.objects.exists()
    assert _changes() == []


def test_a_person_cannot_be_related_to_themselves_through_the_page(
    worker_client: Client, person: Person
) -> None:
    response = worker_client.post(
        reverse("clients:relationship-add", args=[person.pk]),
        {"other": str(person.pk), "relationship_type": str(_type("sibling").pk)},
    )

    assert "a person cannot be related to themselves" in response.content.decode()
    assert not Relationship.objects.exists()


def test_a_duplicate_through_the_page_gets_the_service_message(
    worker_client: Client, worker: User, person: Person
) -> None:
    sister = PersonFactory(first_name="Ella", last_name="Whitmore", sex="F")
    relationship_create(
        actor=worker, person=person, other=sister, relationship_type=_type("sibling")
    )

    response = worker_client.post(
        reverse("clients:relationship-add", args=[person.pk]),
        {"other": str(sister.pk), "relationship_type": str(_type("sibling").pk)},
    )

    assert "Ella Whitmore is already recorded as sister of Jayden Whitmore." in (
        response.content.decode()
    )
    assert Relationship.objects.count() == 2


def test_ending_a_relationship_through_the_page(
    worker_client: Client, worker: User, person: Person
) -> None:
    partner = PersonFactory(first_name="Sam", last_name="Lee")
    forward = relationship_create(
        actor=worker, person=person, other=partner, relationship_type=_type("partner")
    )
    url = reverse("clients:relationship-end", args=[person.pk, forward.pk])

    page = worker_client.get(url).content.decode()
    bad = worker_client.post(url, {"end_date_day": "1", "reason": "Separated"})
    good = worker_client.post(url, {**_date("end_date", TODAY()), "reason": "Separated"})

    assert "End relationship with Sam Lee" in page
    assert "End date must include a month and a year." not in page
    assert "must include a month and a year" in bad.content.decode()
    assert "Separated" in bad.content.decode()
    assert good.status_code == 302
    assert set(Relationship.objects.values_list("end_date", flat=True)) == {TODAY()}
    assert {event.reason for event in _changes() if event.action == "update"} == {"Separated"}


def test_a_relationship_of_another_person_cannot_be_ended_here(
    worker_client: Client, person: Person
) -> None:
    elsewhere = RelationshipFactory(person=PersonFactory(), other=PersonFactory())

    response = worker_client.get(
        reverse("clients:relationship-end", args=[person.pk, elsewhere.pk])
    )

    assert response.status_code == 404


def test_relationships_page_lists_current_and_ended(
    worker_client: Client, worker: User, person: Person
) -> None:
    father = PersonFactory(first_name="John", last_name="Whitmore", sex="M")
    former = PersonFactory(first_name="Old", last_name="Friend")
    relationship_create(
        actor=worker, person=person, other=father, relationship_type=_type("parent")
    )
    relationship_create(
        actor=worker,
        person=person,
        other=former,
        relationship_type=_type("friend"),
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )

    page = worker_client.get(reverse("clients:relationships", args=[person.pk])).content.decode()

    current, ended = page.split('<h2 class="govuk-heading-m">Ended relationships</h2>')
    assert "John Whitmore" in current
    assert "Father" in current
    assert "Old Friend" in ended
    assert "Genogram for Jayden Whitmore" in page


# ---------------------------------------------------------------------------
# Involvements
# ---------------------------------------------------------------------------


def _role(code: str) -> InvolvementRole:
    return InvolvementRole.objects.get(code=code)


def test_a_new_allocation_ends_the_teams_previous_one(
    users: dict[str, User], person: Person, team_a: Team
) -> None:
    manager = users["team_manager"]
    previous = Involvement.objects.get(person=person)
    other_team = InvolvementFactory(
        person=person, team=TeamFactory(), role=_role("allocated-social-worker")
    )
    therapist = InvolvementFactory(person=person, team=team_a, role=_role("occupational-therapist"))
    start = TODAY()

    new = involvement_start(
        actor=manager,
        person=person,
        role=_role("allocated-social-worker"),
        team=team_a,
        worker=users["other_team_worker"],
        start_date=start,
    )

    previous.refresh_from_db()
    assert previous.end_date == start - datetime.timedelta(days=1)
    assert previous.end_reason == "Reallocated"
    other_team.refresh_from_db()
    therapist.refresh_from_db()
    assert other_team.end_date is None
    assert therapist.end_date is None
    assert new.end_date is None
    assert [event.action for event in _changes(person)] == ["update", "create"]


def test_an_involvement_cannot_be_started_twice_or_in_the_future(
    users: dict[str, User], person: Person, team_a: Team
) -> None:
    manager = users["team_manager"]
    worker = users["allocated_worker"]

    with pytest.raises(ValidationError) as twice:
        involvement_start(
            actor=manager,
            person=person,
            role=_role("allocated-social-worker"),
            team=team_a,
            worker=worker,
            start_date=TODAY(),
        )
    with pytest.raises(ValidationError) as future:
        involvement_start(
            actor=manager,
            person=person,
            role=_role("key-worker"),
            team=team_a,
            worker=worker,
            start_date=TODAY() + datetime.timedelta(days=3),
        )

    assert "already involved" in twice.value.message_dict["worker"][0]
    assert "today or in the past" in future.value.message_dict["start_date"][0]
    assert Involvement.objects.filter(person=person).count() == 1
    assert _changes() == []


def test_an_inactive_worker_cannot_be_allocated(
    users: dict[str, User], person: Person, team_a: Team
) -> None:
    with pytest.raises(ValidationError) as error:
        involvement_start(
            actor=users["team_manager"],
            person=person,
            role=_role("key-worker"),
            team=team_a,
            worker=users["inactive_user"],
            start_date=TODAY(),
        )

    assert "worker" in error.value.message_dict


def test_ending_an_involvement(users: dict[str, User], person: Person) -> None:
    involvement = Involvement.objects.get(person=person)

    with pytest.raises(ValidationError) as too_early:
        involvement_end(
            actor=users["team_manager"],
            involvement=involvement,
            end_date=involvement.start_date - datetime.timedelta(days=1),
        )
    involvement_end(
        actor=users["team_manager"], involvement=involvement, end_date=TODAY(), reason="Closed"
    )

    assert "on or after the start date" in too_early.value.message_dict["end_date"][0]
    involvement.refresh_from_db()
    assert (involvement.end_date, involvement.end_reason) == (TODAY(), "Closed")
    [event] = _changes(person)
    assert event.changes == {"end_date": [None, TODAY().isoformat()], "end_reason": ["", "Closed"]}


def test_allocating_through_the_page(
    client_for: Any, users: dict[str, User], person: Person, team_a: Team
) -> None:
    client = client_for("team_manager")
    url = reverse("clients:involvement-add", args=[person.pk])
    form_page = client.get(url).content.decode()

    response = client.post(
        url,
        {
            "role": str(_role("allocated-social-worker").pk),
            "team": str(team_a.pk),
            "worker": str(users["other_team_worker"].pk),
            **_date("start_date", TODAY()),
        },
    )

    # The worker list holds open accounts only, and the manager's own team is chosen
    assert str(users["inactive_user"]) not in form_page
    assert str(users["other_team_worker"]) in form_page
    assert f'<option value="{team_a.pk}" selected>' in form_page
    assert response.status_code == 302
    current = Involvement.objects.get(person=person, end_date__isnull=True)
    assert current.worker == users["other_team_worker"]
    page = client.get(reverse("clients:person-detail", args=[person.pk])).content.decode()
    assert "Allocated social worker in Assessment team north added" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": ""}, "role", "Choose a role from the list."),
        ({"team": "999999"}, "team", "Choose a team from the list."),
        ({"worker": "not-a-worker"}, "worker", "Choose a worker from the list."),
        ({"start_date_year": ""}, "start_date", "Start date must include a year."),
        (
            {"start_date_day": "", "start_date_month": "", "start_date_year": ""},
            "start_date",
            "Enter the date the involvement started.",
        ),
    ],
)
def test_bad_involvements_are_refused(
    client_for: Any,
    users: dict[str, User],
    person: Person,
    team_a: Team,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    posted = {
        "role": str(_role("key-worker").pk),
        "team": str(team_a.pk),
        "worker": str(users["other_team_worker"].pk),
        **_date("start_date", TODAY()),
    }
    posted.update(data)

    response = client_for("team_manager").post(
        reverse("clients:involvement-add", args=[person.pk]), posted
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert message in page
    assert Involvement.objects.filter(person=person).count() == 1
    assert _changes() == []


def test_ending_an_involvement_through_the_page(client_for: Any, person: Person) -> None:
    involvement = Involvement.objects.get(person=person)
    url = reverse("clients:involvement-end", args=[person.pk, involvement.pk])
    client = client_for("team_manager")

    too_long = client.post(url, {**_date("end_date", TODAY()), "reason": "r" * 201})
    saved = client.post(url, {**_date("end_date", TODAY()), "reason": "Case closed"})

    assert "Reason must be 200 characters or fewer" in too_long.content.decode()
    assert saved.status_code == 302
    involvement.refresh_from_db()
    assert involvement.end_reason == "Case closed"


# ---------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------


def test_an_alert_shows_on_every_page_until_ended(
    worker_client: Client, worker: User, person: Person
) -> None:
    alert = alert_add(
        actor=worker,
        person=person,
        alert_type=AlertType.objects.get(code="lone-working"),
        description="Visit in pairs after 4pm",
    )
    summary = worker_client.get(reverse("clients:person-detail", args=[person.pk]))
    relationships = worker_client.get(reverse("clients:relationships", args=[person.pk]))

    alert_end(actor=worker, alert=alert, end_date=TODAY(), reason="Risk reviewed")
    after = worker_client.get(reverse("clients:relationships", args=[person.pk]))

    assert "Visit in pairs after 4pm" in summary.content.decode()
    assert "Visit in pairs after 4pm" in relationships.content.decode()
    # Ended today: the banner shows alerts open on the day, so it goes tomorrow
    assert "Do not visit alone" in after.content.decode()
    assert [event.summary for event in _changes(person)] == [
        "Added alert: Do not visit alone",
        "Ended alert: Do not visit alone",
    ]
    assert _changes(person)[1].reason == "Risk reviewed"


def test_adding_an_alert_through_the_page(worker_client: Client, person: Person) -> None:
    response = worker_client.post(
        reverse("clients:alert-add", args=[person.pk]),
        {
            "alert_type": str(AlertType.objects.get(code="interpreter-needed").pk),
            "description": "Speaks Polish 🇵🇱",
            **_date("start_date", TODAY()),
        },
    )

    assert response.status_code == 302
    alert = Alert.objects.get(person=person)
    assert alert.description == "Speaks Polish 🇵🇱"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"alert_type": ""}, "alert_type", "Choose the type of alert."),
        ({"alert_type": "12345"}, "alert_type", "Choose the type of alert."),
        ({"description": "d" * 10_000}, "description", "Description must be 500 characters"),
        ({"description": "\u202eevil"}, "description", "hidden text-direction characters"),
        ({"start_date_month": "x"}, "start_date", "Start date must be a real date."),
    ],
)
def test_bad_alerts_are_refused(
    worker_client: Client, person: Person, data: dict[str, str], field: str, message: str
) -> None:
    posted = {
        "alert_type": str(AlertType.objects.get(code="risk-to-staff").pk),
        "description": "Aggressive dog",
        **_date("start_date", TODAY()),
    }
    posted.update(data)

    response = worker_client.post(reverse("clients:alert-add", args=[person.pk]), posted)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert message in page
    assert not Alert.objects.exists()


def test_a_future_alert_start_is_refused_by_the_service(worker: User, person: Person) -> None:
    with pytest.raises(ValidationError) as error:
        alert_add(
            actor=worker,
            person=person,
            alert_type=AlertType.objects.get(code="risk-to-staff"),
            start_date=TODAY() + datetime.timedelta(days=1),
        )

    assert "start_date" in error.value.message_dict


def test_ending_an_alert_through_the_page(worker_client: Client, person: Person) -> None:
    alert = AlertFactory(person=person, start_date=datetime.date(2024, 1, 1))
    url = reverse("clients:alert-end", args=[person.pk, alert.pk])

    early = worker_client.post(url, _date("end_date", datetime.date(2023, 1, 1)))
    response = worker_client.post(url, _date("end_date", TODAY()))
    again = worker_client.post(url, _date("end_date", TODAY()))

    assert "The end date must be on or after the start date" in early.content.decode()
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.end_date == TODAY()
    assert "This alert has already ended." in again.content.decode()


# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------


def test_starting_a_new_household(worker: User, person: Person) -> None:
    membership = group_create_or_join(
        actor=worker, person=person, kind="household", name="Whitmore household", role="child"
    )

    assert membership.group.kind == "household"
    assert membership.group.name == "Whitmore household"
    assert [event.object_type for event in _changes(person)] == [
        "clients.group",
        "clients.groupmembership",
    ]


def test_joining_a_relatives_household_through_the_page(
    worker_client: Client, worker: User, person: Person
) -> None:
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")
    relationship_create(
        actor=worker, person=person, other=mother, relationship_type=_type("parent")
    )
    household = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=household, person=mother, role="parent")
    url = reverse("clients:group-add", args=[person.pk])

    form_page = worker_client.get(url).content.decode()
    response = worker_client.post(
        url, {"choice": str(household.pk), "role": "child", **_date("start_date", TODAY())}
    )
    page = worker_client.get(reverse("clients:person-detail", args=[person.pk])).content.decode()

    assert "Whitmore household (household, group" in form_page
    assert response.status_code == 302
    assert GroupMembership.objects.filter(group=household, person=person, role="child").exists()
    assert "Mary Whitmore" in page.split("Households and family groups")[1]


def test_joining_a_group_twice_is_refused(worker: User, person: Person) -> None:
    household = GroupFactory()
    GroupMembershipFactory(group=household, person=person)

    with pytest.raises(ValidationError) as error:
        group_create_or_join(actor=worker, person=person, group=household)

    assert "already a member" in error.value.message_dict["group"][0]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"choice": ""}, "choice", "Choose a group, or choose to start a new one."),
        ({"choice": "new", "kind": ""}, "kind", "household or a family group"),
        ({"choice": "new", "name": ""}, "name", "Enter a name for the group"),
        ({"choice": "new", "name": "n" * 10_000}, "name", "150 characters or fewer"),
        ({"choice": "other", "group_number": "abc"}, "group_number", "numbers only"),
        ({"choice": "other", "group_number": "999999"}, "group_number", "no group with number"),
        ({"role": "r\x00"}, "role", "control character"),
    ],
)
def test_bad_groups_are_refused(
    worker_client: Client, person: Person, data: dict[str, str], field: str, message: str
) -> None:
    posted = {"choice": "new", "kind": "family", "name": "Whitmore family", "role": "child"}
    posted.update(data)

    response = worker_client.post(reverse("clients:group-add", args=[person.pk]), posted)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert message in page
    assert not Group.objects.exists()
    assert _changes() == []


def test_business_support_cannot_manage_relationships(client_for: Any, person: Person) -> None:
    response = client_for("business_support").get(
        reverse("clients:relationship-add", args=[person.pk])
    )

    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_only_active_users_are_offered(client_for: Any, person: Person) -> None:
    UserFactory(username="gone.away", first_name="Gone", last_name="Away", is_active=False)
    UserFactory(username="still.here", first_name="Still", last_name="Here")

    page = (
        client_for("team_manager")
        .get(reverse("clients:involvement-add", args=[person.pk]))
        .content.decode()
    )

    assert "Gone Away" not in page
    assert "Still Here" in page
