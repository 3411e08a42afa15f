"""The unusual access rules, as queries over the audit trail for one window of time.

The first two rules read the access events of the window once, through the index on occurred_at,
and test each event against the involvements, team memberships and addresses that held
on the day it happened: involvements, memberships and addresses are dated, not timed.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace, TruncDate, Upper

from casemgmt.models import AuditEvent, TeamMembership, User
from clients.models import Address, Involvement, Person
from clients.names import fold
from governance.models import AccessFlag, StaffHomeAddress

DEFAULT_THRESHOLD = 20


@dataclass(frozen=True)
class Finding:
    user_id: int
    rule: str
    person_ids: tuple[int, ...]


def threshold() -> int:
    """How many uninvolved people one user may open in an hour before it is flagged."""
    value = getattr(settings, "UNUSUAL_ACCESS_THRESHOLD", DEFAULT_THRESHOLD)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("UNUSUAL_ACCESS_THRESHOLD must be a whole number of at least 1.")
    return value


def _opened(window_start: datetime.datetime, window_end: datetime.datetime) -> QuerySet[AuditEvent]:
    """Each time a member of staff opened part of one person's record in the window."""
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ACCESS,
            occurred_at__gte=window_start,
            occurred_at__lt=window_end,
            actor__isnull=False,
            person_id__isnull=False,
        )
        .order_by()
        .annotate(day=TruncDate("occurred_at", tzinfo=local))
    )


def many_uninvolved(
    window_start: datetime.datetime, window_end: datetime.datetime, *, at_least: int
) -> list[Finding]:
    """Rule A: users who opened `at_least` different people none of their work touches.

    A person counts as part of a user's work if the user, or a team the user belonged to
    on the day, is or was involved with them (an involvement that started on or before
    that day, ended or not).
    """
    teams_that_day = (
        TeamMembership.objects.filter(
            user_id=OuterRef(OuterRef("actor_id")), start_date__lte=OuterRef(OuterRef("day"))
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef(OuterRef("day"))))
        .values("team_id")
    )
    involved = Involvement.objects.filter(
        person_id=OuterRef("person_id"), start_date__lte=OuterRef("day")
    ).filter(Q(worker_id=OuterRef("actor_id")) | Q(team_id__in=teams_that_day))
    rows = (
        _opened(window_start, window_end)
        .filter(~Exists(involved))
        .values("actor_id")
        .annotate(
            people=ArrayAgg("person_id", distinct=True, order_by="person_id"),
            people_count=Count("person_id", distinct=True),
        )
        .filter(people_count__gte=at_least)
        .order_by("actor_id")
    )
    return [
        Finding(
            user_id=row["actor_id"],
            rule=AccessFlag.Rule.MANY_UNINVOLVED,
            person_ids=tuple(row["people"]),
        )
        for row in rows
    ]


def _compact(expression: object) -> Replace:
    return Replace(Upper(expression), Value(" "), Value(""))


def surname_and_postcode(
    window_start: datetime.datetime, window_end: datetime.datetime
) -> list[Finding]:
    """Rule B: users who opened someone with their surname living at their home postcode.

    The postcode is compared in SQL (only staff with a home postcode, only addresses
    current on the day of the access), which leaves a handful of pairs; the surnames are
    then compared folded (case, accents and punctuation ignored) as clients.names does.
    """
    homes = StaffHomeAddress.objects.exclude(postcode="")
    staff_postcode = Subquery(homes.filter(user_id=OuterRef("actor_id")).values("postcode")[:1])
    lives_there = (
        Address.objects.filter(person_id=OuterRef("person_id"), start_date__lte=OuterRef("day"))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("day")))
        .annotate(compact_postcode=_compact("postcode"))
        .filter(compact_postcode=OuterRef("staff_postcode"))
    )
    pairs = set(
        _opened(window_start, window_end)
        .filter(actor_id__in=homes.values("user_id"))
        .annotate(staff_postcode=_compact(staff_postcode))
        .filter(Exists(lives_there))
        .values_list("actor_id", "person_id")
        .distinct()
    )
    if not pairs:
        return []
    staff_surnames = {
        pk: fold(last_name)
        for pk, last_name in User.objects.filter(pk__in={user for user, _ in pairs}).values_list(
            "pk", "last_name"
        )
    }
    surnames = {
        pk: fold(last_name)
        for pk, last_name in Person.objects.filter(
            pk__in={person for _, person in pairs}
        ).values_list("pk", "last_name")
    }
    matched: dict[int, set[int]] = {}
    for user_id, person_id in pairs:
        if person_id is None:  # excluded by the query; says so to the type checker
            continue
        staff_surname = staff_surnames.get(user_id, "")
        if staff_surname and staff_surname == surnames.get(person_id):
            matched.setdefault(user_id, set()).add(person_id)
    return [
        Finding(
            user_id=user_id,
            rule=AccessFlag.Rule.SURNAME_AND_POSTCODE,
            person_ids=tuple(sorted(people)),
        )
        for user_id, people in sorted(matched.items())
    ]


def broke_the_glass(
    window_start: datetime.datetime, window_end: datetime.datetime
) -> list[Finding]:
    """Rule C: users who broke the glass to open restricted records (each is reviewed)."""
    rows = (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.BREAK_GLASS,
            occurred_at__gte=window_start,
            occurred_at__lt=window_end,
            actor__isnull=False,
            person_id__isnull=False,
        )
        .order_by()
        .values("actor_id")
        .annotate(people=ArrayAgg("person_id", distinct=True, order_by="person_id"))
        .order_by("actor_id")
    )
    return [
        Finding(
            user_id=row["actor_id"],
            rule=AccessFlag.Rule.BREAK_GLASS,
            person_ids=tuple(row["people"]),
        )
        for row in rows
    ]


def findings(
    window_start: datetime.datetime, window_end: datetime.datetime, *, at_least: int
) -> list[Finding]:
    """Everything the rules find in the window."""
    return [
        *many_uninvolved(window_start, window_end, at_least=at_least),
        *surname_and_postcode(window_start, window_end),
        *broke_the_glass(window_start, window_end),
    ]
