"""Writes: storing uploaded documents and their new versions, and deleting documents."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import Code, User
from clients.models import CaseNote, Group, Person
from documents.models import CATEGORY_LIST_KEY, Document, DocumentVersion, document_storage
from documents.uploads import IncomingFile
from workflows.models import Step

DELETION_REASON_LIMIT = 1000
_DOCUMENT_FIELDS = (
    "person",
    "step",
    "group",
    "case_note",
    "title",
    "category",
    "document_date",
    "confidentiality",
)
_VERSION_FIELDS = ("number", "original_filename", "size", "sha256", "content_type", "scan_result")


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Storage is not transactional: a failure after saving a file removes what was saved."""
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        storage = document_storage()
        for name in saved:
            storage.delete(name)
        raise


def _store_version(
    *, actor: User, document: Document, incoming: IncomingFile, number: int, saved: list[str]
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        original_filename=incoming.filename,
        size=incoming.size,
        sha256=incoming.sha256,
        content_type=incoming.kind.content_type,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        scan_result=incoming.scan_result,
    )
    incoming.upload.seek(0)
    version.file.save(incoming.filename, incoming.upload, save=False)
    saved.append(str(version.file.name))
    version.save()
    return version


def _check_details(
    *, title: str, category: Code, document_date: datetime.date, confidentiality: str
) -> None:
    errors: dict[str, str] = {}
    if category.code_list.key != CATEGORY_LIST_KEY or not category.is_active:
        errors["category"] = "Select a category from the list."
    if confidentiality not in Document.Confidentiality.values:
        errors["confidentiality"] = "Select who may see the document."
    if document_date > timezone.localdate():
        errors["document_date"] = "The document date must be today or in the past."
    if len(title) > 200:
        errors["title"] = "Title must be 200 characters or fewer."
    if errors:
        raise ValidationError(errors)


def document_create_many(
    *,
    actor: User,
    person: Person,
    files: Sequence[IncomingFile],
    title: str,
    category: Code,
    document_date: datetime.date,
    confidentiality: str,
    step: Step | None = None,
    group: Group | None = None,
    case_note: CaseNote | None = None,
) -> list[Document]:
    """Store each file as a new document of the person: all of them, or none."""
    if not files:
        raise ValidationError({"files": "Choose one or more files to upload."})
    _check_details(
        title=title, category=category, document_date=document_date, confidentiality=confidentiality
    )
    documents: list[Document] = []
    with _files_removed_on_failure() as saved, transaction.atomic():
        for incoming in files:
            stem = incoming.filename.rsplit(".", 1)[0] if "." in incoming.filename else ""
            if not title:
                document_title = (stem or incoming.filename)[:200]
            elif len(files) > 1:
                document_title = f"{title}: {incoming.filename}"[:200]
            else:
                document_title = title
            document = Document.objects.create(
                person=person,
                step=step,
                group=group,
                case_note=case_note,
                title=document_title,
                category=category,
                document_date=document_date,
                confidentiality=confidentiality,
                uploaded_by=actor,
                created_at=timezone.now(),
            )
            version = _store_version(
                actor=actor, document=document, incoming=incoming, number=1, saved=saved
            )
            document.current_version = version
            document.save(update_fields=["current_version"])
            audit.record_change(
                actor=actor,
                action="create",
                person_id=person.pk,
                instance=document,
                changes={
                    **audit.created(document, _DOCUMENT_FIELDS),
                    **audit.created(version, _VERSION_FIELDS),
                },
                summary=f"Uploaded document “{document.title}” ({incoming.filename})",
            )
            documents.append(document)
    return documents


def document_version_add(
    *, actor: User, document: Document, incoming: IncomingFile
) -> DocumentVersion:
    """Store a file as the document's new current version; earlier versions are kept."""
    with _files_removed_on_failure() as saved, transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_deleted:
            raise ValidationError("This document has been deleted.")
        number = (
            locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        previous = locked.current_version_id
        version = _store_version(
            actor=actor, document=locked, incoming=incoming, number=number, saved=saved
        )
        locked.current_version = version
        locked.save(update_fields=["current_version"])
        audit.record_change(
            actor=actor,
            action="update",
            person_id=locked.person_id,
            instance=locked,
            changes={
                "current_version": [previous, version.pk],
                **audit.created(version, _VERSION_FIELDS),
            },
            summary=f"Uploaded version {number} of document “{locked.title}”",
        )
    document.current_version = version
    return version


def document_delete(*, actor: User, document: Document, reason: str) -> Document:
    """Soft-delete: hidden from every list, its files and audit trail kept."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the document is being deleted."})
    if len(reason) > DELETION_REASON_LIMIT:
        raise ValidationError(
            {"reason": f"The reason must be {DELETION_REASON_LIMIT} characters or fewer."}
        )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_deleted:
            raise ValidationError("This document has already been deleted.")
        before: dict[str, Any] = audit.snapshot(
            locked, ("deleted_at", "deleted_by", "deletion_reason")
        )
        locked.deleted_at = timezone.now()
        locked.deleted_by = actor
        locked.deletion_reason = reason
        locked.save(update_fields=["deleted_at", "deleted_by", "deletion_reason"])
        audit.record_change(
            actor=actor,
            action="delete",
            person_id=locked.person_id,
            instance=locked,
            changes=audit.diff(
                before, audit.snapshot(locked, ("deleted_at", "deleted_by", "deletion_reason"))
            ),
            summary=f"Deleted document “{locked.title}”",
            reason=reason,
        )
    return locked
