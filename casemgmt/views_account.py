"""Your account: who you are here (name, roles, teams), how you sign in, and your password;
and the administrator's action that lifts a sign-in lockout."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt import account_selectors, account_services
from casemgmt.accounts import MaximumLengthValidator
from casemgmt.mfa.views import _reauthenticate_first, _reauthenticated
from casemgmt.models import User

NEW_PASSWORD_REQUIRED = "Enter a new password"  # noqa: S105 (messages, not passwords)
CONFIRM_REQUIRED = "Enter your new password again"
PASSWORDS_DIFFER = "The passwords do not match: enter the same new password twice"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is login_required


def _length_limit() -> MaximumLengthValidator | None:
    return next(
        (v for v in get_default_password_validators() if isinstance(v, MaximumLengthValidator)),
        None,
    )


class NewPasswordForm(forms.Form):
    """A new password, typed twice. Passwords are never sent back to the page."""

    new_password = forms.CharField(strip=False, error_messages={"required": NEW_PASSWORD_REQUIRED})
    confirm_password = forms.CharField(strip=False, error_messages={"required": CONFIRM_REQUIRED})

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_password(self) -> str:
        value: str = self.cleaned_data["new_password"]
        limit = _length_limit()
        if limit is not None:
            # Before the other rules: comparing a huge text with the user's name is slow.
            limit.validate(value)
        validate_password(value, self.user)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new, confirm = cleaned.get("new_password"), cleaned.get("confirm_password")
        if new is not None and confirm is not None and new != confirm:
            self.add_error("confirm_password", PASSWORDS_DIFFER)
        return cleaned


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Your account: your name, roles and teams, and the ways into your sign-in settings."""
    user = _user(request)
    return render(
        request,
        "casemgmt/account.html",
        {
            "roles": account_selectors.account_role_names(user=user),
            "memberships": list(account_selectors.account_membership_list(user=user)),
            "security": account_selectors.account_sign_in_security(user=user),
            "nav": "account",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change your password, after your current password and a code again (as for the
    second factor); every other session ends."""
    if not _reauthenticated(request):
        return _reauthenticate_first(request)
    user = _user(request)
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_bound and form.is_valid():
        try:
            ended = account_services.password_change(
                actor=user,
                password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            # The session now carries the new password's hash, under a new key.
            update_session_auth_hash(request, user)
            others = f" You were signed out of {ended} other session{'s' if ended != 1 else ''}."
            messages.success(request, "Your password is changed." + (others if ended else ""))
            return redirect("account")
    return render(
        request,
        "casemgmt/account_password.html",
        {
            "form": form,
            "rules": password_validators_help_texts(),
            "nav": "account",
        },
        status=400 if form.errors else 200,
    )


@admin.action(description="Unlock sign-in (clear failed sign-in attempts)", permissions=["change"])
def unlock_sign_in(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> None:
    """The admin action on users: lift a lockout before its time is up; audited per user."""
    actor = _user(request)
    unlocked = [
        user.get_username()
        for user in queryset
        if account_services.sign_in_unlock(actor=actor, user=user)
    ]
    if not unlocked:
        modeladmin.message_user(
            request, "None of the selected users had failed sign-ins to clear.", messages.INFO
        )
        return
    names = ", ".join(unlocked[:10])
    more = f" and {len(unlocked) - 10} more" if len(unlocked) > 10 else ""
    modeladmin.message_user(request, f"Unlocked sign-in for {names}{more}.", messages.SUCCESS)
