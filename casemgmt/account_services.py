"""Writes for staff accounts: changing one's own password, and lifting a sign-in lockout."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from casemgmt import audit, sessions
from casemgmt.models import User

SAME_PASSWORD = "Your new password must be different from your current password"  # noqa: S105 (a message)


def password_change(*, actor: User, password: str, keep_session_key: str | None) -> int:
    """Give the actor a new password and sign out their other sessions; how many ended.

    A password is changed because it may be known to someone else, so every other
    session ends with it: one opened with the old password must not outlive it.
    """
    validate_password(password, actor)
    if actor.check_password(password):
        raise ValidationError(SAME_PASSWORD, code="password_unchanged")
    with transaction.atomic():
        actor.set_password(password)
        actor.save(update_fields=["password"])
        # The password itself, even hashed, never goes into the audit trail.
        audit.record_change(
            actor=actor,
            action="password_change",
            instance=actor,
            person_id=None,
            changes={"password": ["(not recorded)", "(not recorded)"]},
            summary="Changed their own password",
        )
        return sessions.user_sessions_end(
            actor=actor,
            user=actor,
            reason=sessions.Reason.ENDED_BY_USER,
            keep_session_key=keep_session_key,
        )


def sign_in_unlock(*, actor: User, user: User) -> int:
    """Clear the failed sign-ins that lock `user` out (from every address); how many there were."""
    username = user.get_username()
    with transaction.atomic():
        failures = (
            AccessAttempt.objects.filter(username=username).aggregate(
                total=Sum("failures_since_start")
            )["total"]
            or 0
        )
        if not axes_reset(username=username):
            return 0
        audit.record_change(
            actor=actor,
            action="sign_in_unlock",
            instance=user,
            person_id=None,
            changes={"failed_sign_ins": [failures, 0]},
            summary=f"Unlocked sign-in for {username} after {failures} failed "
            f"attempt{'s' if failures != 1 else ''}",
        )
    return failures
