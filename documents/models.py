"""Stored files of a person: a document and its versions (each a file in the documents storage)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject, empty

from casemgmt.models import Code
from clients.models import CaseNote, Group, Person

CATEGORY_LIST_KEY = "document-categories"


class _DocumentStorage(LazyObject):
    """STORAGES["documents"], looked up when first used (and again after a settings change).

    Settings modules that replace STORAGES whole (the test and bench settings) get the
    default: a folder under MEDIA_ROOT.
    """

    def _setup(self) -> None:
        storage: Storage
        if "documents" in settings.STORAGES:
            storage = storages["documents"]
        else:
            storage = FileSystemStorage(
                location=Path(settings.MEDIA_ROOT) / "documents", base_url="/no-direct-access/"
            )
        self._wrapped = storage


_storage = _DocumentStorage()


def _reset_storage(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STORAGES", "MEDIA_ROOT"):
        _storage._wrapped = empty  # type: ignore[assignment]


setting_changed.connect(_reset_storage, dispatch_uid="documents.reset_storage")


def document_storage() -> Storage:
    """The storage documents live in: a local folder, or S3-compatible object storage."""
    return _storage  # type: ignore[return-value]


def version_file_name(instance: DocumentVersion, filename: str) -> str:
    # The key never carries the uploaded name (kept, cleaned, in `original_filename`):
    # a name cannot collide, traverse or reveal anything about the person.
    return f"people/{instance.document.person_id}/{uuid.uuid4().hex}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def current(self) -> DocumentQuerySet:
        """Documents not deleted."""
        return self.filter(deleted_at__isnull=True)


class Document(models.Model):
    """A file kept on a person's record (and perhaps a step, group or note of theirs)."""

    class Confidentiality(models.TextChoices):
        # Anyone who may see the person.
        NORMAL = "normal", "Normal"
        # Only staff who may read the person's case notes (not finance or administrators).
        SENSITIVE = "sensitive", "Sensitive"
        # Only the person who uploaded it and managers.
        RESTRICTED = "restricted", "Restricted to the uploader and managers"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    step = models.ForeignKey(
        "workflows.Step",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    case_note = models.ForeignKey(
        CaseNote, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(max_length=200)
    category = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list__key": CATEGORY_LIST_KEY},
    )
    document_date = models.DateField(help_text="The date the document is about or was written.")
    confidentiality = models.CharField(
        max_length=10, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deletion_reason = models.TextField(blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-document_date", "-id"]
        indexes = [
            models.Index(
                fields=["person", "-document_date", "-id"],
                name="document_person_date",
                condition=Q(deleted_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True, deleted_by__isnull=True, deletion_reason="")
                | Q(deleted_at__isnull=False, deleted_by__isnull=False) & ~Q(deletion_reason=""),
                name="document_deletion_complete",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class DocumentVersion(models.Model):
    """One uploaded file of a document. A new version never replaces the old one."""

    class ScanResult(models.TextChoices):
        NOT_SCANNED = "not_scanned", "Not scanned (no virus scanner configured)"
        CLEAN = "clean", "No virus found"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=document_storage, upload_to=version_file_name, max_length=300)
    original_filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    scan_result = models.CharField(max_length=20, choices=ScanResult.choices)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} (version {self.number})"

    @property
    def is_previewable(self) -> bool:
        from documents.filetypes import PREVIEWABLE_CONTENT_TYPES

        return self.content_type in PREVIEWABLE_CONTENT_TYPES


# Templates and generated documents live in their own module (documents/generated_models.py).
from documents.generated_models import (  # noqa: E402, F401
    DocumentTemplate,
    DocumentTemplateVersion,
    GeneratedDocument,
)
