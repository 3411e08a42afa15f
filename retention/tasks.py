from __future__ import annotations

from celery import shared_task

from retention import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_review_list() -> int:
    """Add the records whose retention period has ended to the review list (nightly, beat)."""
    return services.review_list_build().added
