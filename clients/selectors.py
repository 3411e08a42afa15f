"""Reads, already scoped to what the acting user may see."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from casemgmt import roles
from casemgmt.models import TeamMembership
from casemgmt.types import AnyUser
from clients.models import Person, RecordAccessGrant
from clients.models.people import PersonQuerySet

ORDINARY = Person.AccessLevel.ORDINARY
RESTRICTED = Person.AccessLevel.RESTRICTED


def _current_team_ids(user: AnyUser) -> Q:
    today = timezone.localdate()
    teams = (
        TeamMembership.objects.filter(user_id=user.pk or 0, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values("team_id")
    )
    return Q(team_id__in=teams)


def granted_person_filter(user: AnyUser) -> Q:
    """The records that are not ordinary which `user` may open: by name, or through a team.

    A user grant opens a restricted or a sealed record; a team grant opens only a
    restricted one. Both lookups are uncorrelated subqueries, which PostgreSQL runs once
    per statement (a hashed subplan of the user's few grants), so an ordinary row costs
    nothing more and a page that probes a person per row stays one index probe per row.
    """
    now = timezone.now()
    by_name = (
        RecordAccessGrant.objects.in_force(now).filter(user_id=user.pk or 0).values("person_id")
    )
    by_team = (
        RecordAccessGrant.objects.in_force(now).filter(_current_team_ids(user)).values("person_id")
    )
    return Q(pk__in=by_name) | Q(access_level=RESTRICTED, pk__in=by_team)


def person_list_visible_to(*, user: AnyUser, include_merged: bool = False) -> PersonQuerySet:
    """People `user` may see: ordinary records, and restricted or sealed ones granted to them.

    Every page, search, endpoint and export reads people through this one function, so a
    record the user may not open is, everywhere, a record that does not exist.
    """
    if not (user.is_authenticated and user.is_active and user.has_perm(roles.VIEW_PERSON)):
        return Person.objects.none()
    queryset = Person.objects.filter(Q(access_level=ORDINARY) | granted_person_filter(user))
    return queryset if include_merged else queryset.current()


def person_list_hidden_from(*, user: AnyUser) -> PersonQuerySet:
    """Current people whose record is not open to `user`, though their role sees people.

    Only for checks that must warn without revealing anything ("a record you cannot see
    may match"): never show a row of this to the user.
    """
    if not (user.is_authenticated and user.is_active and user.has_perm(roles.VIEW_PERSON)):
        return Person.objects.none()
    return (
        Person.objects.current().exclude(access_level=ORDINARY).exclude(granted_person_filter(user))
    )


def person_list_access_manageable_by(*, user: AnyUser) -> PersonQuerySet:
    """People whose access `user` may manage: any current person for senior managers and
    information governance; for a team manager, the people a team they manage is allocated
    (a current involvement) whose record they may see."""
    if not (user.is_authenticated and user.is_active and user.has_perm(roles.VIEW_PERSON)):
        return Person.objects.none()
    if user.has_perm(roles.MANAGE_ANY_RECORD_ACCESS):
        return Person.objects.current()
    if not user.has_perm(roles.MANAGE_RECORD_ACCESS):
        return Person.objects.none()
    today = timezone.localdate()
    managed = (
        TeamMembership.objects.filter(user_id=user.pk or 0, is_manager=True, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values("team_id")
    )
    return (
        person_list_visible_to(user=user)
        .filter(
            Q(involvements__team_id__in=managed)
            & (Q(involvements__end_date__isnull=True) | Q(involvements__end_date__gte=today))
        )
        .distinct()
    )


def record_access_grant_list(*, person: Person) -> list[RecordAccessGrant]:
    """The grants on `person`'s record, for a page that has already let the user manage it."""
    return list(
        RecordAccessGrant.objects.filter(person=person)
        .select_related("user", "team", "granted_by")
        .order_by("team__name", "user__last_name", "user__first_name", "pk")
    )
