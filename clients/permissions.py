"""Who may reach which person. Every view, endpoint and export goes through here.

"Not found" and "not allowed" are the same 404 so that a record's existence never leaks.
"""

from __future__ import annotations

from django.http import Http404

from casemgmt import roles
from casemgmt.types import AnyUser
from clients.models import Person
from clients.selectors import person_list_visible_to


def access_person(user: AnyUser, person_id: int, *, include_merged: bool = False) -> Person:
    """The person with this id if `user` may see them; otherwise Http404."""
    queryset = person_list_visible_to(user=user, include_merged=include_merged)
    person = queryset.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def can(user: AnyUser, capability: str) -> bool:
    """Whether the user's roles or own grants give them `capability` (as `user.has_perm`).

    A page asks this a dozen times: the answer comes from the set of the user's
    capabilities, read once per request (and kept between requests by
    casemgmt.permission_cache), not from a walk through every backend each time.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    capabilities: set[str] | None = getattr(user, "_capabilities", None)
    if capabilities is None:
        capabilities = user.get_all_permissions()
        setattr(user, "_capabilities", capabilities)  # noqa: B010 (a memo on this request's user)
    return capability in capabilities


def can_view_case_notes(user: AnyUser) -> bool:
    return can(user, roles.VIEW_CASE_NOTES)


def can_add_case_note(user: AnyUser) -> bool:
    return can(user, roles.ADD_CASE_NOTE)


def can_change_person(user: AnyUser) -> bool:
    return can(user, roles.CHANGE_PERSON)


def can_merge(user: AnyUser) -> bool:
    return can(user, roles.MERGE_PERSON)


def can_view_access_log(user: AnyUser) -> bool:
    return can(user, roles.VIEW_ACCESS_LOG)


def can_view_chronology(user: AnyUser) -> bool:
    return can(user, roles.VIEW_CHRONOLOGY)


def can_curate_chronology(user: AnyUser) -> bool:
    return can(user, roles.CURATE_CHRONOLOGY)


def can_manage_record_access_tab(user: AnyUser, allocated_team_id: int | None) -> bool:
    """Whether the person's pages link to "Who may open": for senior managers and
    information governance always; for a team manager, when the record is allocated to a
    team (the page itself checks it is one they manage; asking here would cost every page
    a query)."""
    if can(user, roles.MANAGE_ANY_RECORD_ACCESS):
        return True
    return allocated_team_id is not None and can(user, roles.MANAGE_RECORD_ACCESS)
