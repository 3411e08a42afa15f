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
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from casemgmt import roles
from casemgmt.calendar import add_working_days
from casemgmt.models import Team, TeamMembership, User
from casemgmt.types import AnyUser
from clients.models import GroupMembership, Person
from clients.selectors import ORDINARY, granted_person_filter, person_list_visible_to
from workflows import permissions
from workflows.models import Episode, Step, StepLink, StepType

PAGE_SIZE = 25
DUE_SOON_WORKING_DAYS = 5
MAX_PAGE = 10_000

WORK_STATUSES = (Step.Status.PLANNED, Step.Status.IN_PROGRESS)

# The columns a tray row shows, read as values so a page is one query however long.
_ROW_FIELDS = (
    "id",
    "version",
    "status",
    "created_at",
    "started_on",
    "due_date",
    "submitted_at",
    "step_type_id",
    "person_id",
    "person__first_name",
    "person__last_name",
    "group_id",
    "group__name",
    "assignee_id",
    "team_id",
    "submitted_by_id",
)


def _name(model: Any, outer: str, field: str) -> Subquery:
    """One column of the row `outer` points at, as a scalar subquery (one index probe)."""
    return Subquery(model.objects.filter(pk=OuterRef(outer)).order_by().values(field)[:1])


# Names shown in a row, read by scalar subqueries rather than joins: a join of seven
# tables costs PostgreSQL more to plan (milliseconds) than 25 rows cost to read.
_ROW_NAMES = {
    "step_type_name": (StepType, "step_type_id", "name"),
    "team_name": (Team, "team_id", "name"),
    "assignee_first_name": (User, "assignee_id", "first_name"),
    "assignee_last_name": (User, "assignee_id", "last_name"),
    "assignee_username": (User, "assignee_id", "username"),
    "submitted_by_first_name": (User, "submitted_by_id", "first_name"),
    "submitted_by_last_name": (User, "submitted_by_id", "last_name"),
    "submitted_by_username": (User, "submitted_by_id", "username"),
}

# Sort keys offered by the trays: the key in the URL -> the ORDER BY, always ending in
# the id so that pages never overlap.
SORTS: dict[str, tuple[Any, ...]] = {
    "due": (F("due_date").asc(nulls_last=True), "created_at", "id"),
    "-due": (F("due_date").desc(nulls_last=True), "-created_at", "-id"),
    "received": ("created_at", "id"),
    "-received": ("-created_at", "-id"),
    "name": ("subject_sort", "person__first_name", F("due_date").asc(nulls_last=True), "id"),
    "-name": ("-subject_sort", "-person__first_name", F("due_date").asc(nulls_last=True), "id"),
    "type": ("step_type__name", F("due_date").asc(nulls_last=True), "id"),
    "-type": ("-step_type__name", F("due_date").asc(nulls_last=True), "id"),
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


def _person_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def _user_name(first: str | None, last: str | None, username: str | None) -> str:
    return _person_name(first, last) or (username or "")


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
    def from_values(
        cls, values: dict[str, Any], *, today: datetime.date, due_soon_until: datetime.date
    ) -> TrayRow:
        return cls(
            id=values["id"],
            version=values["version"],
            status=values["status"],
            received_at=values["created_at"],
            started_on=values["started_on"],
            due_date=values["due_date"],
            submitted_at=values["submitted_at"],
            step_type_id=values["step_type_id"],
            step_type_name=values["step_type_name"],
            person_id=values["person_id"],
            person_name=_person_name(values["person__first_name"], values["person__last_name"]),
            group_id=values["group_id"],
            group_name=values["group__name"] or "",
            assignee_id=values["assignee_id"],
            assignee_name=_user_name(
                values["assignee_first_name"],
                values["assignee_last_name"],
                values["assignee_username"],
            ),
            team_id=values["team_id"],
            team_name=values["team_name"],
            submitted_by_id=values["submitted_by_id"],
            submitted_by_name=_user_name(
                values["submitted_by_first_name"],
                values["submitted_by_last_name"],
                values["submitted_by_username"],
            ),
            today=today,
            due_soon_until=due_soon_until,
        )

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


def visible_step_filter(user: AnyUser) -> Q:
    """Steps on a person the user may see, or on a group with such a member.

    The same people as `clients.selectors.person_list_visible_to`, tested against it, but
    asked the other way round: a step's person is visible unless it is one of the few the
    user may not open (merged away, or restricted or sealed and not granted). PostgreSQL
    reads that short list once per statement and checks each step against it in memory,
    where a probe of the person per step cost 7 µs: 36 ms to count a tray of 5,000.
    A group's step keeps its probe (one per group step, and there are few).
    """
    if not (user.is_authenticated and user.is_active and user.has_perm(roles.VIEW_PERSON)):
        return Q(pk__in=[])
    # Two short lists, each read through its own index (merged people; records that are
    # not ordinary), so PostgreSQL hashes each once rather than scanning every person.
    merged = Person.objects.filter(merged_into__isnull=False).values("pk")
    withheld = (
        Person.objects.exclude(access_level=ORDINARY)
        .exclude(granted_person_filter(user))
        .values("pk")
    )
    people = person_list_visible_to(user=user).order_by()
    group = GroupMembership.objects.filter(
        group_id=OuterRef("group_id"), person__in=people.values("pk")
    ).values("group_id")[:1]
    on_person = Q(person_id__isnull=False) & ~Q(person_id__in=merged) & ~Q(person_id__in=withheld)
    return on_person | Q(group_id=Subquery(group))


def _steps_visible_to(user: AnyUser) -> QuerySet[Step]:
    if not can_view_work(user):
        return Step.objects.none()
    return Step.objects.filter(visible_step_filter(user))


def _today_and_soon(today: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today, add_working_days(today, DUE_SOON_WORKING_DAYS)


def _clamp_page(page: int, total: int) -> int:
    """A page number from 1 to the last page: a page past the end shows the last one."""
    last = max(1, math.ceil(total / PAGE_SIZE))
    return min(max(1, page), last)


def _rows(
    queryset: QuerySet[Step],
    *,
    sort: Sequence[Any],
    number: int,
    total: int,
    today: datetime.date,
    soon: datetime.date,
) -> TrayPage:
    """One page of rows, in one query.

    The page's ids are chosen first from the step table alone (joined to the person only
    when sorting by name), and only those rows are joined to everything a row shows: a
    tray of thousands sorts thousands of narrow rows, not thousands of wide ones.
    """
    number = _clamp_page(number, total)
    if total == 0:
        return TrayPage(rows=[], number=1, total=0)
    offset = (number - 1) * PAGE_SIZE
    by_name = any("subject_sort" in str(key) for key in sort)
    if by_name:
        queryset = queryset.annotate(subject_sort=Coalesce("person__last_name", "group__name"))
    page_ids = queryset.order_by(*sort).values("pk")[offset : offset + PAGE_SIZE]
    rows_query = Step.objects.filter(pk__in=Subquery(page_ids))
    if by_name:
        rows_query = rows_query.annotate(subject_sort=Coalesce("person__last_name", "group__name"))
    rows = [
        TrayRow.from_values(row, today=today, due_soon_until=soon)
        for row in rows_query.order_by(*sort).values(
            *_ROW_FIELDS,
            **{name: _name(*lookup) for name, lookup in _ROW_NAMES.items()},
        )
    ]
    return TrayPage(rows=rows, number=number, total=total)


def _sort(sort: str) -> tuple[str, tuple[Any, ...]]:
    sort = sort if sort in SORTS else DEFAULT_SORT
    return sort, SORTS[sort]


# ----------------------------------------------------------------------------------------
# My work
# ----------------------------------------------------------------------------------------


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
    current work. Counts come from one aggregate query, a page of rows from one more.
    """
    tab = filter if filter in MyWorkTab.values else MyWorkTab.CURRENT
    sort, order = _sort(sort)
    today, soon = _today_and_soon(today)
    if not user.is_authenticated:
        return MyWork(tab, sort, dict.fromkeys(MyWorkTab.values, 0), TrayPage([], 1, 0))
    # Exactly the partial index's predicate (assignee, open statuses), so it is used.
    mine = _steps_visible_to(user).filter(assignee_id=user.pk, status__in=Step.OPEN_STATUSES)
    tabs = {
        MyWorkTab.CURRENT: Q(status__in=WORK_STATUSES),
        MyWorkTab.DUE_SOON: Q(status__in=WORK_STATUSES, due_date__gte=today, due_date__lte=soon),
        MyWorkTab.OVERDUE: Q(status__in=WORK_STATUSES, due_date__lt=today),
        MyWorkTab.AWAITING: Q(status=Step.Status.AWAITING_AUTHORISATION),
    }
    counts = mine.aggregate(**{name: Count("id", filter=q) for name, q in tabs.items()})
    rows = _rows(
        mine.filter(tabs[tab]), sort=order, number=page, total=counts[tab], today=today, soon=soon
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
    today = timezone.localdate()
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=TeamMembership.objects.filter(team=team, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values("user_id"),
        ).order_by("last_name", "first_name", "username")
    )


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
    sort, order = _sort(sort)
    due = due if due in DueFilter.values else None
    today, soon = _today_and_soon(today)
    # Exactly the partial index's predicate (team, planned, no assignee).
    incoming = _steps_visible_to(user).filter(
        team_id=team.pk, status=Step.Status.PLANNED, assignee__isnull=True
    )
    due_soon = Q(due_date__gte=today, due_date__lte=soon)
    overdue = Q(due_date__lt=today)
    # Counted by step type id alone: joining the step types here would mean a probe per
    # step; their names are read apart, for the few kinds in the tray.
    counted = list(
        incoming.values("step_type_id")
        .annotate(
            total=Count("id"),
            due_soon=Count("id", filter=due_soon),
            overdue=Count("id", filter=overdue),
        )
        .order_by()
    )
    type_ids = [row["step_type_id"] for row in counted]
    names = dict(StepType.objects.filter(pk__in=type_ids).order_by().values_list("pk", "name"))
    by_type = sorted(
        (
            StepTypeCount(
                id=row["step_type_id"],
                name=names.get(row["step_type_id"], ""),
                total=row["total"],
                due_soon=row["due_soon"],
                overdue=row["overdue"],
            )
            for row in counted
        ),
        key=lambda kind: (kind.name, kind.id),
    )
    chosen = [row for row in by_type if step_type_id is None or row.id == step_type_id]
    counts = {
        "total": sum(row.total for row in chosen),
        "due_soon": sum(row.due_soon for row in chosen),
        "overdue": sum(row.overdue for row in chosen),
    }
    rows = incoming
    if step_type_id is not None:
        rows = rows.filter(step_type_id=step_type_id)
    total = counts["total"]
    if due == DueFilter.SOON:
        rows, total = rows.filter(due_soon), counts["due_soon"]
    elif due == DueFilter.OVERDUE:
        rows, total = rows.filter(overdue), counts["overdue"]
    return TeamTray(
        team=team,
        step_type_id=step_type_id,
        due=due,
        sort=sort,
        counts=counts,
        step_types=by_type,
        page=_rows(rows, sort=order, number=page, total=total, today=today, soon=soon),
    )


# ----------------------------------------------------------------------------------------
# Authorisations
# ----------------------------------------------------------------------------------------


def authorisation_queue(
    user: AnyUser, *, page: int = 1, today: datetime.date | None = None
) -> AuthorisationQueue:
    """Work submitted for authorisation in the teams the user manages, the longest waiting first."""
    today, soon = _today_and_soon(today)
    if not can_view_authorisations(user):
        return AuthorisationQueue(total=0, page=TrayPage([], 1, 0))
    # Exactly the partial index's predicate (team, awaiting authorisation).
    waiting = _steps_visible_to(user).filter(
        status=Step.Status.AWAITING_AUTHORISATION,
        team_id__in=managed_teams(user).values("pk"),
    )
    total = waiting.count()
    rows = _rows(
        waiting,
        sort=(F("submitted_at").asc(nulls_first=True), "id"),
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
