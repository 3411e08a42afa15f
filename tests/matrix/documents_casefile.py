"""The case file export: managers ask for it and follow their own export; nobody else sees either."""

from __future__ import annotations

from typing import Any

from casemgmt.models import Job
from documents import casefile
from tests.matrix.base import MANAGERS, Case, Context


def _job_kwargs(ctx: Context) -> dict[str, Any]:
    """An export of the person asked for by the persona (none for the anonymous visitor)."""
    job = Job.objects.create(
        kind=casefile.JOB_KIND,
        title="Case file export",
        params={"person_id": ctx.person.pk, "purpose": "court", "reason": "Matrix"},
        created_by=ctx.users.get(ctx.persona),
    )
    return {"person_id": ctx.person.pk, "job_id": job.pk}


CASES = [
    Case("documents:casefile-request", MANAGERS),
    Case(
        "documents:casefile-request",
        MANAGERS,
        method="post",
        data=lambda ctx: {"purpose": "subject_access", "reason": "SAR-1"},
        ok_status=frozenset({302}),
    ),
    Case("documents:casefile-status", MANAGERS, kwargs=_job_kwargs),
]
