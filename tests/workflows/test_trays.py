"""Work trays: my work, the team tray with allocation, and the authorisation queue."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casemgmt.calendar import add_working_days
from casemgmt.models import AuditEvent, Team, User
from casemgmt.roles import Role
from clients.models import Person
from tests.factories import (
    GroupFactory,
    GroupMembershipFactory,
    PersonFactory,
    ServiceAreaFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.workflows.tray_factories import TrayWorkflow, make_step, tray_workflow
from workflows import selectors
from workflows.models import Step

MONDAY = datetime.date(2026, 3, 2)
# Five working days on from Monday 2 March 2026 (no bank holiday in between).
DUE_SOON_UNTIL = datetime.date(2026, 3, 9)
PLANNED = Step.Status.PLANNED
IN_PROGRESS = Step.Status.IN_PROGRESS
AWAITING = Step.Status.AWAITING_AUTHORISATION
COMPLETED = Step.Status.COMPLETED


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def flow(db: None) -> TrayWorkflow:
    return tray_workflow()


def _ids(page: selectors.TrayPage) -> list[int]:
    return [row.id for row in page.rows]


# ----------------------------------------------------------------------------------------
# My work
# ----------------------------------------------------------------------------------------


@pytest.fixture
def my_steps(flow: TrayWorkflow, worker: User, team_a: Team, person: Person) -> dict[str, Step]:
    """The allocated worker's work in every state, and work that is not theirs."""
    other = PersonFactory(first_name="Amelia", last_name="Zane")
    return {
        "incoming": make_step(
            flow.assessment,
            team=team_a,
            person=person,
            assignee=worker,
            due_date=datetime.date(2026, 4, 1),
            created_at=_at(datetime.date(2026, 2, 20)),
        ),
        "overdue": make_step(
            flow.contact,
            team=team_a,
            person=other,
            status=IN_PROGRESS,
            assignee=worker,
            due_date=datetime.date(2026, 2, 27),
            created_at=_at(datetime.date(2026, 2, 26)),
        ),
        "due_today": make_step(
            flow.plan,
            team=team_a,
            person=person,
            status=IN_PROGRESS,
            assignee=worker,
            due_date=MONDAY,
            created_at=_at(datetime.date(2026, 2, 10)),
        ),
        "due_soon": make_step(
            flow.contact,
            team=team_a,
            person=other,
            status=PLANNED,
            assignee=worker,
            due_date=DUE_SOON_UNTIL,
            created_at=_at(datetime.date(2026, 2, 28)),
        ),
        "no_due_date": make_step(
            flow.plan,
            team=team_a,
            person=other,
            status=IN_PROGRESS,
            assignee=worker,
            created_at=_at(datetime.date(2026, 1, 5)),
        ),
        "submitted": make_step(
            flow.assessment,
            team=team_a,
            person=person,
            status=AWAITING,
            assignee=worker,
            due_date=datetime.date(2026, 2, 1),
        ),
        # Not in the tray: finished, someone else's, or nobody's yet.
        "completed": make_step(
            flow.contact, team=team_a, person=person, status=COMPLETED, assignee=worker
        ),
        "cancelled": make_step(
            flow.contact, team=team_a, person=person, status=Step.Status.CANCELLED, assignee=worker
        ),
        "colleagues": make_step(
            flow.contact,
            team=team_a,
            person=person,
            status=IN_PROGRESS,
            assignee=UserFactory(roles=[Role.PRACTITIONER]),
        ),
        "unallocated": make_step(flow.contact, team=team_a, person=person),
    }


def test_my_work_counts_each_tab(worker: User, my_steps: dict[str, Step]) -> None:
    # When the worker's tray is read on Monday 2 March 2026
    work = selectors.my_work(worker, today=MONDAY)

    # Then every tab is counted: overdue and due-soon work is also current work
    assert work.counts == {"current": 5, "due_soon": 2, "overdue": 1, "awaiting": 1}
    assert work.tab == "current"
    # and current work is sorted by due date, soonest first, with no due date last
    assert _ids(work.page) == [
        my_steps[name].pk
        for name in ("overdue", "due_today", "due_soon", "incoming", "no_due_date")
    ]


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("due_soon", ["due_today", "due_soon"]),
        ("overdue", ["overdue"]),
        ("awaiting", ["submitted"]),
        ("nonsense", ["overdue", "due_today", "due_soon", "incoming", "no_due_date"]),
    ],
)
def test_my_work_tabs(
    worker: User, my_steps: dict[str, Step], tab: str, expected: list[str]
) -> None:
    work = selectors.my_work(worker, filter=tab, today=MONDAY)
    assert _ids(work.page) == [my_steps[name].pk for name in expected]
    assert work.page.total == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-due", ["incoming", "due_soon", "due_today", "overdue", "no_due_date"]),
        ("received", ["no_due_date", "due_today", "incoming", "overdue", "due_soon"]),
        ("-received", ["due_soon", "overdue", "incoming", "due_today", "no_due_date"]),
        # Amelia Zane's three, then Jayden Whitmore's two, each person's soonest due first.
        ("-name", ["overdue", "due_soon", "no_due_date", "due_today", "incoming"]),
        ("type", ["incoming", "overdue", "due_soon", "due_today", "no_due_date"]),
    ],
)
def test_my_work_sorts(
    worker: User, my_steps: dict[str, Step], sort: str, expected: list[str]
) -> None:
    work = selectors.my_work(worker, sort=sort, today=MONDAY)
    assert work.sort == sort
    assert _ids(work.page) == [my_steps[name].pk for name in expected]


def test_my_work_rows_carry_what_the_table_shows(
    worker: User, my_steps: dict[str, Step], person: Person, team_a: Team
) -> None:
    work = selectors.my_work(worker, filter="overdue", today=MONDAY)
    (row,) = work.page.rows
    assert (row.person_name, row.step_type_name, row.status_label) == (
        "Amelia Zane",
        "Contact",
        "In progress",
    )
    assert (row.assignee_name, row.team_name) == (str(worker), "Assessment team north")
    assert row.is_overdue
    assert not row.is_due_soon


def test_my_work_pages_of_25(flow: TrayWorkflow, worker: User, team_a: Team) -> None:
    # Given 30 pieces of work, due on consecutive days
    people = PersonFactory.create_batch(3)
    steps = [
        make_step(
            flow.contact,
            team=team_a,
            person=people[index % 3],
            assignee=worker,
            due_date=MONDAY + datetime.timedelta(days=index),
        )
        for index in range(30)
    ]

    # Then the first page holds 25, the second 5, and a page past the end is the last
    first = selectors.my_work(worker, page=1, today=MONDAY)
    second = selectors.my_work(worker, page=2, today=MONDAY)
    beyond = selectors.my_work(worker, page=99, today=MONDAY)
    assert _ids(first.page) == [step.pk for step in steps[:25]]
    assert _ids(second.page) == [step.pk for step in steps[25:]]
    assert beyond.page.number == 2
    assert (first.page.num_pages, first.page.has_next, second.page.has_previous) == (2, True, True)
    assert (second.page.start_index, second.page.end_index) == (26, 30)


def test_my_work_never_shows_a_person_out_of_reach(
    flow: TrayWorkflow, worker: User, team_a: Team, person: Person
) -> None:
    # Given work on a person record merged into another (no longer anyone's to see)
    merged = PersonFactory(merged_into=person)
    make_step(flow.contact, team=team_a, person=merged, assignee=worker, status=IN_PROGRESS)
    visible = make_step(flow.contact, team=team_a, person=person, assignee=worker)

    work = selectors.my_work(worker, today=MONDAY)

    assert _ids(work.page) == [visible.pk]
    assert work.counts["current"] == 1


def test_group_work_is_in_the_tray_with_the_groups_name(
    flow: TrayWorkflow, worker: User, team_a: Team, person: Person
) -> None:
    household = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=household, person=person)
    step = make_step(flow.contact, team=team_a, group=household, assignee=worker)

    (row,) = selectors.my_work(worker, today=MONDAY).page.rows

    assert (row.id, row.subject_name, row.person_id) == (step.pk, "Whitmore household", None)


def test_no_work_for_a_role_without_casework(
    users: dict[str, User], my_steps: dict[str, Step]
) -> None:
    work = selectors.my_work(users["finance_officer"], today=MONDAY)
    assert work.counts == {"current": 0, "due_soon": 0, "overdue": 0, "awaiting": 0}
    assert work.page.rows == []


# ----------------------------------------------------------------------------------------
# Team trays
# ----------------------------------------------------------------------------------------


@pytest.fixture
def tray_steps(flow: TrayWorkflow, team_a: Team, team_b: Team, person: Person) -> dict[str, Step]:
    other = PersonFactory(first_name="Bella", last_name="Adams")
    return {
        "contact_overdue": make_step(
            flow.contact,
            team=team_a,
            person=person,
            due_date=datetime.date(2026, 2, 25),
            created_at=_at(datetime.date(2026, 2, 24)),
        ),
        "assessment_soon": make_step(
            flow.assessment,
            team=team_a,
            person=other,
            due_date=datetime.date(2026, 3, 4),
            created_at=_at(datetime.date(2026, 2, 27)),
        ),
        "assessment_later": make_step(
            flow.assessment,
            team=team_a,
            person=person,
            due_date=datetime.date(2026, 5, 1),
            created_at=_at(datetime.date(2026, 2, 1)),
        ),
        # Not in team A's tray of unallocated incoming work:
        "allocated": make_step(flow.contact, team=team_a, person=person, assignee=UserFactory()),
        "started": make_step(flow.contact, team=team_a, person=person, status=IN_PROGRESS),
        "other_team": make_step(flow.contact, team=team_b, person=person),
    }


def test_team_tray_holds_unallocated_incoming_work(
    worker: User, team_a: Team, tray_steps: dict[str, Step], flow: TrayWorkflow
) -> None:
    team = selectors.access_team_tray(worker, team_a.pk)
    tray = selectors.team_tray(worker, team, today=MONDAY)

    assert _ids(tray.page) == [
        tray_steps[name].pk for name in ("contact_overdue", "assessment_soon", "assessment_later")
    ]
    assert tray.counts == {"total": 3, "due_soon": 1, "overdue": 1}
    assert tray.step_types == [
        selectors.StepTypeCount(flow.assessment.pk, "Assessment", 2, 1, 0),
        selectors.StepTypeCount(flow.contact.pk, "Contact", 1, 0, 1),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"due": "overdue"}, ["contact_overdue"]),
        ({"due": "soon"}, ["assessment_soon"]),
        ({"step_type": "assessment"}, ["assessment_soon", "assessment_later"]),
        ({"step_type": "assessment", "due": "overdue"}, []),
        ({"sort": "name"}, ["assessment_soon", "contact_overdue", "assessment_later"]),
        ({"sort": "received"}, ["assessment_later", "contact_overdue", "assessment_soon"]),
        ({"sort": "-due"}, ["assessment_later", "assessment_soon", "contact_overdue"]),
    ],
)
def test_team_tray_filters_and_sorts(
    worker: User,
    team_a: Team,
    tray_steps: dict[str, Step],
    flow: TrayWorkflow,
    filters: dict[str, str],
    expected: list[str],
) -> None:
    team = selectors.access_team_tray(worker, team_a.pk)
    step_type = getattr(flow, filters["step_type"]).pk if "step_type" in filters else None

    tray = selectors.team_tray(
        worker,
        team,
        step_type_id=step_type,
        due=filters.get("due"),
        sort=filters.get("sort", "due"),
        today=MONDAY,
    )

    assert _ids(tray.page) == [tray_steps[name].pk for name in expected]
    assert tray.page.total == len(expected)


def test_filtered_counts_are_of_the_chosen_kind(
    worker: User, team_a: Team, tray_steps: dict[str, Step], flow: TrayWorkflow
) -> None:
    team = selectors.access_team_tray(worker, team_a.pk)
    tray = selectors.team_tray(worker, team, step_type_id=flow.assessment.pk, today=MONDAY)
    assert tray.counts == {"total": 2, "due_soon": 1, "overdue": 0}


def test_who_may_open_a_team_tray(
    users: dict[str, User], team_a: Team, team_b: Team, children_area: Team
) -> None:
    # Members of the team, and a manager of its service area, may open it
    assert selectors.access_team_tray(users["allocated_worker"], team_a.pk).is_member
    assert selectors.access_team_tray(users["business_support"], team_a.pk).is_member
    head = UserFactory(roles=[Role.SENIOR_MANAGER])
    TeamMembershipFactory(user=head, team=children_area, is_manager=True)
    assert not selectors.access_team_tray(head, team_b.pk).is_member

    # No one else, and a service area has no tray of its own
    for persona, team in [
        ("other_team_worker", team_a),
        ("team_manager", team_b),
        ("senior_manager", team_a),
        ("finance_officer", team_a),
        ("admin", team_a),
        ("inactive_user", team_a),
    ]:
        with pytest.raises(Http404):
            selectors.access_team_tray(users[persona], team.pk)
    with pytest.raises(Http404):
        selectors.access_team_tray(head, children_area.pk)


def test_a_former_member_cannot_open_the_tray(team_a: Team) -> None:
    leaver = UserFactory(roles=[Role.PRACTITIONER])
    TeamMembershipFactory(
        user=leaver,
        team=team_a,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2024, 1, 1),
    )
    with pytest.raises(Http404):
        selectors.access_team_tray(leaver, team_a.pk)


def test_team_members_are_todays_active_members(users: dict[str, User], team_a: Team) -> None:
    leaver = UserFactory(roles=[Role.PRACTITIONER], last_name="Aaronson")
    TeamMembershipFactory(
        user=leaver,
        team=team_a,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2024, 1, 1),
    )
    members = selectors.team_members(team_a)
    assert {member.username for member in members} == {
        "alice.worker",
        "tina.manager",
        "bea.support",
    }


# ----------------------------------------------------------------------------------------
# Authorisations
# ----------------------------------------------------------------------------------------


@pytest.fixture
def submitted(
    flow: TrayWorkflow, users: dict[str, User], team_a: Team, team_b: Team, person: Person
) -> dict[str, Step]:
    worker = users["allocated_worker"]
    return {
        "newer": make_step(
            flow.assessment,
            team=team_a,
            person=person,
            status=AWAITING,
            assignee=worker,
            created_at=_at(datetime.date(2026, 2, 20)),
        ),
        "older": make_step(
            flow.assessment,
            team=team_a,
            person=person,
            status=AWAITING,
            assignee=worker,
            created_at=_at(datetime.date(2026, 2, 2)),
        ),
        "team_b": make_step(
            flow.assessment,
            team=team_b,
            person=person,
            status=AWAITING,
            assignee=users["other_team_worker"],
            created_at=_at(datetime.date(2026, 2, 10)),
        ),
        "in_progress": make_step(
            flow.assessment, team=team_a, person=person, status=IN_PROGRESS, assignee=worker
        ),
    }


def test_a_team_manager_sees_their_teams_submitted_work_oldest_first(
    users: dict[str, User], submitted: dict[str, Step]
) -> None:
    queue = selectors.authorisation_queue(users["team_manager"], today=MONDAY)
    assert queue.total == 2
    assert _ids(queue.page) == [submitted["older"].pk, submitted["newer"].pk]
    assert queue.page.rows[0].submitted_by_name == str(users["allocated_worker"])


def test_a_senior_manager_sees_every_team_of_their_service_area(
    submitted: dict[str, Step], children_area: Team
) -> None:
    head = UserFactory(roles=[Role.SENIOR_MANAGER])
    TeamMembershipFactory(user=head, team=children_area, is_manager=True)
    elsewhere = TeamFactory(parent=ServiceAreaFactory())
    make_step(
        submitted["older"].step_type,
        team=elsewhere,
        person=submitted["older"].person,
        status=AWAITING,
        assignee=UserFactory(),
    )

    queue = selectors.authorisation_queue(head, today=MONDAY)

    assert _ids(queue.page) == [
        submitted["older"].pk,
        submitted["team_b"].pk,
        submitted["newer"].pk,
    ]


@pytest.mark.parametrize("persona", ["allocated_worker", "business_support", "senior_manager"])
def test_no_queue_without_managing_a_team(
    users: dict[str, User], submitted: dict[str, Step], persona: str
) -> None:
    queue = selectors.authorisation_queue(users[persona], today=MONDAY)
    assert (queue.total, queue.page.rows) == (0, [])


# ----------------------------------------------------------------------------------------
# Pages
# ----------------------------------------------------------------------------------------


def test_my_work_page(
    worker_client: Client, flow: TrayWorkflow, worker: User, team_a: Team, person: Person
) -> None:
    today = timezone.localdate()
    overdue = make_step(
        flow.contact,
        team=team_a,
        person=person,
        assignee=worker,
        status=IN_PROGRESS,
        due_date=today - datetime.timedelta(days=3),
    )
    later = make_step(
        flow.assessment,
        team=team_a,
        person=person,
        assignee=worker,
        due_date=today + datetime.timedelta(days=60),
    )

    response = worker_client.get("/work/?tab=overdue")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="?tab=overdue" aria-current="page">Overdue' in html
    assert 'Current <span class="app-nowrap">(2<span' in html
    assert f'href="/work/steps/{overdue.pk}/">Contact' in html
    assert f'href="/people/{person.pk}/">Jayden Whitmore</a>' in html
    assert 'govuk-tag--red app-tag-below">Overdue' in html
    assert 'aria-sort="ascending"' in html  # the due date, the default sort
    assert f'href="/work/steps/{later.pk}/"' not in html


def test_my_work_page_writes_no_access_event(
    worker_client: Client, my_steps: dict[str, Step]
) -> None:
    worker_client.get("/work/")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["finance_officer", "admin"])
def test_my_work_is_refused_without_casework(
    client_for: Callable[[str], Client], persona: str
) -> None:
    assert client_for(persona).get("/work/").status_code == 403


def test_the_navigation_links_to_the_trays(client_for: Callable[[str], Client]) -> None:
    manager_page = client_for("team_manager").get("/work/").content.decode()
    worker_page = client_for("allocated_worker").get("/work/").content.decode()
    assert 'href="/work/authorisations/"' in manager_page
    assert 'href="/work/teams/"' in manager_page
    assert 'href="/work/authorisations/"' not in worker_page
    assert 'href="/work/" aria-current="true"' in worker_page


def test_team_tray_list_goes_straight_to_the_only_tray(worker_client: Client, team_a: Team) -> None:
    response = worker_client.get("/work/teams/")
    assert response.status_code == 302
    assert response["Location"] == f"/work/teams/{team_a.pk}/tray/"


def test_team_tray_list_offers_each_tray_to_a_service_area_manager(
    team_a: Team, team_b: Team, children_area: Team
) -> None:
    head = UserFactory(roles=[Role.SENIOR_MANAGER])
    TeamMembershipFactory(user=head, team=children_area, is_manager=True)
    client = Client()
    client.force_login(head)

    html = client.get("/work/teams/").content.decode()

    assert f'href="/work/teams/{team_a.pk}/tray/"' in html
    assert f'href="/work/teams/{team_b.pk}/tray/"' in html


def test_team_tray_page_offers_allocation_to_those_who_may(
    client_for: Callable[[str], Client], team_a: Team, tray_steps: dict[str, Step]
) -> None:
    manager_html = client_for("team_manager").get(f"/work/teams/{team_a.pk}/tray/").content
    worker_html = client_for("allocated_worker").get(f"/work/teams/{team_a.pk}/tray/").content

    step = tray_steps["contact_overdue"]
    assert f'action="/work/steps/{step.pk}/allocate/"'.encode() in manager_html
    assert b"alice.worker" not in manager_html  # workers are named, not their logins
    # The row's version goes with the choice, so an allocation made meanwhile is not lost
    assert b'<input type="hidden" name="version" value="1">' in manager_html
    assert f'action="/work/steps/{step.pk}/allocate/"'.encode() not in worker_html
    assert f'href="/work/steps/{step.pk}/"'.encode() in worker_html


def test_team_tray_page_filters(
    worker_client: Client, team_a: Team, tray_steps: dict[str, Step], flow: TrayWorkflow
) -> None:
    response = worker_client.get(
        f"/work/teams/{team_a.pk}/tray/?step_type={flow.contact.pk}&due=overdue"
    )
    html = response.content.decode()
    assert f'href="/work/steps/{tray_steps["contact_overdue"].pk}/"' in html
    assert f'href="/work/steps/{tray_steps["assessment_soon"].pk}/"' not in html
    assert f'<option value="{flow.contact.pk}" selected>Contact (1)</option>' in html


@pytest.mark.parametrize(
    "query",
    [
        "?step_type=abc",
        "?step_type=-1",
        "?due=yesterday",
        "?sort=drop+table",
        "?page=0",
        "?page=99999999999999999999",
        "?step_type=99999999999",
    ],
)
def test_team_tray_page_ignores_nonsense(worker_client: Client, team_a: Team, query: str) -> None:
    assert worker_client.get(f"/work/teams/{team_a.pk}/tray/{query}").status_code == 200


def test_team_tray_page_is_404_for_another_team(
    client_for: Callable[[str], Client], team_b: Team
) -> None:
    assert client_for("allocated_worker").get(f"/work/teams/{team_b.pk}/tray/").status_code == 404
    assert client_for("allocated_worker").get("/work/teams/999999/tray/").status_code == 404


def test_authorisations_page_links_to_each_decision(
    client_for: Callable[[str], Client], submitted: dict[str, Step]
) -> None:
    html = client_for("team_manager").get("/work/authorisations/").content.decode()
    assert f'href="/work/steps/{submitted["older"].pk}/authorise/"' in html
    assert html.index(f"/work/steps/{submitted['older'].pk}/") < html.index(
        f"/work/steps/{submitted['newer'].pk}/"
    )
    assert f"/work/steps/{submitted['team_b'].pk}/" not in html


def test_authorisations_page_is_refused_to_a_practitioner(worker_client: Client) -> None:
    assert worker_client.get("/work/authorisations/").status_code == 403


# ----------------------------------------------------------------------------------------
# Query counts: a page costs the same whatever the number of rows
# ----------------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    # The first request of a session reads what later ones find in the cache.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _fill(flow: TrayWorkflow, count: int, **values: object) -> None:
    people = PersonFactory.create_batch(min(count, 5))
    for index in range(count):
        make_step(
            flow.contact,
            person=people[index % len(people)],
            due_date=MONDAY + datetime.timedelta(days=index),
            **values,
        )


def test_my_work_page_is_a_fixed_number_of_queries(
    worker_client: Client,
    flow: TrayWorkflow,
    worker: User,
    team_a: Team,
    django_assert_max_num_queries: Any,
) -> None:
    _fill(flow, 3, team=team_a, assignee=worker)
    few = _queries(worker_client, "/work/")
    _fill(flow, 60, team=team_a, assignee=worker, status=IN_PROGRESS)
    many = _queries(worker_client, "/work/")
    assert many == few
    with django_assert_max_num_queries(8):
        worker_client.get("/work/?tab=due_soon&sort=name&page=2")


def test_team_tray_page_is_a_fixed_number_of_queries(
    client_for: Callable[[str], Client],
    flow: TrayWorkflow,
    team_a: Team,
    django_assert_max_num_queries: Any,
) -> None:
    manager = client_for("team_manager")
    url = f"/work/teams/{team_a.pk}/tray/"
    _fill(flow, 3, team=team_a)
    few = _queries(manager, url)
    _fill(flow, 60, team=team_a)
    many = _queries(manager, url)
    assert many == few
    with django_assert_max_num_queries(8):
        manager.get(f"{url}?due=soon&sort=-received&page=2")


def test_authorisation_page_is_a_fixed_number_of_queries(
    client_for: Callable[[str], Client],
    flow: TrayWorkflow,
    team_a: Team,
    worker: User,
    django_assert_max_num_queries: Any,
) -> None:
    manager = client_for("team_manager")
    _fill(flow, 2, team=team_a, assignee=worker, status=AWAITING)
    few = _queries(manager, "/work/authorisations/")
    _fill(flow, 40, team=team_a, assignee=worker, status=AWAITING)
    many = _queries(manager, "/work/authorisations/")
    assert many == few
    with django_assert_max_num_queries(8):
        manager.get("/work/authorisations/?page=2")


# ----------------------------------------------------------------------------------------
# Allocation
# ----------------------------------------------------------------------------------------


@pytest.fixture
def incoming(flow: TrayWorkflow, team_a: Team, person: Person) -> Step:
    return make_step(flow.assessment, team=team_a, person=person, due_date=timezone.localdate())


def _allocate(client: Client, step: Step, **data: object) -> Any:
    return client.post(f"/work/steps/{step.pk}/allocate/", data=data)


@pytest.mark.parametrize("persona", ["team_manager", "business_support"])
def test_allocating_from_the_tray(
    client_for: Callable[[str], Client],
    incoming: Step,
    users: dict[str, User],
    team_a: Team,
    persona: str,
) -> None:
    # When a manager (or business support) in the team gives the work to a worker
    response = _allocate(
        client_for(persona),
        incoming,
        assignee=users["allocated_worker"].pk,
        next=f"/work/teams/{team_a.pk}/tray/?sort=name",
    )

    # Then it is theirs, the change is audited, and the tray is shown again as it was
    assert response.status_code == 302
    assert response["Location"] == f"/work/teams/{team_a.pk}/tray/?sort=name"
    incoming.refresh_from_db()
    assert incoming.assignee == users["allocated_worker"]
    assert incoming.version == 2
    event = AuditEvent.objects.get(action="step_allocated")
    assert event.actor == users[persona]
    assert event.changes["assignee"] == [None, users["allocated_worker"].pk]
    # and it has left the tray for the worker's own
    assert selectors.my_work(users["allocated_worker"]).counts["current"] == 1


def test_the_allocation_page_lists_the_teams_workers(
    client_for: Callable[[str], Client], incoming: Step, users: dict[str, User]
) -> None:
    response = client_for("team_manager").get(f"/work/steps/{incoming.pk}/allocate/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{users["allocated_worker"].pk}">' in html
    assert f'<option value="{users["other_team_worker"].pk}"' not in html
    assert f'<option value="{users["inactive_user"].pk}"' not in html


@pytest.mark.parametrize(
    ("assignee", "message"),
    [
        ("", "Choose the worker to allocate this work to."),
        ("not-a-number", "Choose the worker to allocate this work to."),
        ("other_team_worker", "Choose a worker who is in Assessment team north today."),
        ("inactive_user", "Choose a worker who is in Assessment team north today."),
        ("999999", "Choose a worker who is in Assessment team north today."),
    ],
)
def test_allocation_refused_with_the_reason(
    client_for: Callable[[str], Client],
    incoming: Step,
    users: dict[str, User],
    assignee: str,
    message: str,
) -> None:
    value = str(users[assignee].pk) if assignee in users else assignee
    response = _allocate(client_for("team_manager"), incoming, assignee=value)

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    incoming.refresh_from_db()
    assert incoming.assignee is None
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


def test_allocation_of_finished_work_says_why(
    client_for: Callable[[str], Client], incoming: Step, users: dict[str, User]
) -> None:
    Step.objects.filter(pk=incoming.pk).update(status=COMPLETED)
    response = _allocate(
        client_for("team_manager"), incoming, assignee=users["allocated_worker"].pk
    )
    assert response.status_code == 200
    assert b"This work has been completed, so it cannot be allocated." in response.content


def test_allocation_made_meanwhile_is_not_overwritten_unseen(
    client_for: Callable[[str], Client], incoming: Step, users: dict[str, User], team_a: Team
) -> None:
    # Given a colleague allocated the work while the manager was choosing
    colleague = UserFactory(roles=[Role.PRACTITIONER], first_name="Chris", last_name="Colleague")
    TeamMembershipFactory(user=colleague, team=team_a)
    Step.objects.filter(pk=incoming.pk).update(assignee=colleague, version=2)

    # When the manager sends their choice from the page they loaded
    response = _allocate(
        client_for("team_manager"), incoming, assignee=users["allocated_worker"].pk, version=1
    )

    # Then they are told, and the colleague keeps it
    assert b"Chris Colleague was given this work while you were choosing." in response.content
    incoming.refresh_from_db()
    assert incoming.assignee == colleague


@pytest.mark.parametrize("persona", ["allocated_worker", "other_team_worker", "finance_officer"])
def test_allocation_is_404_for_those_who_may_not(
    client_for: Callable[[str], Client], incoming: Step, users: dict[str, User], persona: str
) -> None:
    response = _allocate(client_for(persona), incoming, assignee=users["allocated_worker"].pk)
    assert response.status_code == 404
    incoming.refresh_from_db()
    assert incoming.assignee is None


def test_a_manager_of_another_team_may_not_allocate(
    incoming: Step, users: dict[str, User], team_b: Team
) -> None:
    manager_b = UserFactory(roles=[Role.TEAM_MANAGER])
    TeamMembershipFactory(user=manager_b, team=team_b, is_manager=True)
    client = Client()
    client.force_login(manager_b)
    assert _allocate(client, incoming, assignee=users["allocated_worker"].pk).status_code == 404


def test_allocation_goes_back_only_to_this_site(
    client_for: Callable[[str], Client], incoming: Step, users: dict[str, User], team_a: Team
) -> None:
    response = _allocate(
        client_for("team_manager"),
        incoming,
        assignee=users["allocated_worker"].pk,
        next="https://evil.example/phish",
    )
    assert response["Location"] == f"/work/teams/{team_a.pk}/tray/"


def test_due_soon_counts_working_days(
    flow: TrayWorkflow, worker: User, team_a: Team, person: Person
) -> None:
    # Thursday 24 December 2026: five working days on skips Christmas and Boxing Day
    christmas_eve = datetime.date(2026, 12, 24)
    until = add_working_days(christmas_eve, 5)
    assert until == datetime.date(2027, 1, 5)
    inside = make_step(flow.contact, team=team_a, person=person, assignee=worker, due_date=until)
    make_step(
        flow.contact,
        team=team_a,
        person=person,
        assignee=worker,
        due_date=until + datetime.timedelta(days=1),
    )
    work = selectors.my_work(worker, filter="due_soon", today=christmas_eve)
    assert _ids(work.page) == [inside.pk]
