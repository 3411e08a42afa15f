"""Documents: who may list, upload, open, download, preview, version and delete them."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casemgmt.models import Code
from documents.models import CATEGORY_LIST_KEY, Document, DocumentVersion
from tests.documents import samples
from tests.matrix.base import CASE_WORKERS, MANAGERS, PEOPLE_VIEWERS, Case, Context

# Anyone who may see the person sees their ordinary documents; recording needs the right
# to write on the record; deleting is for the uploader and managers.
READERS = PEOPLE_VIEWERS
WRITERS = CASE_WORKERS
DELETERS = MANAGERS | {"allocated_worker"}


def _document(ctx: Context) -> Document:
    """A normal PDF uploaded by the allocated worker (rows written directly: no audit event)."""
    content = samples.pdf()
    document = Document.objects.create(
        person=ctx.person,
        title="Initial assessment",
        category=Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="assessment"),
        document_date=timezone.localdate(),
        uploaded_by=ctx.users["allocated_worker"],
        created_at=timezone.now(),
    )
    version = DocumentVersion(
        document=document,
        number=1,
        original_filename="assessment.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="application/pdf",
        uploaded_by=ctx.users["allocated_worker"],
        uploaded_at=timezone.now(),
        scan_result=DocumentVersion.ScanResult.NOT_SCANNED,
    )
    version.file.save("assessment.pdf", ContentFile(content), save=True)
    document.current_version = version
    document.save(update_fields=["current_version"])
    return document


def _document_kwargs(ctx: Context) -> dict[str, Any]:
    return {"person_id": ctx.person.pk, "document_id": _document(ctx).pk}


def _version_kwargs(ctx: Context) -> dict[str, Any]:
    document = _document(ctx)
    return {
        "person_id": ctx.person.pk,
        "document_id": document.pk,
        "version_id": document.current_version_id,
    }


def _upload_form(ctx: Context) -> dict[str, Any]:
    return {
        "title": "Letter",
        "category": str(Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="letter").pk),
        "document_date_day": "3",
        "document_date_month": "2",
        "document_date_year": "2026",
        "confidentiality": "normal",
        "files": SimpleUploadedFile("letter.pdf", samples.pdf(), content_type="application/pdf"),
    }


def _version_form(ctx: Context) -> dict[str, Any]:
    return {"files": SimpleUploadedFile("v2.pdf", samples.pdf("v2"), "application/pdf")}


CASES = [
    Case("documents:document-list", READERS),
    Case("documents:document-upload", WRITERS),
    Case(
        "documents:document-upload",
        WRITERS,
        method="post",
        data=_upload_form,
        ok_status=frozenset({302}),
    ),
    Case("documents:document-detail", READERS, kwargs=_document_kwargs),
    Case("documents:document-download", READERS, kwargs=_version_kwargs),
    Case("documents:document-preview", READERS, kwargs=_version_kwargs),
    Case("documents:document-new-version", WRITERS, kwargs=_document_kwargs),
    Case(
        "documents:document-new-version",
        WRITERS,
        method="post",
        kwargs=_document_kwargs,
        data=_version_form,
        ok_status=frozenset({302}),
    ),
    Case("documents:document-delete", DELETERS, kwargs=_document_kwargs),
    Case(
        "documents:document-delete",
        DELETERS,
        method="post",
        kwargs=_document_kwargs,
        data=lambda ctx: {"reason": "Uploaded to the wrong record"},
        ok_status=frozenset({302}),
    ),
]
