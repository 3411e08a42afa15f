"""Who may see what a member of staff viewed, and who reviews flagged access.

"Not found" and "not allowed" are the same 404, as everywhere: a page about a member of
staff does not say whether that member of staff exists to someone who may not see it.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from casemgmt import roles
from casemgmt.models import User
from casemgmt.types import AnyUser
from clients.permissions import can
from governance import selectors
from governance.models import AccessFlag


def can_view_user_access(user: AnyUser) -> bool:
    """Whether the user may see what some members of staff viewed (all, or their teams')."""
    return can(user, roles.VIEW_ANY_USER_ACCESS) or can(user, roles.VIEW_TEAM_USER_ACCESS)


def can_review_access(user: AnyUser) -> bool:
    return can(user, roles.REVIEW_ACCESS)


def access_staff_member(viewer: AnyUser, user_id: int) -> User:
    """The member of staff whose viewing `viewer` may see; otherwise Http404."""
    if can(viewer, roles.VIEW_ANY_USER_ACCESS):
        staff = User.objects.all()
    elif can(viewer, roles.VIEW_TEAM_USER_ACCESS):
        staff = selectors.staff_managed_by(manager=viewer, on=timezone.localdate())  # type: ignore[arg-type]
    else:
        staff = User.objects.none()
    member = staff.filter(pk=user_id).first()
    if member is None:
        raise Http404("No such member of staff.")
    return member


def access_flag(viewer: AnyUser, flag_id: int) -> AccessFlag:
    """The flag, for a reviewer; otherwise Http404."""
    if not can_review_access(viewer):
        raise Http404("No such flag.")
    flag = AccessFlag.objects.select_related("user", "reviewer").filter(pk=flag_id).first()
    if flag is None:
        raise Http404("No such flag.")
    return flag
