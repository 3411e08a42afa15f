"""Case notes: who may read, write, edit, finalise and amend them."""

from __future__ import annotations

from typing import Any

from clients.models import CaseNote, NoteType
from tests.factories import CaseNoteFactory
from tests.matrix.base import CASE_WORKERS, Case, Context

# The system administrator configures the system; it does not read or write case content.
NOTE_READERS = CASE_WORKERS
NOTE_WRITERS = CASE_WORKERS
# A draft is seen and changed by its author only.
DRAFT_AUTHOR = frozenset({"allocated_worker"})


def _final_note(ctx: Context) -> dict[str, Any]:
    note = CaseNoteFactory(person=ctx.person, author=ctx.users["other_team_worker"])
    return {"person_id": ctx.person.pk, "note_id": note.pk}


def _draft_note(ctx: Context) -> dict[str, Any]:
    note = CaseNoteFactory(
        person=ctx.person,
        author=ctx.users["allocated_worker"],
        status=CaseNote.Status.DRAFT,
        finalised_at=None,
    )
    return {"person_id": ctx.person.pk, "note_id": note.pk}


def _note_form(ctx: Context) -> dict[str, str]:
    return {
        "type": str(NoteType.objects.get(code="home-visit").pk),
        "event_date_day": "3",
        "event_date_month": "2",
        "event_date_year": "2025",
        "event_time": "10:30",
        "subject": "Home visit",
        "body": "Seen at home with his mother.",
        "action": "draft",
        "version": "1",
    }


CASES = [
    Case("clients:note-list", NOTE_READERS),
    Case("clients:note-create", NOTE_WRITERS),
    Case(
        "clients:note-create",
        NOTE_WRITERS,
        method="post",
        data=_note_form,
        ok_status=frozenset({302}),
    ),
    Case("clients:note-detail", NOTE_READERS, kwargs=_final_note),
    Case("clients:note-detail", DRAFT_AUTHOR, kwargs=_draft_note, label="draft"),
    Case("clients:note-edit", DRAFT_AUTHOR, kwargs=_draft_note),
    Case(
        "clients:note-edit",
        DRAFT_AUTHOR,
        method="post",
        kwargs=_draft_note,
        data=_note_form,
        ok_status=frozenset({302}),
    ),
    Case("clients:note-finalise", DRAFT_AUTHOR, kwargs=_draft_note),
    Case(
        "clients:note-finalise",
        DRAFT_AUTHOR,
        method="post",
        kwargs=_draft_note,
        data=lambda ctx: {"version": "1"},
        ok_status=frozenset({302}),
    ),
    Case("clients:note-amend", NOTE_WRITERS, kwargs=_final_note),
    Case(
        "clients:note-amend",
        NOTE_WRITERS,
        method="post",
        kwargs=_final_note,
        data=_note_form,
        ok_status=frozenset({302}),
    ),
]
