"""The chronology (read, add, hide, put back, export) and a person's access log."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import AuditEvent
from clients import events, permissions
from clients.forms.chronology import (
    SUGGESTED_CATEGORIES,
    AccessLogFilterForm,
    ChronologyEntryForm,
    ChronologyFilterForm,
    ChronologyHideForm,
)
from clients.models import ChronologyEntry, Person
from clients.services import chronology as chronology_services
from clients.views.common import person_banner_context, render_person_page

ENTRIES_PER_PAGE = 50
EVENTS_PER_PAGE = 50
_CHANGE_VALUE_LIMIT = 300


def _person_for_chronology(request: HttpRequest, person_id: int, *, curate: bool = False) -> Person:
    """The person, if the user may see (and, with `curate`, change) their chronology."""
    person = permissions.access_person(request.user, person_id)
    if not permissions.can_view_chronology(request.user):
        raise Http404("No such person.")
    if curate and not permissions.can_curate_chronology(request.user):
        raise Http404("No such person.")
    return person


def _entry(person: Person, entry_id: int) -> ChronologyEntry:
    entry = (
        ChronologyEntry.objects.filter(person=person, pk=entry_id)
        .select_related("created_by", "hidden_by")
        .first()
    )
    if entry is None:
        raise Http404("No such chronology entry.")
    return entry


def _render(
    request: HttpRequest,
    template: str,
    person: Person,
    context: dict[str, Any],
    *,
    what: str,
    tab: str = "chronology",
) -> HttpResponse:
    return render_person_page(request, template, person, context, what=what, tab=tab)


def _filter_query(request: HttpRequest) -> str:
    """The current filters as a query string, without the page number."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def chronology_list(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person_for_chronology(request, person_id)
    categories = chronology_services.chronology_categories(person=person)
    form = ChronologyFilterForm(request.GET or None, categories=categories)
    filters = form.service_filters() if form.is_bound else {}
    entries = chronology_services.chronology_entries(person=person, **filters)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "clients/chronology.html",
        person,
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "form": form,
            "categories": categories,
            "sources": ChronologyEntry.Source.choices,
            "show_hidden": bool(filters.get("include_hidden")),
            "is_filtered": any(filters.values()),
            "filter_query": _filter_query(request),
            "can_curate": permissions.can_curate_chronology(request.user),
            "can_view_notes": permissions.can_view_case_notes(request.user),
        },
        what="chronology",
    )


@login_required
@require_http_methods(["GET", "POST"])
def chronology_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person_for_chronology(request, person_id, curate=True)
    if request.method == "POST":
        form = ChronologyEntryForm(request.POST)
        if form.is_valid():
            try:
                chronology_services.chronology_entry_add(
                    actor=request.user,  # type: ignore[arg-type]
                    person=person,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Entry added to the chronology.")
                return redirect("clients:chronology", person_id=person.pk)
    else:
        form = ChronologyEntryForm()
    return _render(
        request,
        "clients/chronology_form.html",
        person,
        {"form": form, "suggested_categories": SUGGESTED_CATEGORIES},
        what="chronology entry form",
    )


@login_required
@require_http_methods(["GET", "POST"])
def chronology_hide(request: HttpRequest, person_id: int, entry_id: int) -> HttpResponse:
    person = _person_for_chronology(request, person_id, curate=True)
    entry = _entry(person, entry_id)
    if entry.is_hidden:
        messages.info(request, "That entry is already hidden.")
        url = reverse("clients:chronology", kwargs={"person_id": person.pk})
        return redirect(f"{url}?show_hidden=on")
    if request.method == "POST":
        form = ChronologyHideForm(request.POST)
        if form.is_valid():
            try:
                chronology_services.chronology_entry_hide(
                    actor=request.user,  # type: ignore[arg-type]
                    entry=entry,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error("reason", error.messages)
            else:
                messages.success(
                    request,
                    "Entry hidden. It is kept, and shown when “Show hidden entries” is ticked.",
                )
                return redirect("clients:chronology", person_id=person.pk)
    else:
        form = ChronologyHideForm()
    return _render(
        request,
        "clients/chronology_hide.html",
        person,
        {"form": form, "entry": entry},
        what=f"chronology entry {entry.pk}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def chronology_unhide(request: HttpRequest, person_id: int, entry_id: int) -> HttpResponse:
    person = _person_for_chronology(request, person_id, curate=True)
    entry = _entry(person, entry_id)
    if not entry.is_hidden:
        messages.info(request, "That entry is already on the chronology.")
        return redirect("clients:chronology", person_id=person.pk)
    if request.method == "POST":
        try:
            chronology_services.chronology_entry_unhide(
                actor=request.user,  # type: ignore[arg-type]
                entry=entry,
            )
        except ValidationError as error:
            messages.info(request, error.messages[0])
        else:
            messages.success(request, "Entry put back on the chronology.")
        return redirect("clients:chronology", person_id=person.pk)
    return _render(
        request,
        "clients/chronology_unhide.html",
        person,
        {"entry": entry},
        what=f"chronology entry {entry.pk}",
    )


@login_required
@require_GET
def chronology_export(request: HttpRequest, person_id: int) -> StreamingHttpResponse:
    person = _person_for_chronology(request, person_id)
    form = ChronologyFilterForm(request.GET or None)
    filters = form.service_filters() if form.is_bound else {}
    entries = chronology_services.chronology_entries(person=person, **filters)
    events.person_exported(
        actor=request.user,  # type: ignore[arg-type]
        person=person,
        what="chronology (CSV)",
    )
    response = StreamingHttpResponse(
        chronology_services.chronology_csv_lines(entries.iterator(chunk_size=1000)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"chronology-person-{person.pk}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------
# The access log
# ---------------------------------------------------------------------------


def _ids_with_merged(person: Person) -> list[int]:
    """The person's id and the ids of every record merged into them (at any depth)."""
    ids = [person.pk]
    frontier = [person.pk]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _shown(value: Any) -> str:
    text = "—" if value in (None, "", [], {}) else str(value)
    if len(text) > _CHANGE_VALUE_LIMIT:
        return text[:_CHANGE_VALUE_LIMIT] + "…"
    return text


def _change_lines(changes: Any) -> list[tuple[str, str, str]]:
    """An audit event's changes as (field, old, new) rows, whatever shape they were written in."""
    if not isinstance(changes, dict):
        return []
    lines = []
    for field, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            lines.append((str(field), _shown(values[0]), _shown(values[1])))
        else:
            lines.append((str(field), "", _shown(values)))
    return lines


@login_required
@require_GET
def access_log(request: HttpRequest, person_id: int) -> HttpResponse:
    person = permissions.access_person(request.user, person_id)
    if not permissions.can_view_access_log(request.user):
        raise Http404("No such person.")
    ids = _ids_with_merged(person)
    # Written first, so the manager's own look is the newest line of the log.
    events.person_viewed(actor=request.user, person=person, what="access log")  # type: ignore[arg-type]
    log = AuditEvent.objects.filter(person_id__in=ids)
    usernames = list(
        log.exclude(actor_username="")
        .order_by("actor_username")
        .values_list("actor_username", flat=True)
        .distinct()
    )
    form = AccessLogFilterForm(request.GET or None, usernames=usernames)
    filters = form.valid_filters() if form.is_bound else {}
    if filters.get("user"):
        log = log.filter(actor_username=filters["user"])
    if filters.get("kind"):
        log = log.filter(kind=filters["kind"])
    if filters.get("date_from"):
        log = log.filter(occurred_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        log = log.filter(occurred_at__lt=_start_of(filters["date_to"] + datetime.timedelta(days=1)))
    log = log.select_related("actor").order_by("-occurred_at", "-id")
    page = Paginator(log, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(event, _change_lines(event.changes)) for event in page]
    return render(
        request,
        "clients/access_log.html",
        {
            **person_banner_context(person, request.user, tab="access-log"),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "rows": rows,
            "form": form,
            "merged_ids": ids[1:],
            "is_filtered": any(filters.values()),
        },
    )
