"""What every page about one person needs: the banner, the alerts, the tabs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clients import events, permissions
from clients.models import Alert, Involvement, Person


def person_banner_context(person: Person, user: Any, *, tab: str) -> dict[str, Any]:
    """Context for templates extending clients/_person_layout.html (two queries)."""
    today = timezone.localdate()
    alerts = list(
        Alert.objects.filter(person=person, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("type")
        .order_by("type__severity", "type__name")
    )
    allocation = (
        Involvement.objects.filter(person=person, end_date__isnull=True, role__is_allocation=True)
        .select_related("worker", "team", "role")
        .order_by("-start_date")
        .first()
    )
    return {
        "person": person,
        "alerts": alerts,
        "allocation": allocation,
        "tab": tab,
        "can_view_notes": permissions.can_view_case_notes(user),
        "can_view_chronology": permissions.can_view_chronology(user),
        "can_view_access_log": permissions.can_view_access_log(user),
        "can_change_person": permissions.can_change_person(user),
        "can_merge": permissions.can_merge(user),
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
) -> HttpResponse:
    """Render a page of the person's record with its banner, writing its one access event."""
    events.person_viewed(actor=request.user, person=person, what=what)  # type: ignore[arg-type]
    page = {**person_banner_context(person, request.user, tab=tab), **context}
    return render(request, template, page, status=status)
