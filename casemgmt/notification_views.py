"""The Notifications page: the signed-in user's own notifications."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casemgmt import notifications
from casemgmt.models import User

NOTIFICATIONS_PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first; a POST marks one, or all, read."""
    user = cast(User, request.user)
    if request.method == "POST":
        raw = request.POST.get("notification", "")
        if raw == "all":
            changed = notifications.notification_mark_read(actor=user)
        elif raw.isdigit() and len(raw) <= 18:
            changed = notifications.notification_mark_read(actor=user, notification_ids=[int(raw)])
        else:
            return HttpResponseBadRequest("Choose a notification to mark as read.")
        if changed:
            messages.success(request, "Marked as read.")
        return redirect("notifications")
    paginator = Paginator(notifications.notification_list_for(user=user), NOTIFICATIONS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "casemgmt/notifications.html",
        {
            "page": page,
            "unread": notifications.unread_count(user=user),
            "nav": "notifications",
        },
    )
