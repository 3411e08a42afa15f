"""The statements behind the work trays, written once per process.

A tray request is two statements, each of which PostgreSQL answers in a few
milliseconds from a partial index on Step. What cost the time was Django building them:
the visibility rule alone is a dozen nested querysets, compiled twice a request. Here
every statement is SQL put together once from the models' own table and column names,
and the values come in as parameters, as in `clients/person_summary.py`.

Which steps a reader may see is the rule of `visible_step_filter` (tested to be the same
steps): a step on a person the reader may open, or on a group with such a member. A
person may be opened unless merged away, or restricted or sealed and not granted to the
reader; those few people are two short lists that PostgreSQL hashes once per statement,
so each step costs a lookup in memory rather than a probe of the person.
"""

# ruff: noqa: S608 (the SQL is put together from the models' own table and column names and
# constants, once per process; every value comes in as a parameter)
from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from casemgmt import sql as sql_statements
from casemgmt.models import Team, TeamMembership, User
from clients.models import Group, GroupMembership, Person, RecordAccessGrant
from workflows.models import Step, StepType

ORDINARY = Person.AccessLevel.ORDINARY.value
RESTRICTED = Person.AccessLevel.RESTRICTED.value
OPEN = tuple(str(status.value) for status in Step.OPEN_STATUSES)
WORK = (Step.Status.PLANNED.value, Step.Status.IN_PROGRESS.value)
PLANNED = Step.Status.PLANNED.value
AWAITING = Step.Status.AWAITING_AUTHORISATION.value


def _table(model: type[models.Model]) -> str:
    return f'"{model._meta.db_table}"'


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


_STEP = _table(Step)
_PERSON = _table(Person)
_GRANT = _table(RecordAccessGrant)
_MEMBERSHIP = _table(TeamMembership)

# The reader's grants in force: by name (any record), and through a team they are in today
# (restricted records only). Both are uncorrelated, so each runs once per statement.
_GRANTED_BY_NAME = (
    f"SELECT by_name.person_id FROM {_GRANT} by_name WHERE by_name.user_id = %(user)s"
    " AND (by_name.expires_at IS NULL OR by_name.expires_at > %(now)s)"
)
_GRANTED_BY_TEAM = (
    f"SELECT by_team.person_id FROM {_GRANT} by_team"
    f" JOIN {_MEMBERSHIP} reader ON reader.team_id = by_team.team_id"
    " WHERE reader.user_id = %(user)s AND reader.start_date <= %(today)s"
    " AND (reader.end_date IS NULL OR reader.end_date >= %(today)s)"
    " AND (by_team.expires_at IS NULL OR by_team.expires_at > %(now)s)"
)


def _granted(alias: str) -> str:
    return (
        f"({alias}.id IN ({_GRANTED_BY_NAME})"
        f" OR ({alias}.access_level = '{RESTRICTED}' AND {alias}.id IN ({_GRANTED_BY_TEAM})))"
    )


def visible(step: str) -> str:
    """SQL: the step aliased `step` is on a person the reader may open, or a group with one."""
    merged = f"SELECT merged.id FROM {_PERSON} merged WHERE merged.merged_into_id IS NOT NULL"
    withheld = (
        f"SELECT withheld.id FROM {_PERSON} withheld"
        f" WHERE withheld.access_level <> '{ORDINARY}' AND NOT {_granted('withheld')}"
    )
    member = (
        f"SELECT 1 FROM {_table(GroupMembership)} member"
        f" JOIN {_PERSON} member_person ON member_person.id = member.person_id"
        f" WHERE member.group_id = {step}.group_id AND member_person.merged_into_id IS NULL"
        f" AND (member_person.access_level = '{ORDINARY}' OR {_granted('member_person')})"
    )
    return (
        f"(({step}.person_id IS NOT NULL AND {step}.person_id NOT IN ({merged})"
        f" AND {step}.person_id NOT IN ({withheld}))"
        f" OR ({step}.group_id IS NOT NULL AND EXISTS ({member})))"
    )


# ----------------------------------------------------------------------------------------
# The trays' own predicates: each exactly a partial index's, so that index is read.
# ----------------------------------------------------------------------------------------

MINE = f"step.assignee_id = %(user)s AND step.status IN {_in(OPEN)}"
INCOMING = f"step.team_id = %(team)s AND step.status = '{PLANNED}' AND step.assignee_id IS NULL"
_MANAGED = (
    f"SELECT managed.team_id FROM {_MEMBERSHIP} managed WHERE managed.user_id = %(user)s"
    " AND managed.is_manager AND managed.start_date <= %(today)s"
    " AND (managed.end_date IS NULL OR managed.end_date >= %(today)s)"
)
WAITING = (
    f"step.status = '{AWAITING}' AND step.team_id IN (SELECT team.id FROM {_table(Team)} team"
    f" WHERE team.id IN ({_MANAGED}) OR team.parent_id IN ({_MANAGED}))"
)

# Filters within a tray.
IS_WORK = f"step.status IN {_in(WORK)}"
IS_AWAITING = f"step.status = '{AWAITING}'"
DUE_SOON = "step.due_date >= %(today)s AND step.due_date <= %(soon)s"
OVERDUE = "step.due_date < %(today)s"
OF_TYPE = "step.step_type_id = %(step_type)s"

# Sort keys: the ORDER BY, always ending in the id so that pages never overlap, and which
# tables the sort reads besides the step.
_SUBJECT = "COALESCE(person.last_name, grp.name)"
ORDERS: dict[str, tuple[str, frozenset[str]]] = {
    "due": ("step.due_date ASC NULLS LAST, step.created_at ASC, step.id ASC", frozenset()),
    "-due": ("step.due_date DESC NULLS LAST, step.created_at DESC, step.id DESC", frozenset()),
    "received": ("step.created_at ASC, step.id ASC", frozenset()),
    "-received": ("step.created_at DESC, step.id DESC", frozenset()),
    "name": (
        f"{_SUBJECT} ASC, person.first_name ASC, step.due_date ASC NULLS LAST, step.id ASC",
        frozenset({"person", "group"}),
    ),
    "-name": (
        f"{_SUBJECT} DESC, person.first_name DESC, step.due_date ASC NULLS LAST, step.id ASC",
        frozenset({"person", "group"}),
    ),
    "type": (
        "step_type.name ASC, step.due_date ASC NULLS LAST, step.id ASC",
        frozenset({"step_type"}),
    ),
    "-type": (
        "step_type.name DESC, step.due_date ASC NULLS LAST, step.id ASC",
        frozenset({"step_type"}),
    ),
    # The authorisation queue: the longest waiting first.
    "submitted": ("step.submitted_at ASC NULLS FIRST, step.id ASC", frozenset()),
}

_JOINS = {
    "person": f" LEFT JOIN {_PERSON} person ON person.id = step.person_id",
    "group": f" LEFT JOIN {_table(Group)} grp ON grp.id = step.group_id",
    "step_type": f" JOIN {_table(StepType)} step_type ON step_type.id = step.step_type_id",
}


def _user_name(column: str) -> str:
    """SQL: the full name of the user whose id is in `column`, or their username."""
    return (
        "(SELECT COALESCE(NULLIF(concat_ws(' ', NULLIF(named.first_name, ''),"
        " NULLIF(named.last_name, '')), ''), named.username)"
        f" FROM {_table(User)} named WHERE named.id = {column})"
    )


# The columns of a row. Names come from scalar subqueries rather than joins: a join of
# seven tables cost PostgreSQL more to plan than the 25 rows cost to read.
_ROW_COLUMNS = (
    "step.id, step.version, step.status, step.created_at, step.started_on, step.due_date,"
    " step.submitted_at, step.step_type_id,"
    f" (SELECT name FROM {_table(StepType)} WHERE id = step.step_type_id),"
    " step.person_id, concat_ws(' ', NULLIF(person.first_name, ''), NULLIF(person.last_name, '')),"
    " step.group_id, COALESCE(grp.name, ''), step.assignee_id,"
    f" {_user_name('step.assignee_id')}, step.team_id,"
    f" (SELECT name FROM {_table(Team)} WHERE id = step.team_id),"
    f" step.submitted_by_id, {_user_name('step.submitted_by_id')}"
)
ROW_FIELDS = (
    "id",
    "version",
    "status",
    "received_at",
    "started_on",
    "due_date",
    "submitted_at",
    "step_type_id",
    "step_type_name",
    "person_id",
    "person_name",
    "group_id",
    "group_name",
    "assignee_id",
    "assignee_name",
    "team_id",
    "team_name",
    "submitted_by_id",
    "submitted_by_name",
)


@functools.cache
def counts_sql(where: str, counts: tuple[tuple[str, str], ...]) -> str:
    """One row of counts, each `count(*) FILTER (WHERE condition)`, of the visible steps."""
    columns = ", ".join(f"count(*) FILTER (WHERE {condition})" for _, condition in counts)
    return f"SELECT {columns} FROM {_STEP} step WHERE {where} AND {visible('step')}"


@functools.cache
def counts_by_type_sql(where: str) -> str:
    """Per step type: its name, how many, how many due soon, how many overdue."""
    return (
        "SELECT counted.step_type_id,"
        f" (SELECT name FROM {_table(StepType)} WHERE id = counted.step_type_id),"
        " counted.total, counted.due_soon, counted.overdue FROM ("
        "  SELECT step.step_type_id, count(*) AS total,"
        f"  count(*) FILTER (WHERE {DUE_SOON}) AS due_soon,"
        f"  count(*) FILTER (WHERE {OVERDUE}) AS overdue"
        f"  FROM {_STEP} step WHERE {where} AND {visible('step')}"
        "  GROUP BY step.step_type_id) counted"
    )


@functools.cache
def page_sql(where: str, sort: str) -> str:
    """A page of rows: ids chosen from the narrow step rows, then only those rows widened.

    A tray of thousands sorts thousands of narrow rows, joined to the person, group or
    step type only when the sort needs them, and reads the names of 25.
    """
    order, tables = ORDERS[sort]
    joins = "".join(_JOINS[name] for name in ("person", "group", "step_type") if name in tables)
    return (
        f"SELECT {_ROW_COLUMNS} FROM {_STEP} step{_JOINS['person']}{_JOINS['group']}"
        f"{_JOINS['step_type'] if 'step_type' in tables else ''}"
        f" WHERE step.id IN (SELECT step.id FROM {_STEP} step{joins}"
        f"  WHERE {where} AND {visible('step')} ORDER BY {order}"
        "  LIMIT %(limit)s OFFSET %(offset)s)"
        f" ORDER BY {order}"
    )


def parameters(user_id: int, *, today: datetime.date, **values: Any) -> dict[str, Any]:
    """The parameters every statement here takes, and the caller's own."""
    return {"user": user_id, "now": timezone.now(), "today": today, **values}


def fetch(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of one of the statements here (prepared on the connection: `casemgmt.sql`)."""
    return sql_statements.fetch_all(sql, params)
