"""Work trays, allocation from a team's tray, and a person's case progress map.

The scene: work waiting unallocated in team A's tray, on the matrix's person. My work is
for everyone whose role includes casework (a list that names no record, so others get
403); team A's tray for its members (others: 404, as for no such team); authorisations
for managers (403 for the rest). Allocating is for those who allocate in team A (its
manager and business support) and for senior managers; a refusal is a 404.
"""

from __future__ import annotations

from typing import Any

from casemgmt.models import Team
from tests.matrix.base import CASE_WORKERS, MANAGERS, Case, Context
from tests.workflows.tray_factories import make_step, tray_workflow

TEAM_A_MEMBERS = frozenset({"allocated_worker", "team_manager", "business_support"})
ALLOCATORS = frozenset({"team_manager", "business_support", "senior_manager"})


def _team(ctx: Context) -> Team:
    return Team.objects.get(code="assessment-north")


def _incoming(ctx: Context) -> dict[str, Any]:
    step = make_step(tray_workflow().assessment, team=_team(ctx), person=ctx.person)
    return {"step_id": step.pk}


def _tray(ctx: Context) -> dict[str, Any]:
    _incoming(ctx)
    return {"team_id": _team(ctx).pk}


def _mine(ctx: Context) -> dict[str, Any]:
    make_step(
        tray_workflow().contact,
        team=_team(ctx),
        person=ctx.person,
        assignee=ctx.users.get(ctx.persona),
    )
    return {}


def _map(ctx: Context) -> dict[str, Any]:
    _incoming(ctx)
    return {"person_id": ctx.person.pk}


CASES = [
    Case("work-mine", CASE_WORKERS, kwargs=_mine, denied_status=403),
    Case(
        "work-mine",
        CASE_WORKERS,
        kwargs=_mine,
        query="?tab=overdue&sort=-name&page=3",
        denied_status=403,
        label="filtered",
    ),
    Case(
        "work-team-trays",
        CASE_WORKERS,
        kwargs=lambda ctx: {},
        ok_status=frozenset({200, 302}),
        denied_status=403,
    ),
    Case("work-team-tray", TEAM_A_MEMBERS, kwargs=_tray),
    Case(
        "work-authorisations",
        MANAGERS,
        kwargs=lambda ctx: {},
        denied_status=403,
    ),
    Case("step-allocate", ALLOCATORS, kwargs=_incoming),
    Case(
        "step-allocate",
        ALLOCATORS,
        method="post",
        kwargs=_incoming,
        data=lambda ctx: {"assignee": ctx.users["allocated_worker"].pk},
        ok_status=frozenset({302}),
    ),
    Case("person-progress-map", CASE_WORKERS, kwargs=_map),
]
