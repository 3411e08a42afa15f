"""The review of a gathered case file, its sign-off, and the release.

- Each item is released, released with redactions (spans of its text, each with the
  exemption it rests on), or withheld under an exemption; an uploaded document can be
  released as it is, withheld, or replaced by a redacted copy uploaded in its place.
- Nothing changes once the review is signed off: reopening it (with a reason) withdraws the
  sign-off and the bundles made from it.
- Sign-off needs every item decided and an officer with the capability who took no part
  in the review (no decision, redaction or copy of theirs on the request): a second pair
  of eyes on everything that goes out.
- Sign-off starts the release bundles (release.py); the release is recorded once they
  are made: the date, how and what was sent.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from documents import casefile, casefile_job
from documents import services as document_services
from documents.casefile_items import fields_from_json
from documents.models import Document, DocumentVersion
from documents.uploads import IncomingFile
from subject_access import permissions
from subject_access.models import (
    Exemption,
    Redaction,
    ReleaseMethod,
    RequestSubject,
    ReviewItem,
    SubjectAccessRequest,
)
from subject_access.services import (
    REASON_MIN,
    SHORT_TEXT_LIMIT,
    Checker,
    format_day,
    record_request_change,
    refreshed,
)
from subject_access.thirdparty import find_occurrences

Status = SubjectAccessRequest.Status
Decision = ReviewItem.Decision
ITEM_FIELDS = ("decision", "exemption", "leave_out", "note", "redacted_copy")
WORDS_LIMIT = 10_000
TERM_MIN = 2


def _locked_for_review(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if locked.status != Status.IN_REVIEW:
        raise ValidationError("The file is not in review: nothing in it can be changed now.")
    if locked.is_signed_off:
        raise ValidationError("The review has been signed off: reopen it to change anything.")
    return locked


def review_send(*, actor: User, sar: SubjectAccessRequest) -> SubjectAccessRequest:
    """Everyone's file is gathered: it goes for review."""
    with transaction.atomic():
        locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        if locked.status != Status.IN_PROGRESS:
            raise ValidationError("Only a request in progress can go for review.")
        subjects = list(RequestSubject.objects.filter(request=locked))
        if not subjects:
            raise ValidationError("Find the person the request is about on the record first.")
        if any(subject.gathered_at is None for subject in subjects):
            raise ValidationError("Gather the case file of everyone on the request first.")
        before = audit.snapshot(locked, ("status",))
        locked.status = Status.IN_REVIEW
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        record_request_change(
            actor=actor,
            action="send_for_review",
            locked=locked,
            before=before,
            fields=("status",),
            summary="Sent the gathered case file for review",
        )
    return refreshed(sar, locked)


# -- decisions ---------------------------------------------------------------------------------


def _item_changed(
    *, actor: User, item: ReviewItem, before: dict[str, Any], summary: str, person_id: int
) -> None:
    audit.record_change(
        actor=actor,
        action="review",
        instance=item,
        person_id=person_id,
        changes=audit.diff(before, audit.snapshot(item, ITEM_FIELDS)),
        summary=summary,
    )


def item_decide(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    item: ReviewItem,
    decision: str,
    exemption: str,
    leave_out: bool,
    note: str,
) -> ReviewItem:
    """Release the item (with any redactions), release its redacted copy, or withhold it."""
    checker = Checker()
    if decision not in (Decision.RELEASE, Decision.RELEASE_COPY, Decision.WITHHOLD):
        checker.add("decision", "Choose whether to release or withhold this item.")
    elif decision == Decision.RELEASE_COPY and item.redacted_copy_id is None:
        checker.add("decision", "Upload a redacted copy of the document before releasing it.")
    if decision == Decision.WITHHOLD:
        checker.choice(
            "exemption", exemption, Exemption, "Choose the exemption for withholding it."
        )
    else:
        exemption = ""
        if leave_out:
            checker.add("leave_out", "Only a withheld item can be left out without a trace.")
    note = checker.text("note", note, label="Note", limit=SHORT_TEXT_LIMIT)
    checker.raise_if_any()
    with transaction.atomic():
        _locked_for_review(sar)
        locked = ReviewItem.objects.select_for_update().select_related("subject").get(pk=item.pk)
        before = audit.snapshot(locked, ITEM_FIELDS)
        locked.decision = decision
        locked.exemption = exemption
        locked.leave_out = bool(leave_out) and decision == Decision.WITHHOLD
        locked.note = note
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(
            update_fields=["decision", "exemption", "leave_out", "note", "decided_by", "decided_at"]
        )
        _item_changed(
            actor=actor,
            item=locked,
            before=before,
            summary=f"Decided on an item of the file for {sar.reference}: "
            f"{locked.get_decision_display().lower()}",
            person_id=locked.subject.person_id,
        )
    return locked


def items_release_undecided(
    *, actor: User, sar: SubjectAccessRequest, subject: RequestSubject, item_ids: Iterable[int]
) -> int:
    """Release, as they are (with their redactions), the undecided items among `item_ids`."""
    ids = sorted({int(item_id) for item_id in item_ids})[:200]
    with transaction.atomic():
        _locked_for_review(sar)
        pending = list(
            ReviewItem.objects.select_for_update()
            .filter(subject=subject, pk__in=ids, decision=Decision.PENDING)
            .order_by("pk")
        )
        if not pending:
            raise ValidationError("There are no undecided items on this page.")
        now = timezone.now()
        ReviewItem.objects.filter(pk__in=[item.pk for item in pending]).update(
            decision=Decision.RELEASE, decided_by=actor, decided_at=now
        )
        audit.record_change(
            actor=actor,
            action="review",
            instance=subject,
            person_id=subject.person_id,
            changes={"released_items": [None, [item.pk for item in pending]]},
            summary=f"Released {len(pending)} undecided items of the file for {sar.reference}",
        )
    return len(pending)


# -- redactions ---------------------------------------------------------------------------------


def _exemption_checked(checker: Checker, exemption: str) -> str:
    return checker.choice(
        "exemption", exemption, Exemption, "Choose the exemption the redaction rests on."
    )


def redaction_add(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    item: ReviewItem,
    words: str,
    exemption: str,
    field_key: str = "",
    start: int | None = None,
    end: int | None = None,
) -> list[Redaction]:
    """Redact words of one item: the exact span selected, or every place they appear in it."""
    checker = Checker()
    if len(words or "") > WORDS_LIMIT:
        checker.add("words", f"The words to redact must be {WORDS_LIMIT} characters or fewer.")
    elif not (words or "").strip():
        checker.add("words", "Enter the words to redact, or select them on the page.")
    _exemption_checked(checker, exemption)
    checker.raise_if_any()
    texts = {item_field.key: item_field.text for item_field in fields_from_json(item.fields)}
    spans: list[tuple[str, int, int]] = []
    if field_key or start is not None or end is not None:
        text = texts.get(field_key)
        if (
            text is None
            or start is None
            or end is None
            or not 0 <= start < end <= len(text)
            or text[start:end] != words
        ):
            raise ValidationError(
                {"words": ["The selected words are not in this item as chosen: select them again."]}
            )
        spans.append((field_key, start, end))
    else:
        for key, text in texts.items():
            spans += [(key, begin, finish) for begin, finish in find_occurrences(text, words)]
        if not spans:
            raise ValidationError(
                {
                    "words": [
                        "These words are not in this item: check the spelling, or select them "
                        "on the page."
                    ]
                }
            )
    with transaction.atomic():
        _locked_for_review(sar)
        locked = ReviewItem.objects.select_for_update().select_related("subject").get(pk=item.pk)
        existing = set(
            Redaction.objects.filter(item=locked).values_list("field_key", "start", "end")
        )
        new = [
            Redaction(
                item=locked,
                field_key=key,
                start=begin,
                end=finish,
                text=texts[key][begin:finish],
                exemption=exemption,
                created_by=actor,
            )
            for key, begin, finish in spans
            if (key, begin, finish) not in existing
        ]
        if not new:
            raise ValidationError({"words": ["These words are already redacted."]})
        created = Redaction.objects.bulk_create(new)
        audit.record_change(
            actor=actor,
            action="redact",
            instance=locked,
            person_id=locked.subject.person_id,
            changes={
                "redactions": [None, [[r.field_key, r.start, r.end] for r in created]],
                "exemption": [None, exemption],
            },
            summary=f"Redacted {len(created)} place{'s' if len(created) != 1 else ''} in an item "
            f"of the file for {sar.reference}",
        )
    return created


def redaction_remove(*, actor: User, sar: SubjectAccessRequest, redaction: Redaction) -> None:
    """Put redacted words back (a redaction made by mistake)."""
    with transaction.atomic():
        _locked_for_review(sar)
        row = (
            Redaction.objects.select_for_update()
            .select_related("item__subject")
            .filter(pk=redaction.pk)
            .first()
        )
        if row is None:
            raise ValidationError("This redaction has already been removed.")
        item = row.item
        changes = {"redactions": [[row.field_key, row.start, row.end], None]}
        row.delete()
        audit.record_change(
            actor=actor,
            action="unredact",
            instance=item,
            person_id=item.subject.person_id,
            changes=changes,
            summary=f"Removed a redaction from an item of the file for {sar.reference}",
        )


def redact_everywhere(
    *, actor: User, sar: SubjectAccessRequest, subject: RequestSubject, words: str, exemption: str
) -> tuple[int, int]:
    """Redact every mention of `words` in the person's whole file: (redactions, items)."""
    checker = Checker()
    words = words or ""
    if len(words) > 200:
        checker.add("words", "The words to redact must be 200 characters or fewer.")
    elif len(words.strip()) < TERM_MIN:
        checker.add("words", f"Enter at least {TERM_MIN} characters to redact.")
    _exemption_checked(checker, exemption)
    checker.raise_if_any()
    with transaction.atomic():
        _locked_for_review(sar)
        existing = set(
            Redaction.objects.filter(item__subject=subject).values_list(
                "item_id", "field_key", "start", "end"
            )
        )
        new: list[Redaction] = []
        touched: set[int] = set()
        for item_id, stored in (
            ReviewItem.objects.filter(subject=subject).values_list("pk", "fields").iterator(2000)
        ):
            for item_field in fields_from_json(stored):
                for begin, finish in find_occurrences(item_field.text, words):
                    if (item_id, item_field.key, begin, finish) in existing:
                        continue
                    touched.add(item_id)
                    new.append(
                        Redaction(
                            item_id=item_id,
                            field_key=item_field.key,
                            start=begin,
                            end=finish,
                            text=item_field.text[begin:finish],
                            exemption=exemption,
                            created_by=actor,
                        )
                    )
        if not new:
            raise ValidationError(
                {"words": ["These words are not in the file, or are already redacted everywhere."]}
            )
        Redaction.objects.bulk_create(new, batch_size=1000)
        audit.record_change(
            actor=actor,
            action="redact",
            instance=subject,
            person_id=subject.person_id,
            changes={
                "redactions": [None, len(new)],
                "items": [None, sorted(touched)[:200]],
                "exemption": [None, exemption],
            },
            summary=f"Redacted {len(new)} mentions across {len(touched)} items of the file for "
            f"{sar.reference}",
        )
    return len(new), len(touched)


# -- a redacted copy of an uploaded document -------------------------------------------------------


def redacted_copy_add(
    *, actor: User, sar: SubjectAccessRequest, item: ReviewItem, incoming: IncomingFile
) -> Document:
    """Keep a redacted copy of the item's document, to be released in its place."""
    if item.document_version_id is None:
        raise ValidationError("Only an uploaded document can have a redacted copy.")
    original = DocumentVersion.objects.filter(pk=item.document_version_id).first()
    if original is not None and original.sha256 == incoming.sha256:
        raise ValidationError(
            "This file is the same as the original: redact it first, then upload the copy."
        )
    saved: list[str] = []
    try:
        with transaction.atomic():
            _locked_for_review(sar)
            locked = (
                ReviewItem.objects.select_for_update().select_related("subject").get(pk=item.pk)
            )
            before = audit.snapshot(locked, ITEM_FIELDS)
            incoming.upload.seek(0)
            title = fields_from_json(locked.fields)[0].text if locked.fields else "document"
            copy = casefile_job.store_restricted_file(
                actor=actor,
                person=locked.subject.person,
                category=casefile.export_category(),
                title=f"Redacted copy for {sar.reference}: {title}",
                filename=incoming.filename,
                storage_name=f"people/{locked.subject.person_id}/sar-copy-{uuid.uuid4().hex}",
                handle=incoming.upload,
                content_type=incoming.kind.content_type,
                saved=saved,
                summary="Stored a redacted copy",
            )
            locked.redacted_copy = copy
            locked.decision = Decision.RELEASE_COPY
            locked.exemption = ""
            locked.leave_out = False
            locked.decided_by = actor
            locked.decided_at = timezone.now()
            locked.save(
                update_fields=[
                    "redacted_copy",
                    "decision",
                    "exemption",
                    "leave_out",
                    "decided_by",
                    "decided_at",
                ]
            )
            _item_changed(
                actor=actor,
                item=locked,
                before=before,
                summary=f"Uploaded a redacted copy of a document for {sar.reference}",
                person_id=locked.subject.person_id,
            )
    except BaseException:
        from documents.models import document_storage

        for name in saved:
            document_storage().delete(name)
        raise
    return copy


# -- sign-off, reopening, release -----------------------------------------------------------------


def reviewers(sar: SubjectAccessRequest) -> set[int]:
    """Everyone who decided, redacted or uploaded a copy in this request's review."""
    decided = ReviewItem.objects.filter(subject__request=sar, decided_by__isnull=False)
    redacted = Redaction.objects.filter(item__subject__request=sar)
    return set(decided.values_list("decided_by_id", flat=True).distinct()) | set(
        redacted.values_list("created_by_id", flat=True).distinct()
    )


def undecided_count(sar: SubjectAccessRequest) -> int:
    return ReviewItem.objects.filter(subject__request=sar, decision=Decision.PENDING).count()


def sign_off(*, actor: User, sar: SubjectAccessRequest, notes: str) -> SubjectAccessRequest:
    """A second officer approves the reviewed file for release: the bundles are made."""
    from subject_access.release import release_start

    checker = Checker()
    notes = checker.text("notes", notes, label="Notes", limit=SHORT_TEXT_LIMIT)
    checker.raise_if_any()
    if not permissions.can_sign_off(actor):
        raise ValidationError("You cannot sign off disclosures.")
    fields = ("signed_off_by", "signed_off_at")
    with transaction.atomic():
        locked = _locked_for_review(sar)
        pending = undecided_count(locked)
        if pending:
            raise ValidationError(
                f"{pending} item{'s are' if pending != 1 else ' is'} not yet decided: every item "
                "must be released or withheld before sign-off."
            )
        if actor.pk in reviewers(locked):
            raise ValidationError(
                "You took part in this review, so another officer must sign it off."
            )
        before = audit.snapshot(locked, fields)
        locked.signed_off_by = actor
        locked.signed_off_at = timezone.now()
        locked.sign_off_notes = notes
        locked.updated_at = timezone.now()
        locked.save(
            update_fields=["signed_off_by", "signed_off_at", "sign_off_notes", "updated_at"]
        )
        record_request_change(
            actor=actor,
            action="sign_off",
            locked=locked,
            before=before,
            fields=fields,
            summary="Signed off the reviewed file for release",
        )
        for subject in RequestSubject.objects.select_for_update().filter(request=locked):
            release_start(actor=actor, sar=locked, subject=subject)
    return refreshed(sar, locked)


def _withdraw_bundles(actor: User, subject: RequestSubject, reason: str) -> None:
    for document in (subject.release_pdf, subject.release_zip):
        if document is not None and not document.is_deleted:
            document_services.document_delete(actor=actor, document=document, reason=reason)
    subject.release_pdf = None
    subject.release_zip = None
    subject.release_job = None
    subject.release_pages = 0
    subject.release_attachments = 0
    subject.save(
        update_fields=[
            "release_pdf",
            "release_zip",
            "release_job",
            "release_pages",
            "release_attachments",
        ]
    )


def review_reopen(*, actor: User, sar: SubjectAccessRequest, reason: str) -> SubjectAccessRequest:
    """Withdraw the sign-off (and the bundles made from it) so the review can change."""
    checker = Checker()
    reason = checker.text(
        "reason",
        reason,
        label="The reason",
        limit=SHORT_TEXT_LIMIT,
        required="Enter why the review is being reopened.",
        minimum=REASON_MIN,
    )
    checker.raise_if_any()
    fields = ("signed_off_by", "signed_off_at")
    with transaction.atomic():
        locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        if locked.status != Status.IN_REVIEW or not locked.is_signed_off:
            raise ValidationError(
                "Only a signed-off review that has not been released can be reopened."
            )
        before = audit.snapshot(locked, fields)
        locked.signed_off_by = None
        locked.signed_off_at = None
        locked.sign_off_notes = ""
        locked.updated_at = timezone.now()
        locked.save(
            update_fields=["signed_off_by", "signed_off_at", "sign_off_notes", "updated_at"]
        )
        for subject in (
            RequestSubject.objects.select_for_update(of=("self",))
            .select_related("release_pdf", "release_zip")
            .filter(request=locked)
        ):
            _withdraw_bundles(
                actor, subject, f"The review of {locked.reference} was reopened: {reason}"
            )
        record_request_change(
            actor=actor,
            action="reopen",
            locked=locked,
            before=before,
            fields=fields,
            summary="Reopened the review",
            reason=reason,
        )
    return refreshed(sar, locked)


def bundles_ready(subjects: Sequence[RequestSubject]) -> bool:
    return bool(subjects) and all(subject.release_pdf_id is not None for subject in subjects)


def release_record(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    released_on: datetime.date | None,
    method: str,
    description: str,
) -> SubjectAccessRequest:
    """The signed-off bundles were sent: when, how and what. The request is closed."""
    today = timezone.localdate()
    checker = Checker()
    signed = timezone.localdate(sar.signed_off_at) if sar.signed_off_at else sar.received_on
    checker.day(
        "released_on",
        released_on,
        label="The date it was sent",
        today=today,
        not_before=(
            signed,
            f"The date it was sent must be on or after {format_day(signed)}, when it was signed off.",
        ),
    )
    checker.choice("method", method, ReleaseMethod, "Choose how it was sent.")
    description = checker.text(
        "description",
        description,
        label="What was sent",
        limit=SHORT_TEXT_LIMIT,
        required="Enter what was sent.",
        minimum=REASON_MIN,
    )
    checker.raise_if_any()
    fields = ("status", "released_on", "release_method", "released_by", "closed_on")
    with transaction.atomic():
        locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        if locked.status != Status.IN_REVIEW:
            raise ValidationError("Only a reviewed request can be released.")
        if not locked.is_signed_off:
            raise ValidationError("The review must be signed off by a second officer first.")
        subjects = list(RequestSubject.objects.select_for_update().filter(request=locked))
        if not bundles_ready(subjects):
            raise ValidationError("The release bundles are still being made: try again shortly.")
        before = audit.snapshot(locked, fields)
        locked.status = Status.RELEASED
        locked.released_on = cast(datetime.date, released_on)
        locked.release_method = method
        locked.release_description = description
        locked.released_by = actor
        locked.closed_on = released_on
        locked.updated_at = timezone.now()
        locked.save()
        record_request_change(
            actor=actor,
            action="release",
            locked=locked,
            before=before,
            fields=fields,
            summary="Released the disclosure",
        )
        for subject in subjects:
            audit.record_change(
                actor=actor,
                action="release",
                instance=subject,
                person_id=subject.person_id,
                changes={
                    "released_on": [None, locked.released_on.isoformat()],
                    "release_pdf": [None, subject.release_pdf_id],
                    "release_zip": [None, subject.release_zip_id],
                },
                summary=f"Released the disclosure of {locked.reference} "
                f"({subject.release_pages} pages, {subject.release_attachments} attachments)",
            )
    return refreshed(sar, locked)


def decision_counts(subject: RequestSubject) -> dict[str, int]:
    """How many items of the person's file have each decision, and how many redactions."""
    from django.db.models import Count

    rows = (
        ReviewItem.objects.filter(subject=subject)
        .values("decision")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {row["decision"]: row["count"] for row in rows}
    counts["redactions"] = Redaction.objects.filter(item__subject=subject).count()
    counts["total"] = sum(count for key, count in counts.items() if key != "redactions")
    return counts
