"""The release bundle: the reviewed case file as a PDF (redactions taken out) and a ZIP.

Made by a job (kind ``subject_access.release``, on the ``documents`` queue) for each person
on a request when its review is signed off. Like the case file export, it plans once
(saved in the job's state), renders each part to its own PDF kept in the documents
storage, merges them behind a title page and an index, and stores the PDF and the ZIP of
the released attachments (originals, or the redacted copies uploaded in their place) as
restricted documents of the person, in one transaction, once. A job made for a sign-off
that has since been withdrawn stops without storing anything.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
from collections import Counter
from contextlib import ExitStack
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casemgmt.jobs import JobReporter, register
from casemgmt.models import Job, User
from clients.permissions import access_person
from documents import casefile, casefile_job, casefile_release, casefile_render
from documents.casefile_items import Span, fields_from_json, released_text
from documents.casefile_render import SECTIONS, IndexEntry
from documents.casefile_zip import ReleaseFile, release_entry_name, write_release_zip
from documents.models import Document, DocumentVersion, document_storage
from subject_access.models import (
    EXEMPTION_REASONS,
    Redaction,
    RequestSubject,
    ReviewItem,
    SubjectAccessRequest,
)

JOB_KIND = "subject_access.release"
QUEUE = "documents"
Decision = ReviewItem.Decision
_EXTRA_STEPS = 2


class ReleaseRefused(Exception):
    """The bundle cannot be made: the officer who signed off can no longer open the record."""


def release_start(*, actor: User, sar: SubjectAccessRequest, subject: RequestSubject) -> Job:
    """Queue the bundle of one person (inside the sign-off's transaction)."""
    from casemgmt.tasks import run_job

    job = Job.objects.create(
        kind=JOB_KIND,
        title=f"Making the disclosure bundle for {sar.reference}",
        params={
            "subject_id": subject.pk,
            "person_id": subject.person_id,
            "signed_off_at": sar.signed_off_at.isoformat() if sar.signed_off_at else "",
        },
        created_by=actor,
    )
    subject.release_job = job
    subject.save(update_fields=["release_job"])
    transaction.on_commit(lambda: run_job.apply_async(args=[str(job.pk)], queue=QUEUE))
    return job


def _work_name(job: Job, name: str) -> str:
    return f"sar-work/{job.pk}/{name}"


def _current(job: Job) -> tuple[RequestSubject | None, User]:
    """The subject, if this job still belongs to the request's current sign-off."""
    subject = (
        RequestSubject.objects.select_related("request", "person")
        .filter(pk=job.params.get("subject_id"))
        .first()
    )
    actor = job.created_by
    if actor is None or not actor.is_active:
        raise ReleaseRefused("The officer who signed this off can no longer sign in.")
    if subject is None or subject.release_job_id != job.pk:
        return None, actor
    sar = subject.request
    signed = sar.signed_off_at.isoformat() if sar.signed_off_at else ""
    if sar.status != SubjectAccessRequest.Status.IN_REVIEW or signed != job.params.get(
        "signed_off_at"
    ):
        return None, actor
    try:
        access_person(actor, subject.person_id)
    except Http404 as error:
        raise ReleaseRefused(
            "The record is not open to the officer who signed this off."
        ) from error
    return subject, actor


def _released_files(subject: RequestSubject) -> list[tuple[int, str, ReleaseFile]]:
    """(item id, title as released, file) for each document released, in the file's order."""
    items = list(
        ReviewItem.objects.filter(
            subject=subject,
            decision__in=[Decision.RELEASE, Decision.RELEASE_COPY],
            document_version__isnull=False,
        ).order_by("position", "pk")
    )
    spans = _spans([item.pk for item in items])
    copies = {
        document.pk: document
        for document in Document.objects.filter(
            pk__in=[item.redacted_copy_id for item in items if item.redacted_copy_id]
        ).select_related("current_version")
    }
    originals = DocumentVersion.objects.in_bulk([item.document_version_id for item in items])
    dates = dict(
        Document.objects.filter(pk__in=[item.document_id for item in items]).values_list(
            "pk", "document_date"
        )
    )
    files: list[tuple[int, str, ReleaseFile]] = []
    for item in items:
        fields = fields_from_json(item.fields)
        heading = next((f for f in fields if f.key == "heading"), None)
        title = (
            released_text(heading.text, spans.get(item.pk, {}).get("heading", []))
            if heading
            else ""
        )
        original = originals.get(item.document_version_id or 0)
        copy = copies.get(item.redacted_copy_id or 0)
        version = (
            copy.current_version if item.decision == Decision.RELEASE_COPY and copy else original
        )
        if version is None or original is None:
            raise FileNotFoundError(f"A released document of item {item.pk} is missing.")
        document_date = dates.get(item.document_id or 0) or timezone.localdate()
        files.append(
            (
                item.pk,
                title,
                ReleaseFile(
                    title=title,
                    document_date=document_date,
                    storage_name=str(version.file.name),
                    original_filename=version.original_filename,
                    content_type=version.content_type,
                    size=version.size,
                    sha256=version.sha256,
                    stored_at=version.uploaded_at,
                    is_redacted_copy=item.decision == Decision.RELEASE_COPY,
                ),
            )
        )
    return files


def _spans(item_ids: list[int]) -> dict[int, dict[str, list[Span]]]:
    found: dict[int, dict[str, list[Span]]] = {}
    for redaction in Redaction.objects.filter(item_id__in=item_ids).order_by("start", "pk"):
        found.setdefault(redaction.item_id, {}).setdefault(redaction.field_key, []).append(
            Span(redaction.start, redaction.end, EXEMPTION_REASONS[redaction.exemption])
        )
    return found


def _header(subject: RequestSubject, released_on: datetime.date) -> casefile_release.ReleaseHeader:
    sar = subject.request
    person = subject.person
    withheld = Counter(
        EXEMPTION_REASONS[exemption]
        for exemption in ReviewItem.objects.filter(
            subject=subject, decision=Decision.WITHHOLD, leave_out=False
        ).values_list("exemption", flat=True)
    )
    redacted = Counter(
        EXEMPTION_REASONS[exemption]
        for exemption in Redaction.objects.filter(
            item__subject=subject, item__decision__in=[Decision.RELEASE, Decision.RELEASE_COPY]
        ).values_list("exemption", flat=True)
    )
    reasons = sorted(set(withheld) | set(redacted))
    return casefile_release.ReleaseHeader(
        reference=sar.reference,
        subject_name=person.full_name,
        subject_born=casefile.format_day(person.date_of_birth),
        requester_name=sar.requester_name,
        received_on=sar.received_on,
        released_on=released_on,
        withheld_reasons=[(reason, withheld[reason], redacted[reason]) for reason in reasons],
    )


def _plan(subject: RequestSubject, header: casefile_release.ReleaseHeader) -> dict[str, Any]:
    entries = list(
        ReviewItem.objects.filter(subject=subject)
        .exclude(decision=Decision.WITHHOLD, leave_out=True)
        .order_by("position", "pk")
        .values_list("section", "pk")
    )
    counts = Counter(section for section, _ in entries)
    files = _released_files(subject)
    attachments = {
        str(item_id): release_entry_name(number, file)
        for number, (item_id, _, file) in enumerate(files, start=1)
    }
    made_at = timezone.now()
    placeholder = [IndexEntry(key, title, 99999) for key, title in SECTIONS]
    front = casefile_release.render_front(
        header=header, made_at=made_at, index=placeholder, counts=dict(counts)
    )
    return {
        "made_at": made_at.isoformat(),
        "released_on": header.released_on.isoformat(),
        "plan": casefile_release.plan_parts(entries),
        "counts": dict(counts),
        "attachments": attachments,
        "front_pages": casefile_render.pdf_page_count(front),
        "parts": [],
    }


def _release_items(
    ids: list[int], attachments: dict[str, str]
) -> dict[int, casefile_release.ReleaseItem]:
    items = ReviewItem.objects.filter(pk__in=ids).order_by("position", "pk")
    spans = _spans(ids)
    found: dict[int, casefile_release.ReleaseItem] = {}
    for item in items:
        attachment = ""
        name = attachments.get(str(item.pk))
        if name:
            attachment = (
                f"A redacted copy is in the attachments ZIP file as {name}."
                if item.decision == Decision.RELEASE_COPY
                else f"In the attachments ZIP file as {name}."
            )
        elif item.is_document and item.decision != Decision.WITHHOLD:
            attachment = "The file itself is not included."
        found[item.pk] = casefile_release.ReleaseItem(
            section=item.section,
            fields=fields_from_json(item.fields),
            spans=spans.get(item.pk, {}),
            withheld=EXEMPTION_REASONS[item.exemption]
            if item.decision == Decision.WITHHOLD
            else "",
            attachment=attachment,
        )
    return found


def _index(state: dict[str, Any]) -> list[IndexEntry]:
    entries: dict[str, int] = {}
    page = int(state["front_pages"]) + 1
    for done in state["parts"]:
        for key, offset in done["sections"].items():
            entries.setdefault(key, page + int(offset))
        page += int(done["pages"])
    return [IndexEntry(key, title, entries[key]) for key, title in SECTIONS if key in entries]


def _store(
    *,
    job: Job,
    reporter: JobReporter,
    actor: User,
    subject: RequestSubject,
    state: dict[str, Any],
    pdf: Any,
    archive: Any,
    pages: int,
    attachments: int,
) -> None:
    sar = subject.request
    category = casefile.export_category()
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if locked.state.get("documents"):
                job.state = locked.state
                return
            row = RequestSubject.objects.select_for_update().get(pk=subject.pk)
            current = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
            signed = current.signed_off_at.isoformat() if current.signed_off_at else ""
            if row.release_job_id != job.pk or signed != job.params.get("signed_off_at"):
                return
            stored: dict[str, int] = {}
            for key, handle, extension, content_type, label in (
                ("pdf", pdf, "pdf", "application/pdf", "PDF bundle"),
                ("zip", archive, "zip", "application/zip", "attachments ZIP"),
            ):
                document = casefile_job.store_restricted_file(
                    actor=actor,
                    person=subject.person,
                    category=category,
                    title=f"Subject access disclosure {sar.reference} ({label})",
                    filename=f"{sar.reference.lower()}-{subject.person_id}.{extension}",
                    storage_name=f"people/{subject.person_id}/sar-{job.pk}.{extension}",
                    handle=handle,
                    content_type=content_type,
                    saved=saved,
                    summary="Stored the disclosure",
                )
                stored[key] = document.pk
            row.release_pdf_id = stored["pdf"]
            row.release_zip_id = stored["zip"]
            row.release_pages = pages
            row.release_attachments = attachments
            row.save(
                update_fields=["release_pdf", "release_zip", "release_pages", "release_attachments"]
            )
            state["documents"] = stored
            reporter.job = locked
            total = len(state["plan"]) + _EXTRA_STEPS
            reporter.progress(total, total, state=state)
    except BaseException:
        for name in saved:
            document_storage().delete(name)
        raise
    job.state = state


def _clean_up(job: Job, state: dict[str, Any]) -> None:
    storage = document_storage()
    for number in range(len(state.get("plan", []))):
        name = _work_name(job, f"part-{number:04d}.pdf")
        if storage.exists(name):
            storage.delete(name)
    # A local folder keeps the job's empty folder (object storage has no folders to remove).
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage.path(_work_name(job, "")))


@register(JOB_KIND)
def build_release(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """Render, merge, zip and store the disclosure of `job.params["subject_id"]`."""
    subject, actor = _current(job)
    if subject is None:
        return {"superseded": True}
    state = dict(job.state)
    if "plan" not in state:
        state = _plan(subject, _header(subject, timezone.localdate()))
        reporter.progress(0, len(state["plan"]) + _EXTRA_STEPS, state=state)
    plan: list[list[Any]] = state["plan"]
    total = len(plan) + _EXTRA_STEPS
    made_at = datetime.datetime.fromisoformat(state["made_at"])
    header = _header(subject, datetime.date.fromisoformat(state["released_on"]))
    storage = document_storage()
    if not state.get("documents"):
        for number in range(len(state["parts"]), len(plan)):
            first_page = int(state["front_pages"]) + 1 + sum(p["pages"] for p in state["parts"])
            ids = [entry for entry in plan[number] if isinstance(entry, int)]
            data = casefile_release.render_part(
                header=header,
                made_at=made_at,
                part=plan[number],
                items=_release_items(ids, state["attachments"]),
                first_page=first_page,
            )
            with tempfile.TemporaryFile() as handle:
                handle.write(data)
                handle.seek(0)
                casefile_job.save_exact(_work_name(job, f"part-{number:04d}.pdf"), handle)
            state["parts"].append(
                {
                    "pages": casefile_render.pdf_page_count(data),
                    "sections": casefile_render.section_pages(data),
                }
            )
            reporter.progress(number + 1, total, state=state)
        index = _index(state)
        front = casefile_release.render_front(
            header=header, made_at=made_at, index=index, counts=state["counts"]
        )
        with (
            ExitStack() as stack,
            tempfile.TemporaryFile() as pdf,
            tempfile.TemporaryFile() as archive,
        ):
            front_file = stack.enter_context(tempfile.TemporaryFile())
            front_file.write(front)
            front_file.seek(0)
            parts = [
                stack.enter_context(storage.open(_work_name(job, f"part-{n:04d}.pdf"), "rb"))
                for n in range(len(plan))
            ]
            pages = casefile_render.merge(
                front_file, parts, index, pdf, title=f"Subject access disclosure {subject.request}"
            )
            reporter.progress(len(plan) + 1, total)
            attachments = write_release_zip(
                (file for _, _, file in _released_files(subject)), archive
            )
            _store(
                job=job,
                reporter=reporter,
                actor=actor,
                subject=subject,
                state=state,
                pdf=pdf,
                archive=archive,
                pages=pages,
                attachments=attachments,
            )
    _clean_up(job, job.state)
    return {"subject_id": subject.pk, "documents": job.state.get("documents", {})}
