"""Reads, already scoped to what the acting user may see."""

from __future__ import annotations

from casemgmt import roles
from casemgmt.types import AnyUser
from clients.models import Person
from clients.models.people import PersonQuerySet


def person_list_visible_to(*, user: AnyUser, include_merged: bool = False) -> PersonQuerySet:
    """People `user` may see: everyone, for staff whose role lets them see people.

    Restricted and sealed records narrow this further (the security work); every
    page, search, endpoint and export reads people through this one function.
    """
    if not (user.is_authenticated and user.is_active and user.has_perm(roles.VIEW_PERSON)):
        return Person.objects.none()
    queryset = Person.objects.all()
    return queryset if include_merged else queryset.current()
