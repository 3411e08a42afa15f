"""Audit writers for the retention pages that name people: looking at them is recorded."""

from __future__ import annotations

from casemgmt import audit
from casemgmt.models import AuditEvent, User


def review_list_viewed(*, actor: User, page: int, count: int) -> AuditEvent:
    """Someone opened (a page of) the review list, which names the people on it."""
    return audit.record_access(
        actor=actor,
        action="view",
        person_id=None,
        object_type="retention_review_list",
        object_id="",
        summary=f"Viewed the retention review list (page {page}, {count} records)",
    )


def hold_list_viewed(*, actor: User, count: int) -> AuditEvent:
    """Someone opened the list of legal holds, which names the people held."""
    return audit.record_access(
        actor=actor,
        action="view",
        person_id=None,
        object_type="legal_hold_list",
        object_id="",
        summary=f"Viewed the legal holds ({count})",
    )
