"""Generated documents: saving templates (versioned), and the job that makes a step's PDF.

The job (kind ``documents.generate``) runs on the ``documents`` Celery queue. It renders
the template in the sandbox, turns the HTML into a PDF and stores it as a document of
the person: a new Document the first time a template is generated for a step, a new
DocumentVersion of the same Document after that. The stored row carries the job's id
(unique), so a worker killed after storing and the job run again finds its own output
instead of storing a second copy.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup

from casemgmt import audit, jobs
from casemgmt.models import Code, Job, User
from clients.models import GroupMembership, Person
from documents.models import (
    CATEGORY_LIST_KEY,
    Document,
    DocumentTemplate,
    DocumentTemplateVersion,
    DocumentVersion,
    GeneratedDocument,
    document_storage,
)
from documents.pdf import render_pdf
from documents.templating import TemplateProblem, render_body, step_context
from workflows.models import Step

GENERATE = "documents.generate"
QUEUE = "documents"
PRINT_ALL = "all-answers"  # the choice that prints every section and answer of the step
LAYOUT_PATH = Path(__file__).parent / "document_templates" / "_layout.html"
PRINT_ALL_PATH = Path(__file__).parent / "document_templates" / "_all_answers.html"
SERVICE_NAMES = {"children": "Children's social care", "adults": "Adult social care"}


class GenerationFailed(Exception):
    """A document that cannot be made (no PDF is stored)."""


# -- templates: saving keeps every version ------------------------------------------------


def template_save(
    *, actor: User | None, template: DocumentTemplate, step_type_ids: list[int] | None = None
) -> DocumentTemplate:
    """Save `template`; a new or changed body becomes a new version (the old one is kept).

    A body that does not compile is refused (ValidationError naming the line).
    """
    try:
        from documents.templating import compile_body

        compile_body(template.body)
    except TemplateProblem as problem:
        raise ValidationError({"body": problem.describe()}) from problem
    with transaction.atomic():
        previous = None
        if template.pk:
            previous = (
                DocumentTemplate.objects.select_for_update()
                .filter(pk=template.pk)
                .values("body", "name", "kind", "version")
                .first()
            )
        changed = previous is None or any(
            previous[name] != getattr(template, name) for name in ("body", "name", "kind")
        )
        if changed:
            template.version = (previous["version"] if previous else 0) + 1
        template.updated_at = timezone.now()
        template.updated_by = actor
        template.save()
        if step_type_ids is not None:
            template.step_types.set(step_type_ids)
        if changed:
            DocumentTemplateVersion.objects.create(
                template=template,
                number=template.version,
                name=template.name,
                kind=template.kind,
                body=template.body,
                created_at=timezone.now(),
                created_by=actor,
            )
        audit.record_change(
            actor=actor,
            action="create" if previous is None else "update",
            person_id=None,
            instance=template,
            changes={"version": [previous["version"] if previous else None, template.version]}
            if changed
            else {},
            summary=f"Saved document template “{template.name}” (version {template.version})",
        )
    return template


def templates_for(step: Step) -> list[DocumentTemplate]:
    """Active templates offered for the step: those for its step type, or for any step."""
    from django.db.models import Count, Q

    return list(
        DocumentTemplate.objects.filter(is_active=True, version__gt=0)
        .annotate(type_count=Count("step_types"))
        .filter(Q(step_types=step.step_type) | Q(type_count=0))
        .distinct()
        .order_by("name")
    )


# -- rendering ------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def read_layout() -> str:
    """The council layout every generated document is rendered inside."""
    return _read(LAYOUT_PATH)


@dataclass
class Rendered:
    title: str
    html: str


def subject_person(step: Step, person_id: int) -> Person | None:
    """The person a document of the step is for: its person, or a member of its group."""
    if step.person_id is not None:
        return step.person if step.person_id == person_id else None
    if step.group_id is None:
        return None
    membership = (
        GroupMembership.objects.filter(group_id=step.group_id, person_id=person_id)
        .select_related("person")
        .first()
    )
    return membership.person if membership else None


def document_title(step: Step, name: str) -> str:
    return f"{name}: {step.step_type.name}"[:200] if name != step.step_type.name else name


def render_html(
    *,
    step: Step,
    person: Person,
    author: User,
    body: str,
    kind: str,
    title: str,
) -> Rendered:
    """The full HTML document (council layout around the template's body)."""
    context = step_context(step, person, author=author, people=_people_names(step))
    context["document"] = {"title": title}
    content = render_body(body, context)
    name = context["person"]["addressee"] or context["person"]["name"]
    if step.step_type.workflow.service == "children":
        # Letters about a child go to the people who look after them.
        name = f"The parent or carer of {context['person']['name']}"
    recipient = {"name": name, "address_lines": context["person"]["address"]["lines"]}
    layout_context = dict(context)
    layout_context.update(
        {
            "body": Markup(content),  # noqa: S704 (rendered by the autoescaping sandbox)
            "kind": kind,
            "recipient": recipient,
            "service": SERVICE_NAMES.get(step.step_type.workflow.service, "Social care"),
        }
    )
    html = render_body(_read(LAYOUT_PATH), layout_context)
    return Rendered(title=title, html=html)


def _people_names(step: Step) -> dict[int, str]:
    from workflows import forms_html

    schema = step.form_version.schema
    answers = step.answers if isinstance(step.answers, dict) else {}
    ids = forms_html.person_ids(schema, answers)
    return {
        person.pk: person.full_name for person in Person.objects.filter(pk__in=ids).order_by("pk")
    }


# -- the job ----------------------------------------------------------------------------------


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=jobs.MAX_ATTEMPTS - 1,
    retry_backoff=True,
    queue=QUEUE,
)
def run_document_job(job_id: str) -> None:
    """casemgmt's job runner, on the documents queue."""
    jobs.job_run(job_id)


def generation_start(
    *, actor: User, step: Step, person: Person, template: DocumentTemplate | None
) -> Job:
    """Queue the generation of the step's document (after the transaction commits)."""
    if step.status != Step.Status.COMPLETED:
        raise ValidationError("Documents can only be made from completed steps.")
    if subject_person(step, person.pk) is None:
        raise ValidationError("The step is not about this person.")
    name = template.name if template is not None else f"{step.step_type.name} (all answers)"
    with transaction.atomic():
        job = Job.objects.create(
            kind=GENERATE,
            title=f"Making “{name}” for {person.full_name}"[:200],
            params={
                "step_id": step.pk,
                "person_id": person.pk,
                "template_id": template.pk if template is not None else None,
                "template_version": template.version if template is not None else None,
            },
            created_by=actor,
        )
        audit.record_access(
            actor=actor,
            action="generate",
            person_id=person.pk,
            object_type="step",
            object_id=step.pk,
            summary=f"Asked for the document “{name}” from {step.step_type.name}",
        )
        transaction.on_commit(lambda: run_document_job.delay(str(job.pk)))
    return job


def _result(generated: GeneratedDocument) -> dict[str, Any]:
    person_id = generated.document.person_id
    return {
        "person_id": person_id,
        "document_id": generated.document_id,
        "version_id": generated.document_version_id,
        "version_number": generated.document_version.number,
        "document_url": reverse(
            "documents:document-detail",
            kwargs={"person_id": person_id, "document_id": generated.document_id},
        ),
        "preview_url": reverse(
            "documents:document-preview",
            kwargs={
                "person_id": person_id,
                "document_id": generated.document_id,
                "version_id": generated.document_version_id,
            },
        ),
    }


def _category(code: str) -> Code:
    category = Code.objects.filter(code_list__key=CATEGORY_LIST_KEY, code=code).first()
    if category is None:
        category = Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="other")
    return category


def _filename(title: str, step: Step, number: int) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    while "--" in stem:
        stem = stem.replace("--", "-")
    return f"{stem[:80] or 'document'}-{step.pk}-v{number}.pdf"


@jobs.register(GENERATE)
def generate_document(job: Job, reporter: jobs.JobReporter) -> dict[str, Any]:
    """Render, make the PDF, store it: three stages, shown as progress."""
    done = GeneratedDocument.objects.filter(job_id=job.pk).select_related("document_version")
    existing = done.select_related("document").first()
    if existing is not None:  # an earlier attempt stored it and was killed before finishing
        return _result(existing)
    params = job.params
    step = (
        Step.objects.select_related(
            "step_type__workflow", "form_version", "person", "group", "team", "completed_by"
        )
        .filter(pk=params.get("step_id"))
        .first()
    )
    person = Person.objects.filter(pk=params.get("person_id")).first()
    author = job.created_by
    if step is None or person is None or author is None:
        raise ValueError("The step, the person or the requester no longer exists.")
    if step.status != Step.Status.COMPLETED:
        raise ValueError("The step is no longer completed.")
    template_version = None
    template = None
    if params.get("template_id") is not None:
        template_version = (
            DocumentTemplateVersion.objects.select_related("template__category")
            .filter(template_id=params["template_id"], number=params.get("template_version"))
            .first()
        )
        if template_version is None:
            raise ValueError("The template version asked for no longer exists.")
        template = template_version.template
        body, kind, name = template_version.body, template_version.kind, template_version.name
        category = template.category
    else:
        body, kind = _read(PRINT_ALL_PATH), DocumentTemplate.Kind.REPORT
        name = step.step_type.name
        category = _category("report")
    title = document_title(step, name) if template is not None else f"{name} (all answers)"

    reporter.progress(0, 3, state={"stage": "rendering"})
    try:
        rendered = render_html(
            step=step, person=person, author=author, body=body, kind=kind, title=title
        )
    except TemplateProblem as problem:
        # A template error will not go away on a retry: the job fails now, saying why.
        job.attempts = jobs.MAX_ATTEMPTS
        job.save(update_fields=["attempts"])
        raise GenerationFailed(
            f"the template “{name}” has an error: {problem.describe()}"
        ) from problem
    reporter.progress(1, 3, state={"stage": "pdf"})
    pdf = render_pdf(rendered.html)
    reporter.progress(2, 3, state={"stage": "storing"})
    generated = store_generated(
        job_id=job.pk,
        author=author,
        person=person,
        step=step,
        template=template,
        template_version=template_version,
        title=title,
        category=category,
        pdf=pdf,
    )
    reporter.progress(3, 3, state={"stage": "stored"})
    return _result(generated)


def store_generated(
    *,
    job_id: uuid.UUID,
    author: User,
    person: Person,
    step: Step,
    template: DocumentTemplate | None,
    template_version: DocumentTemplateVersion | None,
    title: str,
    category: Code,
    pdf: bytes,
) -> GeneratedDocument:
    """Store the PDF: a new document, or a new version of the one made before for the step."""
    storage = document_storage()
    saved: list[str] = []
    try:
        with transaction.atomic():
            existing = GeneratedDocument.objects.filter(job_id=job_id).first()
            if existing is not None:
                return existing
            earlier = (
                GeneratedDocument.objects.filter(
                    step=step,
                    template=template,
                    document__person=person,
                    document__deleted_at__isnull=True,
                )
                .order_by("-generated_at")
                .first()
            )
            now = timezone.now()
            if earlier is not None:
                document = Document.objects.select_for_update().get(pk=earlier.document_id)
                number = (
                    document.versions.order_by("-number").values_list("number", flat=True).first()
                    or 0
                ) + 1
            else:
                document = Document.objects.create(
                    person=person,
                    step=step if step.person_id == person.pk else None,
                    title=title,
                    category=category,
                    document_date=timezone.localdate(),
                    confidentiality=Document.Confidentiality.SENSITIVE,
                    uploaded_by=author,
                    created_at=now,
                )
                number = 1
            version = DocumentVersion(
                document=document,
                number=number,
                original_filename=_filename(title, step, number),
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                content_type="application/pdf",
                uploaded_by=author,
                uploaded_at=now,
                scan_result=DocumentVersion.ScanResult.NOT_SCANNED,
            )
            version.file.save(version.original_filename, ContentFile(pdf), save=False)
            saved.append(str(version.file.name))
            version.save()
            previous_version = document.current_version_id
            document.current_version = version
            document.save(update_fields=["current_version"])
            generated = GeneratedDocument.objects.create(
                job_id=job_id,
                document=document,
                document_version=version,
                step=step,
                template=template,
                template_version=template_version,
                generated_by=author,
                generated_at=now,
            )
            which = (
                f"template “{template_version.name}” version {template_version.number}"
                if template_version is not None
                else "every answer of the step"
            )
            audit.record_change(
                actor=author,
                action="create" if number == 1 else "update",
                person_id=person.pk,
                instance=document,
                changes={
                    "current_version": [previous_version, version.pk],
                    "generated_from": [None, f"step {step.pk}, {which}"],
                    "sha256": [None, version.sha256],
                },
                summary=f"Generated document “{document.title}” (version {number}) from {which}",
            )
    except IntegrityError:
        # Another run of the same job stored it first: use that one.
        for name in saved:
            storage.delete(name)
        existing = GeneratedDocument.objects.filter(job_id=job_id).first()
        if existing is None:
            raise
        return existing
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return generated
