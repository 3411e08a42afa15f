"""Pages of the case file export: asking for it, and following it to its two files."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.models import User
from clients.views.common import render_person_page
from documents import casefile
from documents.selectors import document_list_visible_to

PREVIOUS_LIMIT = 10


def _previous_exports(request: HttpRequest, person: object) -> list[object]:
    return list(
        document_list_visible_to(user=request.user, person=person).filter(  # type: ignore[arg-type]
            category__code=casefile.CATEGORY_CODE
        )[:PREVIOUS_LIMIT]
    )


@login_required
@require_http_methods(["GET", "POST"])
def casefile_request(request: HttpRequest, person_id: int) -> HttpResponse:
    person = casefile.access_person_for_export(request.user, person_id)
    errors: dict[str, str] = {}
    values = {"purpose": "", "reason": ""}
    if request.method == "POST":
        values = {
            "purpose": str(request.POST.get("purpose", ""))[:50],
            # Kept as typed (up to a sane bound) so an error never loses it.
            "reason": str(request.POST.get("reason", ""))[:5000],
        }
        try:
            job = casefile.casefile_export_request(
                actor=cast(User, request.user), person=person, **values
            )
        except casefile.ExportRequestError as error:
            errors = error.errors
        else:
            return redirect("documents:casefile-status", person_id=person.pk, job_id=job.pk)
    running = casefile.casefile_export_running(actor=cast(User, request.user), person=person)
    return render_person_page(
        request,
        "documents/casefile/request.html",
        person,
        {
            "counts": casefile.record_counts(person),
            "purposes": casefile.Purpose.CHOICES,
            "values": values,
            "errors": errors,
            "reason_limit": casefile.REASON_LIMIT,
            "running": running,
            "previous": _previous_exports(request, person),
        },
        what="case file export form",
        tab="documents",
        status=400 if errors else 200,
    )


@login_required
@require_GET
def casefile_status(request: HttpRequest, person_id: int, job_id: str) -> HttpResponse:
    person = casefile.access_person_for_export(request.user, person_id)
    job = casefile.access_export_job(request.user, person, str(job_id))
    return render_person_page(
        request,
        "documents/casefile/status.html",
        person,
        {
            "job": job,
            "purpose": casefile.Purpose.LABELS.get(str(job.params.get("purpose")), ""),
            "documents": casefile.export_documents(job) if job.result else [],
        },
        what=f"case file export {job.pk}",
        tab="documents",
    )
