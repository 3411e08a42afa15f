"""Pages and endpoints about sessions: your own sessions, the timeout warning's calls, and
an administrator ending a user's sessions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from casemgmt import sessions
from casemgmt.models import User

_LARGEST_ID = 2**63 - 1
_SIGNED_OUT = {"detail": "You are not signed in.", "reason": "signed_out"}


class SessionEndForm(forms.Form):
    session = forms.IntegerField(
        min_value=1,
        max_value=_LARGEST_ID,
        error_messages={
            "required": "Choose a session to sign out",
            "invalid": "Choose a session from the list",
            "min_value": "Choose a session from the list",
            "max_value": "Choose a session from the list",
        },
    )


def _rows(request: HttpRequest) -> list[dict[str, object]]:
    current = request.session.session_key
    return [
        {
            "session": tracked,
            "device": sessions.describe_device(tracked.user_agent),
            "is_current": tracked.session_key == current,
        }
        for tracked in sessions.session_list_active(user=request.user)  # type: ignore[arg-type]
    ]


def _session_list(request: HttpRequest, form: SessionEndForm | None, status: int) -> HttpResponse:
    rows = _rows(request)
    return render(
        request,
        "casemgmt/session_list.html",
        {
            "rows": rows,
            "others": [row for row in rows if not row["is_current"]],
            "form": form,
            "nav": "sessions",
        },
        status=status,
    )


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """Your sessions: where you are signed in, and a way to sign the others out."""
    return _session_list(request, None, 200)


@login_required
@require_POST
def session_end(request: HttpRequest) -> HttpResponse:
    """Sign out one of your other sessions, or all of them."""
    user: User = request.user  # type: ignore[assignment]
    current = request.session.session_key
    if request.POST.get("scope") == "others":
        count = sessions.user_sessions_end(
            actor=user, user=user, reason=sessions.Reason.ENDED_BY_USER, keep_session_key=current
        )
        messages.success(
            request,
            f"Signed out {count} other session{'s' if count != 1 else ''}."
            if count
            else "You were not signed in anywhere else.",
        )
        return redirect("session-list")
    form = SessionEndForm(request.POST)
    if not form.is_valid():
        return _session_list(request, form, 400)
    session_id = form.cleaned_data["session"]
    if sessions.session_list_active(user=user).filter(pk=session_id, session_key=current).exists():
        form.add_error("session", "This is the session you are using now. To end it, sign out.")
        return _session_list(request, form, 400)
    if sessions.user_session_end(actor=user, session_id=session_id, current_session_key=current):
        messages.success(request, "That session is signed out.")
    else:
        # Someone else's session and one already ended look alike: nothing leaks.
        messages.info(request, "That session had already ended.")
    return redirect("session-list")


def _json_remaining(request: HttpRequest) -> JsonResponse:
    return JsonResponse(sessions.remaining(request.session).as_json())


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the timeouts. Not activity: asking does not extend the session."""
    if not request.user.is_authenticated:
        return JsonResponse(_SIGNED_OUT, status=401)
    response = _json_remaining(request)
    # After signing in again in another tab, a page's token is stale: here is the current one.
    response["X-CSRFToken"] = get_token(request)
    return response


@require_POST
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in": the idle time starts again (the absolute limit stays)."""
    if not request.user.is_authenticated:
        return JsonResponse(_SIGNED_OUT, status=401)
    sessions.session_touch(request, force=True)
    return _json_remaining(request)


@login_required
@require_POST
def user_sessions_end(request: HttpRequest, user_id: int) -> HttpResponse:
    """An administrator signs a user out everywhere (the button on the user's admin page)."""
    if not (request.user.is_staff and request.user.has_perm(sessions.END_USER_SESSIONS)):
        raise PermissionDenied
    target = User.objects.filter(pk=user_id).first() if user_id <= _LARGEST_ID else None
    if target is None:
        raise Http404
    count = sessions.user_sessions_end(
        actor=request.user,
        user=target,
        reason=sessions.Reason.ENDED_BY_ADMINISTRATOR,
        keep_session_key=request.session.session_key,
    )
    messages.success(
        request,
        f"Ended {count} session{'s' if count != 1 else ''} of {target.get_username()}."
        if count
        else f"{target.get_username()} was not signed in.",
    )
    return redirect("admin:casemgmt_user_change", target.pk)


@admin.action(description="End all sessions of the selected users", permissions=["change"])
def end_sessions(modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: Any) -> None:
    """The admin action on users: sign each one out everywhere (but not the acting session)."""
    total = 0
    for target in queryset:
        total += sessions.user_sessions_end(
            actor=request.user,  # type: ignore[arg-type]
            user=target,
            reason=sessions.Reason.ENDED_BY_ADMINISTRATOR,
            keep_session_key=request.session.session_key,
        )
    modeladmin.message_user(
        request, f"Ended {total} session{'s' if total != 1 else ''}.", messages.SUCCESS
    )
