"""The forms of the second sign-in stage and of the account security pages."""

from __future__ import annotations

from typing import Any

from django import forms

from casemgmt.mfa.services import CODE_MAX_LENGTH, normalise_code

CODE_REQUIRED = "Enter the 6-digit code from your authenticator app, or a recovery code"
CODE_SHAPE = "Enter the 6 digits your authenticator app shows, or an 8-character recovery code"
CODE_TOO_LONG = "The code is too long: enter the 6-digit code, or an 8-character recovery code"
SETUP_CODE_REQUIRED = "Enter the 6-digit code your authenticator app shows"
SETUP_CODE_SHAPE = "The code must be the 6 digits your authenticator app shows"
PASSWORD_REQUIRED = "Enter your password"  # noqa: S105 (a message, not a password)
PASSWORD_TOO_LONG = "The password is too long"  # noqa: S105 (a message, not a password)


class CodeForm(forms.Form):
    """A code from the authenticator app or, unless `allow_recovery` is off, a recovery code."""

    code = forms.CharField(strip=True, error_messages={"required": CODE_REQUIRED})

    def __init__(self, *args: Any, allow_recovery: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_recovery = allow_recovery
        if not allow_recovery:
            self.fields["code"].error_messages["required"] = SETUP_CODE_REQUIRED

    def clean_code(self) -> str:
        value: str = self.cleaned_data["code"]
        if len(value) > CODE_MAX_LENGTH:
            raise forms.ValidationError(CODE_TOO_LONG, code="too_long")
        kind = normalise_code(value)
        if kind is None or (kind.is_recovery and not self.allow_recovery):
            raise forms.ValidationError(
                CODE_SHAPE if self.allow_recovery else SETUP_CODE_SHAPE, code="shape"
            )
        return kind.value

    def typed_code(self) -> str:
        """What was typed, to show again (nothing absurdly long or unprintable)."""
        value = str(self.data.get("code", ""))
        if len(value) > CODE_MAX_LENGTH or not value.isprintable():
            return ""
        return value


class ReauthenticateForm(CodeForm):
    """The password and a current code, asked again before the second factor is changed."""

    password = forms.CharField(
        strip=False, max_length=128, error_messages={"required": PASSWORD_REQUIRED}
    )

    field_order = ["password", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["max_length"] = PASSWORD_TOO_LONG
