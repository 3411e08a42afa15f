"""Who may open a record: the access page (level and grants), and breaking the glass.

The access page is for the managers of the record's allocated teams, senior managers and
information governance (clients.selectors.person_list_access_manageable_by); everyone
else gets the 404 of a person who does not exist. Each page shown writes one access event.

The break-the-glass page names nobody: it is shown, instead of the 404, to a user whose
role allows it who opens a restricted record they were not granted. It answers 403 and
writes nothing until they give a reason.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casemgmt.models import User
from clients import record_access
from clients.forms.access import (
    LEVEL_HINTS,
    AccessLevelForm,
    BreakGlassForm,
    GrantForm,
    RemoveGrantForm,
)
from clients.models import Person
from clients.permissions import access_person
from clients.selectors import record_access_grant_list
from clients.views import common

BREAK_GLASS_TEMPLATE = "clients/break_glass.html"


def _acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _access_page(
    request: HttpRequest,
    person: Person,
    *,
    level_form: AccessLevelForm,
    grant_form: GrantForm,
    status: int = 200,
    page_error: str = "",
) -> HttpResponse:
    grants = record_access_grant_list(person=person)
    bound = level_form if level_form.is_bound else grant_form
    return common.render_person_page(
        request,
        "clients/record_access.html",
        person,
        {
            "level_form": level_form,
            "grant_form": grant_form,
            "form": bound,
            "level_options": [
                (value, label, LEVEL_HINTS[value]) for value, label in Person.AccessLevel.choices
            ],
            "chosen_level": level_form["access_level"].value() or person.access_level,
            "grants": grants,
            "page_error": page_error,
        },
        what="who may open the record",
        tab="access",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_access_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """The record's access level and grants; a POST changes the level or adds a grant."""
    user = _acting_user(request)
    person = record_access.access_person_for_access_management(user, person_id)
    is_sealed = person.access_level == Person.AccessLevel.SEALED
    action = request.POST.get("action", "") if request.method == "POST" else ""
    level_form = AccessLevelForm(request.POST if action == "level" else None, prefix="level")
    grant_form = GrantForm(
        request.POST if action == "grant" else None, prefix="grant", is_sealed=is_sealed
    )
    if request.method == "POST":
        if action == "level":
            if level_form.is_valid():
                try:
                    record_access.record_access_level_set(
                        actor=user,
                        person=person,
                        access_level=level_form.cleaned_data["access_level"],
                        reason=level_form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    level_form.add_service_errors(error)
                else:
                    messages.success(
                        request, f"The record is now {person.get_access_level_display().lower()}"
                    )
                    return redirect("clients:record-access", person_id=person.pk)
        elif action == "grant":
            if grant_form.is_valid():
                data = grant_form.cleaned_data
                try:
                    grant = record_access.record_access_grant_add(
                        actor=user,
                        person=person,
                        user=data.get("user"),
                        team=data.get("team_object"),
                        reason=data["reason"],
                    )
                except ValidationError as error:
                    grant_form.add_service_errors(error, rename={"grantee": "username"})
                else:
                    messages.success(request, f"{grant.grantee} can now open the record")
                    return redirect("clients:record-access", person_id=person.pk)
        else:
            # A form from elsewhere, or a tampered one.
            return _access_page(
                request,
                person,
                level_form=level_form,
                grant_form=grant_form,
                status=400,
                page_error="Choose what to change, then try again.",
            )
        return _access_page(
            request, person, level_form=level_form, grant_form=grant_form, status=400
        )
    return _access_page(request, person, level_form=level_form, grant_form=grant_form)


@login_required
@require_http_methods(["GET", "POST"])
def record_access_remove(request: HttpRequest, person_id: int, grant_id: int) -> HttpResponse:
    """Confirm taking one grant away, with a reason."""
    user = _acting_user(request)
    person = record_access.access_person_for_access_management(user, person_id)
    grant = next((g for g in record_access_grant_list(person=person) if g.pk == grant_id), None)
    if grant is None:
        raise Http404("No such access.")
    form = RemoveGrantForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            record_access.record_access_grant_remove(
                actor=user, person=person, grant_id=grant.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_errors(error, rename={"grant": "reason"})
        else:
            messages.success(request, f"{grant.grantee} can no longer open the record")
            return redirect("clients:record-access", person_id=person.pk)
    return common.render_person_page(
        request,
        "clients/record_access_remove.html",
        person,
        {"form": form, "grant": grant},
        what="who may open the record",
        tab="access",
        status=400 if form.is_bound else 200,
    )


def break_glass_prompt(
    request: HttpRequest, person: Person, form: BreakGlassForm | None = None
) -> HttpResponse:
    """The page asking for a reason: it shows nothing of the record (and writes nothing).

    403 until a reason is given; 400 when the reason given cannot be accepted.
    """
    context: dict[str, Any] = {
        "form": form or BreakGlassForm(),
        "person_id": person.pk,
        "nav": "people",
    }
    status = 400 if form is not None and form.is_bound else 403
    return render(request, BREAK_GLASS_TEMPLATE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, person_id: int) -> HttpResponse:
    """Open a restricted record in an emergency by giving a reason."""
    user = _acting_user(request)
    try:
        visible = access_person(user, person_id)
    except Http404:
        visible = None
    if visible is not None:
        # Already open to them: nothing to break.
        return redirect("clients:person-detail", person_id=visible.pk)
    person = record_access.break_glass_candidate(user, person_id)
    if person is None:
        raise Http404("No such person.")
    form = BreakGlassForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            record_access.record_break_glass(
                actor=user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                "You can open this record until the end of today. Its allocated worker and "
                "their manager have been told.",
            )
            return redirect("clients:person-detail", person_id=person.pk)
    return break_glass_prompt(request, person, form)
