"""The chronology: one timeline per person, written by every app through these services."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from clients.models import ChronologyEntry, Person

HIDDEN_REASON_MAX_LENGTH = 500


def chronology_record(
    *,
    person: Person,
    event_date: datetime.date,
    category: str,
    summary: str,
    source: str,
    source_type: str = "",
    source_id: str | int = "",
    detail: str = "",
    actor: User | None = None,
) -> ChronologyEntry:
    """Put an event on a person's chronology (idempotent per source row).

    Other apps (workflows, documents) call this rather than writing the table, so the
    chronology stays the one merged timeline.
    """
    if source_type and source_id != "":
        existing = ChronologyEntry.objects.filter(
            person=person, source_type=source_type, source_id=str(source_id)
        ).first()
        if existing is not None:
            return existing
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            person=person,
            event_date=event_date,
            category=category[:60],
            summary=summary[:500],
            detail=detail,
            source=source,
            source_type=source_type,
            source_id=str(source_id),
            created_by=actor,
        )
        audit.record_change(
            actor=actor,
            action="create",
            instance=entry,
            person_id=person.pk,
            changes={
                "event_date": [None, event_date.isoformat()],
                "summary": [None, entry.summary],
            },
            summary="Added to chronology",
        )
    return entry


def chronology_entry_add(
    *,
    actor: User,
    person: Person,
    event_date: datetime.date,
    category: str,
    summary: str,
    detail: str = "",
) -> ChronologyEntry:
    """A worker adds an event to the chronology by hand."""
    errors: dict[str, list[str]] = {}
    for field, value, label, limit in (
        ("category", category, "Category", 60),
        ("summary", summary, "Summary", 500),
        ("detail", detail, "Detail", 10_000),
    ):
        try:
            validators.validate_text(value, label=label, max_length=limit)
        except ValidationError as error:
            errors[field] = error.messages
    if not (summary or "").strip():
        errors.setdefault("summary", ["Enter what happened."])
    if not (category or "").strip():
        errors.setdefault("category", ["Choose a category."])
    if event_date is None:
        errors["event_date"] = ["Enter the date it happened."]
    elif event_date > timezone.localdate():
        errors["event_date"] = ["The date it happened must be today or in the past."]
    if errors:
        raise ValidationError(errors)
    return chronology_record(
        person=person,
        event_date=event_date,
        category=category.strip(),
        summary=summary.strip(),
        detail=detail.strip(),
        source=ChronologyEntry.Source.MANUAL,
        actor=actor,
    )


def chronology_entry_hide(*, actor: User, entry: ChronologyEntry, reason: str) -> ChronologyEntry:
    """Take an entry off the chronology without deleting it; the reason is required and kept."""
    try:
        cleaned = validators.validate_text(
            reason or "", label="Reason", max_length=HIDDEN_REASON_MAX_LENGTH
        )
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from error
    if not cleaned:
        raise ValidationError({"reason": ["Enter why this entry should be hidden."]})
    with transaction.atomic():
        stored = ChronologyEntry.objects.select_for_update().get(pk=entry.pk)
        if stored.is_hidden:
            raise ValidationError(
                {"reason": ["This entry has already been hidden by someone else."]},
                code="already_hidden",
            )
        stored.is_hidden = True
        stored.hidden_reason = cleaned
        stored.hidden_by = actor
        stored.hidden_at = timezone.now()
        stored.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        audit.record_change(
            actor=actor,
            action="hide",
            instance=stored,
            person_id=stored.person_id,
            changes={"is_hidden": [False, True], "hidden_reason": ["", cleaned]},
            summary="Hid a chronology entry",
            reason=cleaned,
        )
    return stored


def chronology_entry_unhide(*, actor: User, entry: ChronologyEntry) -> ChronologyEntry:
    """Put a hidden entry back on the chronology; who hid it and why stays in the audit trail."""
    with transaction.atomic():
        stored = ChronologyEntry.objects.select_for_update().get(pk=entry.pk)
        if not stored.is_hidden:
            raise ValidationError(
                "This entry is already on the chronology.", code="already_visible"
            )
        before = audit.snapshot(stored, ("is_hidden", "hidden_reason", "hidden_by", "hidden_at"))
        stored.is_hidden = False
        stored.hidden_reason = ""
        stored.hidden_by = None
        stored.hidden_at = None
        stored.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        audit.record_change(
            actor=actor,
            action="unhide",
            instance=stored,
            person_id=stored.person_id,
            changes=audit.diff(
                before,
                audit.snapshot(stored, ("is_hidden", "hidden_reason", "hidden_by", "hidden_at")),
            ),
            summary="Put a hidden entry back on the chronology",
        )
    return stored


# ---------------------------------------------------------------------------
# Reading the chronology: the page and the CSV export use the same filter.
# ---------------------------------------------------------------------------


def chronology_entries(
    *,
    person: Person,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    category: str = "",
    source: str = "",
    include_hidden: bool = False,
) -> QuerySet[ChronologyEntry]:
    """A person's chronology, newest first, filtered as the worker asked."""
    entries = ChronologyEntry.objects.filter(person=person)
    if not include_hidden:
        entries = entries.filter(is_hidden=False)
    if date_from is not None:
        entries = entries.filter(event_date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(event_date__lte=date_to)
    if category:
        entries = entries.filter(category=category)
    if source:
        entries = entries.filter(source=source)
    return entries.select_related("created_by", "hidden_by").order_by("-event_date", "-id")


def chronology_categories(*, person: Person) -> list[str]:
    """The categories on a person's chronology, for the filter (one query)."""
    return list(
        ChronologyEntry.objects.filter(person=person)
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


CSV_HEADER = (
    "Event date",
    "Category",
    "Summary",
    "Detail",
    "Source",
    "Recorded at",
    "Added by",
    "Hidden",
    "Hidden by",
    "Hidden reason",
)
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """The cell as text, with a leading quote if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _staff_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def chronology_csv_row(entry: ChronologyEntry) -> list[str]:
    recorded = timezone.localtime(entry.recorded_at).strftime("%Y-%m-%d %H:%M")
    return [
        csv_safe(value)
        for value in (
            entry.event_date.isoformat(),
            entry.category,
            entry.summary,
            entry.detail,
            entry.get_source_display(),
            recorded,
            _staff_name(entry.created_by),
            "Yes" if entry.is_hidden else "No",
            _staff_name(entry.hidden_by),
            entry.hidden_reason,
        )
    ]


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can stream."""

    def write(self, value: str) -> str:
        return value


def chronology_csv_lines(entries: Iterable[ChronologyEntry]) -> Iterator[str]:
    """The CSV export, one line at a time (UTF-8 BOM first, so spreadsheets read accents)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for entry in entries:
        yield writer.writerow(chronology_csv_row(entry))
