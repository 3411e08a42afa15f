"""The case file export: the whole record of a person as one PDF bundle and a ZIP of attachments.

A manager (or information governance, answering a subject access request) asks for it;
it runs as a job on the `documents` queue. The job plans the export once (which rows go
into which part, saved in the job's state), renders each part to its own PDF with
WeasyPrint (so memory stays bounded and progress is reported part by part), merges
them with pypdf behind a title page and an index whose page numbers come from the parts'
page counts, builds the ZIP of the attachments' current versions in a temporary file,
and stores both as restricted documents of the person in one transaction. The rendered
parts wait in the documents storage, so a killed worker's successor carries on from the
last part it saved, and the documents are created once: their ids are saved in the
job's state in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404

from casemgmt import audit, roles
from casemgmt.models import Code, CodeList, Job, User
from casemgmt.types import AnyUser
from clients import permissions as client_permissions
from clients.models import CaseNote, ChronologyEntry, Person
from documents.models import CATEGORY_LIST_KEY, Document
from workflows.models import Step

JOB_KIND = "documents.casefile_export"
JOB_QUEUE = "documents"
CATEGORY_CODE = "case-file-export"
CATEGORY_LABEL = "Case file export"
REASON_LIMIT = 500


class Purpose:
    """Why the case file is exported: recorded with the request in the audit trail."""

    SUBJECT_ACCESS = "subject_access"
    COURT = "court"
    TRANSFER = "transfer"
    REVIEW = "review"
    OTHER = "other"
    CHOICES = (
        (SUBJECT_ACCESS, "Subject access request"),
        (COURT, "Court or legal proceedings"),
        (TRANSFER, "Transfer of the case to another council or agency"),
        (REVIEW, "Case review or audit"),
        (OTHER, "Another reason"),
    )
    LABELS = dict(CHOICES)


# -- permissions ---------------------------------------------------------------------------


def can_export(user: AnyUser) -> bool:
    return client_permissions.can(user, roles.EXPORT_CASE_FILE)


def access_person_for_export(user: AnyUser, person_id: int) -> Person:
    """The person, if the user may see them and export case files; otherwise Http404."""
    person = client_permissions.access_person(user, person_id)
    if not can_export(user):
        raise Http404("No such person.")
    return person


def access_export_job(user: AnyUser, person: Person, job_id: str) -> Job:
    """The user's own export job of this person; otherwise Http404."""
    job = (
        Job.objects.filter(pk=job_id, kind=JOB_KIND, created_by_id=user.pk)
        .filter(params__person_id=person.pk)
        .first()
    )
    if job is None:
        raise Http404("No such export.")
    return job


# -- what is in the record -------------------------------------------------------------------


def export_category() -> Code:
    """The document category exports are stored under (inactive: never offered for uploads)."""
    code_list, _ = CodeList.objects.get_or_create(
        key=CATEGORY_LIST_KEY, defaults={"name": "Document categories"}
    )
    code, _ = Code.objects.get_or_create(
        code_list=code_list,
        code=CATEGORY_CODE,
        defaults={"label": CATEGORY_LABEL, "is_active": False, "sort_order": 999},
    )
    return code


def exported_documents(person: Person) -> Any:
    """The person's documents that go into the export: every current one but earlier exports."""
    return (
        Document.objects.current()
        .filter(person=person, current_version__isnull=False)
        .exclude(category__code_list__key=CATEGORY_LIST_KEY, category__code=CATEGORY_CODE)
    )


def person_steps(person: Person) -> Any:
    return Step.objects.filter(person=person)


@dataclass(frozen=True)
class RecordCounts:
    notes: int
    draft_notes: int
    chronology: int
    hidden_chronology: int
    steps: int
    documents: int


def record_counts(person: Person) -> RecordCounts:
    """How much the export of the person will hold (shown before asking for it)."""
    notes = CaseNote.objects.filter(person=person)
    chronology = ChronologyEntry.objects.filter(person=person)
    return RecordCounts(
        notes=notes.filter(status=CaseNote.Status.FINAL).count(),
        draft_notes=notes.filter(status=CaseNote.Status.DRAFT).count(),
        chronology=chronology.count(),
        hidden_chronology=chronology.filter(is_hidden=True).count(),
        steps=person_steps(person).count(),
        documents=exported_documents(person).count(),
    )


# -- asking for an export ----------------------------------------------------------------------


class ExportRequestError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def casefile_export_running(*, actor: User, person: Person) -> Job | None:
    """The actor's unfinished export of the person, if one is queued or running."""
    return (
        Job.objects.filter(kind=JOB_KIND, created_by=actor, params__person_id=person.pk)
        .filter(Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING))
        .order_by("-created_at")
        .first()
    )


def casefile_export_request(*, actor: User, person: Person, purpose: str, reason: str) -> Job:
    """Start the export of the person's case file (or return the one already under way)."""
    reason = reason.strip()
    errors: dict[str, str] = {}
    if purpose not in Purpose.LABELS:
        errors["purpose"] = "Select why you are exporting the case file."
    if not reason:
        errors["reason"] = "Enter the reason for the export, for example the request reference."
    elif len(reason) > REASON_LIMIT:
        errors["reason"] = f"The reason must be {REASON_LIMIT} characters or fewer."
    elif any(ord(character) < 32 and character not in "\r\n\t" for character in reason):
        errors["reason"] = "The reason must not contain control characters."
    if errors:
        raise ExportRequestError(errors)
    from casemgmt.tasks import run_job

    with transaction.atomic():
        # Two clicks of the button (or two tabs) give one export, not two.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        running = casefile_export_running(actor=actor, person=person)
        if running is not None:
            return running
        job = Job.objects.create(
            kind=JOB_KIND,
            title=f"Case file export of {person.full_name}"[:200],
            params={"person_id": person.pk, "purpose": purpose, "reason": reason},
            created_by=actor,
        )
        audit.record_access(
            actor=actor,
            action="export",
            person_id=person.pk,
            object_type="casemgmt.job",
            object_id=str(job.pk),
            summary=f"Asked for the case file export ({Purpose.LABELS[purpose]})",
            reason=reason,
        )
        # The export is heavy: it runs on the documents workers, not the default queue.
        transaction.on_commit(lambda: run_job.apply_async(args=[str(job.pk)], queue=JOB_QUEUE))
    return job


def export_documents(job: Job) -> list[Document]:
    """The PDF bundle and the ZIP a finished export stored (still current), PDF first."""
    ids = [job.result.get("pdf_document_id"), job.result.get("zip_document_id")]
    found = {
        document.pk: document
        for document in Document.objects.current()
        .filter(pk__in=[i for i in ids if i])
        .select_related("current_version")
    }
    return [found[i] for i in ids if i in found]


def format_day(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""
