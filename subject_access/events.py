"""Audit writers for subject access requests: what was looked at, and what was sent.

Changes (the request's details, decisions, redactions) are recorded by the services with
casemgmt.audit.record_change, in their own transaction.
"""

from __future__ import annotations

from casemgmt import audit
from casemgmt.models import AuditEvent, User
from subject_access.models import RequestSubject, ReviewItem, SubjectAccessRequest

OBJECT_TYPE = "subject_access.subjectaccessrequest"


def request_viewed(*, actor: User, sar: SubjectAccessRequest) -> AuditEvent:
    """An officer opened a request (which names who it is about, not their record)."""
    return audit.record_access(
        actor=actor,
        action="view",
        person_id=None,
        object_type=OBJECT_TYPE,
        object_id=sar.pk,
        summary=f"Viewed subject access request {sar.reference}",
    )


def file_reviewed(*, actor: User, subject: RequestSubject, page: int) -> AuditEvent:
    """A reviewer read part of a person's gathered case file."""
    return audit.record_access(
        actor=actor,
        action="view",
        person_id=subject.person_id,
        object_type=OBJECT_TYPE,
        object_id=subject.request_id,
        summary=f"Reviewed the case file gathered for {subject.request} (page {page})",
    )


def original_downloaded(*, actor: User, subject: RequestSubject, item: ReviewItem) -> AuditEvent:
    return audit.record_access(
        actor=actor,
        action="download",
        person_id=subject.person_id,
        object_type="documents.document",
        object_id=item.document_id,
        summary=f"Downloaded document {item.document_id} to review it for {subject.request}",
    )


def disclosure_downloaded(*, actor: User, subject: RequestSubject, what: str) -> AuditEvent:
    """The released bundle left the system: an export of the person's record."""
    return audit.record_access(
        actor=actor,
        action="export",
        person_id=subject.person_id,
        object_type=OBJECT_TYPE,
        object_id=subject.request_id,
        summary=f"Exported the disclosure of {subject.request} ({what})",
        reason=f"Subject access request {subject.request}",
    )
