"""The chronology and the access log: who may read, curate and export them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.factories import ChronologyEntryFactory
from tests.matrix.base import CASE_WORKERS, MANAGERS, Case, Context

# The system administrator configures the system; it does not read or write case content.
CHRONOLOGY_READERS = CASE_WORKERS
# Business support may read the chronology but not curate it.
CURATORS = CASE_WORKERS - {"business_support"}
ACCESS_LOG_READERS = MANAGERS | {"admin"}


def _entry(ctx: Context) -> dict[str, Any]:
    entry = ChronologyEntryFactory(person=ctx.person)
    return {"person_id": ctx.person.pk, "entry_id": entry.pk}


def _hidden_entry(ctx: Context) -> dict[str, Any]:
    entry = ChronologyEntryFactory(
        person=ctx.person,
        is_hidden=True,
        hidden_reason="Recorded on the wrong person",
        hidden_by=ctx.users["team_manager"],
        hidden_at=timezone.now(),
    )
    return {"person_id": ctx.person.pk, "entry_id": entry.pk}


def _entry_form(ctx: Context) -> dict[str, str]:
    return {
        "event_date_day": "14",
        "event_date_month": "3",
        "event_date_year": "2024",
        "category": "Family event",
        "summary": "Maternal grandmother died.",
        "detail": "",
    }


CASES = [
    Case("clients:chronology", CHRONOLOGY_READERS),
    Case("clients:chronology", CHRONOLOGY_READERS, query="?show_hidden=on", label="hidden"),
    Case("clients:chronology-add", CURATORS),
    Case(
        "clients:chronology-add",
        CURATORS,
        method="post",
        data=_entry_form,
        ok_status=frozenset({302}),
    ),
    Case("clients:chronology-hide", CURATORS, kwargs=_entry),
    Case(
        "clients:chronology-hide",
        CURATORS,
        method="post",
        kwargs=_entry,
        data=lambda ctx: {"reason": "Duplicate of another entry"},
        ok_status=frozenset({302}),
    ),
    Case("clients:chronology-unhide", CURATORS, kwargs=_hidden_entry),
    Case(
        "clients:chronology-unhide",
        CURATORS,
        method="post",
        kwargs=_hidden_entry,
        ok_status=frozenset({302}),
    ),
    Case("clients:chronology-export", CHRONOLOGY_READERS),
    Case("clients:access-log", ACCESS_LOG_READERS),
]
