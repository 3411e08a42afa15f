"""Running a step: starting work, the step page, autosave, completion, authorisation, cancelling.

The step is in team A's tray, allocated to the allocated worker. Who may see it: every
case worker. Who may record on it: its worker and team A's manager; the others who can
see it are told why not (403). Authorising is for managers (not the worker who sent it);
cancelling for a manager of the tray's team.
"""

from __future__ import annotations

from typing import Any

from casemgmt.models import Team
from clients.models import Group
from tests.factories import GroupFactory, GroupMembershipFactory
from tests.matrix.base import CASE_WORKERS, MANAGERS, Case, Context
from tests.workflows.step_page_builders import COMPLETE_ANSWERS, make_step, visit_flow
from workflows.models import Step

STEP_VIEWERS = CASE_WORKERS
STARTERS = CASE_WORKERS
RECORDERS = frozenset({"allocated_worker", "team_manager"})
AUTHORISERS = MANAGERS
CANCELLERS = frozenset({"team_manager"})
REDIRECT = frozenset({302})


def _team(ctx: Context) -> Team:
    return Team.objects.get(code="assessment-north")


def _flow(ctx: Context) -> Any:
    # Senior managers belong to no team: new work goes to team A's tray.
    return visit_flow(default_team=_team(ctx))


def _step(ctx: Context, **extra: Any) -> dict[str, Any]:
    step = make_step(
        _flow(ctx).visit,
        person=ctx.person,
        team=_team(ctx),
        assignee=ctx.users["allocated_worker"],
        **extra,
    )
    return {"step_id": step.pk}


def _in_progress(ctx: Context) -> dict[str, Any]:
    return _step(ctx)


def _answered(ctx: Context) -> dict[str, Any]:
    return _step(ctx, answers=dict(COMPLETE_ANSWERS))


def _completed(ctx: Context) -> dict[str, Any]:
    return _step(ctx, answers=dict(COMPLETE_ANSWERS), status=Step.Status.COMPLETED)


def _awaiting(ctx: Context) -> dict[str, Any]:
    return _step(
        ctx,
        answers=dict(COMPLETE_ANSWERS),
        status=Step.Status.AWAITING_AUTHORISATION,
        submitted_by=ctx.users["allocated_worker"],
        pending_actions=[{"transition": _flow(ctx).to_review.pk, "assignee": None, "team": None}],
    )


def _person(ctx: Context) -> dict[str, Any]:
    _flow(ctx)
    return {"person_id": ctx.person.pk}


def _group(ctx: Context) -> dict[str, Any]:
    _flow(ctx)
    group: Group = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=group, person=ctx.person)
    return {"group_id": group.pk}


def _form(ctx: Context) -> dict[str, str]:
    return {
        "version": "1",
        "action": "save",
        "q.visit_date.day": "2",
        "q.visit_date.month": "3",
        "q.visit_date.year": "2026",
        "q.seen_alone": "yes",
        "q.summary": "Seen at home.",
    }


CASES = [
    Case("step-start-person", STARTERS, kwargs=_person),
    Case(
        "step-start-person",
        STARTERS,
        method="post",
        data=lambda ctx: {"step_type": str(_flow(ctx).visit.pk)},
        ok_status=REDIRECT,
    ),
    Case("step-start-group", STARTERS, kwargs=_group),
    Case(
        "step-start-group",
        STARTERS,
        method="post",
        kwargs=_group,
        data=lambda ctx: {"step_type": str(_flow(ctx).family_meeting.pk)},
        ok_status=REDIRECT,
    ),
    Case("step-detail", STEP_VIEWERS, kwargs=_in_progress),
    Case("step-detail", STEP_VIEWERS, kwargs=_completed, label="completed"),
    Case(
        "step-detail",
        RECORDERS,
        method="post",
        kwargs=_in_progress,
        data=_form,
        ok_status=REDIRECT,
        refused=STEP_VIEWERS - RECORDERS,
    ),
    Case("step-autosave", STEP_VIEWERS, kwargs=_in_progress, ok_status=frozenset({204})),
    Case(
        "step-autosave",
        RECORDERS,
        method="post",
        kwargs=_in_progress,
        data=_form,
        refused=STEP_VIEWERS - RECORDERS,
    ),
    Case(
        "step-find-person",
        RECORDERS,
        kwargs=_in_progress,
        query="?find=Whitmore&target=f-lead_contact",
        refused=STEP_VIEWERS - RECORDERS,
    ),
    Case("step-complete", RECORDERS, kwargs=_answered, refused=STEP_VIEWERS - RECORDERS),
    Case(
        "step-complete",
        RECORDERS,
        method="post",
        kwargs=_answered,
        data=lambda ctx: {"version": "1", "next": str(_flow(ctx).to_review.pk)},
        ok_status=REDIRECT,
        refused=STEP_VIEWERS - RECORDERS,
    ),
    Case("step-authorise", AUTHORISERS, kwargs=_awaiting, refused=STEP_VIEWERS - AUTHORISERS),
    Case(
        "step-authorise",
        AUTHORISERS,
        method="post",
        kwargs=_awaiting,
        data=lambda ctx: {"decision": "approve"},
        ok_status=REDIRECT,
        refused=STEP_VIEWERS - AUTHORISERS,
    ),
    Case("step-cancel", CANCELLERS, kwargs=_in_progress, refused=STEP_VIEWERS - CANCELLERS),
    Case(
        "step-cancel",
        CANCELLERS,
        method="post",
        kwargs=_in_progress,
        data=lambda ctx: {"reason": "Recorded twice by mistake"},
        ok_status=REDIRECT,
        refused=STEP_VIEWERS - CANCELLERS,
    ),
]
