"""The work API: trays and steps through /api/v1/.

The same reach as the pages. Signed-out callers (and inactive accounts) get 401. The
scene is on the matrix's person in team A: a step in progress allocated to the allocated
worker, and one that worker submitted for authorisation. Everyone whose role includes
casework may read a step; recording on it is for its worker and team A's manager, and
the others who can see it are told why not (403); authorising is for a team manager of
team A (the step type names that role), never the worker who sent it.
"""

from __future__ import annotations

from typing import Any

from casemgmt.models import Team
from tests.matrix.base import CASE_WORKERS, MANAGERS, Case, Context
from tests.workflows.tray_factories import make_step, tray_workflow
from workflows.models import Step, Transition

TEAM_A_MEMBERS = frozenset({"allocated_worker", "team_manager", "business_support"})
RECORDERS = frozenset({"allocated_worker", "team_manager"})
AUTHORISERS = frozenset({"team_manager"})
# Who can see a step but not record on (or authorise) it: told why, with a 403.
NOT_RECORDERS = CASE_WORKERS - RECORDERS
NOT_AUTHORISERS = CASE_WORKERS - AUTHORISERS


def _team(ctx: Context) -> Team:
    return Team.objects.get(code="assessment-north")


def _in_progress(ctx: Context) -> dict[str, Any]:
    step = make_step(
        tray_workflow().contact,
        team=_team(ctx),
        person=ctx.person,
        status=Step.Status.IN_PROGRESS,
        assignee=ctx.users["allocated_worker"],
    )
    return {"step_id": step.pk}


def _submitted(ctx: Context) -> dict[str, Any]:
    flow = tray_workflow()
    step = make_step(
        flow.assessment,
        team=_team(ctx),
        person=ctx.person,
        status=Step.Status.AWAITING_AUTHORISATION,
        assignee=ctx.users["allocated_worker"],
        answers={"summary": "Seen at home."},
        pending_actions=[{"transition": flow.to_plan.pk, "assignee": None, "team": None}],
    )
    return {"step_id": step.pk}


def _completion(ctx: Context) -> dict[str, Any]:
    to_assessment = Transition.objects.get(
        from_step_type__code="trays-contact", to_step_type__isnull=False
    )
    return {
        "answers": {"contact_date": "2026-03-02", "decision": "assess"},
        "version": 1,
        "next_actions": [{"transition": to_assessment.pk, "team": _team(ctx).pk}],
    }


def _tray(ctx: Context) -> dict[str, Any]:
    make_step(tray_workflow().assessment, team=_team(ctx), person=ctx.person)
    return {"team_id": _team(ctx).pk}


CASES = [
    Case("api-work-mine", CASE_WORKERS, kwargs=lambda ctx: {}, is_api=True, denied_status=403),
    Case("api-work-team-tray", TEAM_A_MEMBERS, kwargs=_tray, is_api=True),
    Case(
        "api-work-authorisations",
        MANAGERS,
        kwargs=lambda ctx: {},
        is_api=True,
        denied_status=403,
    ),
    Case("api-step", CASE_WORKERS, kwargs=_in_progress, is_api=True),
    Case(
        "api-step-answers",
        RECORDERS,
        method="put",
        kwargs=_in_progress,
        data=lambda ctx: {"answers": {"notes": "Rang the school."}, "version": 1},
        is_api=True,
        refused=NOT_RECORDERS,
        label="replace",
    ),
    Case(
        "api-step-answers",
        RECORDERS,
        method="patch",
        kwargs=_in_progress,
        data=lambda ctx: {"answers": {"decision": "assess"}, "version": 1},
        is_api=True,
        refused=NOT_RECORDERS,
        label="change",
    ),
    Case(
        "api-step-complete",
        RECORDERS,
        method="post",
        kwargs=_in_progress,
        data=_completion,
        is_api=True,
        refused=NOT_RECORDERS,
    ),
    Case(
        "api-step-authorise",
        AUTHORISERS,
        method="post",
        kwargs=_submitted,
        data=lambda ctx: {"decision": "approve"},
        is_api=True,
        refused=NOT_AUTHORISERS,
    ),
]
