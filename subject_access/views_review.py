"""The review screen of a gathered case file, its sign-off, and the release.

The review screen lists the items of one person's file, a page at a time, each with its
text (third parties highlighted, redactions shown struck through with their reason), its
redactions, and forms to decide on it and to redact words of it. A form sent back with a
problem shows the same page again, with the message on the item's field and what was
typed kept. Reading a page of the file is recorded as a view of the person's record;
downloading the released bundle as an export of it.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casemgmt.models import User
from documents.casefile_items import Span, fields_from_json
from documents.casefile_render import SECTION_TITLES
from documents.filetypes import Refused
from documents.models import Document, DocumentVersion, document_storage
from documents.uploads import display_name, inspect_upload, parse_upload
from subject_access import events, forms, permissions, review, selectors, thirdparty
from subject_access.models import (
    EXEMPTION_REASONS,
    Exemption,
    Redaction,
    RequestSubject,
    ReviewItem,
    SubjectAccessRequest,
)

ITEMS_PER_PAGE = 25
Decision = ReviewItem.Decision
DECISION_FILTERS = [
    ("", "Any decision"),
    (Decision.PENDING, "Not yet decided"),
    (Decision.RELEASE, "Released"),
    (Decision.RELEASE_COPY, "Redacted copy released"),
    (Decision.WITHHOLD, "Withheld"),
    ("redacted", "With redactions"),
]
SECTION_FILTERS = [
    ("", "All sections"),
    ("details", "Personal details"),
    ("addresses", "Addresses"),
    ("relationships", "Relationships"),
    ("involvements", "Involvements"),
    ("alerts", "Alerts"),
    ("chronology", "Chronology"),
    ("notes", "Case notes"),
    ("steps", "Workflow steps"),
    ("documents", "Documents"),
]
# What each kind of item is called on the review screen.
KIND_LABELS = {
    "details": "Personal details",
    "other_name": "Other name",
    "address": "Address",
    "relationship": "Relationship",
    "involvement": "Involvement",
    "alert": "Alert",
    "chronology": "Chronology entry",
    "note": "Case note",
    "step": "Workflow step",
    "document": "Document",
}
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _for_review(
    request: HttpRequest, sar_id: int, person_id: int, *, manage: bool = False
) -> tuple[SubjectAccessRequest, RequestSubject]:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=manage)
    subject = permissions.access_subject(officer, sar, person_id)
    if subject.gathered_at is None:
        raise Http404("The file has not been gathered.")
    return sar, subject


def _choice(value: object, choices: list[tuple[str, str]]) -> str:
    text = str(value or "")
    return text if text in dict(choices) else ""


class FieldView:
    """One field of an item as the review screen shows it."""

    def __init__(self, key: str, label: str, style: str, segments: list[Any]) -> None:
        self.key = key
        self.label = label
        self.style = style
        self.segments = segments


class ItemView:
    def __init__(
        self,
        item: ReviewItem,
        fields: list[FieldView],
        redactions: list[Redaction],
        decision_form: forms.DecisionForm,
        redaction_form: forms.RedactionForm,
        highlighted: int,
    ) -> None:
        self.item = item
        self.fields = fields
        self.redactions = redactions
        self.decision_form = decision_form
        self.redaction_form = redaction_form
        self.highlighted = highlighted
        heading = next((f for f in fields if f.style == "heading"), None)
        self.title = "".join(s.text for s in heading.segments) if heading else item.kind
        self.labels = {f.key: f.label or f.style for f in fields}
        self.kind_label = KIND_LABELS.get(item.kind, SECTION_TITLES.get(item.section, item.kind))

    @property
    def has_errors(self) -> bool:
        return bool(self.decision_form.errors or self.redaction_form.errors)


def _item_views(
    items: list[ReviewItem],
    subject: RequestSubject,
    *,
    bound: dict[int, tuple[forms.DecisionForm | None, forms.RedactionForm | None]],
) -> list[ItemView]:
    redactions: dict[int, list[Redaction]] = {}
    for redaction in Redaction.objects.filter(item__in=items).select_related("created_by"):
        redactions.setdefault(redaction.item_id, []).append(redaction)
    highlighter = thirdparty.Highlighter(
        thirdparty.terms_from_json(subject.third_parties), thirdparty.own_details(subject.person)
    )
    views = []
    for item in items:
        spans_by_field: dict[str, list[Span]] = {}
        for redaction in redactions.get(item.pk, []):
            spans_by_field.setdefault(redaction.field_key, []).append(
                Span(redaction.start, redaction.end, EXEMPTION_REASONS[redaction.exemption])
            )
        fields = []
        highlighted = 0
        for item_field in fields_from_json(item.fields):
            found = highlighter.find(item_field.text)
            segments = thirdparty.review_segments(
                item_field.text, spans_by_field.get(item_field.key, []), found
            )
            highlighted += sum(1 for segment in segments if segment.highlight)
            fields.append(FieldView(item_field.key, item_field.label, item_field.style, segments))
        decision_form, redaction_form = bound.get(item.pk, (None, None))
        views.append(
            ItemView(
                item,
                fields,
                redactions.get(item.pk, []),
                decision_form
                or forms.DecisionForm(
                    prefix=f"item-{item.pk}",
                    item=item,
                    initial={
                        "decision": "" if item.decision == Decision.PENDING else item.decision,
                        "exemption": item.exemption,
                        "leave_out": item.leave_out,
                        "note": item.note,
                    },
                ),
                redaction_form or forms.RedactionForm(prefix=f"redact-{item.pk}"),
                highlighted,
            )
        )
    return views


def _review_page(
    request: HttpRequest,
    sar: SubjectAccessRequest,
    subject: RequestSubject,
    *,
    bound: dict[int, tuple[forms.DecisionForm | None, forms.RedactionForm | None]] | None = None,
    everywhere_form: forms.RedactEverywhereForm | None = None,
    page_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    officer = _officer(request)
    source = request.GET if request.method == "GET" else _sent_from(request)
    section = _choice(source.get("section"), SECTION_FILTERS)
    decision = _choice(source.get("decision"), DECISION_FILTERS)
    items = ReviewItem.objects.filter(subject=subject).select_related("decided_by", "redacted_copy")
    if section:
        items = items.filter(section=section)
    if decision == "redacted":
        items = items.filter(redactions__isnull=False).distinct()
    elif decision:
        items = items.filter(decision=decision)
    page = Paginator(items.order_by("position", "pk"), ITEMS_PER_PAGE).get_page(source.get("page"))
    views = _item_views(list(page), subject, bound=bound or {})
    everywhere_form = everywhere_form or forms.RedactEverywhereForm(prefix="everywhere")
    events.file_reviewed(actor=officer, subject=subject, page=page.number)
    is_open = sar.status == SubjectAccessRequest.Status.IN_REVIEW and not sar.is_signed_off
    return render(
        request,
        "subject_access/review.html",
        {
            "sar": sar,
            "subject": subject,
            "person": subject.person,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "items": views,
            "counts": review.decision_counts(subject),
            "terms": thirdparty.terms_from_json(subject.third_parties),
            "kind_labels": thirdparty.KIND_LABELS,
            "everywhere_form": everywhere_form,
            "has_errors": bool(
                page_errors or everywhere_form.errors or any(view.has_errors for view in views)
            ),
            "section": section,
            "decision": decision,
            "section_filters": SECTION_FILTERS,
            "decision_filters": DECISION_FILTERS,
            "exemptions": Exemption.choices,
            "is_open": is_open and permissions.can_manage_requests(officer),
            "page_errors": page_errors or [],
            "query": source.urlencode(),
            "nav": "subject-access",
        },
        status=status,
    )


def _back_to_review(
    request: HttpRequest, sar: SubjectAccessRequest, subject: RequestSubject, anchor: str = ""
) -> HttpResponse:
    url = reverse(
        "subject_access:review", kwargs={"sar_id": sar.pk, "person_id": subject.person_id}
    )
    query = _sent_from(request).urlencode()
    if query:
        url += "?" + query
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _sent_from(request: HttpRequest) -> QueryDict:
    """The page of the file a form was sent from (its filters and page number, nothing else),
    so a refused form shows that page again and a saved one goes back to it."""
    sent = QueryDict(str(request.POST.get("query", ""))[:500])
    kept = QueryDict(mutable=True)
    if section := _choice(sent.get("section"), SECTION_FILTERS):
        kept["section"] = section
    if decision := _choice(sent.get("decision"), DECISION_FILTERS):
        kept["decision"] = decision
    page = str(sent.get("page", ""))
    if page.isascii() and page.isdigit() and len(page) <= 5:
        kept["page"] = page
    return kept


@login_required
@require_GET
def review_page(request: HttpRequest, sar_id: int, person_id: int) -> HttpResponse:
    sar, subject = _for_review(request, sar_id, person_id)
    return _review_page(request, sar, subject)


@login_required
@require_POST
def item_decide(request: HttpRequest, sar_id: int, person_id: int, item_id: int) -> HttpResponse:
    sar, subject = _for_review(request, sar_id, person_id, manage=True)
    item = permissions.access_item(subject, item_id)
    form = forms.DecisionForm(request.POST, prefix=f"item-{item.pk}", item=item)
    if form.is_valid():
        try:
            review.item_decide(
                actor=_officer(request),
                sar=sar,
                item=item,
                decision=form.cleaned_data["decision"],
                exemption=form.cleaned_data["exemption"],
                leave_out=form.cleaned_data["leave_out"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _back_to_review(request, sar, subject, f"item-{item.pk}")
    return _review_page(request, sar, subject, bound={item.pk: (form, None)}, status=400)


@login_required
@require_POST
def redaction_add(request: HttpRequest, sar_id: int, person_id: int, item_id: int) -> HttpResponse:
    sar, subject = _for_review(request, sar_id, person_id, manage=True)
    item = permissions.access_item(subject, item_id)
    form = forms.RedactionForm(request.POST, prefix=f"redact-{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            review.redaction_add(
                actor=_officer(request),
                sar=sar,
                item=item,
                words=data["words"],
                exemption=data["exemption"],
                field_key=data.get("field") or "",
                start=data.get("start"),
                end=data.get("end"),
            )
        except ValidationError as error:
            form.add_service_errors(
                error, rename={"field": "words", "start": "words", "end": "words"}
            )
        else:
            return _back_to_review(request, sar, subject, f"item-{item.pk}")
    elif form.errors.get("field") or form.errors.get("start") or form.errors.get("end"):
        form.add_error(
            "words", "The selected words are not in this item as chosen: select them again."
        )
    return _review_page(request, sar, subject, bound={item.pk: (None, form)}, status=400)


@login_required
@require_POST
def redaction_remove(
    request: HttpRequest, sar_id: int, person_id: int, item_id: int, redaction_id: int
) -> HttpResponse:
    sar, subject = _for_review(request, sar_id, person_id, manage=True)
    item = permissions.access_item(subject, item_id)
    redaction = Redaction.objects.filter(item=item, pk=redaction_id).first()
    if redaction is None:
        raise Http404("No such redaction.")
    try:
        review.redaction_remove(actor=_officer(request), sar=sar, redaction=redaction)
    except ValidationError as error:
        return _review_page(request, sar, subject, page_errors=error.messages, status=400)
    return _back_to_review(request, sar, subject, f"item-{item.pk}")


@login_required
@require_POST
def redact_everywhere(request: HttpRequest, sar_id: int, person_id: int) -> HttpResponse:
    sar, subject = _for_review(request, sar_id, person_id, manage=True)
    form = forms.RedactEverywhereForm(request.POST, prefix="everywhere")
    if form.is_valid():
        try:
            count, items = review.redact_everywhere(
                actor=_officer(request),
                sar=sar,
                subject=subject,
                words=form.cleaned_data["words"],
                exemption=form.cleaned_data["exemption"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Redacted {count} mention{'s' if count != 1 else ''} in {items} "
                f"item{'s' if items != 1 else ''}.",
            )
            return _back_to_review(request, sar, subject)
    return _review_page(request, sar, subject, everywhere_form=form, status=400)


@login_required
@require_POST
def items_release(request: HttpRequest, sar_id: int, person_id: int) -> HttpResponse:
    sar, subject = _for_review(request, sar_id, person_id, manage=True)
    ids = [
        int(value)
        for value in request.POST.getlist("item")[:200]
        if value.isascii() and value.isdigit() and len(value) <= 18
    ]
    try:
        count = review.items_release_undecided(
            actor=_officer(request), sar=sar, subject=subject, item_ids=ids
        )
    except ValidationError as error:
        return _review_page(request, sar, subject, page_errors=error.messages, status=400)
    messages.success(request, f"Released {count} item{'s' if count != 1 else ''}.")
    return _back_to_review(request, sar, subject)


# -- documents: the original, and a redacted copy ---------------------------------------------------


def _file_response(version: DocumentVersion) -> FileResponse:
    try:
        handle = document_storage().open(str(version.file.name), "rb")
    except OSError as error:
        raise Http404("The file is missing from storage.") from error
    response = FileResponse(handle, content_type=version.content_type)
    safe = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
        for c in version.original_filename
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(version.original_filename, safe='')}"
    )
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    return response


@login_required
@require_GET
def item_original(request: HttpRequest, sar_id: int, person_id: int, item_id: int) -> FileResponse:
    _, subject = _for_review(request, sar_id, person_id)
    item = permissions.access_item(subject, item_id)
    version = (
        DocumentVersion.objects.filter(pk=item.document_version_id).first()
        if item.document_version_id
        else None
    )
    if version is None:
        raise Http404("This item has no file.")
    response = _file_response(version)
    events.original_downloaded(actor=_officer(request), subject=subject, item=item)
    return response


@csrf_exempt
@login_required
def redacted_copy(request: HttpRequest, sar_id: int, person_id: int, item_id: int) -> HttpResponse:
    # The upload handler must be in place before anything reads the body, and the CSRF
    # check reads it: so the body is parsed here first, then checked (as documents does).
    if request.method == "POST":
        _, subject = _for_review(request, sar_id, person_id, manage=True)
        permissions.access_item(subject, item_id)
        parse_upload(request)
    return _redacted_copy(request, sar_id, person_id, item_id)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _redacted_copy(request: HttpRequest, sar_id: int, person_id: int, item_id: int) -> HttpResponse:
    from django.conf import settings

    sar, subject = _for_review(request, sar_id, person_id, manage=True)
    item = permissions.access_item(subject, item_id)
    if not item.is_document:
        raise Http404("Only a document can have a redacted copy.")
    file_errors: list[str] = []
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        try:
            if len(uploads) != 1:
                file_errors = ["Choose one file: the redacted copy of the document."]
            else:
                try:
                    incoming = inspect_upload(uploads[0])
                except Refused as reason:
                    file_errors = [
                        f"{display_name(uploads[0])} cannot be uploaded because {reason}."
                    ]
                else:
                    try:
                        review.redacted_copy_add(
                            actor=_officer(request), sar=sar, item=item, incoming=incoming
                        )
                    except ValidationError as error:
                        file_errors = list(error.messages)
                    else:
                        messages.success(
                            request, "The redacted copy will be released in place of the original."
                        )
                        return _back_to_review(request, sar, subject, f"item-{item.pk}")
        finally:
            for upload in uploads:
                upload.close()
    events.file_reviewed(actor=_officer(request), subject=subject, page=0)
    title = next((f.text for f in fields_from_json(item.fields) if f.key == "heading"), "document")
    return render(
        request,
        "subject_access/redacted_copy.html",
        {
            "sar": sar,
            "subject": subject,
            "item": item,
            "title": title,
            "file_errors": file_errors,
            "max_megabytes": settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024),
            "nav": "subject-access",
        },
        status=400 if file_errors else 200,
    )


# -- sign-off, reopening, release ---------------------------------------------------------------


def _step_page(
    request: HttpRequest,
    sar: SubjectAccessRequest,
    form: Any,
    *,
    title: str,
    button: str,
    intro: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    events.request_viewed(actor=_officer(request), sar=sar)
    return render(
        request,
        "subject_access/step_form.html",
        {
            "sar": sar,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
            "nav": "subject-access",
            **(extra or {}),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id)
    if not permissions.can_sign_off(officer):
        raise Http404("No such request.")
    form = forms.SignOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review.sign_off(actor=officer, sar=sar, notes=form.cleaned_data["notes"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Signed off. The disclosure bundles are being made.")
            return redirect("subject_access:request-detail", sar_id=sar.pk)
    counts = [
        (row, review.decision_counts(row.subject))
        for row in selectors.subject_rows(user=officer, sar=sar)
    ]
    return _step_page(
        request,
        sar,
        form,
        title="Sign off the disclosure",
        button="Sign off for release",
        intro="You confirm that you have checked the reviewed file: what is released, what is "
        "redacted and withheld, and the exemptions. You must not have taken part in the review.",
        extra={"sign_off_counts": counts},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_reopen(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    form = forms.ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review.review_reopen(actor=officer, sar=sar, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The review is open again; it must be signed off again.")
            return redirect("subject_access:request-detail", sar_id=sar.pk)
    return _step_page(
        request,
        sar,
        form,
        title="Reopen the review",
        button="Reopen the review",
        intro="The sign-off is withdrawn and the bundles made from it are deleted.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def release_record(request: HttpRequest, sar_id: int) -> HttpResponse:
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id, manage=True)
    rows = selectors.subject_rows(user=officer, sar=sar)
    described = "; ".join(
        f"{row.subject.person.full_name if row.is_visible else 'A person'}: a PDF bundle of "
        f"{row.subject.release_pages} pages and a ZIP of {row.subject.release_attachments} "
        "attachments"
        for row in rows
        if row.subject.release_pdf_id
    )
    form = forms.ReleaseForm(
        request.POST if request.method == "POST" else None,
        initial={"released_on": timezone.localdate(), "description": described},
    )
    if request.method == "POST" and form.is_valid():
        try:
            review.release_record(
                actor=officer,
                sar=sar,
                released_on=form.cleaned_data["released_on"],
                method=form.cleaned_data["method"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{sar.reference} is released and closed.")
            return redirect("subject_access:request-detail", sar_id=sar.pk)
    return _step_page(
        request,
        sar,
        form,
        title="Record the release",
        button="Record the release",
        intro="Send the signed-off bundles securely, then record here when, how and what was sent.",
    )


@login_required
@require_GET
def bundle_download(request: HttpRequest, sar_id: int, person_id: int, which: str) -> FileResponse:
    if which not in ("pdf", "zip"):
        raise Http404("No such bundle.")
    officer = _officer(request)
    sar = permissions.access_request(officer, sar_id)
    subject = permissions.access_subject(officer, sar, person_id)
    document_id = subject.release_pdf_id if which == "pdf" else subject.release_zip_id
    document = (
        Document.objects.current().filter(pk=document_id).select_related("current_version").first()
        if document_id
        else None
    )
    if document is None or document.current_version is None:
        raise Http404("No such bundle.")
    response = _file_response(document.current_version)
    events.disclosure_downloaded(
        actor=officer,
        subject=subject,
        what="PDF bundle" if which == "pdf" else "attachments ZIP",
    )
    return response
