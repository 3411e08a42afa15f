from __future__ import annotations

from celery import shared_task

from governance import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def detect_unusual_access() -> int:
    """Check every whole hour not yet checked for unusual access (hourly, from beat)."""
    return services.unusual_access_detect_due()
