"""Reads for subject access requests, scoped to the acting officer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from casemgmt.types import AnyUser
from clients.selectors import person_list_visible_to
from subject_access import deadlines, permissions
from subject_access.models import RequestSubject, SubjectAccessRequest

Status = SubjectAccessRequest.Status
OPEN = "open"
CLOSED = "closed"
ALL = "all"
SHOW_CHOICES = [(OPEN, "Open requests"), (CLOSED, "Closed requests"), (ALL, "All requests")]


def request_list_visible_to(
    *, user: AnyUser, show: str = OPEN, status: str = "", mine: bool = False
) -> QuerySet[SubjectAccessRequest]:
    """Requests for an officer's list: open ones by deadline (paused ones last), closed newest first."""
    if not permissions.can_view_requests(user):
        return SubjectAccessRequest.objects.none()
    requests: Any = SubjectAccessRequest.objects.select_related("owner").annotate(
        people=Count("subjects")
    )
    if show == OPEN:
        requests = requests.open()
    elif show == CLOSED:
        requests = requests.filter(status__in=SubjectAccessRequest.CLOSED_STATUSES)
    if status:
        requests = requests.filter(status=status)
    if mine:
        requests = requests.filter(owner_id=user.pk)
    if show == CLOSED:
        return requests.order_by("-closed_on", "-pk")
    return requests.order_by("due_on", "received_on", "pk")


@dataclass(frozen=True)
class RequestCounts:
    open: int
    overdue: int
    due_soon: int
    awaiting: int
    awaiting_sign_off: int
    mine: int


def request_counts(*, user: AnyUser, today: datetime.date) -> RequestCounts:
    """The numbers at the top of the list, in one query."""
    if not permissions.can_view_requests(user):
        return RequestCounts(0, 0, 0, 0, 0, 0)
    soon = today + datetime.timedelta(days=deadlines.DUE_SOON_DAYS)
    totals = SubjectAccessRequest.objects.open().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
        awaiting=Count("pk", filter=Q(status=Status.AWAITING)),
        awaiting_sign_off=Count(
            "pk", filter=Q(status=Status.IN_REVIEW, signed_off_at__isnull=True)
        ),
        mine=Count("pk", filter=Q(owner_id=user.pk or 0)),
    )
    return RequestCounts(**totals)


@dataclass
class SubjectRow:
    """A person on a request, as the officer may see them (a record they may not open is
    shown without a name)."""

    subject: RequestSubject
    is_visible: bool


def subject_rows(*, user: AnyUser, sar: SubjectAccessRequest) -> list[SubjectRow]:
    subjects = list(
        RequestSubject.objects.filter(request=sar)
        .select_related(
            "person", "gather_job", "release_job", "release_pdf", "release_zip", "added_by"
        )
        .order_by("added_at", "pk")
    )
    visible = set(
        person_list_visible_to(user=user, include_merged=True)
        .filter(pk__in=[subject.person_id for subject in subjects])
        .values_list("pk", flat=True)
    )
    return [SubjectRow(subject, subject.person_id in visible) for subject in subjects]
