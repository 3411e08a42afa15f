"""Reads for records retention, scoped to the acting user.

People are read through clients.selectors: the review list and the holds show the records
the user may open; the others are counted, and shown by person ID alone to those who
manage any record's access (information governance), who can give themselves access on
the record's "Who may open" page (audited) to decide on it.
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When

from casemgmt import roles
from casemgmt.types import AnyUser
from clients.models import Person
from clients.permissions import can
from clients.selectors import person_list_hidden_from, person_list_visible_to
from retention.models import LegalHold, RetentionReview, RetentionRule, Tombstone
from retention.permissions import can_manage_legal_holds, can_review_retention

OPEN = "open"
CLOSED = "closed"
ALL = "all"
STATUS_FILTERS = (
    (OPEN, "Waiting for a decision or being destroyed"),
    *RetentionReview.Status.choices,
    (CLOSED, "Decided (retained, held or no longer due)"),
    (ALL, "All"),
)


def _filtered(
    reviews: QuerySet[RetentionReview], *, status: str, rule_id: int | None
) -> QuerySet[RetentionReview]:
    if status == OPEN or not status:
        reviews = reviews.filter(status__in=RetentionReview.OPEN_STATUSES)
    elif status == CLOSED:
        reviews = reviews.exclude(status__in=RetentionReview.OPEN_STATUSES)
    elif status != ALL:
        reviews = reviews.filter(status=status)
    if rule_id is not None:
        reviews = reviews.filter(rule_id=rule_id)
    return reviews


def _queue_order(reviews: QuerySet[RetentionReview]) -> QuerySet[RetentionReview]:
    # Proposals waiting for a second officer first, then the oldest retention dates; a
    # record whose date could not be worked out comes before any date.
    return reviews.annotate(
        queue_order=Case(
            When(status=RetentionReview.Status.DESTROY_PROPOSED, then=Value(0)),
            When(status=RetentionReview.Status.PENDING, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("queue_order", F("retention_date").asc(nulls_first=True), "id")


def review_list_visible_to(
    *, user: AnyUser, status: str = OPEN, rule_id: int | None = None
) -> QuerySet[RetentionReview]:
    """Reviews of the records the user may open, in the order to work through them."""
    if not can_review_retention(user):
        return RetentionReview.objects.none()
    reviews = RetentionReview.objects.filter(
        person__in=person_list_visible_to(user=user)
    ).select_related("person", "rule", "decided_by")
    return _queue_order(_filtered(reviews, status=status, rule_id=rule_id))


def review_list_hidden_from(
    *, user: AnyUser, status: str = OPEN, rule_id: int | None = None
) -> QuerySet[RetentionReview]:
    """Reviews of restricted or sealed records the user may not open (ids only, never names)."""
    if not can_review_retention(user):
        return RetentionReview.objects.none()
    reviews = RetentionReview.objects.filter(
        person__in=person_list_hidden_from(user=user)
    ).select_related("rule")
    return _queue_order(_filtered(reviews, status=status, rule_id=rule_id))


def review_counts(*, user: AnyUser) -> dict[str, int]:
    """How many reviews of the records the user may open are in each status."""
    if not can_review_retention(user):
        return {}
    rows = (
        RetentionReview.objects.filter(person__in=person_list_visible_to(user=user))
        .values_list("status")
        .annotate(number=Count("id"))
        .order_by()
    )
    return {status: number for status, number in rows}


def open_review_counts_by_rule(*, user: AnyUser) -> list[tuple[RetentionRule | None, int]]:
    """Open reviews of the records the user may open, per rule (None: no rule fitted)."""
    if not can_review_retention(user):
        return []
    rows = list(
        RetentionReview.objects.filter(
            person__in=person_list_visible_to(user=user),
            status__in=RetentionReview.OPEN_STATUSES,
        )
        .values_list("rule_id")
        .annotate(number=Count("id"))
        .order_by()
    )
    rules = RetentionRule.objects.in_bulk([rule_id for rule_id, _ in rows if rule_id])
    found = [(rules.get(rule_id) if rule_id else None, number) for rule_id, number in rows]
    return sorted(found, key=lambda item: (item[0] is None, item[0].precedence if item[0] else 0))


def can_see_hidden_ids(user: AnyUser) -> bool:
    """Whether the user is shown the ids of records they may not open (to grant themselves)."""
    return can(user, roles.MANAGE_ANY_RECORD_ACCESS)


def hold_list_visible_to(*, user: AnyUser, status: str = "active") -> QuerySet[LegalHold]:
    """Legal holds on the records the user may open, newest first."""
    if not can_manage_legal_holds(user):
        return LegalHold.objects.none()
    holds = LegalHold.objects.filter(person__in=person_list_visible_to(user=user)).select_related(
        "person", "placed_by", "released_by"
    )
    if status == "active":
        holds = holds.filter(released_at__isnull=True)
    elif status == "released":
        holds = holds.filter(released_at__isnull=False)
    return holds.order_by("-placed_at", "-id")


def hidden_hold_count(*, user: AnyUser) -> int:
    """Active holds on records the user may not open (counted, never named)."""
    if not can_manage_legal_holds(user):
        return 0
    return LegalHold.objects.active().filter(person__in=person_list_hidden_from(user=user)).count()


def person_holds(*, person: Person) -> list[LegalHold]:
    """Every hold on a person the page has already let the user see, active first."""
    return sorted(
        LegalHold.objects.filter(person=person).select_related("placed_by", "released_by"),
        key=lambda hold: (not hold.is_active, -hold.placed_at.timestamp()),
    )


def person_reviews(*, person: Person) -> list[RetentionReview]:
    """The record's times on the review list, newest first."""
    return list(
        RetentionReview.objects.filter(person=person)
        .select_related("rule", "decided_by", "confirmed_by", "legal_hold")
        .order_by("-added_at", "-id")
    )


def tombstone_list_visible_to(*, user: AnyUser) -> QuerySet[Tombstone]:
    """The tombstones of destroyed records, newest first (they hold no personal data)."""
    if not can_review_retention(user):
        return Tombstone.objects.none()
    return Tombstone.objects.select_related("decided_by", "confirmed_by", "rule")
