"""Staff sessions: idle and absolute timeouts, tracking each sign-in, and ending sessions.

A signed-in session records when it began and when its user was last active
(`SIGNED_IN_AT`, `LAST_ACTIVITY`, seconds since the epoch). `SessionTimeoutMiddleware`
ends it after `SESSION_IDLE_TIMEOUT` seconds without activity or `SESSION_ABSOLUTE_TIMEOUT`
seconds after sign-in. Last activity is written at most once every
`SESSION_ACTIVITY_WRITE_INTERVAL` seconds, so most requests do not write the session.

Requests that are not the user's own activity do not extend the idle time: those that
carry the header `X-Session-Activity: passive`, htmx requests to the URL names in
`SESSION_PASSIVE_URL_NAMES` (a job's progress polling), and the session status endpoint.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User, UserSession

SIGNED_IN_AT = "_casemgmt_signed_in_at"
LAST_ACTIVITY = "_casemgmt_last_activity"
TRACKED_KEY = "_casemgmt_tracked_session_key"
PASSIVE_HEADER = "X-Session-Activity"
# Endpoints only scripts call: a timed-out session gets 401 JSON there, never a redirect.
_JSON_URL_NAMES = frozenset({"session-status", "session-keep-alive"})

# Ending someone else's sessions is a change to their account.
END_USER_SESSIONS = "casemgmt.change_user"

Reason = UserSession.EndedReason


def idle_timeout() -> int:
    return int(settings.SESSION_IDLE_TIMEOUT)


def absolute_timeout() -> int:
    return int(settings.SESSION_ABSOLUTE_TIMEOUT)


def duration_in_words(seconds: int) -> str:
    """`1800` -> "30 minutes", `43200` -> "12 hours", `90` -> "2 minutes"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def timeout_message(reason: str) -> str:
    if reason == Reason.ABSOLUTE:
        return f"You were signed out after {duration_in_words(absolute_timeout())}"
    return f"You were signed out after {duration_in_words(idle_timeout())} without activity"


# -- where a request comes from ------------------------------------------------------------


def _ip_address(request: HttpRequest | None) -> str | None:
    value = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def _user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    text = "".join(ch for ch in request.headers.get("user-agent", "") if ch.isprintable())
    return text[:300]


_BROWSERS = [
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Version/[\d.]+.*Safari/")),
]
_SYSTEMS = [
    ("iPadOS", re.compile(r"iPad")),
    ("iOS", re.compile(r"iPhone|iPod")),
    ("Android", re.compile(r"Android")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux|X11")),
]


def describe_device(user_agent: str) -> str:
    """A person's words for a browser's user agent: "Chrome on Windows"."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")


def is_background_request(request: HttpRequest) -> bool:
    """A request a script made (API, htmx, fetch), which wants a status rather than a page."""
    if request.path.startswith("/api/") or request.headers.get("HX-Request"):
        return True
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    accept = request.headers.get("Accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return True
    try:
        if resolve(request.path_info).view_name in _JSON_URL_NAMES:
            return True
    except Resolver404:
        pass
    mode = request.headers.get("Sec-Fetch-Mode")
    return bool(mode) and mode != "navigate"


def is_passive_request(request: HttpRequest) -> bool:
    """Whether the request is not the user's own activity (polling, status checks)."""
    if request.headers.get(PASSIVE_HEADER, "").lower() == "passive":
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if match.view_name in settings.SESSION_PASSIVE_URL_NAMES_ALWAYS:
        return True
    return bool(request.headers.get("HX-Request")) and (
        match.view_name in settings.SESSION_PASSIVE_URL_NAMES
    )


# -- the session store ---------------------------------------------------------------------


def _store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


@dataclass(frozen=True)
class Remaining:
    """Seconds left before a session's idle and absolute timeouts."""

    idle: int
    absolute: int

    def as_json(self) -> dict[str, int]:
        return {
            "idle_remaining": max(self.idle, 0),
            "absolute_remaining": max(self.absolute, 0),
            "idle_timeout": idle_timeout(),
            "absolute_timeout": absolute_timeout(),
        }


def remaining(session: SessionBase, now: float | None = None) -> Remaining:
    now = time.time() if now is None else now
    signed_in_at = float(session.get(SIGNED_IN_AT, now))
    last_activity = float(session.get(LAST_ACTIVITY, now))
    return Remaining(
        idle=math.floor(last_activity + idle_timeout() - now),
        absolute=math.floor(signed_in_at + absolute_timeout() - now),
    )


def expired_reason(session: SessionBase, now: float) -> str | None:
    """`idle` or `absolute` when the session has timed out, else None."""
    left = remaining(session, now)
    if left.absolute < 0:
        return Reason.ABSOLUTE
    if left.idle < 0:
        return Reason.IDLE
    return None


# -- tracking sign-ins (called from the signals wired in casemgmt.models.sessions) ----------


def session_started(*, request: HttpRequest | None, user: Any) -> None:
    """Record a sign-in: on the session (the clock starts) and as a UserSession row."""
    session = getattr(request, "session", None)
    if request is None or session is None:
        return
    if session.session_key is None:
        session.save()
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVITY] = now
    _track(request, user=user, session=session)


def _track(request: HttpRequest, *, user: Any, session: SessionBase) -> UserSession:
    key = session.session_key
    assert key is not None  # noqa: S101 (the caller saved the session)
    moment = timezone.now()
    tracked, _ = UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "last_seen_at": moment,
            "ip_address": _ip_address(request),
            "user_agent": _user_agent(request),
            "ended_at": None,
            "ended_reason": "",
        },
        create_defaults={
            "user": user,
            "created_at": moment,
            "last_seen_at": moment,
            "ip_address": _ip_address(request),
            "user_agent": _user_agent(request),
        },
    )
    session[TRACKED_KEY] = key
    return tracked


def session_signed_out(*, request: HttpRequest | None) -> None:
    """The user signed out: their session row ends (unless a timeout already ended it)."""
    session = getattr(request, "session", None)
    key = session.get(TRACKED_KEY) if session is not None else None
    if key:
        _open_sessions(session_keys=[key]).update(
            ended_at=timezone.now(), ended_reason=Reason.SIGNED_OUT
        )


def _open_sessions(
    *, user: User | None = None, session_keys: Iterable[str] | None = None
) -> QuerySet[UserSession]:
    sessions = UserSession.objects.filter(ended_at__isnull=True)
    if user is not None:
        sessions = sessions.filter(user=user)
    if session_keys is not None:
        sessions = sessions.filter(session_key__in=list(session_keys))
    return sessions


def session_list_active(*, user: User) -> QuerySet[UserSession]:
    """The user's sessions that have not ended or timed out, most recently active first."""
    now = timezone.now()
    return _open_sessions(user=user).filter(
        last_seen_at__gt=now - datetime.timedelta(seconds=idle_timeout()),
        created_at__gt=now - datetime.timedelta(seconds=absolute_timeout()),
    )


# -- ending sessions ----------------------------------------------------------------------


def _end(sessions: QuerySet[UserSession], *, reason: str) -> list[UserSession]:
    ended = list(sessions.select_for_update())
    if not ended:
        return []
    for tracked in ended:
        # Removes the row from the database and the cache (cached_db): the cookie is worthless.
        _store().delete(tracked.session_key)
    UserSession.objects.filter(pk__in=[tracked.pk for tracked in ended]).update(
        ended_at=timezone.now(), ended_reason=reason
    )
    return ended


def user_sessions_end(
    *, actor: User | None, user: User, reason: str, keep_session_key: str | None = None
) -> int:
    """End every session of `user` (but `keep_session_key`, the actor's own); how many ended."""
    with transaction.atomic():
        sessions = _open_sessions(user=user)
        if keep_session_key:
            sessions = sessions.exclude(session_key=keep_session_key)
        ended = _end(sessions, reason=reason)
        if ended:
            audit.record_change(
                actor=actor,
                action="sessions_end",
                instance=user,
                person_id=None,
                changes={"sessions_ended": [None, len(ended)], "reason": [None, reason]},
                summary=f"Ended {len(ended)} session{'s' if len(ended) != 1 else ''} of "
                f"{user.get_username()}: {Reason(reason).label.lower()}",
            )
    return len(ended)


def user_session_end(*, actor: User, session_id: int, current_session_key: str | None) -> bool:
    """End one of the actor's own other sessions; False when it is not theirs or has ended."""
    with transaction.atomic():
        sessions = _open_sessions(user=actor).filter(pk=session_id)
        if current_session_key:
            sessions = sessions.exclude(session_key=current_session_key)
        ended = _end(sessions, reason=Reason.ENDED_BY_USER)
        if ended:
            tracked = ended[0]
            audit.record_change(
                actor=actor,
                action="session_end",
                instance=tracked,
                person_id=None,
                changes={"ended_reason": ["", Reason.ENDED_BY_USER]},
                summary=f"Ended own session from {describe_device(tracked.user_agent)}",
            )
    return bool(ended)


def _session_expire(request: HttpRequest, reason: str) -> None:
    key = request.session.get(TRACKED_KEY)
    if key:
        _open_sessions(session_keys=[key]).update(ended_at=timezone.now(), ended_reason=reason)
    logout(request)
    messages.info(request, timeout_message(reason))


# -- disabling an account -----------------------------------------------------------------


def remember_was_active(user: Any, *, update_fields: Iterable[str] | None) -> None:
    """Before a user is saved: note whether the stored account was active."""
    if user.pk is None or (update_fields is not None and "is_active" not in update_fields):
        user._casemgmt_was_active = None
        return
    user._casemgmt_was_active = (
        type(user)._base_manager.filter(pk=user.pk).values_list("is_active", flat=True).first()
    )


def end_sessions_if_disabled(user: Any, *, created: bool) -> None:
    """After a user is saved: if the account was just disabled, end all its sessions."""
    was_active = getattr(user, "_casemgmt_was_active", None)
    user._casemgmt_was_active = None
    if created or not was_active or user.is_active:
        return
    user_sessions_end(actor=None, user=user, reason=Reason.ACCOUNT_DISABLED)


# -- the middleware -----------------------------------------------------------------------


def _signed_out_response(request: HttpRequest, reason: str) -> HttpResponse:
    login_url = reverse(settings.LOGIN_URL)
    if is_background_request(request):
        return JsonResponse(
            {
                "detail": timeout_message(reason) + ". Sign in again.",
                "reason": reason,
                "login_url": login_url,
            },
            status=401,
        )
    return redirect_to_login(request.get_full_path(), login_url)


class SessionTimeoutMiddleware:
    """Ends signed-in sessions that have timed out, and keeps their activity current."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = time.time()
        if SIGNED_IN_AT not in session:
            # Signed in before sessions were tracked: the clocks start now.
            if session.session_key is None:
                session.save()
            session[SIGNED_IN_AT] = now
            session[LAST_ACTIVITY] = now
            _track(request, user=user, session=session)
        reason = expired_reason(session, now)
        if reason is not None:
            _session_expire(request, reason)
            return _signed_out_response(request, reason)
        if session.session_key and session.get(TRACKED_KEY) != session.session_key:
            # The key was cycled (a password change): follow it.
            UserSession.objects.filter(session_key=session.get(TRACKED_KEY)).update(
                session_key=session.session_key
            )
            session[TRACKED_KEY] = session.session_key
        if not is_passive_request(request):
            session_touch(request, now=now)
        return self.get_response(request)


def session_touch(request: HttpRequest, *, now: float | None = None, force: bool = False) -> None:
    """The user was active: extend the idle time (written at most once a write interval)."""
    now = time.time() if now is None else now
    session = request.session
    last = float(session.get(LAST_ACTIVITY, 0))
    if not force and now - last < settings.SESSION_ACTIVITY_WRITE_INTERVAL:
        return
    session[LAST_ACTIVITY] = now
    key = session.get(TRACKED_KEY)
    if key:
        _open_sessions(session_keys=[key]).update(
            last_seen_at=timezone.now(), ip_address=_ip_address(request)
        )


# -- the page's configuration for static/js/session-timeout.js ------------------------------


def session_timeout(request: HttpRequest) -> dict[str, Any]:
    """Context processor: what the timeout warning on every signed-in page needs to know."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or not user.is_authenticated or session is None:
        return {}
    left = remaining(session)
    return {
        "session_timeout": {
            "idle_timeout": idle_timeout(),
            "idle_remaining": max(left.idle, 0),
            "absolute_remaining": max(left.absolute, 0),
            "warning": int(settings.SESSION_TIMEOUT_WARNING),
            "idle_words": duration_in_words(idle_timeout()),
            "absolute_words": duration_in_words(absolute_timeout()),
        }
    }
