"""The chronology: one timeline per person, written by every app through these services."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from clients.models import ChronologyEntry, Person


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
