"""The case file export job: plan, render the parts, merge, zip, store (see documents/casefile.py).

Where it has got to lives in the job's state: the plan (fixed on the first run), the page
count of every part rendered (the part itself waits in the documents storage), and once
stored, the ids of the two documents. A successor of a killed worker renders only the
parts still missing, and never stores the documents twice.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import tempfile
from contextlib import ExitStack
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt import audit
from casemgmt.jobs import JobReporter, register
from casemgmt.models import Code, Job, User
from clients.models import Person
from documents import casefile, casefile_render
from documents.casefile_zip import write_zip
from documents.models import Document, DocumentVersion, document_storage

_DOCUMENT_FIELDS = ("person", "title", "category", "document_date", "confidentiality")
_VERSION_FIELDS = ("number", "original_filename", "size", "sha256", "content_type", "scan_result")
# Units of progress besides the parts: the index and merge, and storing.
_EXTRA_STEPS = 2


class ExportRefused(Exception):
    """The export cannot run: the record is not open to the user who asked, or they are gone."""


def _work_name(job: Job, name: str) -> str:
    return f"casefile-work/{job.pk}/{name}"


def _final_name(job: Job, person_id: int, extension: str) -> str:
    return f"people/{person_id}/casefile-{job.pk}.{extension}"


def save_exact(name: str, content: IO[bytes]) -> str:
    """Save under exactly `name` (replacing what an earlier, killed attempt left there)."""
    storage = document_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, File(content, name=name.rsplit("/", 1)[-1]))


def sha256_and_size(handle: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    handle.seek(0)
    while block := handle.read(1024 * 1024):
        digest.update(block)
        size += len(block)
    handle.seek(0)
    return digest.hexdigest(), size


def store_restricted_file(
    *,
    actor: User,
    person: Person,
    category: Code,
    title: str,
    filename: str,
    storage_name: str,
    handle: IO[bytes],
    content_type: str,
    saved: list[str],
    summary: str,
) -> Document:
    """Keep a file made from the record as a restricted document of the person (audited).

    Call inside the caller's transaction; `saved` collects the storage name, so the caller
    can remove the file if the transaction does not commit (storage is not transactional).
    """
    sha256, size = sha256_and_size(handle)
    name = save_exact(storage_name, handle)
    saved.append(name)
    document = Document.objects.create(
        person=person,
        title=title[:200],
        category=category,
        document_date=timezone.localdate(),
        confidentiality=Document.Confidentiality.RESTRICTED,
        uploaded_by=actor,
        created_at=timezone.now(),
    )
    version = DocumentVersion(
        document=document,
        number=1,
        original_filename=filename,
        size=size,
        sha256=sha256,
        content_type=content_type,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        # Made here from the record, not uploaded: there is nothing to scan.
        scan_result=DocumentVersion.ScanResult.NOT_SCANNED,
    )
    version.file.name = name
    version.save()
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
        summary=f"{summary} “{document.title}”",
    )
    return document


def _actor_and_person(job: Job) -> tuple[User, Person]:
    actor = job.created_by
    if actor is None or not actor.is_active:
        raise ExportRefused("The user who asked for this export can no longer sign in.")
    try:
        person = casefile.access_person_for_export(actor, int(job.params["person_id"]))
    except Exception as error:
        raise ExportRefused("The record is not open to the user who asked for it.") from error
    return actor, person


def _plan(job: Job, reporter: JobReporter, actor: User, person: Person) -> dict[str, Any]:
    counts = casefile.record_counts(person)
    state: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "plan": casefile_render.plan_parts(person),
        "counts": {**counts.__dict__},
        "parts": [],
    }
    # The index has one line per section whatever the page numbers: its length is known
    # before the parts are rendered, so the parts can number their pages from after it.
    placeholder = [
        casefile_render.IndexEntry(key, title, 99999) for key, title in casefile_render.SECTIONS
    ]
    front = casefile_render.render_front(
        person=person,
        actor=actor,
        purpose=job.params.get("purpose", ""),
        reason=job.params.get("reason", ""),
        exported_at=datetime.datetime.fromisoformat(state["exported_at"]),
        counts=state["counts"],
        index=placeholder,
    )
    state["front_pages"] = casefile_render.pdf_page_count(front)
    reporter.progress(0, len(state["plan"]) + _EXTRA_STEPS, state=state)
    return state


def _index(state: dict[str, Any]) -> list[casefile_render.IndexEntry]:
    entries: dict[str, int] = {}
    page = int(state["front_pages"]) + 1
    for done in state["parts"]:
        for key, offset in done["sections"].items():
            entries.setdefault(key, page + int(offset))
        page += int(done["pages"])
    return [
        casefile_render.IndexEntry(key, title, entries[key])
        for key, title in casefile_render.SECTIONS
        if key in entries
    ]


def _store(
    *,
    job: Job,
    reporter: JobReporter,
    actor: User,
    person: Person,
    state: dict[str, Any],
    pdf: IO[bytes],
    archive: IO[bytes],
    pages: int,
    attachments: int,
) -> dict[str, Any]:
    """Both files as restricted documents of the person: together, once, audited."""
    category = casefile.export_category()
    today = timezone.localdate()
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if locked.state.get("documents"):
                job.state = locked.state
                return dict(locked.state["documents"])
            stored: dict[str, int] = {}
            for key, handle, extension, content_type, label in (
                ("pdf_document_id", pdf, "pdf", "application/pdf", "PDF bundle"),
                ("zip_document_id", archive, "zip", "application/zip", "attachments ZIP"),
            ):
                document = store_restricted_file(
                    actor=actor,
                    person=person,
                    category=category,
                    title=f"Case file export of {today:%-d %B %Y} ({label})",
                    filename=f"case-file-{person.pk}-{today.isoformat()}.{extension}",
                    storage_name=_final_name(job, person.pk, extension),
                    handle=handle,
                    content_type=content_type,
                    saved=saved,
                    summary="Stored the case file export",
                )
                stored[key] = document.pk
            audit.record_access(
                actor=actor,
                action="export",
                person_id=person.pk,
                object_type="casemgmt.job",
                object_id=str(job.pk),
                summary=f"Exported the case file ({pages} pages, {attachments} attachments)",
                reason=str(job.params.get("reason", "")),
            )
            state["documents"] = stored
            state["pages"] = pages
            state["attachments"] = attachments
            reporter.job = locked
            total = len(state["plan"]) + _EXTRA_STEPS
            reporter.progress(total, total, state=state)
    except BaseException:
        storage = document_storage()
        for name in saved:
            storage.delete(name)
        raise
    job.state = state
    return stored


def _clean_up(job: Job, state: dict[str, Any]) -> None:
    storage = document_storage()
    for number in range(len(state.get("plan", []))):
        name = _work_name(job, f"part-{number:04d}.pdf")
        if storage.exists(name):
            storage.delete(name)
    # A local folder keeps the job's empty folder (object storage has no folders to remove).
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage.path(_work_name(job, "")))


@register(casefile.JOB_KIND)
def casefile_export(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """Render, merge, zip and store the case file of `job.params["person_id"]`."""
    actor, person = _actor_and_person(job)
    state = dict(job.state)
    if "plan" not in state:
        state = _plan(job, reporter, actor, person)
    plan: list[dict[str, Any]] = state["plan"]
    total = len(plan) + _EXTRA_STEPS
    exported_at = datetime.datetime.fromisoformat(state["exported_at"])
    storage = document_storage()

    if not state.get("documents"):
        # Each part: render, keep it in storage, then record its pages (a successor skips it).
        for number in range(len(state["parts"]), len(plan)):
            first_page = int(state["front_pages"]) + 1 + sum(p["pages"] for p in state["parts"])
            data = casefile_render.render_part(
                person=person,
                actor=actor,
                part=plan[number],
                first_page=first_page,
                exported_at=exported_at,
                counts=state["counts"],
            )
            with tempfile.TemporaryFile() as handle:
                handle.write(data)
                handle.seek(0)
                save_exact(_work_name(job, f"part-{number:04d}.pdf"), handle)
            state["parts"].append(
                {
                    "pages": casefile_render.pdf_page_count(data),
                    "sections": casefile_render.section_pages(data),
                }
            )
            del data
            reporter.progress(number + 1, total, state=state)

        index = _index(state)
        front = casefile_render.render_front(
            person=person,
            actor=actor,
            purpose=job.params.get("purpose", ""),
            reason=job.params.get("reason", ""),
            exported_at=exported_at,
            counts=state["counts"],
            index=index,
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
            pages = casefile_render.merge(front_file, parts, index, pdf)
            reporter.progress(len(plan) + 1, total)
            documents = (
                casefile.exported_documents(person)
                .filter(
                    pk__in=[i for p in plan if p.get("section") == "documents" for i in p["ids"]]
                )
                .select_related("category", "current_version", "uploaded_by")
                .order_by("document_date", "id")
            )
            attachments = write_zip(documents.iterator(chunk_size=100), archive)
            _store(
                job=job,
                reporter=reporter,
                actor=actor,
                person=person,
                state=state,
                pdf=pdf,
                archive=archive,
                pages=pages,
                attachments=attachments,
            )
    _clean_up(job, job.state)
    final = job.state
    return {
        "download_url": reverse(
            "documents:casefile-status", kwargs={"person_id": person.pk, "job_id": job.pk}
        ),
        "pdf_document_id": final["documents"]["pdf_document_id"],
        "zip_document_id": final["documents"]["zip_document_id"],
        "pages": final.get("pages"),
        "attachments": final.get("attachments"),
        "counts": final.get("counts", {}),
    }
