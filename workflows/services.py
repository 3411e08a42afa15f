"""Writes to running work: start, record, autosave, complete, authorise, allocate, cancel.

Every function here runs in one transaction, writes its audit event, and leaves the
step in a state the trays and the progress map can show. Completion is where a step's
statutory facts, chronology entries and next steps are written — once, even if it is
retried.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from casemgmt.audit import created, diff, record_change, snapshot
from casemgmt.models import Team, User
from clients.models import Group, Person
from clients.services.chronology import chronology_record
from workflows import facts
from workflows.forms_engine import condition_holds, validate_answers
from workflows.models import (
    Episode,
    FormVersion,
    Step,
    StepDecision,
    StepDraft,
    StepLink,
    StepType,
    Transition,
)
from workflows.permissions import (
    can_allocate_step,
    can_authorise_step,
    can_record_step,
    can_start_step_type,
    current_team_ids,
)
from workflows.timescales import due_date_for

MAX_DRAFT_BYTES = 2_000_000


class StepError(ValueError):
    """An action that cannot happen; the message says why in a worker's words."""


class AnswersInvalid(StepError):
    def __init__(self, errors: dict[str, list[str]], answers: dict[str, Any]) -> None:
        super().__init__("Some answers need correcting")
        self.errors = errors
        self.answers = answers


class StepConflict(StepError):
    """Someone else saved the step since this worker loaded it."""

    def __init__(self, step: Step) -> None:
        super().__init__(
            "Someone else saved this step while you were working on it. "
            "Their answers are shown beside yours: nothing you typed has been lost."
        )
        self.step = step


@dataclass(frozen=True)
class NextAction:
    transition_id: int
    assignee_id: int | None = None
    team_id: int | None = None


STEP_AUDIT_FIELDS = ["status", "assignee", "team", "due_date", "version"]


def _people(step: Step) -> list[Person]:
    if step.person is not None:
        return [step.person]
    if step.group is None:
        raise StepError("This step has no subject.")
    return [
        membership.person
        for membership in step.group.memberships.filter(end_date__isnull=True)
        .select_related("person")
        .order_by("person_id")
    ]


def _change(
    actor: User | None, action: str, step: Step, changes: dict[str, Any], **kw: Any
) -> None:
    record_change(
        actor=actor,
        action=action,
        instance=step,
        person_id=step.person_id,
        changes=changes,
        summary=f"{action.replace('_', ' ')}: {step.step_type.name}"
        + ("" if step.person_id else f" for {step.group}"),
        **kw,
    )


def _form_version(step_type: StepType) -> FormVersion:
    version = (
        FormVersion.objects.filter(form_id=step_type.form_id, status=FormVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise StepError(f"The form for {step_type.name.lower()} has no published version yet.")
    return version


def _default_team(actor: User, step_type: StepType) -> Team:
    if step_type.default_team is not None:
        return step_type.default_team
    team_ids = sorted(current_team_ids(actor))
    if not team_ids:
        raise StepError("You are not in a team, so there is no tray to put this work in.")
    return Team.objects.get(pk=team_ids[0])


def _allocated_worker(person: Person | None) -> User | None:
    if person is None:
        return None
    involvement = (
        person.involvements.filter(
            end_date__isnull=True, role__is_allocation=True, worker__isnull=False
        )
        .select_related("worker")
        .order_by("-start_date", "-id")
        .first()
    )
    return involvement.worker if involvement is not None else None


@transaction.atomic
def step_start(
    *,
    actor: User,
    step_type: StepType,
    person: Person | None = None,
    group: Group | None = None,
    episode: Episode | None = None,
    previous: Step | None = None,
    transition: Transition | None = None,
    assignee: User | None = None,
    team: Team | None = None,
    start: datetime.date | None = None,
) -> Step:
    """Start a step. Without `previous`, it must be an entry point and opens an episode."""
    allowed, reason = can_start_step_type(actor, step_type)
    if not allowed:
        raise StepError(reason)
    if (person is None) == (group is None):
        raise StepError("Work is recorded on one person or one group.")
    wanted = StepType.Subject.PERSON if person is not None else StepType.Subject.GROUP
    if step_type.subject != wanted:
        raise StepError(
            f"{step_type.name} is recorded on {step_type.get_subject_display().lower()}."
        )
    if previous is None and not step_type.is_entry_point:
        raise StepError(f"{step_type.name} can only follow another step.")
    today = timezone.localdate()
    start = start or today
    if episode is None:
        episode = Episode.objects.create(
            workflow=step_type.workflow, person=person, group=group, opened_on=start
        )
        record_change(
            actor=actor,
            action="episode_opened",
            instance=episode,
            person_id=person.pk if person else None,
            changes=created(episode, ["workflow", "opened_on"]),
            summary=f"{step_type.workflow.name} opened",
        )
    elif not episode.is_open:
        raise StepError("This episode of work is closed.")

    if assignee is None and team is None:
        if previous is None or step_type.default_assignee == StepType.Assignee.STARTER:
            assignee = actor
        elif step_type.default_assignee == StepType.Assignee.ALLOCATED_WORKER:
            assignee = _allocated_worker(person)
    if team is None:
        if step_type.default_team_id is not None:
            team = step_type.default_team
        elif assignee is not None and assignee.pk != actor.pk:
            teams = sorted(current_team_ids(assignee))
            team = Team.objects.get(pk=teams[0]) if teams else _default_team(actor, step_type)
        else:
            team = _default_team(actor, step_type)
    if team is None:
        raise StepError("There is no team tray to put this work in.")
    # Work a worker starts themselves is in progress at once; work created as a next
    # action waits in a tray (incoming) until someone opens it.
    begun = previous is None and assignee is not None and assignee.pk == actor.pk
    step = Step.objects.create(
        episode=episode,
        step_type=step_type,
        form_version=_form_version(step_type),
        person=person,
        group=group,
        status=Step.Status.IN_PROGRESS if begun else Step.Status.PLANNED,
        assignee=assignee,
        team=team,
        created_by=actor,
        started_on=start if begun else None,
        due_date=due_date_for(step_type, start=start, episode=episode, previous=previous),
    )
    if previous is not None:
        StepLink.objects.create(from_step=previous, to_step=step, transition=transition)
    _change(actor, "step_started", step, created(step, [*STEP_AUDIT_FIELDS, "step_type"]))
    return step


def _check_version(step: Step, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != step.version:
        raise StepConflict(step)


def _locked(step: Step) -> Step:
    return (
        Step.objects.select_for_update(of=("self",))
        .select_related(
            "step_type", "step_type__workflow", "form_version", "person", "group", "episode"
        )
        .get(pk=step.pk)
    )


@transaction.atomic
def step_save(
    *, actor: User, step: Step, answers: dict[str, Any], expected_version: int | None
) -> Step:
    """Save answers (required questions may still be empty). Bumps the version."""
    step = _locked(step)
    if not can_record_step(actor, step):
        raise StepError("You cannot record on this step.")
    _check_version(step, expected_version)
    cleaned, errors = validate_answers(step.form_version.schema, answers, complete=False)
    if errors:
        raise AnswersInvalid(errors, answers)
    before = snapshot(step, STEP_AUDIT_FIELDS)
    old_answers = step.answers
    step.answers = cleaned
    step.version += 1
    fields = ["answers", "version"]
    if step.status == Step.Status.PLANNED:
        step.status = Step.Status.IN_PROGRESS
        step.started_on = step.started_on or timezone.localdate()
        fields += ["status", "started_on"]
    if step.assignee_id is None:
        step.assignee = actor
        fields.append("assignee")
    step.save(update_fields=fields)
    StepDraft.objects.filter(step=step, user=actor).delete()
    changes = diff(before, snapshot(step, STEP_AUDIT_FIELDS))
    changes["answers"] = [
        sorted(k for k in old_answers if old_answers.get(k) != cleaned.get(k)),
        sorted(k for k in cleaned if old_answers.get(k) != cleaned.get(k)),
    ]
    _change(actor, "step_saved", step, changes)
    return step


def step_autosave(*, actor: User, step: Step, raw: dict[str, Any]) -> StepDraft:
    """Keep what a worker has typed so far, exactly as typed: nothing is validated or lost."""
    if not can_record_step(actor, step):
        raise StepError("You cannot record on this step.")
    import json

    if len(json.dumps(raw)) > MAX_DRAFT_BYTES:
        raise StepError("This draft is too large to keep; save the form to check it.")
    draft, _ = StepDraft.objects.update_or_create(
        step=step,
        user=actor,
        defaults={"answers": raw, "base_version": step.version, "saved_at": timezone.now()},
    )
    return draft


def draft_for(*, actor: User, step: Step) -> StepDraft | None:
    return StepDraft.objects.filter(step=step, user=actor).first()


def _check_actions(
    actor: User, step: Step, actions: list[NextAction]
) -> list[tuple[Transition, NextAction]]:
    transitions = {t.pk: t for t in _transitions_of(step)}
    if not actions:
        # An event whose answers lead nowhere (a placement change with nothing else to
        # record) is complete in itself; where anything is offered, the worker must choose.
        if any(t.applies_to(step.answers) for t in transitions.values()):
            raise StepError("Choose at least one next action, or no further action.")
        return []
    chosen: list[tuple[Transition, NextAction]] = []
    seen: set[int] = set()
    for action in actions:
        transition = transitions.get(action.transition_id)
        if transition is None:
            raise StepError("That next action is not offered after this step.")
        if transition.pk in seen:
            raise StepError(f"'{transition.label}' was chosen twice.")
        seen.add(transition.pk)
        if not condition_holds(transition.condition, step.answers):
            raise StepError(f"'{transition.label}' does not fit the answers given.")
        if transition.to_step_type is not None:
            allowed, reason = can_start_step_type(actor, transition.to_step_type)
            if not allowed:
                raise StepError(f"You cannot choose '{transition.label}': {reason}")
        chosen.append((transition, action))
    if len(chosen) > 1 and any(t.is_no_further_action for t, _ in chosen):
        raise StepError("No further action cannot be combined with other next actions.")
    return chosen


@transaction.atomic
def step_complete(
    *,
    actor: User,
    step: Step,
    answers: dict[str, Any],
    expected_version: int | None,
    next_actions: list[NextAction],
) -> Step:
    """Finish a step with its next actions; if it needs authorisation, send it to a manager."""
    step = _locked(step)
    if not can_record_step(actor, step):
        raise StepError("You cannot record on this step.")
    _check_version(step, expected_version)
    cleaned, errors = validate_answers(step.form_version.schema, answers, complete=True)
    if errors:
        raise AnswersInvalid(errors, answers)
    step.answers = cleaned
    _check_actions(actor, step, next_actions)
    before = snapshot(step, STEP_AUDIT_FIELDS)
    step.version += 1
    step.started_on = step.started_on or timezone.localdate()
    step.pending_actions = [
        {"transition": a.transition_id, "assignee": a.assignee_id, "team": a.team_id}
        for a in next_actions
    ]
    step.submitted_at = timezone.now()
    step.submitted_by = actor
    if step.assignee_id is None:
        step.assignee = actor
    fields = [
        "answers",
        "version",
        "started_on",
        "pending_actions",
        "submitted_at",
        "submitted_by",
        "assignee",
        "status",
    ]
    StepDraft.objects.filter(step=step).delete()
    if step.step_type.requires_authorisation:
        step.status = Step.Status.AWAITING_AUTHORISATION
        step.save(update_fields=fields)
        _change(actor, "step_submitted", step, diff(before, snapshot(step, STEP_AUDIT_FIELDS)))
        return step
    step.status = Step.Status.COMPLETED
    step.save(update_fields=fields)
    return _finalise(actor=actor, step=step, before=before)


def _finalise(*, actor: User, step: Step, before: dict[str, Any]) -> Step:
    """Completion proper: event date, facts, chronology, next steps or closure."""
    now = timezone.now()
    step.status = Step.Status.COMPLETED
    step.completed_at = now
    step.completed_by = step.submitted_by or actor
    event_date = None
    if step.step_type.event_date_field:
        value = step.answers.get(step.step_type.event_date_field)
        if value:
            event_date = datetime.date.fromisoformat(value)
    step.event_date = event_date or timezone.localdate()
    step.save(update_fields=["status", "completed_at", "completed_by", "event_date"])
    people = _people(step)
    facts.write_facts(step=step, people=people, actor=actor)
    for person in people:
        chronology_record(
            person=person,
            event_date=step.event_date,
            category=step.step_type.chronology_category or step.step_type.workflow.name,
            summary=f"{step.step_type.name} completed",
            source="workflow",
            source_type="workflows.step",
            source_id=step.pk,
            actor=actor,
        )
    _change(actor, "step_completed", step, diff(before, snapshot(step, STEP_AUDIT_FIELDS)))
    transitions = {t.pk: t for t in _transitions_of(step)}
    starter = step.submitted_by or actor
    for pending in step.pending_actions:
        transition = transitions[pending["transition"]]
        if transition.to_step_type is None:
            _close_episode(actor, step, transition)
            continue
        step_start(
            actor=starter,
            step_type=transition.to_step_type,
            person=step.person,
            group=step.group,
            episode=step.episode,
            previous=step,
            transition=transition,
            assignee=User.objects.get(pk=pending["assignee"]) if pending.get("assignee") else None,
            team=Team.objects.get(pk=pending["team"]) if pending.get("team") else None,
        )
    return step


def _close_episode(actor: User, step: Step, transition: Transition) -> None:
    episode = Episode.objects.select_for_update().get(pk=step.episode_id)
    if episode.closed_on is not None:
        return
    episode.closed_on = step.event_date or timezone.localdate()
    episode.closure_reason = transition.closure_reason or transition.label
    episode.save(update_fields=["closed_on", "closure_reason"])
    record_change(
        actor=actor,
        action="episode_closed",
        instance=episode,
        person_id=episode.person_id,
        changes={
            "closed_on": [None, episode.closed_on.isoformat()],
            "closure_reason": ["", episode.closure_reason],
        },
        summary=f"{episode.workflow.name} closed: {episode.closure_reason}",
    )


@transaction.atomic
def step_authorise(*, actor: User, step: Step, comments: str = "") -> Step:
    """A manager approves submitted work: it completes and its next actions start."""
    step = _locked(step)
    allowed, reason = can_authorise_step(actor, step)
    if not allowed:
        raise StepError(reason)
    before = snapshot(step, STEP_AUDIT_FIELDS)
    StepDecision.objects.create(
        step=step,
        decision=StepDecision.Decision.APPROVED,
        comments=comments.strip()[:5000],
        decided_by=actor,
    )
    step.authorised_at = timezone.now()
    step.authorised_by = actor
    step.version += 1
    step.save(update_fields=["authorised_at", "authorised_by", "version"])
    _change(actor, "step_authorised", step, {"decision": [None, "approved"]}, reason=comments[:500])
    return _finalise(actor=actor, step=step, before=before)


@transaction.atomic
def step_return(*, actor: User, step: Step, comments: str) -> Step:
    """A manager sends submitted work back to the worker, saying what to change."""
    step = _locked(step)
    allowed, reason = can_authorise_step(actor, step)
    if not allowed:
        raise StepError(reason)
    comments = comments.strip()
    if not comments:
        raise StepError("Say what needs to change before returning the work.")
    if len(comments) > 5000:
        raise StepError("Comments must be 5,000 characters or fewer.")
    before = snapshot(step, STEP_AUDIT_FIELDS)
    StepDecision.objects.create(
        step=step, decision=StepDecision.Decision.RETURNED, comments=comments, decided_by=actor
    )
    step.status = Step.Status.IN_PROGRESS
    step.pending_actions = []
    step.version += 1
    step.assignee = step.submitted_by or step.assignee
    step.save(update_fields=["status", "pending_actions", "version", "assignee"])
    changes = diff(before, snapshot(step, STEP_AUDIT_FIELDS))
    changes["decision"] = [None, "returned"]
    _change(actor, "step_returned", step, changes, reason=comments[:500])
    return step


@transaction.atomic
def step_allocate(*, actor: User, step: Step, assignee: User) -> Step:
    """Give work from a team tray to a worker in that team."""
    step = _locked(step)
    if not can_allocate_step(actor, step):
        raise StepError("You cannot allocate this work.")
    if not assignee.is_active:
        raise StepError(f"{assignee} cannot take work: their account is disabled.")
    if step.team_id not in current_team_ids(assignee):
        raise StepError(f"{assignee} is not in {step.team}, whose tray this work is in.")
    before = snapshot(step, STEP_AUDIT_FIELDS)
    step.assignee = assignee
    step.version += 1
    step.save(update_fields=["assignee", "version"])
    _change(actor, "step_allocated", step, diff(before, snapshot(step, STEP_AUDIT_FIELDS)))
    return step


@transaction.atomic
def step_cancel(*, actor: User, step: Step, reason: str) -> Step:
    from workflows.permissions import can_cancel_step

    step = _locked(step)
    if not can_cancel_step(actor, step):
        raise StepError("You cannot cancel this work.")
    reason = reason.strip()
    if not reason:
        raise StepError("Give a reason for cancelling.")
    before = snapshot(step, STEP_AUDIT_FIELDS)
    step.status = Step.Status.CANCELLED
    step.cancelled_reason = reason[:300]
    step.version += 1
    step.save(update_fields=["status", "cancelled_reason", "version"])
    _change(
        actor,
        "step_cancelled",
        step,
        diff(before, snapshot(step, STEP_AUDIT_FIELDS)),
        reason=reason[:500],
    )
    return step


def _transitions_of(step: Step) -> list[Transition]:
    """The step type's next actions in the pack's order, with who may start each.

    Read once per step object: completion checks them and then acts on them.
    """
    cached: list[Transition] | None = getattr(step, "_next_actions", None)
    if cached is None:
        cached = list(
            step.step_type.transitions.select_related("to_step_type")
            .prefetch_related("to_step_type__start_roles")
            .order_by("order", "id")
        )
        setattr(step, "_next_actions", cached)  # noqa: B010 (a memo on this object)
    return cached


def offered_actions(step: Step) -> list[Transition]:
    """Next actions offered for the step's current answers, in the pack's order."""
    return [t for t in _transitions_of(step) if condition_holds(t.condition, step.answers)]
