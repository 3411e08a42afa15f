"""What a member of staff viewed, and the queue of flagged access with its review form."""

from __future__ import annotations

import datetime
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import AuditEvent, TeamMembership, User
from clients.permissions import can_view_access_log
from governance import events, permissions, selectors, services
from governance.forms import FlagFilterForm, FlagReviewForm, UserAccessFilterForm
from governance.models import AccessFlag

EVENTS_PER_PAGE = 50
FLAGS_PER_PAGE = 50


def _acting_user(request: HttpRequest) -> User:
    # Every view here is behind login_required.
    return cast(User, request.user)


@login_required
@require_GET
def user_access(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = _acting_user(request)
    member = permissions.access_staff_member(viewer, user_id)
    form = UserAccessFilterForm(request.GET or None)
    filters = form.valid_filters() if form.is_bound else {}
    # Written first, so the viewer's own look is on record whatever the page then shows.
    events.staff_access_viewed(actor=viewer, member=member)
    log = selectors.access_events_of(
        user=member, date_from=filters.get("date_from"), date_to=filters.get("date_to")
    )
    page = Paginator(log, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    names = selectors.person_names(viewer=viewer, person_ids=[event.person_id for event in page])
    return render(
        request,
        "governance/user_access.html",
        {
            "member": member,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "rows": [(event, names.get(event.person_id or 0)) for event in page],
            "form": form,
            "is_filtered": bool(filters.get("date_from") or filters.get("date_to")),
            "can_view_access_log": can_view_access_log(viewer),
        },
    )


@login_required
@require_GET
def flag_list(request: HttpRequest) -> HttpResponse:
    viewer = _acting_user(request)
    if not permissions.can_review_access(viewer):
        raise PermissionDenied
    form = FlagFilterForm(request.GET or None)
    filters = form.valid_filters() if form.is_bound else {}
    flags = selectors.access_flag_list_visible_to(
        user=viewer, status=filters.get("status", ""), rule=filters.get("rule", "")
    )
    page = Paginator(flags, FLAGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/flag_list.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "form": form,
            "is_filtered": bool(filters.get("status") or filters.get("rule")),
            "nav": "governance",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    viewer = _acting_user(request)
    flag = permissions.access_flag(viewer, flag_id)
    form = FlagReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_flag_close(
                actor=viewer,
                flag=flag,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Flag closed: {flag.user} ({flag.get_rule_display()}).")
            return redirect("governance:flag-list")
    # The page names the people the flag is about, so showing it is recorded.
    events.access_flag_viewed(actor=viewer, flag=flag)
    names = selectors.person_names(viewer=viewer, person_ids=flag.person_ids)
    first_day = timezone.localdate(flag.window_start)
    last_day = timezone.localdate(flag.window_end - datetime.timedelta(microseconds=1))
    # The teams the member of staff was in during the window (what rule A checked).
    teams = (
        TeamMembership.objects.filter(user_id=flag.user_id, start_date__lte=last_day)
        .exclude(end_date__lt=first_day)
        .select_related("team")
        .order_by("team__name")
    )
    return render(
        request,
        "governance/flag_detail.html",
        {
            "flag": flag,
            "people": [(person_id, names.get(person_id)) for person_id in flag.person_ids],
            "teams": list(teams),
            # The reasons given for emergency access (the break-the-glass rule).
            "break_glass_events": list(
                AuditEvent.objects.filter(
                    kind=AuditEvent.Kind.BREAK_GLASS,
                    actor_id=flag.user_id,
                    occurred_at__gte=flag.window_start,
                    occurred_at__lt=flag.window_end,
                ).order_by("occurred_at", "id")
            )
            if flag.rule == AccessFlag.Rule.BREAK_GLASS
            else [],
            "form": form,
            "is_own_flag": flag.user_id == viewer.pk,
            "first_day": first_day,
            "last_day": last_day,
            "can_view_access_log": can_view_access_log(viewer),
            "can_view_user_access": permissions.can_view_user_access(viewer),
            "nav": "governance",
        },
    )
