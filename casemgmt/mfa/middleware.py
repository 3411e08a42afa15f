"""Signed in with a password alone is not signed in: every other page waits for the code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.models import Device

# Pages a user may reach between the password and the code: signing in and out, and the
# session timer's own status and keep-alive calls (the code page is a page like any other).
UNVERIFIED_URL_NAMES = (
    "login",
    "logout",
    "healthz",
    "mfa-verify",
    "mfa-setup",
    "session-status",
    "session-keep-alive",
)
API_PREFIX = "/api/"
API_REFUSAL = (
    "Sign in with your second factor (a code from your authenticator app) before using the API."
)
DEVICE_CACHE_SECONDS = 300


def _device_key(persistent_id: str) -> str:
    # One cache can serve several databases (test runs side by side, the benchmarks).
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    return f"mfa:device:{database}:{persistent_id}"


def device_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Forget a saved or deleted device (now, and once the transaction commits)."""
    key = _device_key(instance.persistent_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def remember_device(device: Any) -> None:
    """Keep a device that has just verified a session, so its next request needs no query."""
    cache.set(_device_key(device.persistent_id), device, DEVICE_CACHE_SECONDS)


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware, with the session's device kept in the cache between requests.

    Every signed-in request asks which device verified the session; reading it from the
    database each time would add a query to every page. A device is forgotten whenever
    it is saved or deleted (an administrator's reset, a replaced phone), and entries
    expire after DEVICE_CACHE_SECONDS in case a row is changed behind the ORM's back.
    """

    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        persistent_id = self._normalize_persistent_id(persistent_id)
        key = _device_key(persistent_id)
        device = cache.get(key)
        if device is None:
            device = Device.from_persistent_id(persistent_id)
            if device is not None:
                remember_device(device)
        return device


def _unverified_paths() -> set[str]:
    paths = set()
    for name in UNVERIFIED_URL_NAMES:
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            continue
    return paths


class MFARequiredMiddleware:
    """Send a signed-in but unverified request to the code (or set-up) page; 403 for the API.

    Runs after django-otp's OTPMiddleware, which tells whether this session's user has
    given a code (`request.user.is_verified()`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MFA_REQUIRED and self._waiting_for_code(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _waiting_for_code(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return False
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return False
        return path not in _unverified_paths()

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": API_REFUSAL}, status=403)
        next_url = request.get_full_path() if request.method == "GET" else reverse("home")
        response = redirect_to_login(next_url, login_url=reverse("mfa-verify"))
        if request.headers.get("HX-Request") == "true":
            # htmx would follow a redirect and swap the sign-in page into part of this one.
            return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
        return response
