"""The step pages: start work, record (save, autosave, conflicts), complete, authorise, cancel."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import AuditEvent, Team, User
from clients.models import Person
from tests.factories import GroupFactory, GroupMembershipFactory, PersonFactory
from tests.workflows.step_page_builders import (
    COMPLETE_ANSWERS,
    VisitFlow,
    make_step,
    visit_flow,
)
from workflows.forms_engine import publish_version
from workflows.models import (
    FormField,
    FormSection,
    FormVersion,
    Step,
    StepDecision,
    StepDraft,
    StepLink,
    StepType,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(users: dict[str, User]) -> VisitFlow:
    return visit_flow()


@pytest.fixture
def visit(flow: VisitFlow, person: Person, worker: User, team_a: Team) -> Step:
    """A home visit in progress, with the allocated worker."""
    return make_step(flow.visit, person=person, team=team_a, assignee=worker)


def _url(name: str, step: Step) -> str:
    return reverse(name, kwargs={"step_id": step.pk})


def _step_views(response: Any) -> list[int | None]:
    return list(
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ACCESS, request_id=response["X-Request-ID"]
        ).values_list("person_id", flat=True)
    )


def _form(**values: Any) -> dict[str, Any]:
    """Form data as the browser sends it; keys use __ for the dots in input names."""
    data: dict[str, Any] = {"version": "1", "action": "save"}
    data.update({key.replace("__", "."): value for key, value in values.items()})
    return data


EVERY_KIND = _form(
    q__visit_date__day="2",
    q__visit_date__month="3",
    q__visit_date__year="2026",
    q__seen_alone="no",
    q__not_seen_reason="He was asleep.\r\nSeen later with mum.",
    q__summary="",
    q__visitors="2",
    q__travel_cost="£12.5",
    q__place="Home",
    q__concern_level="medium",
    q__agency="school",
    q__factors=["mental-health", "domestic-abuse"],
    q__documents="31, 32",
    q__outcome="assess",
    **{
        "q.people_present.rows": "2",
        "q.people_present.0.name": "Kelly Whitmore",
        "q.people_present.0.relationship": "parent",
        "q.people_present.0.born.day": "14",
        "q.people_present.0.born.month": "7",
        "q.people_present.0.born.year": "1991",
        "q.people_present.1.name": "",
    },
)


# -- the step page ------------------------------------------------------------------------------


def test_the_form_renders_the_pinned_version_with_one_access_event(
    visit: Step, worker_client: Client, person: Person
) -> None:
    # Given a new version of the form published after the step started
    old = visit.form_version
    newer = FormVersion.objects.create(form=old.form, number=2)
    section = FormSection.objects.create(version=newer, key="visit", title="The visit")
    FormField.objects.create(section=section, key="weather", label="Weather", kind="text")
    publish_version(newer)

    # When the worker opens the step
    response = worker_client.get(_url("step-detail", visit))

    # Then it shows the version the step started with, every kind of question, and the banner
    assert response.status_code == 200
    html = response.content.decode()
    assert "Weather" not in html
    for text in (
        "The visit",
        "Concerns",
        'name="q.visit_date.day"',
        'name="q.seen_alone" type="radio" value="yes"',
        'data-module="govuk-character-count" data-maxlength="1000"',
        '<div class="govuk-input__prefix" aria-hidden="true">£</div>',
        '<select class="govuk-select" id="f-agency" name="q.agency"',
        'name="q.factors" type="checkbox" value="domestic-abuse"',
        'name="q.lead_contact"',
        "Enter the document IDs",
        'value="add:people_present"',
        'data-show-if="{&quot;field&quot;: &quot;seen_alone&quot;, &quot;equals&quot;: false}"',
        'name="version" value="1"',
        "js/step-autosave.js",
        'id="person-banner"',
    ):
        assert text in html, text
    # and the one view of the person's record is recorded as a view of the step
    assert _step_views(response) == [person.pk]
    event = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert (event.object_type, event.object_id) == ("step", str(visit.pk))


def test_a_group_step_records_a_view_for_each_current_member(
    flow: VisitFlow, worker_client: Client, worker: User, team_a: Team
) -> None:
    group = GroupFactory(name="Whitmore household")
    mother, child, left = PersonFactory(), PersonFactory(), PersonFactory()
    GroupMembershipFactory(group=group, person=mother)
    GroupMembershipFactory(group=group, person=child)
    GroupMembershipFactory(group=group, person=left, end_date="2025-01-01", start_date="2024-01-01")
    step = make_step(flow.family_meeting, group=group, team=team_a, assignee=worker)

    response = worker_client.get(_url("step-detail", step))

    assert response.status_code == 200
    assert sorted(_step_views(response)) == sorted([mother.pk, child.pk])
    assert mother.full_name in response.content.decode()


def test_saving_types_every_answer_exactly(
    visit: Step, worker_client: Client, worker: User
) -> None:
    StepDraft.objects.create(step=visit, user=worker, answers={"summary": "x"}, base_version=1)

    response = worker_client.post(_url("step-detail", visit), EVERY_KIND)

    assert response.status_code == 302
    assert response["Location"] == _url("step-detail", visit)
    visit.refresh_from_db()
    assert visit.version == 2
    assert visit.answers == {
        "visit_date": "2026-03-02",
        "seen_alone": False,
        "not_seen_reason": "He was asleep.\nSeen later with mum.",
        "visitors": 2,
        "travel_cost": "12.50",
        "place": "Home",
        "concern_level": "medium",
        "agency": "school",
        "factors": ["domestic-abuse", "mental-health"],
        "documents": [31, 32],
        "outcome": "assess",
        "people_present": [
            {"name": "Kelly Whitmore", "relationship": "parent", "born": "1991-07-14"}
        ],
    }
    assert not StepDraft.objects.filter(step=visit).exists()
    # and the saved answers come back into the form as they were typed
    html = worker_client.get(_url("step-detail", visit)).content.decode()
    assert 'value="12.50"' in html
    assert (
        'id="f-people_present.0.born.year" name="q.people_present.0.born.year" type="text" inputmode="numeric" value="1991"'
        in html
    )


def test_a_person_question_takes_a_person_the_worker_can_see(
    visit: Step, worker_client: Client, person: Person
) -> None:
    response = worker_client.post(_url("step-detail", visit), _form(q__lead_contact=str(person.pk)))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.answers == {"lead_contact": person.pk}
    page = worker_client.get(_url("step-detail", visit)).content.decode()
    assert "Jayden Whitmore, born 14 March 2015" in page

    response = worker_client.post(
        _url("step-detail", visit), _form(q__lead_contact="999999999", version="2")
    )
    assert response.status_code == 200
    assert "There is no one with person ID 999999999" in response.content.decode()


def test_invalid_answers_are_kept_and_each_question_says_why(
    visit: Step, worker_client: Client
) -> None:
    # Given answers with a date that does not exist and other nonsense
    data = _form(
        q__visit_date__day="31",
        q__visit_date__month="2",
        q__visit_date__year="2026",
        q__visitors="lots",
        q__travel_cost="12.345",
        q__concern_level="<script>alert(1)</script>",
        q__place="Kitchen",
        q__summary="Long story " * 10,
        **{"q.people_present.rows": "1", "q.people_present.0.born.day": "5"},
    )

    # When they are saved
    response = worker_client.post(_url("step-detail", visit), data)

    # Then nothing is saved, every message shows, and everything typed is still there
    assert response.status_code == 200
    html = response.content.decode()
    visit.refresh_from_db()
    assert (visit.version, visit.answers) == (1, {})
    assert html.count("govuk-error-summary__list") == 1
    for message in (
        "Date of visit must be a real date",
        "Number of visitors must be a number",
        "Travel cost must be in pounds and pence, like 12.50",
        "Select an option for level of concern",
        "Date of birth must include a month and a year (entry 1)",
    ):
        assert f">{message}</a>" in html, message
        assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in html
    assert 'href="#f-visit_date.day"' in html
    assert (
        'id="f-visit_date.day" name="q.visit_date.day" type="text" inputmode="numeric" value="31"'
        in html
    )
    assert 'value="lots"' in html
    assert 'value="Kitchen"' in html
    assert "Long story Long story" in html
    assert "<script>alert(1)</script>" not in html
    assert "<title>Error: Home visit" in html


def test_answers_to_hidden_questions_are_not_kept(visit: Step, worker_client: Client) -> None:
    response = worker_client.post(
        _url("step-detail", visit),
        _form(q__seen_alone="yes", q__not_seen_reason="typed before changing my mind"),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.answers == {"seen_alone": True}


def test_entries_are_added_and_removed_without_javascript(
    visit: Step, worker_client: Client
) -> None:
    response = worker_client.post(
        _url("step-detail", visit),
        _form(q__place="Home", action="add:people_present", **{"q.people_present.rows": "0"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q.people_present.0.name"' in html
    assert 'name="q.people_present.rows" value="1"' in html
    assert 'value="Home"' in html
    assert 'data-focus="f-people_present.0.name"' in html

    response = worker_client.post(
        _url("step-detail", visit),
        _form(
            action="remove:people_present:0",
            **{
                "q.people_present.rows": "2",
                "q.people_present.0.name": "First",
                "q.people_present.1.name": "Second",
            },
        ),
    )
    html = response.content.decode()
    assert 'name="q.people_present.0.name" type="text" value="Second"' in html
    assert "First" not in html
    visit.refresh_from_db()
    assert visit.version == 1


def test_a_completed_step_is_read_only(
    flow: VisitFlow, person: Person, worker: User, team_a: Team, worker_client: Client
) -> None:
    step = make_step(
        flow.visit,
        person=person,
        team=team_a,
        assignee=worker,
        status=Step.Status.COMPLETED,
        answers={**COMPLETE_ANSWERS, "travel_cost": "3.20", "lead_contact": person.pk},
    )

    response = worker_client.get(_url("step-detail", step))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="step-form"' not in html
    assert "2 March 2026" in html
    assert "£3.20" in html
    assert "Jayden Whitmore, born 14 March 2015 (person ID" in html
    assert _step_views(response) == [person.pk]
    # and it cannot be changed
    response = worker_client.post(_url("step-detail", step), _form(q__place="x"))
    assert response.status_code == 403
    assert "This step is completed" in response.content.decode()


def test_someone_who_may_see_but_not_record_reads_the_answers(
    visit: Step, client_for: Callable[[str], Client]
) -> None:
    response = client_for("other_team_worker").get(_url("step-detail", visit))
    assert response.status_code == 200
    assert 'id="step-form"' not in response.content.decode()


def test_an_unallocated_step_is_taken_by_the_team_member_who_saves_it(
    flow: VisitFlow,
    person: Person,
    team_a: Team,
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    step = make_step(flow.visit, person=person, team=team_a, status=Step.Status.PLANNED)

    response = client_for("business_support").post(
        _url("step-detail", step), _form(q__place="Home")
    )

    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.status, step.assignee) == (Step.Status.IN_PROGRESS, users["business_support"])


@pytest.mark.parametrize(
    "name",
    [
        "step-detail",
        "step-autosave",
        "step-complete",
        "step-authorise",
        "step-cancel",
        "step-find-person",
    ],
)
def test_no_such_step_is_404(name: str, worker_client: Client, flow: VisitFlow) -> None:
    url = reverse(name, kwargs={"step_id": 987654321})
    assert worker_client.get(url).status_code == 404
    assert worker_client.post(url, {"version": "1"}).status_code in (404, 405)


# -- conflicts ------------------------------------------------------------------------------------


def test_two_people_saving_the_same_step_lose_nothing(
    visit: Step, worker_client: Client, client_for: Callable[[str], Client], users: dict[str, User]
) -> None:
    # Given the worker opened the step at version 1, and their manager then saved it
    manager = client_for("team_manager")
    response = manager.post(
        _url("step-detail", visit),
        _form(q__concern_level="high", q__place="Office", q__summary="Manager's note"),
    )
    assert response.status_code == 302

    # When the worker saves what they typed against version 1
    mine = _form(q__concern_level="low", q__place="Office", q__summary="Worker's note")
    response = worker_client.post(_url("step-detail", visit), mine)

    # Then nothing is saved, both versions are shown where they differ, and the form has the new version
    assert response.status_code == 200
    html = response.content.decode()
    visit.refresh_from_db()
    assert visit.answers["concern_level"] == "high"
    assert (
        f"Someone else saved this step while you were working on it: {users['team_manager']}"
        in html
    )
    panel = html[html.index('id="conflict"') : html.index('id="step-form"')]
    assert re.search(r"Level of concern</a></th>\s*<td[^>]*>High</td>\s*<td[^>]*>Low</td>", panel)
    assert "Manager&#x27;s note" in panel
    assert "Worker&#x27;s note" in panel
    assert "Where the visit took place" not in panel
    assert 'name="version" value="2"' in html
    assert 'value="low" checked' in html

    # When the worker saves again, having looked
    response = worker_client.post(_url("step-detail", visit), {**mine, "version": "2"})

    # Then their answers are saved
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.version, visit.answers["concern_level"]) == (3, "low")


def test_a_missing_or_unreadable_version_meets_the_conflict_panel(
    visit: Step, worker_client: Client
) -> None:
    for version in ("", "abc", "-1", "9" * 30):
        response = worker_client.post(
            _url("step-detail", visit), _form(q__place="x", version=version)
        )
        assert response.status_code == 200
        assert 'id="conflict"' in response.content.decode()
    visit.refresh_from_db()
    assert visit.version == 1


# -- autosave -------------------------------------------------------------------------------------


def test_autosave_keeps_exactly_what_was_typed(
    visit: Step, worker_client: Client, worker: User
) -> None:
    data = _form(
        q__visit_date__day="31",
        q__visit_date__month="2",
        q__visit_date__year="2026",
        q__visitors="lots",
        q__factors=["mental-health"],
        **{"q.people_present.rows": "1", "q.people_present.0.name": "Kelly"},
    )

    response = worker_client.post(_url("step-autosave", visit), data)

    assert response.status_code == 200
    assert re.fullmatch(
        r'<span class="app-autosave-status">Saved at \d\d:\d\d</span>', response.content.decode()
    )
    draft = StepDraft.objects.get(step=visit, user=worker)
    assert draft.answers["visit_date"] == {"day": "31", "month": "2", "year": "2026"}
    assert draft.answers["visitors"] == "lots"
    assert draft.answers["factors"] == ["mental-health"]
    assert draft.answers["people_present"][0]["name"] == "Kelly"
    assert draft.answers["@version"] == 1
    visit.refresh_from_db()
    assert (visit.version, visit.answers) == (1, {})


def test_autosave_refuses_someone_who_cannot_record(
    visit: Step, client_for: Callable[[str], Client]
) -> None:
    response = client_for("other_team_worker").post(
        _url("step-autosave", visit), _form(q__place="x")
    )
    assert response.status_code == 403
    assert response["X-Autosave-Refused"] == "1"
    assert "Not saved" in response.content.decode()
    assert not StepDraft.objects.exists()


def test_autosave_tells_a_lapsed_session_and_gives_a_fresh_token(
    visit: Step, worker_client: Client, client_for: Callable[[str], Client]
) -> None:
    response = client_for("anonymous").post(_url("step-autosave", visit), _form(q__place="x"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    response = worker_client.get(_url("step-autosave", visit))
    assert response.status_code == 204
    assert len(response["X-CSRFToken"]) == 64
    assert not AuditEvent.objects.filter(request_id=response["X-Request-ID"]).exists()


def test_autosave_with_a_csrf_check_refuses_a_stale_token(visit: Step, worker: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    response = client.post(_url("step-autosave", visit), _form(q__place="x"))
    # A token from before a sign-in: 403 without the refusal header, so the page fetches a new one
    assert response.status_code == 403
    assert "X-Autosave-Refused" not in response


def test_autosave_never_fails_on_hostile_input(visit: Step, worker_client: Client) -> None:
    hostile = _form(
        q__place="\x00" * 10 + "é" * 1000,
        q__visit_date__day=["1", "2"],
        q__factors=["x"] * 500,
        **{"q.people_present.rows": "99999", "q.people_present.-1.name": "x", "q.other": "y"},
    )
    response = worker_client.post(_url("step-autosave", visit), hostile)
    assert response.status_code == 200

    too_big = _form(q__summary="x" * 2_100_000)
    response = worker_client.post(_url("step-autosave", visit), too_big)
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_a_draft_is_offered_and_restored(visit: Step, worker_client: Client) -> None:
    # Given answers autosaved but not saved
    worker_client.post(
        _url("step-autosave", visit),
        _form(q__place="Garden", q__visitors="lots", q__visit_date__day="31"),
    )

    # When the worker comes back to the step
    html = worker_client.get(_url("step-detail", visit)).content.decode()

    # Then they are offered what they typed, and the form shows what is saved
    assert re.search(r'href="\?restore=draft">Restore what you typed at \d\d:\d\d</a>', html)
    assert "Garden" not in html

    # When they restore it, it is shown exactly as typed, based on the version they had
    html = worker_client.get(_url("step-detail", visit) + "?restore=draft").content.decode()
    assert 'value="Garden"' in html
    assert 'value="lots"' in html
    assert 'value="31"' in html
    assert 'name="version" value="1"' in html
    assert 'data-unsaved="true"' in html
    assert "?restore=draft" not in html


def test_a_draft_the_same_as_the_saved_answers_is_not_offered(
    visit: Step, worker_client: Client
) -> None:
    worker_client.post(_url("step-autosave", visit), _form())
    html = worker_client.get(_url("step-detail", visit)).content.decode()
    assert "?restore=draft" not in html


def test_a_copy_from_the_device_is_drawn_by_the_server(visit: Step, worker_client: Client) -> None:
    response = worker_client.post(
        _url("step-detail", visit),
        _form(action="restore", **{"q.people_present.rows": "3", "q.people_present.2.name": "Lee"}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="q.people_present.2.name" type="text" value="Lee"' in html
    visit.refresh_from_db()
    assert visit.version == 1


# -- finding a person -------------------------------------------------------------------------------


def test_find_a_person_for_a_question(visit: Step, worker_client: Client, person: Person) -> None:
    url = _url("step-find-person", visit)

    response = worker_client.get(url, {"find": "Whitmore", "target": "f-lead_contact"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-pick-person="{person.pk}"' in html
    assert 'data-pick-target="f-lead_contact"' in html
    assert "Jayden Whitmore, born 14 March 2015" in html
    assert AuditEvent.objects.filter(action="search", request_id=response["X-Request-ID"]).exists()

    response = worker_client.get(url, {"find": str(person.pk), "target": '"><script>'})
    html = response.content.decode()
    assert f'data-pick-person="{person.pk}"' in html
    assert "<script>" not in html
    assert 'data-pick-target=""' in html

    assert "at least 2 letters" in worker_client.get(url, {"find": "J"}).content.decode()


# -- completing --------------------------------------------------------------------------------------


def _answered(flow: VisitFlow, person: Person, worker: User, team_a: Team, **answers: Any) -> Step:
    return make_step(
        flow.visit,
        person=person,
        team=team_a,
        assignee=worker,
        answers={**COMPLETE_ANSWERS, **answers},
    )


def test_the_completion_page_offers_the_next_actions_the_answers_allow(
    flow: VisitFlow, person: Person, worker: User, team_a: Team, worker_client: Client
) -> None:
    step = _answered(flow, person, worker, team_a)

    response = worker_client.get(_url("step-complete", step))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Start an assessment" in html
    assert "Review in a month" in html
    # Offered, but not to this worker: they are told why
    assert "Strategy discussion: Only a senior manager may start strategy discussion." in html
    assert f'value="{flow.to_strategy.pk}"' not in html
    # Not offered for these answers
    assert "No further action" not in html
    assert "Send for authorisation" in html
    assert _step_views(response) == [person.pk]


def test_completing_with_two_next_actions_starts_two_steps(
    flow: VisitFlow,
    person: Person,
    worker: User,
    team_a: Team,
    users: dict[str, User],
    worker_client: Client,
) -> None:
    # Given a visit that needs no authorisation
    StepType.objects.filter(pk=flow.visit.pk).update(requires_authorisation=False)
    step = _answered(flow, person, worker, team_a)
    manager = users["team_manager"]

    # When the worker chooses an assessment (as usual) and a review for their manager
    response = worker_client.post(
        _url("step-complete", step),
        {
            "version": "1",
            "next": [str(flow.to_assessment.pk), str(flow.to_review.pk)],
            f"who-{flow.to_review.pk}": f"user:{manager.pk}",
        },
    )

    # Then the visit is complete and two new steps follow it
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == Step.Status.COMPLETED
    links = StepLink.objects.filter(from_step=step).select_related("to_step")
    started = {link.to_step.step_type_id: link.to_step for link in links}
    assert set(started) == {flow.assessment.pk, flow.review.pk}
    assessment = started[flow.assessment.pk]
    assert (assessment.assignee, assessment.team, assessment.status) == (
        None,
        team_a,
        Step.Status.PLANNED,
    )
    assert started[flow.review.pk].assignee == manager


def test_next_actions_that_cannot_be_chosen_are_refused_with_the_reason(
    flow: VisitFlow, person: Person, worker: User, team_a: Team, worker_client: Client
) -> None:
    step = _answered(flow, person, worker, team_a)
    url = _url("step-complete", step)
    cases = [
        ({}, "Choose at least one next action, or no further action."),
        ({"next": "987654"}, "That next action is not offered after this step."),
        ({"next": "abc"}, "That next action is not offered after this step."),
        (
            {"next": str(flow.no_further_action.pk)},
            "&#x27;No further action&#x27; does not fit the answers given.",
        ),
        (
            {"next": str(flow.to_strategy.pk)},
            "You cannot choose &#x27;Strategy discussion&#x27;: Only a senior manager may start strategy discussion.",
        ),
        (
            {"next": str(flow.to_review.pk), f"who-{flow.to_review.pk}": "user:999999"},
            "Choose who &#x27;Review in a month&#x27; goes to from the list.",
        ),
        (
            {"next": [str(flow.to_review.pk), str(flow.to_review.pk)]},
            "&#x27;Review in a month&#x27; was chosen twice.",
        ),
    ]
    for data, message in cases:
        response = worker_client.post(url, {"version": "1", **data})
        assert response.status_code == 200, message
        assert message in response.content.decode(), message
    step.refresh_from_db()
    assert (step.status, step.version) == (Step.Status.IN_PROGRESS, 1)


def test_completion_needs_the_required_answers(visit: Step, worker_client: Client) -> None:
    response = worker_client.get(_url("step-complete", visit))
    html = response.content.decode()
    assert "Some questions must be answered before this step can be completed." in html
    assert f'href="{_url("step-detail", visit)}#f-visit_date.day"' in html

    response = worker_client.post(
        _url("step-complete", visit), {"version": "1", "next": str(_flow_review(visit))}
    )
    assert (
        "Some questions need answering before this step can be completed."
        in response.content.decode()
    )
    visit.refresh_from_db()
    assert visit.status == Step.Status.IN_PROGRESS


def _flow_review(step: Step) -> int:
    return step.step_type.transitions.get(label="Review in a month").pk


def test_completing_against_a_newer_version_is_told(
    flow: VisitFlow, person: Person, worker: User, team_a: Team, worker_client: Client
) -> None:
    step = _answered(flow, person, worker, team_a)
    Step.objects.filter(pk=step.pk).update(version=5)
    response = worker_client.post(
        _url("step-complete", step), {"version": "1", "next": str(flow.to_review.pk)}
    )
    html = response.content.decode()
    assert "Someone else saved this step while you were choosing" in html
    assert 'name="version" value="5"' in html


def test_save_and_choose_next_actions_goes_to_the_completion_page(
    visit: Step, worker_client: Client
) -> None:
    response = worker_client.post(
        _url("step-detail", visit), _form(q__place="x", action="complete")
    )
    assert response.status_code == 302
    assert response["Location"] == _url("step-complete", visit)


# -- authorising -------------------------------------------------------------------------------------


@pytest.fixture
def submitted(
    flow: VisitFlow, person: Person, worker: User, team_a: Team, worker_client: Client
) -> Step:
    step = _answered(flow, person, worker, team_a)
    response = worker_client.post(
        _url("step-complete", step), {"version": "1", "next": str(flow.to_review.pk)}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == Step.Status.AWAITING_AUTHORISATION
    return step


def test_the_team_manager_approves(
    submitted: Step, flow: VisitFlow, client_for: Callable[[str], Client], person: Person
) -> None:
    manager = client_for("team_manager")

    response = manager.get(_url("step-authorise", submitted))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Review in a month" in html
    assert "2 March 2026" in html  # the answers, read-only
    assert 'id="step-form"' not in html
    assert _step_views(response) == [person.pk]

    response = manager.post(
        _url("step-authorise", submitted), {"decision": "approve", "comments": "Good work."}
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Step.Status.COMPLETED
    assert StepDecision.objects.get(step=submitted).decision == StepDecision.Decision.APPROVED
    assert StepLink.objects.get(from_step=submitted).to_step.step_type == flow.review


def test_the_team_manager_returns_with_comments(
    submitted: Step, client_for: Callable[[str], Client], worker_client: Client
) -> None:
    manager = client_for("team_manager")
    url = _url("step-authorise", submitted)

    for data, message in [
        ({}, "Choose whether to approve the work or return it"),
        (
            {"decision": "return", "comments": "  "},
            "Say what needs to change before returning the work",
        ),
        (
            {"decision": "return", "comments": "x" * 5001},
            "Comments must be 5,000 characters or fewer",
        ),
    ]:
        response = manager.post(url, data)
        assert response.status_code == 200
        assert message in response.content.decode()

    response = manager.post(url, {"decision": "return", "comments": "Add who was present."})

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Step.Status.IN_PROGRESS
    html = worker_client.get(_url("step-detail", submitted)).content.decode()
    assert "Returned by" in html
    assert "Add who was present." in html
    assert 'id="step-form"' in html


def test_the_worker_cannot_authorise_their_own_work(submitted: Step, worker_client: Client) -> None:
    response = worker_client.get(_url("step-authorise", submitted))
    assert response.status_code == 403
    assert "You cannot authorise work you submitted yourself." in response.content.decode()


def test_a_step_not_waiting_cannot_be_authorised(
    visit: Step, client_for: Callable[[str], Client]
) -> None:
    response = client_for("team_manager").post(
        _url("step-authorise", visit), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert "This step is not waiting for authorisation." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Step.Status.IN_PROGRESS


# -- cancelling --------------------------------------------------------------------------------------


def test_a_manager_cancels_with_a_reason(
    visit: Step, client_for: Callable[[str], Client], worker_client: Client
) -> None:
    manager = client_for("team_manager")
    url = _url("step-cancel", visit)

    assert "Give a reason for cancelling" in manager.post(url, {"reason": " "}).content.decode()
    assert "300 characters or fewer" in manager.post(url, {"reason": "x" * 301}).content.decode()
    response = manager.post(url, {"reason": "Recorded twice by mistake"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.cancelled_reason) == (
        Step.Status.CANCELLED,
        "Recorded twice by mistake",
    )
    html = worker_client.get(_url("step-detail", visit)).content.decode()
    assert "Cancelled: Recorded twice by mistake" in html
    assert manager.get(url).status_code == 403


def test_the_worker_cannot_cancel(visit: Step, worker_client: Client) -> None:
    response = worker_client.post(_url("step-cancel", visit), {"reason": "Not needed"})
    assert response.status_code == 403
    assert "Only a manager of Assessment team north can cancel" in response.content.decode()


# -- starting work -------------------------------------------------------------------------------------


def test_start_work_on_a_person(
    flow: VisitFlow, person: Person, worker: User, worker_client: Client
) -> None:
    senior_only = StepType.objects.create(
        workflow=flow.workflow,
        code="secure-order",
        name="Secure order",
        form=flow.assessment.form,
        is_entry_point=True,
    )
    senior_only.start_roles.add(flow.strategy.start_roles.get())
    url = reverse("step-start-person", kwargs={"person_id": person.pk})

    response = worker_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Home visit" in html
    assert "Secure order (Home visits): Only a senior manager may start secure order." in html
    assert f'value="{senior_only.pk}"' not in html
    assert "Family meeting" not in html  # recorded on groups

    assert (
        "Choose the work to start" in worker_client.post(url, {"step_type": "x"}).content.decode()
    )
    response = worker_client.post(url, {"step_type": str(senior_only.pk)})
    assert "Only a senior manager may start secure order." in response.content.decode()
    assert not Step.objects.exists()

    response = worker_client.post(url, {"step_type": str(flow.visit.pk)})

    step = Step.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("step-detail", step)
    assert (step.person, step.assignee, step.status) == (person, worker, Step.Status.IN_PROGRESS)


def test_start_work_on_a_group(flow: VisitFlow, person: Person, worker_client: Client) -> None:
    group = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=group, person=person)
    url = reverse("step-start-group", kwargs={"group_id": group.pk})

    response = worker_client.get(url)
    assert response.status_code == 200
    assert "Family meeting" in response.content.decode()
    assert _step_views(response) == [person.pk]

    response = worker_client.post(url, {"step_type": str(flow.family_meeting.pk)})

    step = Step.objects.get()
    assert response.status_code == 302
    assert step.group == group
    assert (
        worker_client.get(reverse("step-start-group", kwargs={"group_id": 987654})).status_code
        == 404
    )


# -- a long form -----------------------------------------------------------------------------------------


def test_the_step_page_makes_no_query_per_question(
    flow: VisitFlow,
    person: Person,
    worker: User,
    team_a: Team,
    worker_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    step = _answered(flow, person, worker, team_a, lead_contact=person.pk)
    worker_client.get(_url("step-detail", step))
    with django_assert_max_num_queries(25):
        response = worker_client.get(_url("step-detail", step))
    assert response.status_code == 200
