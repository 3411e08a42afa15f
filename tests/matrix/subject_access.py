"""Subject access requests: information governance runs them, so every persona here is refused.

No persona of the matrix is an information governance officer (the requests belong to the
data protection officer's team, independent of the teams whose records they disclose):
tests/subject_access/ covers the officers' side, a colleague without a grant to a sealed
record, and staff who run requests but may not sign them off. The rows a URL needs are
made directly, not by the services: the matrix counts audit events around the request.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from subject_access import deadlines
from subject_access.models import Redaction, RequestSubject, ReviewItem, SubjectAccessRequest
from tests.matrix.base import Case, Context

OFFICERS: frozenset[str] = frozenset()


def _request(ctx: Context) -> SubjectAccessRequest:
    today = timezone.localdate()
    received = today - datetime.timedelta(days=3)
    owner = ctx.users["senior_manager"]
    sar = SubjectAccessRequest.objects.create(
        reference=f"new-{SubjectAccessRequest.objects.count()}",
        received_on=received,
        channel="email",
        requester_name="Jayden Whitmore",
        requester_role="self",
        requester_email="jayden@example.com",
        subject_name="Jayden Whitmore",
        scope="Everything.",
        owner=owner,
        created_by=owner,
        clock_started_on=received,
        due_on=deadlines.due_date(received),
        identity_verified_on=received,
        identity_method="documents",
        status=SubjectAccessRequest.Status.IN_REVIEW,
    )
    sar.reference = f"SAR-{received.year}-{sar.pk:05d}"
    sar.save(update_fields=["reference"])
    return sar


def _sar(ctx: Context) -> dict[str, Any]:
    return {"sar_id": _request(ctx).pk}


def _on_record(ctx: Context) -> tuple[SubjectAccessRequest, RequestSubject, ReviewItem, Redaction]:
    sar = _request(ctx)
    subject = RequestSubject.objects.create(
        request=sar,
        person=ctx.person,
        added_by=sar.owner,
        gathered_at=timezone.now(),
        item_count=1,
    )
    item = ReviewItem.objects.create(
        subject=subject,
        section="notes",
        kind="note",
        source_id=1,
        position=0,
        fields=[{"key": "body", "label": "", "text": "Jayden Whitmore visited", "style": "text"}],
    )
    redaction = Redaction.objects.create(
        item=item,
        field_key="body",
        start=0,
        end=6,
        text="Jayden",
        exemption="third_party",
        created_by=sar.owner,
    )
    return sar, subject, item, redaction


def _person(ctx: Context) -> dict[str, Any]:
    sar, _, _, _ = _on_record(ctx)
    return {"sar_id": sar.pk, "person_id": ctx.person.pk}


def _item(ctx: Context) -> dict[str, Any]:
    sar, _, item, _ = _on_record(ctx)
    return {"sar_id": sar.pk, "person_id": ctx.person.pk, "item_id": item.pk}


def _redaction(ctx: Context) -> dict[str, Any]:
    sar, _, item, redaction = _on_record(ctx)
    return {
        "sar_id": sar.pk,
        "person_id": ctx.person.pk,
        "item_id": item.pk,
        "redaction_id": redaction.pk,
    }


def _bundle(ctx: Context) -> dict[str, Any]:
    return {**_person(ctx), "which": "pdf"}


def _new_request(ctx: Context) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "channel": "email",
        "requester_name": "Jayden Whitmore",
        "requester_role": "self",
        "requester_email": "jayden@example.com",
        "subject_name": "Jayden Whitmore",
        "scope": "Everything.",
    }


def _no_record(name: str, method: str = "get", **extra: Any) -> Case:
    return Case(name, OFFICERS, method=method, kwargs=lambda ctx: {}, denied_status=403, **extra)


CASES = [
    _no_record("subject_access:request-list"),
    _no_record(
        "subject_access:request-list", query="?show=closed&status=refused&mine=1", label="filtered"
    ),
    _no_record("subject_access:request-create"),
    _no_record("subject_access:request-create", method="post", data=_new_request),
    Case("subject_access:request-detail", OFFICERS, kwargs=_sar),
    Case("subject_access:request-edit", OFFICERS, kwargs=_sar),
    Case("subject_access:request-edit", OFFICERS, method="post", kwargs=_sar, data=_new_request),
    Case("subject_access:identity", OFFICERS, kwargs=_sar),
    Case(
        "subject_access:identity",
        OFFICERS,
        method="post",
        kwargs=_sar,
        data=lambda ctx: {"method": "known"},
    ),
    Case("subject_access:pause-start", OFFICERS, kwargs=_sar),
    Case("subject_access:pause-start", OFFICERS, method="post", kwargs=_sar, data=lambda ctx: {}),
    Case("subject_access:pause-end", OFFICERS, kwargs=_sar),
    Case("subject_access:pause-end", OFFICERS, method="post", kwargs=_sar, data=lambda ctx: {}),
    Case("subject_access:work-start", OFFICERS, method="post", kwargs=_sar),
    Case("subject_access:extend", OFFICERS, kwargs=_sar),
    Case("subject_access:extend", OFFICERS, method="post", kwargs=_sar, data=lambda ctx: {}),
    Case("subject_access:close", OFFICERS, kwargs=_sar),
    Case(
        "subject_access:close",
        OFFICERS,
        method="post",
        kwargs=_sar,
        data=lambda ctx: {"outcome": "withdrawn", "reason": "They withdrew it."},
    ),
    Case("subject_access:subject-find", OFFICERS, kwargs=_sar, query="?name=Whitmore"),
    Case(
        "subject_access:subject-find",
        OFFICERS,
        method="post",
        kwargs=_sar,
        data=lambda ctx: {"person": str(ctx.person.pk)},
    ),
    Case("subject_access:subject-remove", OFFICERS, method="post", kwargs=_person),
    Case("subject_access:gather", OFFICERS, method="post", kwargs=_person),
    Case("subject_access:send-for-review", OFFICERS, method="post", kwargs=_sar),
    Case("subject_access:review", OFFICERS, kwargs=_person),
    Case(
        "subject_access:review", OFFICERS, kwargs=_person, query="?section=notes", label="filtered"
    ),
    Case(
        "subject_access:items-release",
        OFFICERS,
        method="post",
        kwargs=_person,
        data=lambda ctx: {"item": ["1"]},
    ),
    Case(
        "subject_access:redact-everywhere",
        OFFICERS,
        method="post",
        kwargs=_person,
        data=lambda ctx: {"everywhere-words": "Jayden", "everywhere-exemption": "third_party"},
    ),
    Case(
        "subject_access:item-decide",
        OFFICERS,
        method="post",
        kwargs=_item,
        data=lambda ctx: {"decision": "release"},
    ),
    Case(
        "subject_access:redaction-add",
        OFFICERS,
        method="post",
        kwargs=_item,
        data=lambda ctx: {"words": "Jayden", "exemption": "third_party"},
    ),
    Case("subject_access:redaction-remove", OFFICERS, method="post", kwargs=_redaction),
    Case("subject_access:item-original", OFFICERS, kwargs=_item),
    Case("subject_access:redacted-copy", OFFICERS, kwargs=_item),
    Case(
        "subject_access:redacted-copy", OFFICERS, method="post", kwargs=_item, data=lambda ctx: {}
    ),
    Case("subject_access:sign-off", OFFICERS, kwargs=_sar),
    Case("subject_access:sign-off", OFFICERS, method="post", kwargs=_sar, data=lambda ctx: {}),
    Case("subject_access:reopen", OFFICERS, kwargs=_sar),
    Case(
        "subject_access:reopen",
        OFFICERS,
        method="post",
        kwargs=_sar,
        data=lambda ctx: {"reason": "A redaction was missed."},
    ),
    Case("subject_access:release", OFFICERS, kwargs=_sar),
    Case("subject_access:release", OFFICERS, method="post", kwargs=_sar, data=lambda ctx: {}),
    Case("subject_access:bundle-download", OFFICERS, kwargs=_bundle),
]
