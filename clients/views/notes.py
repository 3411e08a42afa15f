"""Case notes: the list, one note, writing, editing a draft, finalising and amending."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import User
from clients import permissions
from clients.extensions import note_actions
from clients.forms.notes import CaseNoteForm, NoteFilterForm, parse_version
from clients.models import CaseNote, Person
from clients.services import notes as note_services
from clients.views.common import render_person_page

NOTES_PER_PAGE = 25
LOCKED_MESSAGE = (
    "This note has been finalised, so your changes have not been saved. "
    "What you typed is still below: to correct the note, copy it into an amendment."
)


def _person_for_notes(request: HttpRequest, person_id: int, *, write: bool = False) -> Person:
    """The person, if the user may read (and, with `write`, add) their notes; otherwise 404."""
    person = permissions.access_person(request.user, person_id)
    if not permissions.can_view_case_notes(request.user):
        raise Http404("No such person.")
    if write and not permissions.can_add_case_note(request.user):
        raise Http404("No such person.")
    return person


def _visible_note(request: HttpRequest, person: Person, note_id: int) -> CaseNote:
    """A note the user may read (final, or their own draft); otherwise 404."""
    note = (
        note_services.notes_visible_to(user=request.user, person=person)
        .select_related("amends", "amends__author")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    return note


def _render(
    request: HttpRequest,
    template: str,
    person: Person,
    context: dict[str, Any],
    *,
    what: str,
    status: int = 200,
) -> HttpResponse:
    return render_person_page(
        request, template, person, context, what=what, tab="notes", status=status
    )


@login_required
@require_GET
def note_list(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person_for_notes(request, person_id)
    visible = note_services.notes_visible_to(user=request.user, person=person)
    authors = User.objects.filter(
        pk__in=CaseNote.objects.filter(person=person)
        .filter(Q(status=CaseNote.Status.FINAL) | Q(author_id=request.user.pk))
        .values("author_id")
    ).order_by("first_name", "last_name", "username")
    form = NoteFilterForm(request.GET or None, authors=authors)
    filters = form.valid_filters() if form.is_bound else {}
    if filters.get("type"):
        visible = visible.filter(type=filters["type"])
    if filters.get("significant"):
        visible = visible.filter(is_significant=True)
    if filters.get("author"):
        visible = visible.filter(author=filters["author"])
    if filters.get("date_from"):
        visible = visible.filter(event_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        visible = visible.filter(event_at__date__lte=filters["date_to"])
    # The list shows the start of each note; whole bodies can be 50,000 characters.
    visible = visible.defer("body").annotate(preview=Substr("body", 1, 240))
    page = Paginator(visible, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "clients/note_list.html",
        person,
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "form": form,
            "is_filtered": any(filters.values()),
            "can_add_note": permissions.can_add_case_note(request.user),
        },
        what="case notes",
    )


@login_required
@require_GET
def note_detail(request: HttpRequest, person_id: int, note_id: int) -> HttpResponse:
    person = _person_for_notes(request, person_id)
    note = _visible_note(request, person, note_id)
    amendments = list(note.amendments.select_related("author").order_by("id"))
    is_own_draft = note.is_draft and note.author_id == request.user.pk
    return _render(
        request,
        "clients/note_detail.html",
        person,
        {
            "note": note,
            "amendments": amendments,
            "can_edit": is_own_draft and permissions.can_add_case_note(request.user),
            "can_amend": not note.is_draft
            and not amendments
            and permissions.can_add_case_note(request.user),
            "note_actions": note_actions(person, note, request.user),
        },
        what=f"case note {note.pk}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person_for_notes(request, person_id, write=True)
    if request.method == "POST":
        form = CaseNoteForm(request.POST)
        finalise = request.POST.get("action") == "finalise"
        if form.is_valid():
            try:
                note = note_services.note_create(
                    actor=request.user,  # type: ignore[arg-type]
                    person=person,
                    finalise=finalise,
                    **form.note_values(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, "Case note finalised." if finalise else "Case note saved as a draft."
                )
                return redirect("clients:note-detail", person_id=person.pk, note_id=note.pk)
    else:
        form = CaseNoteForm(initial={"event_date": timezone.localdate()})
    return _render(
        request,
        "clients/note_form.html",
        person,
        {"form": form, "mode": "create"},
        what="new case note form",
    )


def _locked(request: HttpRequest, person: Person, note: CaseNote) -> HttpResponse:
    """A finalised note cannot be edited: say so, and offer an amendment instead."""
    return _render(
        request,
        "clients/note_locked.html",
        person,
        {"note": note, "can_amend": permissions.can_add_case_note(request.user)},
        what=f"case note {note.pk}",
        status=403,
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, person_id: int, note_id: int) -> HttpResponse:
    person = _person_for_notes(request, person_id, write=True)
    note = _visible_note(request, person, note_id)
    if not note.is_draft and request.method == "POST":
        # Finalised (perhaps in another tab) while this was being typed: refuse, but
        # show what was typed so that it can be copied into an amendment.
        form = CaseNoteForm(request.POST, current_type=note.type)
        form.is_valid()
        form.add_error(None, LOCKED_MESSAGE)
        return _render(
            request,
            "clients/note_form.html",
            person,
            {
                "form": form,
                "mode": "edit",
                "note": note,
                "locked": True,
                "can_amend": permissions.can_add_case_note(request.user),
            },
            what=f"case note {note.pk}",
            status=403,
        )
    if not note.is_draft:
        return _locked(request, person, note)
    saved: CaseNote | None = None
    if request.method == "POST":
        form = CaseNoteForm(request.POST, current_type=note.type)
        finalise = request.POST.get("action") == "finalise"
        if form.is_valid():
            try:
                note_services.note_update(
                    actor=request.user,  # type: ignore[arg-type]
                    note=note,
                    version=form.cleaned_data["version"],
                    finalise=finalise,
                    **form.note_values(),
                )
            except note_services.NoteEditConflict as conflict:
                # Keep everything typed; the next save knowingly replaces what is saved now.
                saved = conflict.saved
                data = request.POST.copy()
                data["version"] = str(saved.version)
                form = CaseNoteForm(data, current_type=note.type)
                form.is_valid()
                form.add_error(None, conflict)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, "Case note finalised." if finalise else "Draft case note saved."
                )
                return redirect("clients:note-detail", person_id=person.pk, note_id=note.pk)
    else:
        form = CaseNoteForm(initial=CaseNoteForm.initial_from(note), current_type=note.type)
    return _render(
        request,
        "clients/note_form.html",
        person,
        {"form": form, "mode": "edit", "note": note, "saved": saved},
        what=f"case note {note.pk}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_finalise(request: HttpRequest, person_id: int, note_id: int) -> HttpResponse:
    person = _person_for_notes(request, person_id, write=True)
    note = _visible_note(request, person, note_id)
    if not note.is_draft:
        messages.info(request, "This case note is already final.")
        return redirect("clients:note-detail", person_id=person.pk, note_id=note.pk)
    error_message = ""
    if request.method == "POST":
        version = parse_version(request.POST.get("version"))
        try:
            note_services.note_finalise(
                actor=request.user,  # type: ignore[arg-type]
                note=note,
                version=version,
            )
        except note_services.NoteEditConflict as conflict:
            note = conflict.saved
            error_message = conflict.messages[0]
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("clients:note-detail", person_id=person.pk, note_id=note.pk)
        else:
            messages.success(request, "Case note finalised. It can no longer be changed.")
            return redirect("clients:note-detail", person_id=person.pk, note_id=note.pk)
    return _render(
        request,
        "clients/note_finalise.html",
        person,
        {"note": note, "error_message": error_message},
        what=f"case note {note.pk}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_amend(request: HttpRequest, person_id: int, note_id: int) -> HttpResponse:
    person = _person_for_notes(request, person_id, write=True)
    original = _visible_note(request, person, note_id)
    if original.is_draft:
        messages.info(request, "This note is still a draft, so you can change it directly.")
        return redirect("clients:note-edit", person_id=person.pk, note_id=original.pk)
    if original.is_amended:  # type: ignore[attr-defined]
        messages.info(request, "This note has already been amended. Amend the newer note instead.")
        return redirect("clients:note-detail", person_id=person.pk, note_id=original.pk)
    if request.method == "POST":
        form = CaseNoteForm(request.POST, current_type=original.type)
        if form.is_valid():
            try:
                amendment = note_services.note_amend(
                    actor=request.user,  # type: ignore[arg-type]
                    original=original,
                    **form.note_values(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Amendment saved. The original note is kept unchanged.")
                return redirect("clients:note-detail", person_id=person.pk, note_id=amendment.pk)
    else:
        initial = CaseNoteForm.initial_from(original)
        initial.pop("version")
        form = CaseNoteForm(initial=initial, current_type=original.type)
    return _render(
        request,
        "clients/note_form.html",
        person,
        {"form": form, "mode": "amend", "note": original},
        what=f"case note {original.pk}",
    )
