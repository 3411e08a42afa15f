"""The case progress map: the layout on small graphs, its drawing, and the person's map page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casemgmt.models import AuditEvent, Team, User
from clients.models import Person
from tests.factories import GroupFactory, GroupMembershipFactory, PersonFactory
from tests.workflows.tray_factories import TrayWorkflow, link, make_step, tray_workflow
from workflows.models import Step
from workflows.progress_map import (
    COLUMN,
    LANE,
    MARGIN,
    Layout,
    MapLink,
    MapStep,
    build_layout,
    map_svg,
)

DAY = datetime.date(2026, 3, 2)


def _step(step_id: int, day: int = 0, **values: object) -> MapStep:
    return MapStep(
        id=step_id,
        name=values.pop("name", f"Step {step_id}"),
        status=values.pop("status", Step.Status.COMPLETED),
        start=DAY + datetime.timedelta(days=day),
        order=step_id,
        **values,
    )


def _positions(layout: Layout) -> dict[int, tuple[int, int]]:
    return {node.step.id: (node.column, node.lane) for node in layout.nodes}


# ----------------------------------------------------------------------------------------
# Layout
# ----------------------------------------------------------------------------------------


def test_a_chain_runs_along_one_lane() -> None:
    layout = build_layout([_step(1, 0), _step(2, 3), _step(3, 10)], [MapLink(1, 2), MapLink(2, 3)])
    assert _positions(layout) == {1: (0, 0), 2: (1, 0), 3: (2, 0)}
    assert [edge.path.startswith("M") and " H" in edge.path for edge in layout.edges] == [
        True,
        True,
    ]


def test_same_day_steps_that_follow_each_other_take_two_columns() -> None:
    # A contact that becomes a referral the same day
    layout = build_layout([_step(1, 0), _step(2, 0)], [MapLink(1, 2)])
    assert _positions(layout) == {1: (0, 0), 2: (1, 0)}
    # The date is written over the first of the day's columns only
    assert layout.columns == ["2 Mar 2026", ""]


def test_a_branch_bends_only_the_second_next_step() -> None:
    # An assessment leading to a strategy discussion and a CIN plan, both started the same day
    layout = build_layout([_step(1, 0), _step(2, 5), _step(3, 5)], [MapLink(1, 2), MapLink(1, 3)])
    assert _positions(layout) == {1: (0, 0), 2: (1, 0), 3: (1, 1)}
    curved = layout.edges[1].path
    assert " C" in curved


def test_later_steps_are_always_further_right() -> None:
    # Two unrelated steps, the second started later, and a step that started between them
    layout = build_layout([_step(1, 0), _step(2, 9), _step(3, 4)], [])
    assert _positions(layout) == {1: (0, 0), 3: (1, 0), 2: (2, 0)}
    assert layout.columns == ["2 Mar 2026", "6 Mar 2026", "11 Mar 2026"]


def test_unlinked_steps_on_one_day_share_a_column_in_lanes() -> None:
    layout = build_layout([_step(1, 0), _step(2, 0), _step(3, 0)], [])
    assert _positions(layout) == {1: (0, 0), 2: (0, 1), 3: (0, 2)}


def test_a_long_link_keeps_its_lane_clear() -> None:
    # 1 -> 4 spans columns where 2 and 3 (unrelated, started between) would sit in lane 0
    steps = [_step(1, 0), _step(2, 1), _step(3, 2), _step(4, 3)]
    layout = build_layout(steps, [MapLink(1, 4)])
    positions = _positions(layout)
    assert positions[1] == (0, 0)
    assert positions[4] == (3, 1)  # lane 0 is taken by 2 and 3 in the columns between
    assert positions[2] == (1, 0)
    assert positions[3] == (2, 0)

    # and when the link comes first, the steps between give way instead
    layout = build_layout([_step(1, 0), _step(4, 0), _step(2, 1), _step(3, 2)], [MapLink(1, 4)])
    positions = _positions(layout)
    assert positions[1] == (0, 0)
    assert positions[4] == (1, 0)


def test_a_step_with_two_parents_follows_the_later() -> None:
    steps = [_step(1, 0), _step(2, 0), _step(3, 2)]
    layout = build_layout(steps, [MapLink(1, 3), MapLink(2, 3)])
    positions = _positions(layout)
    assert positions[3][0] == 1
    node = next(node for node in layout.nodes if node.step.id == 3)
    assert sorted(parent.step.id for parent in node.came_from) == [1, 2]


def test_bad_links_do_not_break_the_map() -> None:
    # A link to a step not on the map, a loop, and a link back in time
    steps = [_step(1, 5), _step(2, 0)]
    layout = build_layout(steps, [MapLink(1, 99), MapLink(1, 1), MapLink(1, 2), MapLink(2, 1)])
    assert sorted(_positions(layout)) == [1, 2]
    assert len(layout.edges) == 2


def test_pixels_follow_columns_and_lanes() -> None:
    layout = build_layout([_step(1, 0), _step(2, 3), _step(3, 3)], [MapLink(1, 2), MapLink(1, 3)])
    node = next(node for node in layout.nodes if node.step.id == 3)
    assert (node.x, node.y) == (MARGIN + COLUMN, MARGIN + 28 + LANE)
    assert layout.width == MARGIN * 2 + 2 * COLUMN - 56
    assert layout.height > node.y


def test_long_names_wrap_onto_two_lines() -> None:
    layout = build_layout(
        [
            _step(1, name="Child and family assessment"),
            _step(2, name="Initial child protection conference and the plan agreed there"),
            _step(3, name="Referral"),
        ],
        [],
    )
    lines = {node.step.id: node.name_lines for node in layout.nodes}
    assert lines == {
        1: ["Child and family", "assessment"],
        2: ["Initial child", "protection conference\u2026"],
        3: ["Referral"],
    }


def test_an_empty_map() -> None:
    layout = build_layout([], [])
    assert (layout.nodes, layout.edges, layout.columns) == ([], [], [])
    assert layout.description == "No steps have been recorded yet."


# ----------------------------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------------------------


def test_the_svg_is_a_labelled_group_of_links() -> None:
    steps = [
        _step(1, 0, name="Contact"),
        _step(
            2,
            1,
            name="<script>alert(1)</script>",
            status=Step.Status.IN_PROGRESS,
            due=DAY,
            is_overdue=True,
            worker="Alice",
        ),
    ]
    layout = build_layout(steps, [MapLink(1, 2, "Assessment")])

    svg = map_svg(layout, key="7", title="Early help", step_url={1: "/s/1/", 2: "/s/2/"})

    assert svg.startswith('<svg class="app-progress-map"')
    assert 'role="group" aria-labelledby="progress-map-title-7"' in svg
    assert '<title id="progress-map-title-7">Early help</title>' in svg
    assert "2 steps from 2 March 2026 to 3 March 2026, 1 still open." in svg
    # Each step is a link named by the words in its box, line by line
    first_link = svg[svg.index('<a href="/s/1/">') : svg.index("</a>") + 4]
    assert re.sub(r"<[^>]+>", "", first_link) == "Contact Completed Started 2 Mar 2026"
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'stroke="#d4351c" stroke-width="4"' in svg  # overdue
    assert "In progress, overdue" in svg
    assert svg.count("<path d=") == 2  # the arrow's head, and the one link
    assert 'marker-end="url(#progress-map-arrow-7)"' in svg


# ----------------------------------------------------------------------------------------
# The page
# ----------------------------------------------------------------------------------------


@pytest.fixture
def flow(db: None) -> TrayWorkflow:
    return tray_workflow()


@pytest.fixture
def episode_steps(
    flow: TrayWorkflow, person: Person, team_a: Team, users: dict[str, User]
) -> list[Step]:
    worker = users["allocated_worker"]
    contact = make_step(
        flow.contact,
        team=team_a,
        person=person,
        status=Step.Status.COMPLETED,
        assignee=worker,
        created_at=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC),
        started_on=datetime.date(2026, 1, 5),
        event_date=datetime.date(2026, 1, 5),
    )
    assessment = make_step(
        flow.assessment,
        team=team_a,
        person=person,
        episode=contact.episode,
        status=Step.Status.IN_PROGRESS,
        assignee=worker,
        created_at=datetime.datetime(2026, 1, 6, 9, tzinfo=datetime.UTC),
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    link(contact, assessment, flow.to_assessment)
    return [contact, assessment]


def test_the_map_page_draws_each_episode(
    worker_client: Client,
    person: Person,
    episode_steps: list[Step],
    flow: TrayWorkflow,
    team_a: Team,
) -> None:
    # Given the person is also in a household with work of its own
    household = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=household, person=person)
    group_step = make_step(flow.contact, team=team_a, group=household)
    # and someone else's work, which is not on this map
    stranger = make_step(flow.contact, team=team_a, person=PersonFactory())

    response = worker_client.get(f"/work/people/{person.pk}/map/")

    assert response.status_code == 200
    html = response.content.decode()
    contact, assessment = episode_steps
    assert html.count('<svg class="app-progress-map"') == 2
    assert f'<a href="/work/steps/{contact.pk}/">' in html
    assert f'<a href="/work/steps/{assessment.pk}/">' in html
    assert ">In progress, overdue</tspan>" in html
    assert f'href="/work/steps/{group_step.pk}/"' in html
    assert f"/work/steps/{stranger.pk}/" not in html
    assert "for Whitmore household" in html
    # The table says the same in words
    assert re.search(
        r">Assessment</a></td>\s*<td[^>]*><strong class=\"govuk-tag govuk-tag--yellow\">In progress",
        html,
    )
    assert "Overdue" in html
    # and the person's banner is there
    assert 'id="person-banner"' in html


def test_the_map_page_writes_one_access_event(
    worker_client: Client, person: Person, episode_steps: list[Step], worker: User
) -> None:
    worker_client.get(f"/work/people/{person.pk}/map/")
    (event,) = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS)
    assert (event.person_id, event.actor, event.summary) == (
        person.pk,
        worker,
        "Viewed case progress map",
    )


def test_a_person_with_no_work_has_an_empty_map(worker_client: Client, person: Person) -> None:
    response = worker_client.get(f"/work/people/{person.pk}/map/")
    assert b"No work has been recorded for Jayden Whitmore yet." in response.content


@pytest.mark.parametrize("persona", ["finance_officer", "admin"])
def test_the_map_is_404_without_casework(
    client_for: Callable[[str], Client], person: Person, persona: str
) -> None:
    response = client_for(persona).get(f"/work/people/{person.pk}/map/")
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_the_map_is_404_for_no_such_person(worker_client: Client) -> None:
    assert worker_client.get("/work/people/999999/map/").status_code == 404


def test_the_map_page_costs_the_same_for_long_histories(
    worker_client: Client, person: Person, flow: TrayWorkflow, team_a: Team
) -> None:
    def queries() -> int:
        worker_client.get(f"/work/people/{person.pk}/map/")
        with CaptureQueriesContext(connection) as captured:
            worker_client.get(f"/work/people/{person.pk}/map/")
        return len(captured)

    first = make_step(flow.contact, team=team_a, person=person)
    few = queries()
    previous = first
    for _ in range(20):
        step = make_step(flow.assessment, team=team_a, person=person, episode=first.episode)
        link(previous, step)
        previous = step
    make_step(flow.contact, team=team_a, person=person)  # and a second one
    assert queries() == few
