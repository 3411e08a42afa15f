"""Case notes: drafts a worker edits, final notes nobody edits, amendments that correct them."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from casemgmt.types import AnyUser
from clients import validators
from clients.models import CaseNote, ChronologyEntry, NoteType, Person
from clients.services.chronology import chronology_entry_hide, chronology_record

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000
EARLIEST_EVENT = datetime.date(1900, 1, 1)

# What a worker writes on a note; what the audit trail keeps of each change.
NOTE_FIELDS = ("type", "subject", "body", "event_at", "is_significant")
_AUDITED_FIELDS = (*NOTE_FIELDS, "status", "finalised_at", "amends", "version")


class NoteNotEditable(ValidationError):
    """The note is final (or not the actor's draft): it cannot be changed."""


class NoteEditConflict(ValidationError):
    """The draft was saved elsewhere since the form was loaded; `saved` is what is stored now."""

    def __init__(self, message: str, *, saved: CaseNote) -> None:
        super().__init__(message, code="conflict")
        self.saved = saved


# ---------------------------------------------------------------------------
# Field rules, shared by the services and the forms so a worker sees one message.
# ---------------------------------------------------------------------------


def clean_subject(value: str | None) -> str:
    cleaned = validators.validate_text(value or "", label="Subject", max_length=SUBJECT_MAX_LENGTH)
    if not cleaned:
        raise ValidationError("Enter a subject.", code="required")
    if "\n" in cleaned or "\r" in cleaned:
        raise ValidationError("Subject must be on one line.", code="newline")
    return cleaned


def clean_body(value: str | None) -> str:
    cleaned = validators.validate_text(value or "", label="Note", max_length=BODY_MAX_LENGTH)
    if not cleaned:
        raise ValidationError("Enter what happened.", code="required")
    return cleaned


def clean_event_at(value: datetime.datetime | None) -> datetime.datetime:
    if value is None:
        raise ValidationError("Enter the date it happened.", code="required")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now():
        raise ValidationError("The date it happened must be today or in the past.", code="future")
    if timezone.localtime(value).date() < EARLIEST_EVENT:
        raise ValidationError(
            "The date it happened must be after 1 January 1900.", code="too_early"
        )
    return value


def clean_type(value: NoteType | None, *, current: NoteType | None = None) -> NoteType:
    if value is None:
        raise ValidationError("Choose the type of note.", code="required")
    # A type retired in the admin stays valid on notes that already have it.
    if not value.is_active and (current is None or value.pk != current.pk):
        raise ValidationError(
            "This type of note is no longer used; choose another.", code="inactive"
        )
    return value


def _clean(
    *,
    type: NoteType | None,
    subject: str | None,
    body: str | None,
    event_at: datetime.datetime | None,
    is_significant: bool,
    current_type: NoteType | None = None,
) -> dict[str, Any]:
    """Validate every field; raise one ValidationError naming each bad one."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {"is_significant": bool(is_significant)}
    for field, check in (
        ("type", lambda: clean_type(type, current=current_type)),
        ("subject", lambda: clean_subject(subject)),
        ("body", lambda: clean_body(body)),
        ("event_at", lambda: clean_event_at(event_at)),
    ):
        try:
            cleaned[field] = check()
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


# ---------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------


def notes_visible_to(*, user: AnyUser, person: Person) -> QuerySet[CaseNote]:
    """A person's notes `user` may read: every final note, and only their own drafts."""
    amended = CaseNote.objects.filter(amends=OuterRef("pk"))
    return (
        CaseNote.objects.filter(person=person)
        .filter(Q(status=CaseNote.Status.FINAL) | Q(author_id=user.pk))
        .select_related("type", "author")
        .annotate(is_amended=Exists(amended))
        .order_by("-event_at", "-id")
    )


def note_chronology_date(note: CaseNote) -> datetime.date:
    """The day a note's event happened, in the council's time zone."""
    return timezone.localtime(note.event_at).date()


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------


def _put_on_chronology(*, actor: User, note: CaseNote) -> ChronologyEntry | None:
    if not (note.is_significant and note.status == CaseNote.Status.FINAL):
        return None
    return chronology_record(
        person=note.person,
        event_date=note_chronology_date(note),
        category=note.type.name,
        summary=note.subject,
        source=ChronologyEntry.Source.CASE_NOTE,
        source_type="clients.casenote",
        source_id=note.pk,
        actor=actor,
    )


def note_create(
    *,
    actor: User,
    person: Person,
    type: NoteType | None,
    subject: str | None,
    body: str | None,
    event_at: datetime.datetime | None,
    is_significant: bool = False,
    finalise: bool = False,
) -> CaseNote:
    """Write a case note, as a draft or straight to final; significant final notes join the chronology."""
    cleaned = _clean(
        type=type, subject=subject, body=body, event_at=event_at, is_significant=is_significant
    )
    now = timezone.now()
    with transaction.atomic():
        note = CaseNote(
            person=person,
            author=actor,
            recorded_at=now,
            status=CaseNote.Status.FINAL if finalise else CaseNote.Status.DRAFT,
            finalised_at=now if finalise else None,
            **cleaned,
        )
        note.save(force_insert=True)
        audit.record_change(
            actor=actor,
            action="create",
            instance=note,
            person_id=person.pk,
            changes=audit.created(note, _AUDITED_FIELDS),
            summary="Wrote a case note" + (" (final)" if finalise else " (draft)"),
        )
        _put_on_chronology(actor=actor, note=note)
    return note


def _lock_draft(*, actor: User, note: CaseNote) -> CaseNote:
    """The note's stored row, locked, if it is still `actor`'s draft."""
    stored = CaseNote.objects.select_for_update().select_related("type", "person").get(pk=note.pk)
    if stored.status != CaseNote.Status.DRAFT:
        raise NoteNotEditable(
            "This note has been finalised and can no longer be changed. "
            "To correct it, add an amendment.",
            code="final",
        )
    if stored.author_id != actor.pk:
        raise NoteNotEditable("Only the author of a draft note can change it.", code="not_author")
    return stored


def note_update(
    *,
    actor: User,
    note: CaseNote,
    version: int,
    type: NoteType | None,
    subject: str | None,
    body: str | None,
    event_at: datetime.datetime | None,
    is_significant: bool = False,
    finalise: bool = False,
) -> CaseNote:
    """Save changes to the actor's own draft, refusing if it changed since `version` was read.

    With `finalise`, the saved draft also becomes final in the same transaction.
    """
    with transaction.atomic():
        stored = _lock_draft(actor=actor, note=note)
        if stored.version != version:
            raise NoteEditConflict(
                "This note was saved somewhere else (perhaps in another tab or window) "
                "after you opened it. Your changes have not been saved yet.",
                saved=stored,
            )
        cleaned = _clean(
            type=type,
            subject=subject,
            body=body,
            event_at=event_at,
            is_significant=is_significant,
            current_type=stored.type,
        )
        before = audit.snapshot(stored, _AUDITED_FIELDS)
        for name, value in cleaned.items():
            setattr(stored, name, value)
        stored.version += 1
        update_fields = [*NOTE_FIELDS, "version"]
        if finalise:
            stored.status = CaseNote.Status.FINAL
            stored.finalised_at = timezone.now()
            update_fields += ["status", "finalised_at"]
        stored.save(update_fields=update_fields)
        changes = audit.diff(before, audit.snapshot(stored, _AUDITED_FIELDS))
        audit.record_change(
            actor=actor,
            action="finalise" if finalise else "update",
            instance=stored,
            person_id=stored.person_id,
            changes=changes,
            summary="Saved and finalised a case note" if finalise else "Changed a draft case note",
        )
        _put_on_chronology(actor=actor, note=stored)
    return stored


def note_finalise(*, actor: User, note: CaseNote, version: int | None = None) -> CaseNote:
    """Make the actor's draft final: from now on it never changes."""
    with transaction.atomic():
        stored = _lock_draft(actor=actor, note=note)
        if version is not None and stored.version != version:
            raise NoteEditConflict(
                "This draft was changed after you opened this page. "
                "Check what it now says, then finalise it again.",
                saved=stored,
            )
        stored.status = CaseNote.Status.FINAL
        stored.finalised_at = timezone.now()
        stored.save(update_fields=["status", "finalised_at"])
        audit.record_change(
            actor=actor,
            action="finalise",
            instance=stored,
            person_id=stored.person_id,
            changes={
                "status": [CaseNote.Status.DRAFT.value, CaseNote.Status.FINAL.value],
                "finalised_at": [None, stored.finalised_at.isoformat()],
            },
            summary="Finalised a case note",
        )
        _put_on_chronology(actor=actor, note=stored)
    return stored


def note_amend(
    *,
    actor: User,
    original: CaseNote,
    type: NoteType | None,
    subject: str | None,
    body: str | None,
    event_at: datetime.datetime | None,
    is_significant: bool = False,
) -> CaseNote:
    """Correct a final note with a new final note; the original is kept exactly as it was."""
    with transaction.atomic():
        stored = (
            CaseNote.objects.select_for_update()
            .select_related("type", "person")
            .get(pk=original.pk)
        )
        if stored.status != CaseNote.Status.FINAL:
            raise NoteNotEditable(
                "Only a finalised note can be amended; a draft can be edited directly.",
                code="draft",
            )
        later = CaseNote.objects.filter(amends=stored).order_by("id").first()
        if later is not None:
            raise NoteNotEditable(
                f"This note has already been amended (by “{later.subject}”). "
                "Amend the newer note instead.",
                code="already_amended",
            )
        cleaned = _clean(
            type=type,
            subject=subject,
            body=body,
            event_at=event_at,
            is_significant=is_significant,
            current_type=stored.type,
        )
        now = timezone.now()
        amendment = CaseNote(
            person=stored.person,
            author=actor,
            recorded_at=now,
            status=CaseNote.Status.FINAL,
            finalised_at=now,
            amends=stored,
            **cleaned,
        )
        amendment.save(force_insert=True)
        audit.record_change(
            actor=actor,
            action="amend",
            instance=amendment,
            person_id=stored.person_id,
            changes=audit.created(amendment, _AUDITED_FIELDS),
            summary=f"Amended case note {stored.pk}",
        )
        # The chronology shows the corrected event, not the one it replaces.
        superseded = ChronologyEntry.objects.filter(
            person_id=stored.person_id,
            source_type="clients.casenote",
            source_id=str(stored.pk),
            is_hidden=False,
        ).first()
        if superseded is not None:
            chronology_entry_hide(
                actor=actor,
                entry=superseded,
                reason="Replaced by an amended case note.",
            )
        _put_on_chronology(actor=actor, note=amendment)
    return amendment
