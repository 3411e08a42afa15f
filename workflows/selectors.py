"""Reads of running work, scoped to the acting user: work trays, authorisations, progress maps.

Every tray is one aggregate query for its counts and one query for a page of rows (as
plain values, with the person, step type, worker and team joined in to the page's rows
only), whatever the number of rows. Each query filters on exactly the predicate of one of the partial
indexes on Step, so the database reads only open work of one worker or one team:

- my work:        assignee = me, status open          -> step_open_by_assignee
- team tray:      team = T, planned, no assignee      -> step_unallocated_by_team
- authorisations: team in my teams, awaiting          -> step_awaiting_by_team

A step is on a person or a group; a user sees it only if they may see the person, or a
member of the group (`clients.selectors.person_list_visible_to`). The check is written
as correlated EXISTS subqueries rather than joins, so that it costs one index probe per
row and needs no DISTINCT over the step's answers.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from casemgmt import roles
from casemgmt.calendar import add_working_days
from casemgmt.models import Team, TeamMembership, User
from casemgmt.types import AnyUser
from clients.models import GroupMembership, Person
from workflows import permissions, tray_sql
from workflows.models import Episode, Step, StepLink

PAGE_SIZE = 25
DUE_SOON_WORKING_DAYS = 5
MAX_PAGE = 10_000

WORK_STATUSES = (Step.Status.PLANNED, Step.Status.IN_PROGRESS)

# Sort keys offered by the trays (each an ORDER BY in `tray_sql.ORDERS`).
SORTS = {
    key: key for key in ("due", "-due", "received", "-received", "name", "-name", "type", "-type")
}
DEFAULT_SORT = "due"


class MyWorkTab:
    CURRENT = "current"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    AWAITING = "awaiting"

    choices = (
        (CURRENT, "Current"),
        (DUE_SOON, "Due soon"),
        (OVERDUE, "Overdue"),
        (AWAITING, "With a manager"),
    )
    values = tuple(value for value, _ in choices)


class DueFilter:
    SOON = "soon"
    OVERDUE = "overdue"

    choices = ((SOON, "Due soon"), (OVERDUE, "Overdue"))
    values = (SOON, OVERDUE)


@dataclass(frozen=True)
class TrayRow:
    """One step in a tray, as the tables and the API show it."""

    id: int
    version: int
    status: str
    received_at: datetime.datetime
    started_on: datetime.date | None
    due_date: datetime.date | None
    submitted_at: datetime.datetime | None
    step_type_id: int
    step_type_name: str
    person_id: int | None
    person_name: str
    group_id: int | None
    group_name: str
    assignee_id: int | None
    assignee_name: str
    team_id: int
    team_name: str
    submitted_by_id: int | None
    submitted_by_name: str
    today: datetime.date
    due_soon_until: datetime.date

    @classmethod
    def from_row(
        cls, row: Sequence[Any], *, today: datetime.date, due_soon_until: datetime.date
    ) -> TrayRow:
        """A row of `tray_sql.page_sql`, whose columns are `tray_sql.ROW_FIELDS`."""
        values = dict(zip(tray_sql.ROW_FIELDS, row, strict=True))
        values["assignee_name"] = values["assignee_name"] or ""
        values["submitted_by_name"] = values["submitted_by_name"] or ""
        return cls(**values, today=today, due_soon_until=due_soon_until)

    @property
    def subject_name(self) -> str:
        return self.person_name if self.person_id is not None else self.group_name

    @property
    def status_label(self) -> str:
        return str(Step.Status(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status in Step.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < self.today

    @property
    def is_due_soon(self) -> bool:
        return (
            self.is_open
            and self.due_date is not None
            and self.today <= self.due_date <= self.due_soon_until
        )


@dataclass(frozen=True)
class TrayPage:
    """A page of rows, with what pagination needs (the total comes from the counts query)."""

    rows: list[TrayRow]
    number: int
    total: int
    page_size: int = PAGE_SIZE

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0

    @property
    def page_range(self) -> list[int | str]:
        """Page numbers with ellipses, as GOV.UK pagination shows them."""
        paginator = Paginator(range(self.total), self.page_size)
        return list(paginator.get_elided_page_range(self.number, on_each_side=2, on_ends=1))

    @property
    def ellipsis(self) -> str:
        return str(Paginator.ELLIPSIS)


@dataclass(frozen=True)
class MyWork:
    tab: str
    sort: str
    counts: dict[str, int]
    page: TrayPage


@dataclass(frozen=True)
class StepTypeCount:
    id: int
    name: str
    total: int
    due_soon: int
    overdue: int


@dataclass(frozen=True)
class TeamTray:
    team: Team
    step_type_id: int | None
    due: str | None
    sort: str
    counts: dict[str, int]  # total, due_soon, overdue (of the chosen step type, if any)
    step_types: list[StepTypeCount]
    page: TrayPage


@dataclass(frozen=True)
class AuthorisationQueue:
    total: int
    page: TrayPage


# ----------------------------------------------------------------------------------------
# Scope
# ----------------------------------------------------------------------------------------


def _can(user: AnyUser, capability: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(capability))


def can_view_work(user: AnyUser) -> bool:
    return _can(user, permissions.VIEW_STEP)


def can_view_authorisations(user: AnyUser) -> bool:
    return _can(user, permissions.AUTHORISE_STEP)


def _sees_work(user: AnyUser) -> bool:
    """Whether the user's role shows them work and the people it is on (else every tray is empty)."""
    return can_view_work(user) and _can(user, roles.VIEW_PERSON)


def _today_and_soon(today: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today, add_working_days(today, DUE_SOON_WORKING_DAYS)


def _clamp_page(page: int, total: int) -> int:
    """A page number from 1 to the last page: a page past the end shows the last one."""
    last = max(1, math.ceil(total / PAGE_SIZE))
    return min(max(1, page), last)


def _rows(
    where: str,
    params: dict[str, Any],
    *,
    sort: str,
    number: int,
    total: int,
    today: datetime.date,
    soon: datetime.date,
) -> TrayPage:
    """One page of the visible steps matching `where`, in one statement."""
    number = _clamp_page(number, total)
    if total == 0:
        return TrayPage(rows=[], number=1, total=0)
    rows = tray_sql.fetch(
        tray_sql.page_sql(where, sort),
        {**params, "limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE},
    )
    return TrayPage(
        rows=[TrayRow.from_row(row, today=today, due_soon_until=soon) for row in rows],
        number=number,
        total=total,
    )


def _sort(sort: str) -> str:
    return sort if sort in SORTS else DEFAULT_SORT


# ----------------------------------------------------------------------------------------
# My work
# ----------------------------------------------------------------------------------------

_MY_WORK_TABS = (
    (MyWorkTab.CURRENT, tray_sql.IS_WORK),
    (MyWorkTab.DUE_SOON, f"{tray_sql.IS_WORK} AND {tray_sql.DUE_SOON}"),
    (MyWorkTab.OVERDUE, f"{tray_sql.IS_WORK} AND {tray_sql.OVERDUE}"),
    (MyWorkTab.AWAITING, tray_sql.IS_AWAITING),
)


def my_work(
    user: AnyUser,
    *,
    filter: str = MyWorkTab.CURRENT,  # the tab the worker chose
    sort: str = DEFAULT_SORT,
    page: int = 1,
    today: datetime.date | None = None,
) -> MyWork:
    """The user's open work: current (incoming and in progress), due soon, overdue, with a manager.

    Due soon means due today or within the next five working days; overdue work is also
    current work. Counts come from one aggregate statement, a page of rows from one more.
    """
    tab = filter if filter in MyWorkTab.values else MyWorkTab.CURRENT
    sort = _sort(sort)
    today, soon = _today_and_soon(today)
    if not _sees_work(user):
        return MyWork(tab, sort, dict.fromkeys(MyWorkTab.values, 0), TrayPage([], 1, 0))
    params = tray_sql.parameters(user.pk or 0, today=today, soon=soon)
    (row,) = tray_sql.fetch(tray_sql.counts_sql(tray_sql.MINE, _MY_WORK_TABS), params)
    counts = {name: count for (name, _), count in zip(_MY_WORK_TABS, row, strict=True)}
    condition = dict(_MY_WORK_TABS)[tab]
    rows = _rows(
        f"{tray_sql.MINE} AND {condition}",
        params,
        sort=sort,
        number=page,
        total=counts[tab],
        today=today,
        soon=soon,
    )
    return MyWork(tab=tab, sort=sort, counts=counts, page=rows)


# ----------------------------------------------------------------------------------------
# Team trays
# ----------------------------------------------------------------------------------------


def _current_memberships(user_id: int, *, today: datetime.date) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(user_id=user_id, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def managed_teams(user: AnyUser) -> QuerySet[Team]:
    """Teams the user manages: those they manage directly, and every team of a service area they manage."""
    if not user.is_authenticated:
        return Team.objects.none()
    managed = _current_memberships(user.pk, today=timezone.localdate()).filter(is_manager=True)
    return Team.objects.filter(
        Q(Exists(managed.filter(team_id=OuterRef("pk"))))
        | Q(Exists(managed.filter(team_id=OuterRef("parent_id"))))
    )


def access_team_tray(user: AnyUser, team_id: int) -> Team:
    """The team if the user may open its tray (a member, or a manager of it or its area); else 404.

    The team comes with `is_member`: whether the user is in it today.
    """
    if not can_view_work(user):
        raise Http404("No such team.")
    memberships = _current_memberships(user.pk or 0, today=timezone.localdate())
    managed = memberships.filter(is_manager=True)
    team = (
        Team.objects.filter(pk=team_id, kind=Team.Kind.TEAM)
        .annotate(is_member=Exists(memberships.filter(team_id=OuterRef("pk"))))
        .filter(
            Q(is_member=True)
            | Q(Exists(managed.filter(team_id=OuterRef("pk"))))
            | Q(Exists(managed.filter(team_id=OuterRef("parent_id"))))
        )
        .first()
    )
    if team is None:
        raise Http404("No such team.")
    return team


def can_allocate_from_tray(user: AnyUser, team: Team) -> bool:
    """Whether the tray offers allocation: the same rule as `permissions.can_allocate_step`."""
    if not _can(user, permissions.ALLOCATE_STEP):
        return False
    if getattr(team, "is_member", False):
        return True
    return permissions.is_senior_manager(user)


def team_members(team: Team) -> list[User]:
    """Workers who can be given work from the team's tray: active, in the team today."""
    return list(team_members_query(team))


def team_members_query(team: Team) -> QuerySet[User]:
    today = timezone.localdate()
    return User.objects.filter(
        is_active=True,
        pk__in=TeamMembership.objects.filter(team=team, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values("user_id"),
    ).order_by("last_name", "first_name", "username")


def team_member_choices(team: Team) -> list[tuple[int, str]]:
    """(id, name) of each worker `team_members` lists, for the tray's allocation forms."""
    return [
        (pk, f"{first} {last}".strip() or username)
        for pk, first, last, username in team_members_query(team).values_list(
            "pk", "first_name", "last_name", "username"
        )
    ]


def team_tray(
    user: AnyUser,
    team: Team,
    *,
    step_type_id: int | None = None,
    due: str | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    today: datetime.date | None = None,
) -> TeamTray:
    """Unallocated incoming work in the team's tray, filtered, sorted and a page at a time.

    `team` comes from `access_team_tray`. One query counts the tray by step type (for the
    filter and the counts), one names those step types, and one reads the page.
    """
    sort = _sort(sort)
    due = due if due in DueFilter.values else None
    today, soon = _today_and_soon(today)
    by_type: list[StepTypeCount] = []
    params = tray_sql.parameters(user.pk or 0, today=today, soon=soon, team=team.pk)
    if _sees_work(user):
        by_type = sorted(
            (
                StepTypeCount(id=kind, name=name or "", total=total, due_soon=soon_, overdue=late)
                for kind, name, total, soon_, late in tray_sql.fetch(
                    tray_sql.counts_by_type_sql(tray_sql.INCOMING), params
                )
            ),
            key=lambda kind: (kind.name, kind.id),
        )
    chosen = [row for row in by_type if step_type_id is None or row.id == step_type_id]
    counts = {
        "total": sum(row.total for row in chosen),
        "due_soon": sum(row.due_soon for row in chosen),
        "overdue": sum(row.overdue for row in chosen),
    }
    where, total = tray_sql.INCOMING, counts["total"]
    if step_type_id is not None:
        where += f" AND {tray_sql.OF_TYPE}"
    if due == DueFilter.SOON:
        where, total = f"{where} AND {tray_sql.DUE_SOON}", counts["due_soon"]
    elif due == DueFilter.OVERDUE:
        where, total = f"{where} AND {tray_sql.OVERDUE}", counts["overdue"]
    page_of_rows = (
        _rows(
            where,
            {**params, "step_type": step_type_id},
            sort=sort,
            number=page,
            total=total,
            today=today,
            soon=soon,
        )
        if by_type
        else TrayPage([], 1, 0)
    )
    return TeamTray(
        team=team,
        step_type_id=step_type_id,
        due=due,
        sort=sort,
        counts=counts,
        step_types=by_type,
        page=page_of_rows,
    )


# ----------------------------------------------------------------------------------------
# Authorisations
# ----------------------------------------------------------------------------------------


def authorisation_queue(
    user: AnyUser, *, page: int = 1, today: datetime.date | None = None
) -> AuthorisationQueue:
    """Work submitted for authorisation in the teams the user manages, the longest waiting first."""
    today, soon = _today_and_soon(today)
    if not (can_view_authorisations(user) and _sees_work(user)):
        return AuthorisationQueue(total=0, page=TrayPage([], 1, 0))
    params = tray_sql.parameters(user.pk or 0, today=today)
    ((total,),) = tray_sql.fetch(
        tray_sql.counts_sql(tray_sql.WAITING, (("total", "true"),)), params
    )
    rows = _rows(
        tray_sql.WAITING,
        params,
        sort="submitted",
        number=page,
        total=total,
        today=today,
        soon=soon,
    )
    return AuthorisationQueue(total=total, page=rows)


# ----------------------------------------------------------------------------------------
# The case progress map
# ----------------------------------------------------------------------------------------


@dataclass
class EpisodeWork:
    """An episode of a person's (or their group's) work, with its steps and their links."""

    episode: Episode
    steps: list[Step] = field(default_factory=list)
    links: list[StepLink] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.episode.group_id is not None


def person_episodes(user: AnyUser, person: Person) -> list[EpisodeWork]:
    """The person's episodes and their groups' episodes, newest first, with steps and links.

    `person` comes from the access helper. Three queries, whatever the number of steps.
    """
    if not can_view_work(user):
        return []
    groups = GroupMembership.objects.filter(person=person).values("group_id")
    episodes = list(
        Episode.objects.filter(Q(person=person) | Q(group_id__in=groups))
        .select_related("workflow", "group")
        .order_by("-opened_on", "-id")
    )
    if not episodes:
        return []
    by_id = {episode.pk: EpisodeWork(episode) for episode in episodes}
    steps = (
        Step.objects.filter(episode_id__in=by_id)
        .select_related("step_type", "assignee")
        .only(
            "id",
            "episode_id",
            "status",
            "created_at",
            "started_on",
            "due_date",
            "event_date",
            "completed_at",
            "submitted_at",
            "cancelled_reason",
            "person_id",
            "group_id",
            "step_type__name",
            "step_type__code",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__username",
        )
        .order_by("created_at", "id")
    )
    for step in steps:
        by_id[step.episode_id].steps.append(step)
    links = (
        StepLink.objects.filter(from_step__episode_id__in=by_id)
        .select_related("transition")
        .only("id", "from_step_id", "to_step_id", "transition__label")
        .annotate(episode_id=F("from_step__episode_id"))
        .order_by("id")
    )
    for link in links:
        by_id[link.episode_id].links.append(link)
    return list(by_id.values())
