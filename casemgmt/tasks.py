from __future__ import annotations

from celery import shared_task

from casemgmt import jobs


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=jobs.MAX_ATTEMPTS - 1,
    retry_backoff=True,
)
def run_job(job_id: str) -> None:
    jobs.job_run(job_id)


@shared_task
def requeue_stalled_jobs() -> int:
    stalled = jobs.stalled_jobs()
    for job in stalled:
        run_job.delay(str(job.pk))
    return len(stalled)


@shared_task
def seal_audit_trail() -> int:
    from casemgmt.audit_chain import audit_seal

    return audit_seal()
