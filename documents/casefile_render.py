"""The case file export's PDF: the plan of its parts, each part as HTML and PDF, and the merge.

WeasyPrint lays out one HTML document at a time, and its time and memory grow with the
document: a record of 3,000 notes is rendered as parts of a few hundred rows each. Each
section starts a page with an anchor (`section-<key>`); WeasyPrint writes anchors as PDF
named destinations, so the index of the merged bundle gets every section's page number
from the parts' page counts and destinations, and each part's footer numbers its pages
from where the part starts in the bundle.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from casemgmt.models import User
from clients.models import (
    Address,
    Alert,
    CaseNote,
    ChronologyEntry,
    Involvement,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
)
from clients.selectors import person_list_visible_to
from documents import casefile
from documents.models import Document
from documents.pdf import render_pdf
from workflows import forms_html
from workflows.models import Step, StepDecision

# (key, heading) in the order the bundle has them.
SECTIONS: list[tuple[str, str]] = [
    ("details", "Personal details and identifiers"),
    ("addresses", "Addresses"),
    ("relationships", "Relationships"),
    ("involvements", "Involvements and allocations"),
    ("alerts", "Alerts"),
    ("chronology", "Chronology"),
    ("notes", "Case notes"),
    ("steps", "Workflow steps and their answers"),
    ("documents", "Documents"),
]
SECTION_TITLES = dict(SECTIONS)
# The small sections of the record share one part; the long ones are rendered in chunks
# of this many rows (a chunk is a few seconds of WeasyPrint and a few MB of memory).
SUMMARY_SECTIONS = ["details", "addresses", "relationships", "involvements", "alerts"]
CHUNK_SIZES = {"chronology": 500, "notes": 300, "steps": 80, "documents": 500}


def plan_parts(person: Person) -> list[dict[str, Any]]:
    """Which rows go into which part, fixed when the export starts (saved in the job state)."""
    parts: list[dict[str, Any]] = [{"sections": SUMMARY_SECTIONS, "ids": []}]
    ordered: dict[str, Iterable[int]] = {
        "chronology": ChronologyEntry.objects.filter(person=person)
        .order_by("event_date", "recorded_at", "id")
        .values_list("id", flat=True),
        "notes": CaseNote.objects.filter(person=person, status=CaseNote.Status.FINAL)
        .order_by("event_at", "id")
        .values_list("id", flat=True),
        "steps": casefile.person_steps(person)
        .order_by("created_at", "id")
        .values_list("id", flat=True),
        "documents": casefile.exported_documents(person)
        .order_by("document_date", "id")
        .values_list("id", flat=True),
    }
    for key, ids_query in ordered.items():
        ids = list(ids_query)
        size = CHUNK_SIZES[key]
        chunks = [ids[start : start + size] for start in range(0, len(ids), size)] or [[]]
        for number, chunk in enumerate(chunks):
            parts.append({"sections": [key] if number == 0 else [], "section": key, "ids": chunk})
    return parts


# -- the rows of each section ---------------------------------------------------------------


def _user_name(user: User | None) -> str:
    return str(user) if user is not None else ""


def _person_label(person: Person) -> str:
    if person.date_of_birth:
        return f"{person.full_name}, born {casefile.format_day(person.date_of_birth)}"
    return person.full_name


def hidden_person_label() -> str:
    """What the bundle prints for someone whose record is not open to the exporter."""
    return "A person whose record is not open to you"


def summary_context(person: Person, actor: User) -> dict[str, Any]:
    """The rows of the summary sections (details, addresses, relationships, involvements, alerts)."""
    relationships = list(
        Relationship.objects.filter(person=person)
        .select_related("other", "type")
        .order_by("type__sort_order", "other__last_name", "id")
    )
    # A relative on a restricted or sealed record is named only to those who may open it.
    visible = set(
        person_list_visible_to(user=actor)
        .filter(pk__in=[row.other_id for row in relationships])
        .values_list("pk", flat=True)
    )
    return {
        "other_names": list(PersonName.objects.filter(person=person).order_by("start_date", "id")),
        "identifiers": list(PersonIdentifier.objects.filter(person=person).order_by("system")),
        "disabilities": [row.get_code_display() for row in person.disabilities.all()],
        "addresses": list(Address.objects.filter(person=person).order_by("-start_date", "-id")),
        "relationships": [
            RelationshipRow(
                relationship=row,
                other_name=row.other.full_name if row.other_id in visible else "",
            )
            for row in relationships
        ],
        "involvements": list(
            Involvement.objects.filter(person=person)
            .select_related("worker", "team", "role")
            .order_by("-start_date", "-id")
        ),
        "alerts": list(
            Alert.objects.filter(person=person)
            .select_related("type", "created_by")
            .order_by("-start_date", "-id")
        ),
    }


@dataclass
class RelationshipRow:
    relationship: Relationship
    other_name: str  # empty: the other person's record is not open to the exporter


@dataclass
class NoteRow:
    note: CaseNote
    amends: CaseNote | None
    amended_by: list[CaseNote]


def _notes(ids: list[int]) -> list[NoteRow]:
    notes = list(
        CaseNote.objects.filter(pk__in=ids)
        .select_related("type", "author", "amends")
        .order_by("event_at", "id")
    )
    amendments: dict[int, list[CaseNote]] = {}
    for amendment in (
        CaseNote.objects.filter(amends_id__in=ids, status=CaseNote.Status.FINAL)
        .only("id", "amends_id", "subject", "event_at", "finalised_at")
        .order_by("finalised_at", "id")
    ):
        amendments.setdefault(amendment.amends_id or 0, []).append(amendment)
    return [
        NoteRow(
            note=note,
            amends=note.amends if note.amends and not note.amends.is_draft else None,
            amended_by=amendments.get(note.pk, []),
        )
        for note in notes
    ]


@dataclass
class StepRow:
    step: Step
    answers: list[forms_html.AnswerSection]
    decisions: list[StepDecision]


def _steps(ids: list[int], actor: User) -> list[StepRow]:
    steps = list(
        Step.objects.filter(pk__in=ids)
        .select_related(
            "step_type",
            "episode__workflow",
            "form_version__form",
            "assignee",
            "team",
            "completed_by",
            "authorised_by",
        )
        .order_by("created_at", "id")
    )
    decisions: dict[int, list[StepDecision]] = {}
    for decision in (
        StepDecision.objects.filter(step_id__in=ids)
        .select_related("decided_by")
        .order_by("decided_at", "id")
    ):
        decisions.setdefault(decision.step_id, []).append(decision)
    answers = {step.pk: step.answers if isinstance(step.answers, dict) else {} for step in steps}
    # Names of the people the answers mention, where the exporter may see them.
    named: set[int] = set()
    for step in steps:
        named |= forms_html.person_ids(step.form_version.schema, answers[step.pk])
    people = {
        other.pk: _person_label(other)
        for other in person_list_visible_to(user=actor).filter(pk__in=named)
    }
    return [
        StepRow(
            step=step,
            # Labels from the step's own pinned form version: what the worker was asked.
            answers=forms_html.display_answers(step.form_version.schema, answers[step.pk], people),
            decisions=decisions.get(step.pk, []),
        )
        for step in steps
    ]


def part_rows(part: Mapping[str, Any], actor: User) -> dict[str, Any]:
    section = part.get("section")
    ids = list(part["ids"])
    if section == "chronology":
        return {
            "chronology": list(
                ChronologyEntry.objects.filter(pk__in=ids)
                .select_related("created_by", "hidden_by")
                .order_by("event_date", "recorded_at", "id")
            )
        }
    if section == "notes":
        return {"notes": _notes(ids)}
    if section == "steps":
        return {"steps": _steps(ids, actor)}
    if section == "documents":
        return {
            "documents": list(
                Document.objects.filter(pk__in=ids)
                .select_related("category", "current_version", "uploaded_by")
                .order_by("document_date", "id")
            )
        }
    return {}


# -- rendering -------------------------------------------------------------------------------


def _page_context(person: Person, exported_at: datetime.datetime) -> dict[str, Any]:
    return {
        "person": person,
        "exported_at": timezone.localtime(exported_at),
        "section_titles": SECTION_TITLES,
    }


def render_part(
    *,
    person: Person,
    actor: User,
    part: Mapping[str, Any],
    first_page: int,
    exported_at: datetime.datetime,
    counts: Mapping[str, int],
) -> bytes:
    """One part of the bundle as a PDF whose pages are numbered from `first_page`."""
    context = {
        **_page_context(person, exported_at),
        "part": part,
        "first_page": first_page,
        "counts": counts,
        "sections": part["sections"],
        "continued": SECTION_TITLES.get(part.get("section", "")) if not part["sections"] else "",
        **part_rows(part, actor),
    }
    if part["sections"] == SUMMARY_SECTIONS:
        context.update(summary_context(person, actor))
    return render_pdf(render_to_string("documents/casefile/part.html", context))


@dataclass
class IndexEntry:
    key: str
    title: str
    page: int


def render_front(
    *,
    person: Person,
    actor: User,
    purpose: str,
    reason: str,
    exported_at: datetime.datetime,
    counts: Mapping[str, int],
    index: list[IndexEntry],
) -> bytes:
    """The title page and the index."""
    return render_pdf(
        render_to_string(
            "documents/casefile/front.html",
            {
                **_page_context(person, exported_at),
                "actor": actor,
                "purpose": casefile.Purpose.LABELS.get(purpose, purpose),
                "reason": reason,
                "counts": counts,
                "index": index,
            },
        )
    )


def pdf_page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def section_pages(data: bytes) -> dict[str, int]:
    """Where each section starting in this part begins: its page index within the part."""
    reader = PdfReader(io.BytesIO(data))
    found: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        if str(name).startswith("section-"):
            page = reader.get_destination_page_number(destination)
            if page is not None:
                found[str(name).removeprefix("section-")] = page
    return found


def merge(
    front: IO[bytes],
    parts: Iterable[IO[bytes]],
    index: list[IndexEntry],
    out: IO[bytes],
    *,
    title: str = "Case file export",
) -> int:
    """Write the bundle (front matter, then the parts in order) with a bookmark per section."""
    writer = PdfWriter()
    writer.append(PdfReader(front), import_outline=False)
    for handle in parts:
        writer.append(PdfReader(handle), import_outline=False)
    writer.add_outline_item("Title page and index", 0)
    for entry in index:
        writer.add_outline_item(entry.title, entry.page - 1)
    writer.add_metadata({"/Title": title, "/Producer": "casemgmt"})
    writer.write(out)
    pages = len(writer.pages)
    writer.close()
    return pages
