"""The admin's forms to make and revoke an API token. The rules are in services.py."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.api_tokens.services import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
)
from casemgmt.models import ApiScope, User

# The service's field names, where the form calls them something else.
FORM_FIELDS = {"expires_at": "expires_on"}


def service_accounts() -> Any:
    """Active accounts that cannot sign in with a password: the accounts a token may act as."""
    return User.objects.filter(
        is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX
    ).order_by("username")


def _default_expiry_date() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Integration",
        help_text="What calls the API with this token, e.g. Police MASH referral feed.",
        widget=forms.TextInput(attrs={"size": 60, "maxlength": NAME_MAX_LENGTH}),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        help_text="What the integration does with the API, and who to contact about it.",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "maxlength": DESCRIPTION_MAX_LENGTH}),
    )
    user = AccountChoiceField(
        label="Service account",
        queryset=User.objects.none(),
        help_text=(
            "The account the token acts as: it can see and do only what this account's roles "
            "and teams allow. Only accounts with password sign-in disabled are listed: add one "
            "under Staff (Password-based authentication: Disabled) and give it just the roles "
            "and team the integration needs."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the token may be used for. Changing records needs reading them too.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        help_text=(
            f"The last day the token works (at most {settings.API_TOKEN_MAX_DAYS} days from "
            "today), as YYYY-MM-DD."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expires_on": _default_expiry_date()})
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)  # noqa: S101 (declared above)
        user_field.queryset = service_accounts()

    def clean_expires_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise ValidationError("The expiry date must be today or later.", code="past")
        if day > today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS):
            raise ValidationError(
                f"A token may last at most {settings.API_TOKEN_MAX_DAYS} days: choose a date "
                f"on or before {today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS):%-d %B %Y}.",
                code="too_long",
            )
        return day

    def expires_at(self) -> datetime.datetime:
        """The end of the last day: the start of the next one, in the council's time zone."""
        day = self.cleaned_data["expires_on"] + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            name = FORM_FIELDS.get(field, field)
            self.add_error(name if name in self.fields else None, errors)


class ApiTokenRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being revoked?",
        help_text="For the audit trail, e.g. the integration was retired, or the token was "
        "found in a shared file.",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "maxlength": REASON_MAX_LENGTH}),
    )

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
