"""What every page about one person needs: the banner, the alerts, the tabs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clients import events, permissions
from clients.models import Person
from clients.person_summary import Banner, person_banner


def person_banner_context(
    person: Person, user: Any, *, tab: str, banner: Banner | None = None
) -> dict[str, Any]:
    """Context for templates extending clients/_person_layout.html (one query, or none
    when the caller has read the `banner` with the rest of its page)."""
    if banner is None:
        banner = person_banner(person=person, today=timezone.localdate())
    return {
        "person": person,
        "alerts": banner.alerts,
        "allocation": banner.allocation,
        "tab": tab,
        "can_view_notes": permissions.can_view_case_notes(user),
        "can_view_chronology": permissions.can_view_chronology(user),
        "can_view_access_log": permissions.can_view_access_log(user),
        "can_change_person": permissions.can_change_person(user),
        "can_merge": permissions.can_merge(user),
        "can_manage_record_access": permissions.can_manage_record_access_tab(
            user, banner.allocation.team_id if banner.allocation else None
        ),
        "nav": "people",
    }


def render_person_page(
    request: HttpRequest,
    template: str,
    person: Person,
    context: dict[str, Any],
    *,
    what: str,
    tab: str,
    status: int = 200,
    banner: Banner | None = None,
) -> HttpResponse:
    """Render a page of the person's record with its banner, writing its one access event."""
    events.person_viewed(actor=request.user, person=person, what=what)  # type: ignore[arg-type]
    page = {**person_banner_context(person, request.user, tab=tab, banner=banner), **context}
    return render(request, template, page, status=status)
