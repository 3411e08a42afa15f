"""Signed-in sessions of staff, kept beside Django's session store so they can be listed and ended."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.http import HttpRequest


class UserSession(models.Model):
    """One sign-in: where from, when, when last active, and how it ended."""

    class EndedReason(models.TextChoices):
        SIGNED_OUT = "signed_out", "Signed out"
        IDLE = "idle", "Timed out without activity"
        ABSOLUTE = "absolute", "Reached the longest a session may last"
        ENDED_BY_USER = "ended_by_user", "Ended by the user from another session"
        ENDED_BY_ADMINISTRATOR = "ended_by_administrator", "Ended by an administrator"
        ACCOUNT_DISABLED = "account_disabled", "Account disabled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    # Django's session key (40 characters); kept current when the key is cycled.
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=30, choices=EndedReason.choices, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [
            models.Index(
                fields=["user", "-last_seen_at"],
                condition=Q(ended_at__isnull=True),
                name="user_session_open_by_user",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_reason="")
                | Q(ended_at__isnull=False) & ~Q(ended_reason=""),
                name="user_session_ended_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} signed in {self.created_at:%Y-%m-%d %H:%M}"


# Wired here, where Django always imports them (shell, admin, web, workers), so that
# signing in and out and disabling an account are tracked however they happen. The
# rules live in casemgmt.sessions.


def _signed_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    from casemgmt import sessions

    sessions.session_started(request=request, user=user)


def _signed_out(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    from casemgmt import sessions

    sessions.session_signed_out(request=request)


def _remember_active(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    from casemgmt import sessions

    sessions.remember_was_active(instance, update_fields=kwargs.get("update_fields"))


def _end_sessions_if_disabled(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    from casemgmt import sessions

    sessions.end_sessions_if_disabled(instance, created=bool(kwargs.get("created")))


user_logged_in.connect(_signed_in, dispatch_uid="casemgmt.sessions.signed_in")
user_logged_out.connect(_signed_out, dispatch_uid="casemgmt.sessions.signed_out")
pre_save.connect(
    _remember_active, sender=settings.AUTH_USER_MODEL, dispatch_uid="casemgmt.sessions.was_active"
)
post_save.connect(
    _end_sessions_if_disabled,
    sender=settings.AUTH_USER_MODEL,
    dispatch_uid="casemgmt.sessions.disabled",
)
