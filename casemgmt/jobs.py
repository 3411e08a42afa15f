"""Background jobs: a registry of handlers, the service that starts one, and the runner.

A handler is `handler(job, reporter) -> dict`: it reads its parameters and where it
had got to from `job.params` / `job.state`, reports progress (saving its state) as it
goes, and returns the result. Because the state is saved with the progress, a job
whose worker was killed resumes where it stopped instead of starting again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casemgmt.models import Job, User

Handler = Callable[[Job, "JobReporter"], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 3
STALLED_AFTER = datetime.timedelta(minutes=10)


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return decorator


def handler_for(kind: str) -> Handler:
    return _HANDLERS[kind]


class JobReporter:
    def __init__(self, job: Job) -> None:
        self.job = job

    def progress(self, done: int, total: int, state: dict[str, Any] | None = None) -> None:
        """Record progress (and where to resume from) so the page and a successor see it."""
        self.job.progress_done = done
        self.job.progress_total = total
        self.job.heartbeat_at = timezone.now()
        fields = ["progress_done", "progress_total", "heartbeat_at"]
        if state is not None:
            self.job.state = state
            fields.append("state")
        self.job.save(update_fields=fields)


def job_start(
    *, actor: User | None, kind: str, title: str, params: dict[str, Any] | None = None
) -> Job:
    """Create a job and queue it once the surrounding transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"No job handler is registered for {kind!r}.")
    from casemgmt.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=actor)
        transaction.on_commit(lambda: run_job.delay(str(job.pk)))
    return job


def job_run(job_id: str) -> Job | None:
    """Run one job to its end. Safe to call twice: a finished job is left alone."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
    try:
        result = handler_for(job.kind)(job, JobReporter(job))
    except Exception as error:
        job.error = f"{type(error).__name__}: {error}"[:2000]
        if job.attempts >= MAX_ATTEMPTS:
            job.status = Job.Status.FAILED
            job.finished_at = timezone.now()
        else:
            job.status = Job.Status.QUEUED
        job.save(update_fields=["error", "status", "finished_at"])
        raise
    job.status = Job.Status.SUCCEEDED
    job.result = result
    job.error = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at"])
    return job


def stalled_jobs() -> list[Job]:
    """Jobs whose worker stopped reporting: killed, or lost with its machine."""
    cutoff = timezone.now() - STALLED_AFTER
    return list(
        Job.objects.filter(status__in=[Job.Status.RUNNING, Job.Status.QUEUED]).filter(
            # Started and then silent, or queued and never picked up (a lost message).
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
        )
    )
