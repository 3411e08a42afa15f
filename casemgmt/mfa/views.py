"""The second sign-in stage, setting up an authenticator, and "Your account security"."""

from __future__ import annotations

import time
from typing import Any, cast
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from casemgmt.mfa import services
from casemgmt.mfa.forms import CodeForm, ReauthenticateForm
from casemgmt.mfa.middleware import remember_device
from casemgmt.models import User

REAUTHENTICATED_AT = "mfa_reauthenticated_at"
NEW_RECOVERY_CODES = "mfa_new_recovery_codes"
AFTER_RECOVERY_CODES = "mfa_after_recovery_codes"
SETUP_DEVICE = "mfa_setup_device_id"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is login_required


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def safe_next(request: HttpRequest, value: str | None, default: str = "home") -> str:
    """Where to go after this page: a path on this site, else the default page."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return reverse(default)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url}, safe='/')}"


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, which must get errors), else None."""
    return request.POST if request.method == "POST" else None


def _requested_next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _sign_in_second_stage(request: HttpRequest, device: Any) -> None:
    """The session now belongs to a verified user: a new session key, and the device in it."""
    request.session.cycle_key()
    django_otp.login(request, device)
    remember_device(device)


def _reauthenticated(request: HttpRequest) -> bool:
    at = request.session.get(REAUTHENTICATED_AT)
    if not isinstance(at, int | float):
        return False
    age = time.time() - at
    return 0 <= age <= settings.MFA_REAUTHENTICATION_SECONDS


def _reauthenticate_first(request: HttpRequest) -> HttpResponseRedirect:
    return redirect(_with_next("mfa-reauthenticate", request.path))


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second stage of signing in: a code from the authenticator app or a recovery code."""
    next_url = _requested_next(request)
    if _is_verified(request):
        return redirect(next_url)
    user = _user(request)
    if not services.has_authenticator(user):
        return redirect(_with_next("mfa-setup", next_url))
    form = CodeForm(_posted(request))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            device = services.code_verify(user=user, code=form.cleaned_data["code"])
        except services.CodeRefused as refused:
            error = refused.message
        else:
            _sign_in_second_stage(request, device)
            left = services.recovery_codes_left(user)
            if isinstance(device, StaticDevice) and left <= 3:
                messages.warning(
                    request,
                    f"You have {left} recovery code{'s' if left != 1 else ''} left. "
                    "Make new ones on your account security page.",
                )
            return redirect(next_url)
    return render(
        request,
        "mfa/verify.html",
        {"form": form, "error": error, "next": next_url, "typed": form.typed_code()},
        status=200,
    )


def _setup_page(
    request: HttpRequest, *, replacing: bool, next_url: str, form: CodeForm, error: str = ""
) -> HttpResponse:
    device = services.authenticator_pending(user=_user(request))
    request.session[SETUP_DEVICE] = device.pk
    return render(
        request,
        "mfa/setup.html",
        {
            "form": form,
            "error": error,
            "next": next_url,
            "typed": form.typed_code(),
            "replacing": replacing,
            "qr_code": services.qr_code_svg(device),
            "key": services.key_for_typing(device),
        },
    )


def _confirm_setup(request: HttpRequest, form: CodeForm) -> tuple[Any, list[str]] | str:
    device_id = request.session.get(SETUP_DEVICE)
    if not isinstance(device_id, int):
        return "Start setting up your authenticator app again"
    try:
        return services.authenticator_confirm(
            actor=_user(request), device_id=device_id, code=form.cleaned_data["code"]
        )
    except services.CodeRefused as refused:
        return refused.message


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan a QR code (or type the key), confirm with a code, get recovery codes."""
    next_url = _requested_next(request)
    user = _user(request)
    if services.has_authenticator(user):
        if _is_verified(request):
            return redirect("account-security")
        return redirect(_with_next("mfa-verify", next_url))
    form = CodeForm(_posted(request), allow_recovery=False)
    if request.method == "POST" and form.is_valid():
        outcome = _confirm_setup(request, form)
        if isinstance(outcome, str):
            return _setup_page(
                request, replacing=False, next_url=next_url, form=form, error=outcome
            )
        device, codes = outcome
        _sign_in_second_stage(request, device)
        request.session.pop(SETUP_DEVICE, None)
        request.session[NEW_RECOVERY_CODES] = codes
        request.session[AFTER_RECOVERY_CODES] = next_url
        return redirect("mfa-recovery-codes")
    return _setup_page(request, replacing=False, next_url=next_url, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def replace(request: HttpRequest) -> HttpResponse:
    """Replace the authenticator app (a new phone): after the password and a code again."""
    if not _reauthenticated(request):
        return _reauthenticate_first(request)
    next_url = reverse("account-security")
    form = CodeForm(_posted(request), allow_recovery=False)
    if request.method == "POST" and form.is_valid():
        outcome = _confirm_setup(request, form)
        if isinstance(outcome, str):
            return _setup_page(request, replacing=True, next_url=next_url, form=form, error=outcome)
        device, _ = outcome
        _sign_in_second_stage(request, device)
        request.session.pop(SETUP_DEVICE, None)
        messages.success(
            request, "Your new authenticator app is set up. The old one no longer works."
        )
        return redirect("account-security")
    return _setup_page(request, replacing=True, next_url=next_url, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once, until the user says they have saved them."""
    codes = request.session.get(NEW_RECOVERY_CODES)
    if not codes:
        return redirect("account-security")
    if request.method == "POST":
        request.session.pop(NEW_RECOVERY_CODES, None)
        return redirect(
            safe_next(request, request.session.pop(AFTER_RECOVERY_CODES, None), "account-security")
        )
    return render(request, "mfa/recovery_codes.html", {"codes": codes})


@login_required
@require_http_methods(["GET"])
def account_security(request: HttpRequest) -> HttpResponse:
    """Your account security: the authenticator, recovery codes left, and how to change them."""
    user = _user(request)
    return render(
        request,
        "mfa/account_security.html",
        {
            "authenticator": services.confirmed_authenticator(user),
            "codes_left": services.recovery_codes_left(user),
            "nav": "account-security",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """The password and a current code again, good for a few minutes of security changes."""
    next_url = safe_next(
        request, request.POST.get("next") or request.GET.get("next"), "account-security"
    )
    form = ReauthenticateForm(_posted(request))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.reauthenticate(
                user=_user(request),
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except services.CodeRefused as refused:
            error = refused.message
        else:
            request.session[REAUTHENTICATED_AT] = time.time()
            return redirect(next_url)
    return render(
        request,
        "mfa/reauthenticate.html",
        {
            "form": form,
            "error": error,
            "next": next_url,
            "typed": form.typed_code(),
            "minutes": settings.MFA_REAUTHENTICATION_SECONDS // 60,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_create(request: HttpRequest) -> HttpResponse:
    """Make new recovery codes (the old ones stop working): after the password and a code again."""
    if not _reauthenticated(request):
        return _reauthenticate_first(request)
    if request.method == "POST":
        request.session[NEW_RECOVERY_CODES] = services.recovery_codes_create(actor=_user(request))
        request.session[AFTER_RECOVERY_CODES] = reverse("account-security")
        return redirect("mfa-recovery-codes")
    return render(
        request,
        "mfa/recovery_codes_create.html",
        {"codes_left": services.recovery_codes_left(_user(request))},
    )
