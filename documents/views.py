"""Pages for a person's documents: list, upload, one document, versions, download, delete."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt import audit
from casemgmt.models import User
from clients import permissions as client_permissions
from clients.models import CaseNote, Group, GroupMembership, Person
from clients.services.notes import notes_visible_to
from clients.views.common import render_person_page
from documents import permissions, services
from documents.filetypes import Refused
from documents.forms import DeleteForm, DocumentDetailsForm, DocumentFilterForm
from documents.models import Document, DocumentVersion, document_storage
from documents.selectors import document_list_visible_to
from documents.uploads import IncomingFile, display_name, inspect_upload, parse_upload
from workflows.models import Step
from workflows.permissions import access_step

DOCUMENTS_PER_PAGE = 25
# A hostile file shown in the browser can run nothing and reach nothing of the app.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _render(
    request: HttpRequest,
    template: str,
    person: Person,
    context: dict[str, Any],
    *,
    what: str,
    status: int = 200,
) -> HttpResponse:
    context.setdefault("can_upload", permissions.can_upload(request.user))
    return render_person_page(
        request, template, person, context, what=what, tab="documents", status=status
    )


# -- the list ----------------------------------------------------------------------------


@login_required
@require_GET
def document_list(request: HttpRequest, person_id: int) -> HttpResponse:
    person = client_permissions.access_person(request.user, person_id)
    documents = document_list_visible_to(user=request.user, person=person)
    form = DocumentFilterForm(request.GET or None)
    filters = form.valid_filters() if form.is_bound else {}
    if filters.get("category"):
        documents = documents.filter(category=filters["category"])
    if filters.get("date_from"):
        documents = documents.filter(document_date__gte=filters["date_from"])
    if filters.get("date_to"):
        documents = documents.filter(document_date__lte=filters["date_to"])
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "documents/document_list.html",
        person,
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "form": form,
            "is_filtered": any(filters.values()),
            "query": query.urlencode(),
        },
        what="documents",
    )


# -- uploading -----------------------------------------------------------------------------


def _attached_to(
    request: HttpRequest, person: Person, values: Any
) -> tuple[Step | None, Group | None, CaseNote | None]:
    """The step, group or note an upload is for (given by id), if it is the person's; else 404."""
    step = group = note = None
    if values.get("step"):
        step = access_step(request.user, _id(values.get("step")))
        is_members = (
            step.group_id is not None
            and GroupMembership.objects.filter(group_id=step.group_id, person=person).exists()
        )
        if step.person_id != person.pk and not is_members:
            raise Http404("No such step.")
    if values.get("group"):
        group = Group.objects.filter(
            pk=_id(values.get("group")), memberships__person=person
        ).first()
        if group is None:
            raise Http404("No such group.")
    if values.get("note"):
        note = (
            notes_visible_to(user=request.user, person=person)
            .filter(pk=_id(values.get("note")))
            .first()
        )
        if note is None:
            raise Http404("No such note.")
    return step, group, note


def _id(value: object) -> int:
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404("No such record.")
    return int(text)


def _inspect_all(request: HttpRequest, *, limit: int) -> tuple[list[IncomingFile], list[str]]:
    """The uploaded files that pass every check, and a message for each that does not."""
    uploads = request.FILES.getlist("files")
    if not uploads:
        return [], ["Choose one or more files to upload."]
    if len(uploads) > limit:
        return [], [f"Upload {limit} files or fewer at a time (you chose {len(uploads)})."]
    accepted: list[IncomingFile] = []
    refusals: list[str] = []
    for upload in uploads:
        try:
            accepted.append(inspect_upload(upload))
        except Refused as reason:
            refusals.append(f"{display_name(upload)} cannot be uploaded because {reason}.")
    return accepted, refusals


def _close_uploads(request: HttpRequest) -> None:
    for upload in request.FILES.getlist("files"):
        upload.close()  # removes the temporary file of anything not stored


@csrf_exempt
@login_required
def document_upload(request: HttpRequest, person_id: int) -> HttpResponse:
    # The upload handler must be in place before anything reads the body, and the CSRF
    # check reads it: so the body is parsed here first, then checked.
    if request.method == "POST":
        permissions.access_person_for_upload(request.user, person_id)
        parse_upload(request)
    return _document_upload(request, person_id)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _document_upload(request: HttpRequest, person_id: int) -> HttpResponse:
    from django.conf import settings

    person = permissions.access_person_for_upload(request.user, person_id)
    source = request.POST if request.method == "POST" else request.GET
    step, group, note = _attached_to(request, person, source)
    file_errors: list[str] = []
    if request.method == "POST":
        form = DocumentDetailsForm(request.POST)
        try:
            accepted, file_errors = _inspect_all(
                request, limit=settings.DOCUMENT_MAX_FILES_PER_UPLOAD
            )
            if form.is_valid() and not file_errors:
                try:
                    created = services.document_create_many(
                        actor=_actor(request),
                        person=person,
                        files=accepted,
                        step=step,
                        group=group,
                        case_note=note,
                        **form.cleaned_data,
                    )
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    count = len(created)
                    messages.success(
                        request,
                        f"{count} document{'s' if count != 1 else ''} uploaded."
                        if count != 1
                        else f"Document “{created[0].title}” uploaded.",
                    )
                    if step is not None:
                        return redirect("step-detail", step_id=step.pk)
                    return redirect("documents:document-list", person_id=person.pk)
        finally:
            _close_uploads(request)
    else:
        form = DocumentDetailsForm(
            initial={
                "confidentiality": Document.Confidentiality.NORMAL,
                "document_date": timezone.localdate(),
            }
        )
    return _render(
        request,
        "documents/document_upload.html",
        person,
        {
            "form": form,
            "file_errors": file_errors,
            "step": step,
            "group": group,
            "note": note,
            # With nothing chosen yet, the person's current groups are offered.
            "person_groups": []
            if step or group or note
            else list(
                Group.objects.filter(memberships__person=person, memberships__end_date__isnull=True)
                .distinct()
                .order_by("name")
            ),
            "chosen_group": str(source.get("group", "")),
            "max_files": settings.DOCUMENT_MAX_FILES_PER_UPLOAD,
            "max_megabytes": settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        what="document upload form",
        status=400 if file_errors or form.errors else 200,
    )


# -- one document ------------------------------------------------------------------------


@login_required
@require_GET
def document_detail(request: HttpRequest, person_id: int, document_id: int) -> HttpResponse:
    person = client_permissions.access_person(request.user, person_id)
    document = permissions.access_document(request.user, person, document_id)
    versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
    return _render(
        request,
        "documents/document_detail.html",
        person,
        {
            "document": document,
            "versions": versions,
            "can_delete": permissions.can_delete(request.user, document),
        },
        what=f"document {document.pk}",
    )


def _version(document: Document, version_id: int) -> DocumentVersion:
    version = document.versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No such version.")
    return version


def _ascii_fallback(name: str) -> str:
    return "".join(
        character
        if character.isascii() and character.isprintable() and character not in '"\\;'
        else "_"
        for character in name
    )


def _file_response(
    request: HttpRequest, person_id: int, document_id: int, version_id: int, *, inline: bool
) -> FileResponse:
    person = client_permissions.access_person(request.user, person_id)
    document = permissions.access_document(request.user, person, document_id)
    version = _version(document, version_id)
    if inline and not version.is_previewable:
        raise Http404("This document cannot be previewed.")
    handle = document_storage().open(str(version.file.name), "rb")
    audit.record_access(
        actor=_actor(request),
        action="preview" if inline else "download",
        person_id=person.pk,
        object_type="documents.document",
        object_id=document.pk,
        summary=f"{'Previewed' if inline else 'Downloaded'} document “{document.title}”"
        f" (version {version.number})",
    )
    response = FileResponse(handle, content_type=version.content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{_ascii_fallback(version.original_filename)}"; '
        f"filename*=UTF-8''{quote(version.original_filename, safe='')}"
    )
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
@require_GET
def document_download(
    request: HttpRequest, person_id: int, document_id: int, version_id: int
) -> FileResponse:
    return _file_response(request, person_id, document_id, version_id, inline=False)


@login_required
@require_GET
def document_preview(
    request: HttpRequest, person_id: int, document_id: int, version_id: int
) -> FileResponse:
    return _file_response(request, person_id, document_id, version_id, inline=True)


@csrf_exempt
@login_required
def document_new_version(request: HttpRequest, person_id: int, document_id: int) -> HttpResponse:
    if request.method == "POST":
        person = permissions.access_person_for_upload(request.user, person_id)
        permissions.access_document(request.user, person, document_id)
        parse_upload(request)
    return _document_new_version(request, person_id, document_id)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _document_new_version(request: HttpRequest, person_id: int, document_id: int) -> HttpResponse:
    from django.conf import settings

    person = permissions.access_person_for_upload(request.user, person_id)
    document = permissions.access_document(request.user, person, document_id)
    file_errors: list[str] = []
    if request.method == "POST":
        try:
            accepted, file_errors = _inspect_all(request, limit=1)
            if not file_errors:
                try:
                    version = services.document_version_add(
                        actor=_actor(request), document=document, incoming=accepted[0]
                    )
                except ValidationError as error:
                    file_errors = list(error.messages)
                else:
                    messages.success(request, f"Version {version.number} uploaded.")
                    return redirect(
                        "documents:document-detail", person_id=person.pk, document_id=document.pk
                    )
        finally:
            _close_uploads(request)
    return _render(
        request,
        "documents/document_new_version.html",
        person,
        {
            "document": document,
            "file_errors": file_errors,
            "max_megabytes": settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        what=f"new version form of document {document.pk}",
        status=400 if file_errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, person_id: int, document_id: int) -> HttpResponse:
    person = client_permissions.access_person(request.user, person_id)
    document = permissions.access_document(request.user, person, document_id)
    if not permissions.can_delete(request.user, document):
        raise Http404("No such document.")
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_delete(
                actor=_actor(request), document=document, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Document “{document.title}” deleted.")
            return redirect("documents:document-list", person_id=person.pk)
    return _render(
        request,
        "documents/document_delete.html",
        person,
        {"document": document, "form": form},
        what=f"delete form of document {document.pk}",
        status=400 if form.errors else 200,
    )
