"""Merging duplicates: find the duplicate of a person, compare the two, fold one into the other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import User
from clients import events, permissions
from clients.forms.person import MergeForm
from clients.models import Person
from clients.search import hidden_duplicate_may_match, likely_duplicates
from clients.services.merge import merge_problems, person_merge, person_relations
from clients.views.common import person_banner_context
from clients.views.search import query_without_page, run_search


def _merge_access(request: HttpRequest, person_id: int, *, include_merged: bool = False) -> Person:
    person = permissions.access_person(request.user, person_id, include_merged=include_merged)
    if not permissions.can_merge(request.user):
        raise Http404("No such person.")
    return person


@login_required
@require_GET
def merge_choose(request: HttpRequest, person_id: int) -> HttpResponse:
    """Look for the duplicate to fold into this person: likely ones first, or search."""
    person = _merge_access(request, person_id)
    user = cast(User, request.user)
    # The search is part of looking at this record: one access event covers both.
    form, results = run_search(request, audit=False)
    duplicates = likely_duplicates(
        user=user,
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        nhs_number=None,
        postcode=person.current_postcode or None,
        exclude_id=person.pk,
    )
    hidden_match = hidden_duplicate_may_match(
        user=user,
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        nhs_number=None,
        postcode=person.current_postcode or None,
        exclude_id=person.pk,
    )
    what = "record to look for its duplicates"
    if results is not None:
        what += f" (searched for {form.criteria.describe()}: {results.total} found)"
    events.person_viewed(actor=user, person=person, what=what)
    context = {
        **person_banner_context(person, user, tab="summary"),
        "form": form,
        "results": results,
        "duplicates": duplicates,
        "hidden_match": hidden_match,
        "query": query_without_page(request.GET),
    }
    return render(request, "clients/merge_choose.html", context)


@dataclass
class _Row:
    label: str
    kept: Any
    merged: Any


def _held_rows(people: list[Person]) -> dict[int, dict[str, int]]:
    """For each person, how many rows of each table point at them (one query, every table)."""
    relations = person_relations()
    # A table pointing at Person twice (a relationship's person and other, stored in both
    # directions) is counted once, through its visible relation.
    visible_models = {relation.related_model for relation in relations if not relation.hidden}
    relations = [
        relation
        for relation in relations
        if not relation.hidden or relation.related_model not in visible_models
    ]
    counts = {}
    for index, relation in enumerate(relations):
        model = relation.related_model
        field = relation.field.name
        counts[f"n{index}"] = Coalesce(
            Subquery(
                model._base_manager.filter(**{field: OuterRef("pk")})
                .order_by()
                .values(field)
                .annotate(total=Count("pk"))
                .values("total")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
    rows = Person.objects.filter(pk__in=[person.pk for person in people]).annotate(**counts)
    held: dict[int, dict[str, int]] = {}
    for row in rows.values("pk", *counts):
        tally: dict[str, int] = {}
        for index, relation in enumerate(relations):
            label = str(relation.related_model._meta.verbose_name_plural).capitalize()
            if relation.related_model is Person:
                label = "Records merged into this one"
            tally[label] = tally.get(label, 0) + row[f"n{index}"]
        held[row["pk"]] = tally
    return held


def _comparison(kept: Person, merged: Person) -> list[_Row]:
    def names(person: Person) -> str:
        return ", ".join(str(name) for name in person.other_names.all()) or "None"

    def address(person: Person) -> str:
        current = next((a for a in person.addresses.all() if a.end_date is None), None)
        return str(current) if current else "None"

    rows = [
        _Row("Person ID", kept.pk, merged.pk),
        _Row("Name", kept.full_name, merged.full_name),
        _Row("Other names", names(kept), names(merged)),
        _Row("Date of birth", kept.date_of_birth, merged.date_of_birth),
        _Row("Date of death", kept.date_of_death, merged.date_of_death),
        _Row("Sex", kept.get_sex_display(), merged.get_sex_display()),
        _Row("Ethnicity", kept.get_ethnicity_display(), merged.get_ethnicity_display()),
        _Row("NHS number", kept.nhs_number, merged.nhs_number),
        _Row("UPN", kept.upn, merged.upn),
        _Row("National Insurance number", kept.ni_number, merged.ni_number),
        _Row("Current address", address(kept), address(merged)),
    ]
    held = _held_rows([kept, merged])
    for label, count in held.get(kept.pk, {}).items():
        other = held.get(merged.pk, {}).get(label, 0)
        if count or other:
            rows.append(_Row(label, count, other))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def merge_confirm(request: HttpRequest, person_id: int, other_id: int) -> HttpResponse:
    """The two records side by side; a reason; then the duplicate is folded into this person."""
    kept = _merge_access(request, person_id, include_merged=True)
    merged = _merge_access(request, other_id, include_merged=True)
    user = cast(User, request.user)
    problems = merge_problems(kept=kept, merged=merged)
    form = MergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not problems and form.is_valid():
        try:
            person_merge(actor=user, kept=kept, merged=merged, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Person ID {merged.pk} has been merged into this record. "
                "Everything it held is now here.",
            )
            return redirect("clients:person-detail", person_id=kept.pk)
    prefetch_related_objects([kept, merged], "other_names", "addresses")
    events.person_viewed(
        actor=user, person=kept, what=f"record beside person ID {merged.pk} to merge them"
    )
    context = {
        **person_banner_context(kept, user, tab="summary"),
        "other": merged,
        "form": form,
        "problems": [message for messages_ in problems.values() for message in messages_],
        "rows": _comparison(kept, merged),
    }
    return render(request, "clients/merge_confirm.html", context, status=200)
