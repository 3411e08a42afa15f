"""The workflow engine: form schemas, due dates and the step services, on a small workflow."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from casemgmt.models import AuditEvent, Team, User
from clients.models import ChronologyEntry, Person
from tests.factories import GroupFactory, GroupMembershipFactory, PersonFactory
from tests.workflows.builders import SmallWorkflow, form_with, small_workflow
from workflows.forms_engine import (
    FormDefinitionError,
    check_schema,
    condition_holds,
    validate_answers,
)
from workflows.models import Episode, Step, StepDraft, StepLink, StepType
from workflows.services import (
    AnswersInvalid,
    NextAction,
    StepConflict,
    StepError,
    step_allocate,
    step_authorise,
    step_autosave,
    step_complete,
    step_return,
    step_save,
    step_start,
)

pytestmark = pytest.mark.django_db

DECEMBER_1 = datetime.date(2026, 12, 1)


@pytest.fixture
def flow(users: dict[str, User]) -> SmallWorkflow:
    return small_workflow()


def _contact(flow: SmallWorkflow, worker: User, person: Person) -> Step:
    return step_start(actor=worker, step_type=flow.contact, person=person, start=DECEMBER_1)


def _assessment_from_contact(flow: SmallWorkflow, worker: User, person: Person) -> Step:
    contact = _contact(flow, worker, person)
    step_complete(
        actor=worker,
        step=contact,
        answers={"contact_date": "2026-12-01", "decision": "assess"},
        expected_version=contact.version,
        next_actions=[NextAction(flow.to_assessment.pk)],
    )
    return Step.objects.get(step_type=flow.assessment)


# -- schemas and answers --------------------------------------------------------------------


def test_answers_are_made_canonical_and_kept_when_wrong(flow: SmallWorkflow) -> None:
    schema = flow.assessment.form.latest_published().schema
    cleaned, errors = validate_answers(
        schema,
        {"summary": "  Seen at home  ", "hours": "12", "cost": "£1,250.5"},
        complete=True,
    )
    assert errors == {}
    assert cleaned == {"summary": "Seen at home", "hours": 12, "cost": "1250.50"}

    answers = {"summary": "x" * 20_001, "hours": -1, "cost": "12.345", "mystery": 1}
    cleaned, errors = validate_answers(schema, answers, complete=True)
    assert errors == {
        "mystery": ["'mystery' is not a question on this form"],
        "summary": ["Summary must be 20,000 characters or fewer"],
        "hours": ["Hours of support must be 0.00 or more"],
        "cost": ["Weekly cost must be in pounds and pence, like 12.50"],
    }
    assert cleaned["hours"] == -1


def test_required_questions_are_enforced_only_when_shown_and_completing(
    flow: SmallWorkflow,
) -> None:
    schema = flow.contact.form.latest_published().schema
    assert validate_answers(schema, {}, complete=False)[1] == {}
    assert validate_answers(schema, {"decision": "assess"}, complete=True)[1] == {
        "contact_date": ["Enter date of contact"]
    }
    errors = validate_answers(
        schema, {"contact_date": "2026-12-01", "decision": "nfa"}, complete=True
    )[1]
    assert errors == {"nfa_reason": ["Enter reason for no further action"]}


def test_dates_choices_and_repeating_groups_are_checked(flow: SmallWorkflow) -> None:
    contact = flow.contact.form.latest_published().schema
    assert validate_answers(contact, {"contact_date": "2026-02-31"}, complete=False)[1] == {
        "contact_date": ["Date of contact must be a real date"]
    }
    assert validate_answers(contact, {"decision": "maybe"}, complete=False)[1] == {
        "decision": ["Select an option for decision"]
    }
    assessment = flow.assessment.form.latest_published().schema
    _cleaned, errors = validate_answers(
        assessment,
        {"summary": "s", "people_seen": [{"name": "Ann", "seen_alone": True}, {"seen_alone": "y"}]},
        complete=True,
    )
    assert errors == {
        "people_seen-1-name": ["Enter name in entry 2"],
        "people_seen-1-seen_alone": ["Select yes or no for seen alone (entry 2)"],
    }
    assert validate_answers(assessment, {"people_seen": "Ann"}, complete=False)[1] == {
        "people_seen": ["People seen must be a list of entries"]
    }
    assert validate_answers(assessment, ["not", "an", "object"], complete=False)[1] == {
        "__all__": ["Answers must be an object of field keys to values"]
    }


def test_conditions() -> None:
    answers: dict[str, Any] = {"a": "x", "b": ["p", "q"], "c": ""}
    assert condition_holds({}, answers)
    assert condition_holds({"field": "a", "equals": "x"}, answers)
    assert not condition_holds({"field": "a", "in": ["y", "z"]}, answers)
    assert condition_holds({"field": "b", "contains": "q"}, answers)
    assert not condition_holds({"field": "c", "not_empty": True}, answers)
    assert condition_holds(
        {"all": [{"field": "a", "equals": "x"}, {"any": [{"field": "c", "equals": ""}]}]}, answers
    )


def test_a_form_that_makes_no_sense_cannot_be_published() -> None:
    def schema(fields: list[dict[str, Any]]) -> dict[str, Any]:
        return {"sections": [{"key": "s", "title": "Section", "fields": fields}]}

    with pytest.raises(FormDefinitionError, match="the key 'a' is used twice"):
        check_schema(schema([{"key": "a", "kind": "text"}, {"key": "a", "kind": "date"}]))
    with pytest.raises(FormDefinitionError, match="show_if refers to 'ghost'"):
        check_schema(
            schema([{"key": "a", "kind": "text", "show_if": {"field": "ghost", "equals": 1}}])
        )
    with pytest.raises(FormDefinitionError, match="needs choices or a code list"):
        check_schema(schema([{"key": "a", "kind": "choice"}]))
    with pytest.raises(FormDefinitionError, match="unknown kind 'essay'"):
        check_schema(schema([{"key": "a", "kind": "essay"}]))


# -- starting, due dates and saving -----------------------------------------------------------


def test_starting_an_entry_point_opens_an_episode_with_the_work_in_progress(
    flow: SmallWorkflow, worker: User, person: Person, team_a: Team
) -> None:
    step = _contact(flow, worker, person)

    assert step.status == Step.Status.IN_PROGRESS
    assert (step.assignee, step.team, step.started_on) == (worker, team_a, DECEMBER_1)
    assert step.due_date == datetime.date(2026, 12, 2)
    assert step.form_version.number == 1
    assert Episode.objects.get().person == person
    assert AuditEvent.objects.filter(action="step_started", person_id=person.pk).count() == 1


def test_only_entry_points_start_on_their_own_and_roles_are_respected(
    flow: SmallWorkflow, worker: User, person: Person
) -> None:
    with pytest.raises(StepError, match="can only follow another step"):
        step_start(actor=worker, step_type=flow.assessment, person=person)
    flow.plan.is_entry_point = True
    flow.plan.save()
    with pytest.raises(StepError, match="Only a team manager may start plan"):
        step_start(actor=worker, step_type=flow.plan, person=person)


def test_saving_keeps_the_version_and_a_stale_save_is_a_conflict(
    flow: SmallWorkflow, worker: User, person: Person, users: dict[str, User]
) -> None:
    step = _contact(flow, worker, person)
    step_autosave(actor=worker, step=step, raw={"contact_date-day": "1"})
    saved = step_save(actor=worker, step=step, answers={"decision": "assess"}, expected_version=1)
    assert (saved.version, saved.answers) == (2, {"decision": "assess"})
    assert not StepDraft.objects.exists()

    manager = users["team_manager"]
    with pytest.raises(StepConflict):
        step_save(actor=manager, step=step, answers={"decision": "nfa"}, expected_version=1)
    assert Step.objects.get(pk=step.pk).answers == {"decision": "assess"}


def test_invalid_answers_are_refused_whole_and_returned(
    flow: SmallWorkflow, worker: User, person: Person
) -> None:
    step = _contact(flow, worker, person)
    with pytest.raises(AnswersInvalid) as raised:
        step_save(
            actor=worker,
            step=step,
            answers={"contact_date": "31/02/2026", "decision": "assess"},
            expected_version=1,
        )
    assert raised.value.errors == {"contact_date": ["Date of contact must be a real date"]}
    assert raised.value.answers == {"contact_date": "31/02/2026", "decision": "assess"}
    assert Step.objects.get(pk=step.pk).version == 1


def test_other_teams_cannot_record_on_the_work(
    flow: SmallWorkflow, worker: User, person: Person, users: dict[str, User]
) -> None:
    step = _contact(flow, worker, person)
    with pytest.raises(StepError, match="cannot record"):
        step_save(actor=users["other_team_worker"], step=step, answers={}, expected_version=1)


# -- completion, next actions and authorisation ------------------------------------------------


def test_completion_starts_next_steps_in_the_tray_with_a_due_date_from_the_named_date(
    flow: SmallWorkflow, worker: User, person: Person, team_a: Team
) -> None:
    assessment = _assessment_from_contact(flow, worker, person)
    contact = Step.objects.get(step_type=flow.contact)

    assert contact.status == Step.Status.COMPLETED
    assert contact.event_date == DECEMBER_1
    # 45 working days from Tuesday 1 December 2026, skipping Christmas, Boxing Day
    # (observed on Monday 28th) and New Year's Day.
    assert assessment.due_date == datetime.date(2027, 2, 5)
    assert assessment.status == Step.Status.PLANNED
    assert (assessment.assignee, assessment.team) == (None, team_a)
    assert assessment.episode == contact.episode
    assert StepLink.objects.get().from_step == contact
    entry = ChronologyEntry.objects.get(person=person, source_type="workflows.step")
    assert (entry.event_date, entry.category, entry.summary) == (
        DECEMBER_1,
        "Contact",
        "Contact completed",
    )


def test_no_further_action_closes_the_episode_and_cannot_be_combined(
    flow: SmallWorkflow, worker: User, person: Person
) -> None:
    contact = _contact(flow, worker, person)
    answers = {"contact_date": "2026-12-01", "decision": "nfa", "nfa_reason": "Advice given"}
    with pytest.raises(StepError, match="does not fit the answers"):
        step_complete(
            actor=worker,
            step=contact,
            answers=answers,
            expected_version=1,
            next_actions=[NextAction(flow.to_assessment.pk)],
        )
    with pytest.raises(StepError, match="at least one next action"):
        step_complete(
            actor=worker, step=contact, answers=answers, expected_version=1, next_actions=[]
        )
    step_complete(
        actor=worker,
        step=contact,
        answers=answers,
        expected_version=1,
        next_actions=[NextAction(flow.no_further_action.pk)],
    )
    episode = Episode.objects.get()
    assert (episode.closed_on, episode.closure_reason) == (DECEMBER_1, "RC8")
    assert Step.objects.count() == 1


def test_a_next_action_the_worker_may_not_start_is_refused_with_the_reason(
    flow: SmallWorkflow, worker: User, person: Person
) -> None:
    assessment = _assessment_from_contact(flow, worker, person)
    with pytest.raises(StepError, match="You cannot choose 'Plan': Only a team manager may start"):
        step_complete(
            actor=worker,
            step=assessment,
            answers={"summary": "Needs a plan"},
            expected_version=assessment.version,
            next_actions=[NextAction(flow.to_plan.pk)],
        )
    assert Step.objects.get(pk=assessment.pk).status == Step.Status.PLANNED


def test_work_needing_authorisation_waits_for_a_manager_who_can_return_or_approve(
    flow: SmallWorkflow, worker: User, person: Person, users: dict[str, User]
) -> None:
    flow.plan.start_roles.clear()
    manager = users["team_manager"]
    assessment = _assessment_from_contact(flow, worker, person)
    submitted = step_complete(
        actor=worker,
        step=assessment,
        answers={"summary": "Needs a plan"},
        expected_version=assessment.version,
        next_actions=[NextAction(flow.to_plan.pk)],
    )
    assert submitted.status == Step.Status.AWAITING_AUTHORISATION
    assert submitted.assignee == worker
    assert not Step.objects.filter(step_type=flow.plan).exists()

    with pytest.raises(StepError, match="cannot authorise work you submitted yourself"):
        step_authorise(actor=worker, step=submitted)
    with pytest.raises(StepError, match="Say what needs to change"):
        step_return(actor=manager, step=submitted, comments="  ")

    returned = step_return(actor=manager, step=submitted, comments="Add the father's views")
    assert (returned.status, returned.pending_actions) == (Step.Status.IN_PROGRESS, [])
    resubmitted = step_complete(
        actor=worker,
        step=returned,
        answers={"summary": "Needs a plan; father seen"},
        expected_version=returned.version,
        next_actions=[NextAction(flow.to_plan.pk)],
    )
    approved = step_authorise(actor=manager, step=resubmitted, comments="Agreed")

    assert approved.status == Step.Status.COMPLETED
    assert (approved.authorised_by, approved.completed_by) == (manager, worker)
    assert [d.decision for d in approved.decisions.order_by("decided_at")] == [
        "returned",
        "approved",
    ]
    plan = Step.objects.get(step_type=flow.plan)
    assert plan.status == Step.Status.PLANNED
    assert plan.assignee == worker  # the default assignee is whoever chose the action
    actions = set(
        AuditEvent.objects.filter(
            object_type="workflows.step", object_id=str(assessment.pk)
        ).values_list("action", flat=True)
    )
    assert {"step_submitted", "step_returned", "step_authorised", "step_completed"} <= actions


def test_allocation_from_the_team_tray(
    flow: SmallWorkflow, worker: User, person: Person, users: dict[str, User]
) -> None:
    assessment = _assessment_from_contact(flow, worker, person)
    with pytest.raises(StepError, match="is not in Assessment team north"):
        step_allocate(
            actor=users["team_manager"], step=assessment, assignee=users["other_team_worker"]
        )
    with pytest.raises(StepError, match="cannot allocate"):
        step_allocate(actor=worker, step=assessment, assignee=worker)
    allocated = step_allocate(actor=users["team_manager"], step=assessment, assignee=worker)
    assert allocated.assignee == worker


def test_a_group_step_records_for_every_member(worker: User, users: dict[str, User]) -> None:
    flow = small_workflow()
    family_form = form_with(
        "family-meeting", [{"key": "held_on", "label": "Held on", "kind": "date"}]
    )
    meeting = StepType.objects.create(
        workflow=flow.workflow,
        code="family-meeting",
        name="Family meeting",
        form=family_form.form,
        subject=StepType.Subject.GROUP,
        is_entry_point=True,
        event_date_field="held_on",
    )
    StepType.objects.filter(pk=meeting.pk)
    flow.no_further_action.from_step_type = meeting
    flow.no_further_action.condition = {}
    flow.no_further_action.save()
    group = GroupFactory(name="Whitmore family")
    members = [PersonFactory(), PersonFactory()]
    for member in members:
        GroupMembershipFactory(group=group, person=member)

    step = step_start(actor=worker, step_type=meeting, group=group)
    step_complete(
        actor=worker,
        step=step,
        answers={"held_on": "2026-11-20"},
        expected_version=step.version,
        next_actions=[NextAction(flow.no_further_action.pk)],
    )
    entries = ChronologyEntry.objects.filter(source_type="workflows.step", source_id=str(step.pk))
    assert sorted(entries.values_list("person_id", flat=True)) == sorted(m.pk for m in members)
    assert set(entries.values_list("event_date", flat=True)) == {datetime.date(2026, 11, 20)}
    with pytest.raises(StepError, match="is recorded on a family group or household"):
        step_start(actor=worker, step_type=meeting, person=members[0])
