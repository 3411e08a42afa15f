"""Audit writers for people: one function per kind of access."""

from __future__ import annotations

from casemgmt import audit
from casemgmt.models import AuditEvent, User
from clients.models import Person


def person_viewed(*, actor: User, person: Person, what: str = "person record") -> AuditEvent:
    return audit.record_access(
        actor=actor, action="view", person_id=person.pk, summary=f"Viewed {what}"
    )


def person_exported(*, actor: User, person: Person, what: str) -> AuditEvent:
    return audit.record_access(
        actor=actor, action="export", person_id=person.pk, summary=f"Exported {what}"
    )


def people_searched(*, actor: User, criteria: str, result_count: int) -> AuditEvent:
    return audit.record_access(
        actor=actor,
        action="search",
        person_id=None,
        object_type="search",
        object_id="",
        summary=f"Searched for {criteria} ({result_count} found)"[:300],
    )
