"""Who may see and work on subject access requests, and the people on them.

Information governance runs subject access requests (casemgmt.roles). "Not found" and
"not allowed" are the same 404, as everywhere. The people a request is about are read
through clients.selectors.person_list_visible_to like every other page: a restricted
record needs a grant to the officer or their team, and a sealed one a grant to the
officer by name, before its file can be gathered, reviewed or downloaded. The request
itself (what the requester wrote) stays open to every officer who runs requests.
"""

from __future__ import annotations

from django.http import Http404

from casemgmt import roles
from casemgmt.types import AnyUser
from clients.permissions import can
from clients.selectors import person_list_visible_to
from subject_access.models import RequestSubject, ReviewItem, SubjectAccessRequest


def can_view_requests(user: AnyUser) -> bool:
    return can(user, roles.VIEW_SUBJECT_ACCESS)


def can_manage_requests(user: AnyUser) -> bool:
    return can(user, roles.MANAGE_SUBJECT_ACCESS)


def can_sign_off(user: AnyUser) -> bool:
    return can(user, roles.SIGN_OFF_SUBJECT_ACCESS)


def access_request(user: AnyUser, request_id: int, *, manage: bool = False) -> SubjectAccessRequest:
    """The request, for an officer who may see (or, with `manage`, work on) requests; else 404."""
    allowed = can_manage_requests(user) if manage else can_view_requests(user)
    if not allowed:
        raise Http404("No such request.")
    found = (
        SubjectAccessRequest.objects.select_related("owner", "signed_off_by", "created_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise Http404("No such request.")
    return found


def access_subject(user: AnyUser, sar: SubjectAccessRequest, person_id: int) -> RequestSubject:
    """A person on the request whose record the user may open; otherwise 404."""
    subject = (
        RequestSubject.objects.select_related("person", "gather_job", "release_job")
        .filter(request=sar, person_id=person_id)
        .filter(person__in=person_list_visible_to(user=user, include_merged=True))
        .first()
    )
    if subject is None:
        raise Http404("No such person on this request.")
    return subject


def access_item(subject: RequestSubject, item_id: int) -> ReviewItem:
    """An item of this person's gathered file; otherwise 404."""
    item = ReviewItem.objects.filter(subject=subject, pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    return item
