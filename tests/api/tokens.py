"""Service accounts and API tokens for tests (tests/api/ and tests/casemgmt/test_api_tokens.py)."""

from __future__ import annotations

from typing import Any

from casemgmt.api_tokens.services import IssuedToken, api_token_create
from casemgmt.models import ApiScope, Team, User
from casemgmt.roles import Role
from tests.factories import TeamMembershipFactory, UserFactory

EVERY_SCOPE = list(ApiScope.values)


def service_account(
    username: str = "mash.feed",
    *,
    role: str = Role.PRACTITIONER,
    team: Team | None = None,
    manager: bool = False,
) -> User:
    """An account with password sign-in disabled, in a role and (optionally) a team."""
    user = UserFactory(username=username, roles=[role], first_name="MASH", last_name="Feed")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if team is not None:
        TeamMembershipFactory(user=user, team=team, is_manager=manager)
    return user


def token_maker() -> User:
    return UserFactory(username="sysadmin.tokens", roles=[Role.SYSTEM_ADMINISTRATOR], is_staff=True)


def issue(user: User, scopes: list[str] | None = None, **extra: Any) -> IssuedToken:
    """A token for `user` (every scope unless told), made by a system administrator."""
    return api_token_create(
        actor=extra.pop("actor", None) or token_maker(),
        user=user,
        name=extra.pop("name", "MASH referral feed"),
        scopes=EVERY_SCOPE if scopes is None else scopes,
        **extra,
    )


def bearer(secret: str) -> dict[str, str]:
    """Django test client keyword arguments that send `secret` as a bearer token."""
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
