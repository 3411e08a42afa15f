"""Who may reach which person. Every view, endpoint and export goes through here.

"Not found" and "not allowed" are the same 404 so that a record's existence never leaks.
"""

from __future__ import annotations

import functools

from django.db import DEFAULT_DB_ALIAS
from django.http import Http404
from django.utils import timezone

from casemgmt import roles
from casemgmt import sql as sql_statements
from casemgmt.types import AnyUser
from clients.models import Person
from clients.person_summary import openable


def access_person(user: AnyUser, person_id: int, *, include_merged: bool = False) -> Person:
    """The person with this id if `user` may see them; otherwise Http404.

    The rule is `person_list_visible_to`'s (tested to agree), asked of one person in one
    statement written once per process: every page of a record starts here, and building
    the selector's queryset cost more than the database took to answer it.
    """
    if not can(user, roles.VIEW_PERSON) or not 0 < person_id < _LARGEST_ID:
        raise Http404("No such person.")
    rows = sql_statements.fetch_all(
        _access_sql(include_merged=include_merged),
        {
            "person": person_id,
            "user": user.pk,
            "now": timezone.now(),
            "today": timezone.localdate(),
        },
    )
    if not rows:
        raise Http404("No such person.")
    return Person.from_db(DEFAULT_DB_ALIAS, _PERSON_FIELDS, rows[0])


# Ids are bigint: a larger number in a URL is a person that does not exist.
_LARGEST_ID = 2**63
_PERSON_FIELDS = [field.attname for field in Person._meta.concrete_fields]


@functools.cache
def _access_sql(*, include_merged: bool) -> str:
    columns = ", ".join(f'person."{field.column}"' for field in Person._meta.concrete_fields)
    current = "" if include_merged else " AND person.merged_into_id IS NULL"
    return (
        f'SELECT {columns} FROM "{Person._meta.db_table}" person'  # noqa: S608 (the model's own names)
        f" WHERE person.id = %(person)s{current} AND {openable('person.id')}"
    )


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
