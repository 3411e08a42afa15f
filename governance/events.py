"""Audit writers for the governance pages: looking at the audit trail is itself recorded."""

from __future__ import annotations

from casemgmt import audit
from casemgmt.models import AuditEvent, User
from governance.models import AccessFlag


def staff_access_viewed(*, actor: User, member: User) -> AuditEvent:
    """Someone looked at what a member of staff viewed (no one person's record)."""
    return audit.record_access(
        actor=actor,
        action="view",
        person_id=None,
        object_type="user",
        object_id=member.pk,
        summary=f"Viewed what {member.get_username()} viewed",
    )


def access_flag_viewed(*, actor: User, flag: AccessFlag) -> AuditEvent:
    """A reviewer opened a flag, which names the people it is about."""
    return audit.record_access(
        actor=actor,
        action="view",
        person_id=None,
        object_type="access_flag",
        object_id=flag.pk,
        summary=f"Viewed flagged access by {flag.user.get_username()}",
    )
