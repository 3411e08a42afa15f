"""What a user viewed: who may see it, what it shows, and that looking at it is recorded."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, Team, User
from clients.models import Person
from tests.factories import PersonFactory, TeamMembershipFactory, UserFactory
from tests.governance.factories import opened

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(hours=1))  # British Summer Time


def _url(user: User, query: str = "") -> str:
    return reverse("governance:user-access", kwargs={"user_id": user.pk}) + query


def _own_events(viewer: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=viewer, object_type="user"))


# ---------------------------------------------------------------------------------------
# Who may see it
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "member", "status"),
    [
        ("team_manager", "allocated_worker", 200),
        ("team_manager", "business_support", 200),
        ("team_manager", "team_manager", 200),
        ("team_manager", "other_team_worker", 404),
        ("team_manager", "senior_manager", 404),
        ("senior_manager", "other_team_worker", 200),
        ("senior_manager", "admin", 200),
        ("allocated_worker", "allocated_worker", 404),
        ("other_team_worker", "allocated_worker", 404),
        ("finance_officer", "allocated_worker", 404),
        ("business_support", "allocated_worker", 404),
        ("admin", "allocated_worker", 404),
    ],
)
def test_who_may_see_what_a_user_viewed(
    persona: str,
    member: str,
    status: int,
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    # Given a persona asking about a member of staff
    before = AuditEvent.objects.count()

    # When they open the page
    response = client_for(persona).get(_url(users[member]))

    # Then they see it, or get the same 404 as for nobody, and a refusal records nothing
    assert response.status_code == status
    if status == 404:
        assert AuditEvent.objects.count() == before
        assert users[member].username.encode() not in response.content


def test_an_information_governance_officer_sees_anyone(
    governance_client: Client, governance_officer: User, users: dict[str, User]
) -> None:
    for member in (*users.values(), governance_officer):
        assert governance_client.get(_url(member)).status_code == 200


def test_a_user_who_does_not_exist_is_404(governance_client: Client) -> None:
    response = governance_client.get("/governance/users/999999/access/")
    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0


def test_a_team_manager_stops_seeing_staff_who_left_the_team(
    users: dict[str, User], team_a: Team, client_for: Callable[[str], Client]
) -> None:
    # Given a worker who left the manager's team yesterday
    leaver = UserFactory(username="lee.leaver")
    TeamMembershipFactory(
        user=leaver, team=team_a, end_date=timezone.localdate() - datetime.timedelta(days=1)
    )

    assert client_for("team_manager").get(_url(leaver)).status_code == 404


def test_a_manager_who_stopped_managing_the_team_no_longer_sees_it(
    users: dict[str, User], team_a: Team, team_b: Team, client_for: Callable[[str], Client]
) -> None:
    # Given a former manager of team B, still a member of it
    former = UserFactory(username="fay.former", roles=["team_manager"])
    TeamMembershipFactory(
        user=former,
        team=team_b,
        is_manager=True,
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    TeamMembershipFactory(user=former, team=team_b, is_manager=False)
    client = Client()
    client.force_login(former)

    assert client.get(_url(users["other_team_worker"])).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_is_allowed(method: str, governance_client: Client, worker: User) -> None:
    response = getattr(governance_client, method)(_url(worker))
    assert response.status_code == 405
    assert AuditEvent.objects.count() == 0


# ---------------------------------------------------------------------------------------
# What it shows
# ---------------------------------------------------------------------------------------


def test_it_lists_what_the_user_viewed_with_names_and_access_log_links(
    governance_client: Client, governance_officer: User, worker: User, person: Person
) -> None:
    # Given a worker who opened two people's records and searched
    other = PersonFactory(first_name="Hyacinth", last_name="Campbell")
    at = timezone.now() - datetime.timedelta(minutes=5)
    opened(worker, [person.pk], at=at, summary="Viewed case notes", reason="Duty cover")
    opened(worker, [other.pk], at=at + datetime.timedelta(minutes=1))
    AuditEvent.objects.create(
        occurred_at=at + datetime.timedelta(minutes=2),
        kind=AuditEvent.Kind.ACCESS,
        action="search",
        actor=worker,
        actor_username=worker.username,
        object_type="search",
        summary="Searched for campbell (1 found)",
    )
    # and changed one (a change is not a view)
    opened(worker, [other.pk], kind=AuditEvent.Kind.CHANGE, summary="Changed address")

    # When an officer opens what the worker viewed
    response = governance_client.get(_url(worker))

    # Then each view is listed, newest first, with the person's name and access log
    assert response.status_code == 200
    rows = [(event.summary, name) for event, name in response.context["rows"]]
    assert rows == [
        ("Searched for campbell (1 found)", None),
        ("Viewed person record", "Hyacinth Campbell"),
        ("Viewed case notes", "Jayden Whitmore"),
    ]
    content = response.content.decode()
    assert "3 events" in content
    assert "Duty cover" in content
    assert reverse("clients:access-log", kwargs={"person_id": person.pk}) in content
    assert reverse("clients:access-log", kwargs={"person_id": other.pk}) in content
    assert "Changed address" not in content


def test_viewing_the_page_records_one_access_event_about_the_user(
    governance_client: Client, governance_officer: User, worker: User
) -> None:
    response = governance_client.get(_url(worker))

    assert response.status_code == 200
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    event = events[0]
    assert event.kind == AuditEvent.Kind.ACCESS
    assert event.actor == governance_officer
    assert event.person_id is None
    assert event.object_type == "user"
    assert event.object_id == str(worker.pk)
    assert event.summary == f"Viewed what {worker.username} viewed"


def test_the_officers_own_look_shows_on_their_own_page(
    governance_client: Client, governance_officer: User
) -> None:
    response = governance_client.get(_url(governance_officer))

    assert [event.summary for event, _ in response.context["rows"]] == [
        "Viewed what ida.governance viewed"
    ]


def test_people_the_viewer_may_not_see_show_their_id_only(
    client_for: Callable[[str], Client], users: dict[str, User], monkeypatch: Any
) -> None:
    # Given a person the viewer's scope leaves out (as restricted records will be)
    hidden = PersonFactory(first_name="Secret", last_name="Person")
    opened(users["allocated_worker"], [hidden.pk])
    from governance import selectors

    real = selectors.person_list_visible_to

    def narrowed(**kwargs: Any) -> Any:
        return real(**kwargs).exclude(pk=hidden.pk)

    monkeypatch.setattr(selectors, "person_list_visible_to", narrowed)

    response = client_for("team_manager").get(_url(users["allocated_worker"]))

    content = response.content.decode()
    assert "Secret" not in content
    assert f"ID {hidden.pk}" in content
    assert reverse("clients:access-log", kwargs={"person_id": hidden.pk}) not in content


def test_the_list_is_paged_fifty_at_a_time(governance_client: Client, worker: User) -> None:
    people = [PersonFactory().pk for _ in range(3)]
    start = timezone.now() - datetime.timedelta(hours=2)
    for index in range(51):
        opened(worker, [people[index % 3]], at=start + datetime.timedelta(seconds=index))

    first = governance_client.get(_url(worker))
    second = governance_client.get(_url(worker, "?page=2"))

    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 51
    assert len(second.context["rows"]) == 1
    assert second.context["rows"][0][0].occurred_at == start


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1e3", "", "%00"])
def test_a_nonsense_page_number_shows_a_real_page(
    governance_client: Client, worker: User, page: str
) -> None:
    opened(worker, [PersonFactory().pk])

    response = governance_client.get(_url(worker, f"?page={page}"))

    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


def _dates(prefix: str, day: datetime.date) -> str:
    return f"{prefix}_day={day.day}&{prefix}_month={day.month}&{prefix}_year={day.year}"


def test_the_dates_filter_by_london_days(governance_client: Client, worker: User) -> None:
    # Given views on 1, 2 and 3 June, one at 00:30 London time on 2 June (23:30 UTC on 1 June)
    person_id = PersonFactory().pk
    opened(worker, [person_id], at=datetime.datetime(2025, 6, 1, 12, 0, tzinfo=LONDON))
    opened(worker, [person_id], at=datetime.datetime(2025, 6, 2, 0, 30, tzinfo=LONDON))
    opened(worker, [person_id], at=datetime.datetime(2025, 6, 2, 23, 59, tzinfo=LONDON))
    opened(worker, [person_id], at=datetime.datetime(2025, 6, 3, 0, 0, tzinfo=LONDON))
    june_2 = datetime.date(2025, 6, 2)

    response = governance_client.get(
        _url(worker, "?" + _dates("date_from", june_2) + "&" + _dates("date_to", june_2))
    )

    times = [timezone.localtime(event.occurred_at).time() for event, _ in response.context["rows"]]
    assert times == [datetime.time(23, 59), datetime.time(0, 30)]
    assert "2 events found" in response.content.decode()


def test_a_from_date_alone_filters(governance_client: Client, worker: User) -> None:
    person_id = PersonFactory().pk
    opened(worker, [person_id], at=datetime.datetime(2025, 6, 1, 12, 0, tzinfo=LONDON))
    opened(worker, [person_id], at=datetime.datetime(2025, 6, 3, 12, 0, tzinfo=LONDON))

    response = governance_client.get(
        _url(worker, "?" + _dates("date_from", datetime.date(2025, 6, 2)))
    )

    assert len(response.context["rows"]) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from_day=32&date_from_month=1&date_from_year=2025", "must be a real date"),
        ("date_from_day=1&date_from_month=13&date_from_year=2025", "must be a real date"),
        ("date_from_day=1&date_from_year=2025", "must include a month"),
        ("date_from_day=x&date_from_month=1&date_from_year=2025", "must be a real date"),
        ("date_from_day=1&date_from_month=1&date_from_year=25", "Year must include 4 numbers"),
        ("date_from_day=1&date_from_month=1&date_from_year=%00", "must be a real date"),
        (
            "date_from_day=2&date_from_month=1&date_from_year=2025"
            "&date_to_day=1&date_to_month=1&date_to_year=2025",
            "must be the same as or after",
        ),
    ],
)
def test_a_bad_date_is_reported_and_ignored(
    governance_client: Client, worker: User, query: str, message: str
) -> None:
    # Given something the worker viewed
    opened(worker, [PersonFactory().pk], at=datetime.datetime(2025, 6, 1, tzinfo=LONDON))

    # When the filter has a date that makes no sense
    response = governance_client.get(_url(worker, "?" + query))

    # Then the page shows the problem in an error summary, keeps what was typed, and does
    # not filter by it
    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content
    assert message in content
    assert "<title>Error: " in content
    assert len(response.context["rows"]) >= 1


def test_the_page_takes_a_fixed_number_of_queries(
    governance_client: Client, worker: User, django_assert_max_num_queries: Any
) -> None:
    # Given a full page of views of many different people
    people = [PersonFactory().pk for _ in range(50)]
    opened(worker, people)
    governance_client.get(_url(worker))  # warm the permission cache

    # Then the page reads names in one query, however many people are on it
    with django_assert_max_num_queries(6):
        response = governance_client.get(_url(worker))
    assert len(response.context["rows"]) == 50
    assert all(name for _, name in response.context["rows"])
