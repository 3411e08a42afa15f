"""The "Work" section of the person page: open work, and where to start or see more."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from casemgmt.types import AnyUser
from clients.models import GroupMembership, Person
from workflows.models import Step
from workflows.permissions import START_STEP, VIEW_STEP

OPEN_WORK_LIMIT = 10


def work_section(person: Person, user: AnyUser) -> dict[str, Any] | None:
    """Open steps on the person (or a group they belong to); one query."""
    if not (user.is_authenticated and user.is_active and user.has_perm(VIEW_STEP)):
        return None
    groups = GroupMembership.objects.filter(person=person, end_date__isnull=True).values("group_id")
    rows = list(
        Step.objects.filter(
            Q(person=person) | Q(group_id__in=groups), status__in=Step.OPEN_STATUSES
        )
        .select_related("step_type", "assignee", "team", "group")
        .only(
            "id",
            "status",
            "due_date",
            "created_at",
            "group_id",
            "group__name",
            "step_type__name",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__username",
            "team__name",
        )
        .order_by("due_date", "id")[: OPEN_WORK_LIMIT + 1]
    )
    return {
        "person": person,
        "open_steps": rows[:OPEN_WORK_LIMIT],
        "more_open_steps": len(rows) > OPEN_WORK_LIMIT,
        "can_start": user.has_perm(START_STEP),
    }
