"""Reads for "Your account": the signed-in user's roles, teams and how they sign in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from casemgmt import sessions
from casemgmt.mfa import services as mfa
from casemgmt.models import TeamMembership, User
from casemgmt.roles import Role


@dataclass(frozen=True)
class SignInSecurity:
    """How the user signs in, as "Your account" summarises it."""

    authenticator: Any  # the confirmed TOTP device, or None
    recovery_codes_left: int
    active_sessions: int


def account_role_names(*, user: User) -> list[str]:
    """The user's roles as people say them ("Team manager"), also roles a council added."""
    names = user.groups.order_by("name").values_list("name", flat=True)
    return [Role(name).label if name in Role.values else name for name in names]


def account_membership_list(*, user: User) -> QuerySet[TeamMembership]:
    """The user's current team memberships, with each team's service area."""
    today = timezone.localdate()
    return (
        TeamMembership.objects.filter(user=user, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("team", "team__parent")
        .order_by("team__name", "pk")
    )


def account_sign_in_security(*, user: User) -> SignInSecurity:
    """The user's authenticator, unused recovery codes and the places they are signed in."""
    return SignInSecurity(
        authenticator=mfa.confirmed_authenticator(user),
        recovery_codes_left=mfa.recovery_codes_left(user),
        active_sessions=sessions.session_list_active(user=user).count(),
    )
