"""Finding people, and adding someone new once we are sure they are not already known."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt import roles
from casemgmt.models import User
from clients import events, permissions
from clients.forms.person import ADDRESS_ERRORS, PersonCreateForm
from clients.forms.search import SearchForm, is_search_submitted
from clients.search import (
    SearchResults,
    hidden_duplicate_may_match,
    likely_duplicates,
    search_people,
)
from clients.services.people import person_create as create_person


def _page_number(data: QueryDict) -> int:
    text = str(data.get("page", "1"))
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 5 else 1


def query_without_page(data: QueryDict) -> str:
    query = data.copy()
    query.pop("page", None)
    return query.urlencode()


def run_search(
    request: HttpRequest, *, audit: bool = True
) -> tuple[SearchForm, SearchResults | None]:
    """Read the search form from the query string and, if it is sound, search.

    The search is audited (one event, not one per person found) unless the caller
    records it in its own access event (`audit=False`).
    """
    user = cast(User, request.user)
    if not is_search_submitted(request.GET):
        return SearchForm(), None
    form = SearchForm(request.GET)
    if not form.is_valid():
        return form, None
    try:
        results = search_people(
            user=user, criteria=form.criteria_for_page(_page_number(request.GET))
        )
    except ValidationError as error:  # the form checks the same rules; this is a backstop
        form.add_service_errors(error, rename={"date_of_birth": "dob"})
        return form, None
    if audit:
        events.people_searched(
            actor=user, criteria=form.criteria.describe(), result_count=results.total
        )
    return form, results


@login_required
@require_GET
def person_search(request: HttpRequest) -> HttpResponse:
    """Find a person. One audit event per search, however many people it shows."""
    if not permissions.can(request.user, roles.VIEW_PERSON):
        raise PermissionDenied
    form, results = run_search(request)
    context = {
        "form": form,
        "results": results,
        "query": query_without_page(request.GET),
        "can_add_person": permissions.can(request.user, roles.ADD_PERSON),
        "nav": "people",
    }
    template = (
        "clients/_search_area.html" if getattr(request, "htmx", False) else "clients/search.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """Add a person, after showing anyone already known who may be them."""
    if not permissions.can(request.user, roles.ADD_PERSON):
        raise PermissionDenied
    user = cast(User, request.user)
    duplicates = []
    hidden_match = False
    checked_for = ""
    if request.method == "POST":
        form = PersonCreateForm(request.POST)
        if form.is_valid():
            confirmed = (
                request.POST.get("confirm") == "new"
                and request.POST.get("checked_for") == form.signature()
            )
            if not confirmed:
                check = form.duplicate_check()
                duplicates = likely_duplicates(user=user, **check)
                # A restricted record that may match is mentioned, never shown.
                hidden_match = hidden_duplicate_may_match(user=user, **check)
                events.people_searched(
                    actor=user,
                    criteria=f"possible duplicates of {check['first_name']} {check['last_name']}",
                    result_count=len(duplicates),
                )
                checked_for = form.signature()
            if not duplicates and not hidden_match:
                try:
                    person = create_person(
                        actor=user, address=form.address_values(), **form.person_values()
                    )
                except ValidationError as error:
                    form.add_service_errors(error, rename=ADDRESS_ERRORS)
                else:
                    messages.success(request, f"{person.full_name} has been added.")
                    return redirect("clients:person-detail", person_id=person.pk)
    else:
        form = PersonCreateForm()
    return render(
        request,
        "clients/person_create.html",
        {
            "form": form,
            "duplicates": duplicates,
            "hidden_match": hidden_match,
            "checked_for": checked_for,
            "nav": "add-person",
        },
    )
