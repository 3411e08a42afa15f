from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from casemgmt.models import Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("clients:search")


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    """A job's progress: the whole page, or (for htmx polling) just the progress panel."""
    job = Job.objects.filter(pk=job_id, created_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    template = "casemgmt/_job_progress.html" if request.htmx else "casemgmt/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
