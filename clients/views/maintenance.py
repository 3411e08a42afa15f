from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casemgmt import roles
from casemgmt.jobs import job_start
from clients import permissions
from clients.jobs import REBUILD_SEARCH_KEYS


@login_required
@require_http_methods(["GET", "POST"])
def rebuild_search_keys(request: HttpRequest) -> HttpResponse:
    """System administrators: recompute every person's search keys as a background job."""
    if not permissions.can(request.user, roles.RUN_MAINTENANCE_JOBS):
        raise PermissionDenied
    if request.method == "POST":
        job = job_start(
            actor=request.user,  # type: ignore[arg-type]
            kind=REBUILD_SEARCH_KEYS,
            title="Rebuild search keys for every person",
        )
        return redirect("job-detail", job_id=job.pk)
    return render(request, "clients/rebuild_search_keys.html", {})
