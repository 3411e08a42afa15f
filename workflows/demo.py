"""The demo council's work: people walked through the shipped packs to every stage.

Everything goes through the real services (so facts, chronology, audit and due dates
are exactly what a worker's actions would produce); afterwards the timestamps of each
step are moved back to the day the work happened, so trays, maps and chronologies read
like a real caseload. Demo only: refuses to run where the packs are not loaded.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from casemgmt.calendar import add_working_days
from casemgmt.models import User
from clients.models import Person
from workflows.answers import fill, satisfy
from workflows.forms_engine import condition_holds
from workflows.models import Step, StepLink, StepType, Transition
from workflows.services import (
    NextAction,
    step_allocate,
    step_authorise,
    step_complete,
    step_save,
    step_start,
)
from workflows.timescales import due_date_for


class Stop:
    INCOMING = "incoming"  # the last step waits in the team tray, unallocated
    ALLOCATED = "allocated"  # ... allocated to the worker, not yet started
    IN_PROGRESS = "in_progress"  # the worker has saved part of it
    AWAITING = "awaiting"  # submitted, waiting for the manager
    CLOSED = "closed"  # completed with no further action


@dataclass
class Walk:
    person: Person
    worker: User
    managers: dict[str, User]  # who authorises, by role name; "team_manager" also allocates
    path: list[str]  # step type codes, in order
    stop: str
    start: datetime.date
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    gap_working_days: int = 8


ANY_NEXT = "*"


def _transition_to(step_type: StepType, code: str | None, overrides: dict[str, Any]) -> Transition:
    """The next action to `code` (None: no further action), preferring one the overrides fit."""
    candidates = [
        transition
        for transition in step_type.transitions.select_related("to_step_type").order_by(
            "order", "id"
        )
        if code == ANY_NEXT
        or (transition.to_step_type.code if transition.to_step_type else None) == code
    ]
    if not candidates:
        raise LookupError(f"{step_type.code} has no next action to {code or 'no further action'}")
    for transition in candidates:
        if overrides and condition_holds(transition.condition, overrides):
            return transition
    return candidates[0]


def _answers(
    step: Step, rng: random.Random, on: datetime.date, walk: Walk, transition: Transition | None
) -> dict[str, Any]:
    overrides = dict(walk.overrides.get(step.step_type.code, {}))
    if step.step_type.event_date_field:
        overrides.setdefault(step.step_type.event_date_field, on.isoformat())
    if transition is not None:
        overrides = satisfy(transition.condition, overrides)
    return fill(step.form_version.schema, rng, on=on, overrides=overrides)


def _backdate(step: Step, on: datetime.date, *, previous: Step | None) -> None:
    """Move the step's own timestamps back to the day its work happened."""
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 30)))
    values: dict[str, Any] = {"created_at": moment, "started_on": on}
    if step.submitted_at:
        values["submitted_at"] = moment + datetime.timedelta(hours=4)
    if step.authorised_at:
        values["authorised_at"] = moment + datetime.timedelta(days=1)
    if step.completed_at:
        values["completed_at"] = moment + datetime.timedelta(days=1 if step.authorised_at else 0)
    values["due_date"] = due_date_for(
        step.step_type, start=on, episode=step.episode, previous=previous
    )
    Step.objects.filter(pk=step.pk).update(**values)


@transaction.atomic
def walk_through(walk: Walk, rng: random.Random) -> Step:
    """Take one person along `walk.path`, leaving the last step as `walk.stop` says."""
    types = {t.code: t for t in StepType.objects.filter(code__in=walk.path)}
    on = walk.start
    step = step_start(
        actor=walk.worker, step_type=types[walk.path[0]], person=walk.person, start=on
    )
    previous: Step | None = None
    for index in range(len(walk.path)):
        last = index == len(walk.path) - 1
        if last and walk.stop == Stop.INCOMING:
            _backdate(step, on, previous=previous)
            Step.objects.filter(pk=step.pk).update(started_on=None)
            return step
        if step.assignee_id is None:
            step = step_allocate(
                actor=walk.managers["team_manager"], step=step, assignee=walk.worker
            )
        if last and walk.stop == Stop.ALLOCATED:
            _backdate(step, on, previous=previous)
            Step.objects.filter(pk=step.pk).update(started_on=None)
            return step
        if not last:
            following: str | None = walk.path[index + 1]
        else:
            following = None if walk.stop == Stop.CLOSED else ANY_NEXT
        transition = _transition_to(
            step.step_type, following, walk.overrides.get(step.step_type.code, {})
        )
        answers = _answers(step, rng, on, walk, transition)
        if last and walk.stop == Stop.IN_PROGRESS:
            half = dict(list(answers.items())[: max(1, len(answers) // 2)])
            step = step_save(
                actor=walk.worker, step=step, answers=half, expected_version=step.version
            )
            _backdate(step, on, previous=previous)
            return step
        step = step_complete(
            actor=walk.worker,
            step=step,
            answers=answers,
            expected_version=step.version,
            next_actions=[NextAction(transition.pk)],
        )
        if last and walk.stop == Stop.AWAITING:
            _backdate(step, on, previous=previous)
            return step
        if step.status == Step.Status.AWAITING_AUTHORISATION:
            role = step.step_type.authoriser_role
            authoriser = walk.managers[role.name if role else "team_manager"]
            step = step_authorise(actor=authoriser, step=step, comments="Agreed.")
        step.refresh_from_db()
        _backdate(step, on, previous=previous)
        if last:
            return step
        previous = step
        # Work happens in the past: a long path that would run past today ends its walk today.
        on = min(
            add_working_days(on, walk.gap_working_days + rng.randint(0, 4)), timezone.localdate()
        )
        step = StepLink.objects.select_related("to_step").get(from_step=step).to_step
    return step


# -- the demo council's caseload ------------------------------------------------------------

C = ["child-contact"]
REFERRAL = [*C, "child-referral"]
ASSESSMENT = [*REFERRAL, "child-and-family-assessment"]
S47 = [*REFERRAL, "strategy-discussion", "section-47-enquiry"]
ICPC = [*S47, "initial-cp-conference"]
CP_PLAN = [*ICPC, "child-protection-plan"]
LOOKED_AFTER = ["entering-care"]

A = ["adult-contact"]
A_ASSESSMENT = [*A, "adult-needs-assessment"]
A_PLAN = [*A_ASSESSMENT, "adult-support-plan"]
SAFEGUARDING = ["adult-safeguarding-concern"]

Steering = dict[str, dict[str, Any]]

SIGNIFICANT_HARM: Steering = {
    "child-contact": {"decision": "referral"},
    "child-referral": {"decision": "assessment", "significant_harm": True},
    "strategy-discussion": {"s47_required": True},
    "section-47-enquiry": {"outcome": "icpc"},
    "initial-cp-conference": {"plan_needed": True},
}
ASSESS: Steering = {
    "child-contact": {"decision": "referral", "significant_harm_suspected": False},
    "child-referral": {"decision": "assessment", "significant_harm": False},
    "child-and-family-assessment": {
        "significant_harm": False,
        "outcome": "cin_plan",
        "factors": ["2B", "3A"],
    },
}
ADULT: Steering = {
    "adult-contact": {"client_type": "service_user", "outcome": "progress_assessment"}
}
CARER: Steering = {"adult-contact": {"client_type": "carer", "outcome": "progress_assessment"}}

# (path, where it stops, working days ago it started, answers that steer it)
CHILDREN_SCENARIOS: list[tuple[list[str], str, int, dict[str, dict[str, Any]]]] = [
    (C, Stop.IN_PROGRESS, 0, {}),
    (REFERRAL, Stop.INCOMING, 2, ASSESS),
    (ASSESSMENT, Stop.ALLOCATED, 6, ASSESS),
    (ASSESSMENT, Stop.IN_PROGRESS, 38, ASSESS),  # due within days
    (ASSESSMENT, Stop.IN_PROGRESS, 60, ASSESS),  # overdue
    (ASSESSMENT, Stop.AWAITING, 30, ASSESS),
    (S47, Stop.IN_PROGRESS, 5, SIGNIFICANT_HARM),
    (ICPC, Stop.INCOMING, 12, SIGNIFICANT_HARM),
    ([*CP_PLAN, "cp-first-review"], Stop.ALLOCATED, 70, SIGNIFICANT_HARM),
    ([*ASSESSMENT, "cin-plan", "cin-review"], Stop.ALLOCATED, 90, ASSESS),
    (C, Stop.CLOSED, 40, {"child-contact": {"decision": "nfa"}}),
    (
        [*ASSESSMENT, "child-case-closure"],
        Stop.CLOSED,
        80,
        {
            **ASSESS,
            "child-and-family-assessment": {
                "significant_harm": False,
                "outcome": "nfa",
                "factors": ["1C"],
            },
            "child-case-closure": {"reason_for_closure": "RC8"},
        },
    ),
    ([*LOOKED_AFTER, "placement-change"], Stop.IN_PROGRESS, 120, {}),
    ([*LOOKED_AFTER, "cla-first-review"], Stop.ALLOCATED, 15, {}),
]
ADULT_SCENARIOS: list[tuple[list[str], str, int, dict[str, dict[str, Any]]]] = [
    (A, Stop.IN_PROGRESS, 0, {}),
    (A_ASSESSMENT, Stop.INCOMING, 3, ADULT),
    (A_ASSESSMENT, Stop.IN_PROGRESS, 25, ADULT),
    (
        A_ASSESSMENT,
        Stop.AWAITING,
        18,
        {**ADULT, "adult-needs-assessment": {"eligible_needs": True}},
    ),
    (
        [*A_PLAN, "adult-review"],
        Stop.ALLOCATED,
        260,
        {
            **ADULT,
            "adult-needs-assessment": {
                "eligible_needs": True,
                "outcome": "progress_support_planning",
            },
        },
    ),
    ([*A, "adult-carers-assessment"], Stop.IN_PROGRESS, 10, CARER),
    (
        [*SAFEGUARDING, "adult-s42-enquiry"],
        Stop.IN_PROGRESS,
        8,
        {"adult-safeguarding-concern": {"decision": "s42"}},
    ),
    (SAFEGUARDING, Stop.AWAITING, 1, {"adult-safeguarding-concern": {"decision": "s42"}}),
    (["adult-dols-request"], Stop.AWAITING, 12, {}),
    (A, Stop.CLOSED, 30, {"adult-contact": {"outcome": "nfa_information"}}),
]

# Whose caseloads carry the work: the demo logins first, then their colleagues.
CHILDREN_WORKERS = ["practitioner", "amara.okoye", "lucy.chen", "tom.bradley"]
ADULT_WORKERS = ["adults", "aisha.rahman", "matthew.green"]


def _allocated(worker: User, *, children: bool, count: int) -> list[Person]:
    from django.db.models import Q

    today = timezone.localdate()
    adult_born_before = today.replace(year=today.year - 18)
    age = (
        Q(date_of_birth__gt=adult_born_before)
        if children
        else Q(date_of_birth__lte=adult_born_before)
    )
    return list(
        Person.objects.current()
        .filter(
            age,
            date_of_death__isnull=True,
            involvements__worker=worker,
            involvements__end_date__isnull=True,
            involvements__role__is_allocation=True,
        )
        .exclude(episodes__isnull=False)
        .order_by("id")
        .distinct()[:count]
    )


def demo_walks(rng: random.Random) -> list[Walk]:
    """Every worker's caseload walked to a spread of stages; demo logins get one of each."""
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    today = timezone.localdate()
    walks: list[Walk] = []
    plans = [
        (CHILDREN_WORKERS, CHILDREN_SCENARIOS, True, "manager"),
        (ADULT_WORKERS, ADULT_SCENARIOS, False, "stephen.clarke"),
    ]
    for workers, scenarios, children, manager in plans:
        for position, username in enumerate(workers):
            worker = users.get(username)
            if worker is None or manager not in users:
                continue
            # The demo login carries every scenario; colleagues every other one.
            chosen = scenarios if position == 0 else scenarios[position % 2 :: 2]
            people = _allocated(worker, children=children, count=len(chosen))
            managers = {
                "team_manager": users[manager],
                "senior_manager": users.get("senior", users[manager]),
            }
            for person, (path, stop, days_ago, overrides) in zip(people, chosen, strict=False):
                start = today
                for _ in range(days_ago):
                    start -= datetime.timedelta(days=1)
                    while start.weekday() >= 5:
                        start -= datetime.timedelta(days=1)
                walks.append(
                    Walk(
                        person=person,
                        worker=worker,
                        managers=managers,
                        path=path,
                        stop=stop,
                        start=start,
                        overrides=overrides,
                        gap_working_days=max(1, min(8, days_ago // max(1, len(path)))),
                    )
                )
    return walks


@transaction.atomic
def seed_demo_work(*, seed: int = 2026) -> int:
    """Walk the demo caseloads; does nothing where demo work is already there."""
    if Step.objects.exists():
        return 0
    if not StepType.objects.filter(code__in=["child-contact", "adult-contact"]).exists():
        raise LookupError("Load the shipped configuration packs first (manage.py load_packs).")
    rng = random.Random(seed)  # noqa: S311 - made-up demo answers, not secrets
    walks = demo_walks(rng)
    for walk in walks:
        walk_through(walk, rng)
    return len(walks)
