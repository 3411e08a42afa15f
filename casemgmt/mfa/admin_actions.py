"""The administrator's way back for someone who lost their phone and their recovery codes."""

from __future__ import annotations

from typing import cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from casemgmt.mfa.services import mfa_reset
from casemgmt.models import User


@admin.action(
    description="Reset sign-in security (they set up an authenticator app at next sign-in)",
    permissions=["change"],
)
def reset_mfa(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> None:
    """Remove the users' authenticator apps and recovery codes; audited per device."""
    actor = cast(User, request.user)
    users = list(queryset)
    for user in users:
        mfa_reset(actor=actor, user=user)
    names = ", ".join(user.get_username() for user in users[:10])
    more = f" and {len(users) - 10} more" if len(users) > 10 else ""
    modeladmin.message_user(
        request,
        f"Reset sign-in security for {names}{more}. They will set up an authenticator app "
        "when they next sign in.",
        messages.SUCCESS,
    )
