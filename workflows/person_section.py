"""The "Work" section of the person page: open work, and where to start or see more."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models

from casemgmt import sql as sql_statements
from casemgmt.models import Team, User
from casemgmt.types import AnyUser
from clients.models import Group, GroupMembership, Person
from clients.permissions import can
from workflows.models import Step, StepType
from workflows.permissions import START_STEP, VIEW_STEP

OPEN_WORK_LIMIT = 10


@dataclass(frozen=True)
class OpenStep:
    """A row of the section: an open step on the person or one of their groups."""

    id: int
    status: str
    due_date: datetime.date | None
    group_id: int | None
    group_name: str
    step_type_name: str
    assignee_name: str  # "" when the step waits in its team's tray
    team_name: str

    @property
    def status_label(self) -> str:
        return str(Step.Status(self.status).label)


def _table(model: type[models.Model]) -> str:
    return f'"{model._meta.db_table}"'


# Steps on the person, or on a group they are in now, open, the soonest due first.
#
# `group_id = ANY(ARRAY(...))` rather than `IN (SELECT ...)`: the group ids become one value
# computed first, so PostgreSQL ORs two index probes (person, group) and reads the person's
# few steps. With `IN`, it read every open step in the council (15,000 at the scale of a
# county) and filtered them: 28 ms against 0.4 ms. Names come from scalar subqueries, which
# leave the planner no join orders to weigh; the statement is prepared on the connection.
_OPEN_STEPS_SQL = (
    "SELECT step.id, step.status, step.due_date, step.group_id,"  # noqa: S608 (the models' names)
    f" (SELECT name FROM {_table(Group)} WHERE id = step.group_id),"
    f" (SELECT name FROM {_table(StepType)} WHERE id = step.step_type_id),"
    " (SELECT COALESCE(NULLIF(trim(concat_ws(' ', first_name, last_name)), ''), username)"
    f"  FROM {_table(User)} WHERE id = step.assignee_id),"
    f" (SELECT name FROM {_table(Team)} WHERE id = step.team_id)"
    f" FROM {_table(Step)} step"
    " WHERE (step.person_id = %(person)s OR step.group_id = ANY(ARRAY("
    f"  SELECT m.group_id FROM {_table(GroupMembership)} m"
    "   WHERE m.person_id = %(person)s AND m.end_date IS NULL)))"
    " AND step.status IN ("
    + ", ".join(f"'{status.value}'" for status in Step.OPEN_STATUSES)
    + ") ORDER BY step.due_date ASC NULLS LAST, step.id ASC LIMIT %(limit)s"
)


def work_section(person: Person, user: AnyUser) -> dict[str, Any] | None:
    """Open steps on the person (or a group they belong to); one query."""
    if not can(user, VIEW_STEP):
        return None
    rows = [
        OpenStep(
            id=step_id,
            status=status,
            due_date=due_date,
            group_id=group_id,
            group_name=group_name or "",
            step_type_name=step_type_name or "",
            assignee_name=assignee_name or "",
            team_name=team_name or "",
        )
        for (
            step_id,
            status,
            due_date,
            group_id,
            group_name,
            step_type_name,
            assignee_name,
            team_name,
        ) in sql_statements.fetch_all(
            _OPEN_STEPS_SQL, {"person": person.pk, "limit": OPEN_WORK_LIMIT + 1}
        )
    ]
    return {
        "person": person,
        "open_steps": rows[:OPEN_WORK_LIMIT],
        "more_open_steps": len(rows) > OPEN_WORK_LIMIT,
        "can_start": can(user, START_STEP),
    }
