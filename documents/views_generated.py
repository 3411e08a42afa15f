"""Pages for generated documents: choose a template for a completed step, then watch the job."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import Job, User
from clients import permissions as client_permissions
from clients.views.common import render_person_page
from documents import permissions
from documents.generation import (
    GENERATE,
    PRINT_ALL,
    generation_start,
    subject_person,
    templates_for,
)
from documents.models import DocumentTemplate
from workflows.models import Step
from workflows.permissions import access_step

MAX_CHOICE_LENGTH = 60


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _step_of(request: HttpRequest, person_id: int, step_id: int) -> tuple[Any, Step]:
    """The person (who must be someone the user may record on) and their step; else 404."""
    person = permissions.access_person_for_upload(request.user, person_id)
    step = access_step(request.user, step_id)
    if subject_person(step, person.pk) is None:
        raise Http404("No such step.")
    return person, step


@login_required
@require_http_methods(["GET", "POST"])
def step_generate(request: HttpRequest, person_id: int, step_id: int) -> HttpResponse:
    """Choose what to make from a completed step: every answer, or one of its templates."""
    person, step = _step_of(request, person_id, step_id)
    templates = templates_for(step) if step.status == Step.Status.COMPLETED else []
    choices = [(PRINT_ALL, f"{step.step_type.name}: every section and answer", "")]
    choices += [(t.code, t.name, t.get_kind_display()) for t in templates]
    error = ""
    chosen = ""
    status = 200
    if step.status != Step.Status.COMPLETED:
        error = "Documents can only be made from completed steps. Complete the step first."
        status = 409
    elif request.method == "POST":
        chosen = str(request.POST.get("template", ""))[:MAX_CHOICE_LENGTH]
        template: DocumentTemplate | None = None
        if not chosen:
            error = "Choose what to make."
        elif chosen != PRINT_ALL:
            template = next((t for t in templates if t.code == chosen), None)
            if template is None:
                error = "Choose one of the documents listed."
        if not error:
            try:
                job = generation_start(
                    actor=_actor(request), step=step, person=person, template=template
                )
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                return redirect("documents:generation-progress", person_id=person.pk, job_id=job.pk)
        status = 400
    return render_person_page(
        request,
        "documents/step_generate.html",
        person,
        {
            "step": step,
            "choices": choices,
            "chosen": chosen,
            "error": error,
            "is_completed": step.status == Step.Status.COMPLETED,
        },
        what=f"document choices for step {step.pk}",
        tab="documents",
        status=status,
    )


@login_required
@require_GET
def generation_progress(request: HttpRequest, person_id: int, job_id: uuid.UUID) -> HttpResponse:
    """The job making a document: progress, then a link to the document and its preview."""
    person = client_permissions.access_person(request.user, person_id)
    job = Job.objects.filter(pk=job_id, kind=GENERATE, created_by_id=request.user.pk).first()
    if job is None or job.params.get("person_id") != person.pk:
        raise Http404("No such job.")
    error = job.error.split(": ", 1)[-1] if job.error else ""
    template = (
        "documents/_generation_progress.html"
        if request.headers.get("HX-Request")
        else "documents/generation_progress.html"
    )
    return render_person_page(
        request,
        template,
        person,
        {"job": job, "error": error, "result": job.result or {}},
        what=f"progress of document job {job.pk}",
        tab="documents",
    )
