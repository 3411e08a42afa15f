"""Reads for information governance, scoped to the acting user."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from casemgmt import roles
from casemgmt.models import AuditEvent, TeamMembership, User
from casemgmt.types import AnyUser
from clients.permissions import can
from clients.selectors import person_list_visible_to
from governance.models import AccessFlag


def _current(memberships: QuerySet[TeamMembership], on: datetime.date) -> QuerySet[TeamMembership]:
    return memberships.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


def staff_managed_by(*, manager: User, on: datetime.date) -> QuerySet[User]:
    """Staff who belong, on `on`, to a team that `manager` manages on that day."""
    managed_teams = _current(
        TeamMembership.objects.filter(user=manager, is_manager=True), on
    ).values("team_id")
    members = _current(TeamMembership.objects.filter(team_id__in=managed_teams), on).values(
        "user_id"
    )
    return User.objects.filter(pk__in=members)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


def access_events_of(
    *,
    user: User,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """What `user` looked at, exported or searched for, newest first (days are local days)."""
    events = AuditEvent.objects.filter(
        actor=user, kind__in=[AuditEvent.Kind.ACCESS, AuditEvent.Kind.BREAK_GLASS]
    )
    if date_from:
        events = events.filter(occurred_at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(occurred_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return events.order_by("-occurred_at", "-id")


def person_names(*, viewer: AnyUser, person_ids: Iterable[int | None]) -> dict[int, str]:
    """Full names of the people `viewer` may see among `person_ids`, in one query.

    Merged records are included (the audit trail names the id that was opened); a person
    the viewer may not see is left out, so a page shows their id alone.
    """
    wanted = {person_id for person_id in person_ids if person_id is not None}
    if not wanted:
        return {}
    rows = (
        person_list_visible_to(user=viewer, include_merged=True)
        .filter(pk__in=wanted)
        .values_list("pk", "first_name", "last_name")
    )
    return {pk: " ".join(part for part in (first, last) if part) for pk, first, last in rows}


def access_flag_list_visible_to(
    *, user: AnyUser, status: str = "", rule: str = ""
) -> QuerySet[AccessFlag]:
    """Flags for a reviewer to work through: open ones first, then the newest."""
    if not can(user, roles.REVIEW_ACCESS):
        return AccessFlag.objects.none()
    flags = AccessFlag.objects.select_related("user", "reviewer")
    if status:
        flags = flags.filter(status=status)
    if rule:
        flags = flags.filter(rule=rule)
    return flags.annotate(
        queue_order=Case(
            When(status=AccessFlag.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("queue_order", "-created_at", "-id")
