"""Sign-in rules Django does not ship: a password length limit, and the username lockouts key on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

USERNAME_LIMIT = 150


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must be {self.max_length} characters or fewer.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username django-axes records a failure against: what was typed, cut to fit.

    Whatever arrives in a sign-in form (10,000 characters, control characters) must be
    recordable, or a failed sign-in would become a server error.
    """
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    text = "".join(ch for ch in str(value) if ch.isprintable())
    return text[:USERNAME_LIMIT]
