"""Who may work the review list and place legal holds, and the 404 for everyone else.

Records are reached through clients' scoped selectors: a restricted or sealed record the
user was not granted is, here too, a record that does not exist.
"""

from __future__ import annotations

from django.http import Http404

from casemgmt import roles
from casemgmt.models import Job
from casemgmt.types import AnyUser
from clients.models import Person
from clients.permissions import access_person, can
from clients.selectors import person_list_visible_to
from retention import erasure
from retention.models import LegalHold, RetentionReview


def can_review_retention(user: AnyUser) -> bool:
    return can(user, roles.REVIEW_RETENTION)


def can_manage_legal_holds(user: AnyUser) -> bool:
    return can(user, roles.MANAGE_LEGAL_HOLDS)


def access_person_for_holds(user: AnyUser, person_id: int) -> Person:
    """The person, if the user may see them and place holds; otherwise Http404."""
    if not can_manage_legal_holds(user):
        raise Http404("No such person.")
    return access_person(user, person_id)


def access_hold(user: AnyUser, person: Person, hold_id: int) -> LegalHold:
    hold = LegalHold.objects.filter(person=person, pk=hold_id).first()
    if hold is None:
        raise Http404("No such hold.")
    return hold


def access_review(user: AnyUser, review_id: int) -> RetentionReview:
    """A review of a record the user may see, for a reviewer; otherwise Http404."""
    if not can_review_retention(user):
        raise Http404("No such review.")
    review = (
        RetentionReview.objects.select_related(
            "person", "rule", "decided_by", "confirmed_by", "legal_hold"
        )
        .filter(pk=review_id, person__in=person_list_visible_to(user=user))
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review


def access_destruction_job(user: AnyUser, job_id: str) -> Job:
    """A record's destruction job, for a reviewer (the record itself may be gone)."""
    if not can_review_retention(user):
        raise Http404("No such job.")
    job = Job.objects.filter(pk=job_id, kind=erasure.JOB_KIND).first()
    if job is None:
        raise Http404("No such job.")
    return job
