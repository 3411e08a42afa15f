"""Generated documents: choosing what to make from a completed step, and the job's progress.

Making a document needs the right to record on the person (as uploading does): every case
worker. The progress page is its requester's: anyone who may see the person sees the jobs
they started themselves (a job of someone else is not found).
"""

from __future__ import annotations

from typing import Any

from casemgmt.models import Job, Team
from documents.generation import GENERATE, PRINT_ALL
from tests.matrix.base import CASE_WORKERS, PEOPLE_VIEWERS, Case, Context
from tests.workflows.step_page_builders import COMPLETE_ANSWERS, make_step, visit_flow
from workflows.models import Step

MAKERS = CASE_WORKERS
REDIRECT = frozenset({302})


def _completed_step(ctx: Context) -> dict[str, Any]:
    team = Team.objects.get(code="assessment-north")
    step = make_step(
        visit_flow(default_team=team).visit,
        person=ctx.person,
        team=team,
        assignee=ctx.users["allocated_worker"],
        answers=dict(COMPLETE_ANSWERS),
        status=Step.Status.COMPLETED,
    )
    return {"person_id": ctx.person.pk, "step_id": step.pk}


def _own_job(ctx: Context) -> dict[str, Any]:
    step = _completed_step(ctx)
    job = Job.objects.create(
        kind=GENERATE,
        title="Making a document",
        params={"step_id": step["step_id"], "person_id": ctx.person.pk, "template_id": None},
        created_by=ctx.users.get(ctx.persona),
    )
    return {"person_id": ctx.person.pk, "job_id": job.pk}


CASES = [
    Case("documents:step-generate", MAKERS, kwargs=_completed_step),
    Case(
        "documents:step-generate",
        MAKERS,
        method="post",
        kwargs=_completed_step,
        data=lambda ctx: {"template": PRINT_ALL},
        ok_status=REDIRECT,
    ),
    Case("documents:generation-progress", PEOPLE_VIEWERS, kwargs=_own_job),
]
