from __future__ import annotations

from celery import shared_task

from subject_access import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def flag_due_requests() -> int:
    """Remind owners of requests due within 7 days or overdue (daily, from beat); idempotent."""
    return services.due_requests_flag()
