"""The case file as items a reviewer can release, withhold or redact: one per row of the export.

A subject access request is answered from the case file export. Its reviewer goes through
the file row by row (each note, chronology entry, step, document, relationship, address,
involvement, alert, and the personal details), so each row becomes an item: plain text
fields, exactly as the bundle prints them, made from the same plan and the same queries
as the export (documents/casefile_render.py). Items are plain data, kept with the request,
so a review works on the record as it stood when it was gathered, and a redaction (a span
of one field's text) still points at the same words when the bundle is made.

`release_segments` applies the redactions to a field's text: a redacted span's words are
removed, not covered, and the bundle prints "[Redacted: <reason>]" in their place.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from casemgmt.models import User
from clients.models import Address, Alert, ChronologyEntry, Involvement, Person, PersonName
from documents import casefile_render
from documents.casefile_render import NoteRow, RelationshipRow, StepRow
from documents.models import Document
from workflows import forms_html

HEADING = "heading"
META = "meta"
TEXT = "text"


@dataclass
class ItemField:
    key: str
    label: str
    text: str
    style: str = TEXT


@dataclass
class Item:
    """One row of the case file, as the text the bundle prints."""

    section: str
    kind: str
    source_id: int
    fields: list[ItemField]
    document_id: int | None = None
    version_id: int | None = None

    def fields_json(self) -> list[dict[str, str]]:
        return [asdict(item_field) for item_field in self.fields]


def fields_from_json(data: Iterable[Mapping[str, Any]]) -> list[ItemField]:
    return [
        ItemField(
            key=str(row.get("key", "")),
            label=str(row.get("label", "")),
            text=str(row.get("text", "")),
            style=str(row.get("style", TEXT)),
        )
        for row in data
    ]


# -- dates as the bundle prints them ---------------------------------------------------------


def _day(value: datetime.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def _long_day(value: datetime.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _moment(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y %H:%M}"


def _short_moment(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y %H:%M}"


def _period(start: datetime.date | None, end: datetime.date | None, *, open_end: str) -> str:
    if start is None and end is None:
        return ""
    return f"from {_day(start) or 'unknown'} to {_day(end) or open_end}"


def _name(user: User | None) -> str:
    return str(user) if user is not None else ""


def _joined(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def _fields(*rows: tuple[str, str, str, str]) -> list[ItemField]:
    """(key, label, text, style) rows, leaving out empty text."""
    return [ItemField(key, label, text, style) for key, label, text, style in rows if text]


# -- the summary sections ---------------------------------------------------------------------


def _details_item(person: Person, context: Mapping[str, Any]) -> Item:
    names = " ".join(
        part
        for part in (person.title, person.first_name, person.middle_names, person.last_name)
        if part
    )
    if person.date_of_birth:
        born = _long_day(person.date_of_birth) + (
            " (estimated)" if person.date_of_birth_is_estimated else ""
        )
    elif person.expected_date_of_birth:
        born = f"Expected {_long_day(person.expected_date_of_birth)}"
    else:
        born = "Not recorded"
    gp = person.gp_practice_name + (
        f" ({person.gp_practice_code})" if person.gp_practice_code else ""
    )
    rows: list[tuple[str, str, str, str]] = [
        ("name", "Name", names, TEXT),
        ("preferred_name", "Preferred name", person.preferred_name, TEXT),
        ("person_id", "Person ID", str(person.pk), TEXT),
        ("date_of_birth", "Date of birth", born, TEXT),
        ("date_of_death", "Date of death", _long_day(person.date_of_death), TEXT),
        ("sex", "Sex", person.get_sex_display(), TEXT),
        ("gender_identity", "Gender identity", person.get_gender_identity_display(), TEXT),
        ("ethnicity", "Ethnicity", person.get_ethnicity_display(), TEXT),
        (
            "first_language",
            "First language",
            person.first_language
            + (" (interpreter required)" if person.interpreter_required else ""),
            TEXT,
        ),
        ("religion", "Religion", person.religion, TEXT),
        ("disabilities", "Disabilities", ", ".join(context["disabilities"]), TEXT),
        ("phone", "Phone", person.phone, TEXT),
        ("mobile", "Mobile", person.mobile, TEXT),
        ("email", "Email", person.email, TEXT),
        ("gp", "GP practice", gp.strip(), TEXT),
        ("nhs_number", "NHS number", person.nhs_number or "", TEXT),
        ("upn", "Unique pupil number (UPN)", person.upn or "", TEXT),
        ("ni_number", "National Insurance number", person.ni_number or "", TEXT),
    ]
    rows += [
        (f"identifier:{identifier.pk}", identifier.system, identifier.value, TEXT)
        for identifier in context["identifiers"]
    ]
    return Item("details", "details", person.pk, _fields(*rows))


def _other_name_item(name: PersonName) -> Item:
    return Item(
        "details",
        "other_name",
        name.pk,
        _fields(
            ("heading", "", f"{name.first_name} {name.last_name}".strip(), HEADING),
            (
                "meta",
                "",
                _joined(
                    f"Other name: {name.get_kind_display()}",
                    _period(name.start_date, name.end_date, open_end="now"),
                ),
                META,
            ),
        ),
    )


def _address_item(address: Address) -> Item:
    parts = [address.line_1, address.line_2, address.town, address.county, address.postcode]
    line = ", ".join(part for part in parts if part)
    if address.uprn:
        line += f" (UPRN {address.uprn})"
    return Item(
        "addresses",
        "address",
        address.pk,
        _fields(
            ("heading", "", line, HEADING),
            (
                "meta",
                "",
                _joined(
                    address.get_kind_display(),
                    _period(address.start_date, address.end_date, open_end="now (current)"),
                    "Confidential" if address.is_confidential else "",
                ),
                META,
            ),
        ),
    )


def _relationship_item(row: RelationshipRow) -> Item:
    relationship = row.relationship
    who = (
        f"{row.other_name} (ID {relationship.other_id})"
        if row.other_name
        else casefile_render.hidden_person_label()
    )
    kind = relationship.type.name + (
        " (parental responsibility)" if relationship.is_parental_responsibility else ""
    )
    return Item(
        "relationships",
        "relationship",
        relationship.pk,
        _fields(
            ("heading", "", who, HEADING),
            (
                "meta",
                "",
                _joined(kind, _period(relationship.start_date, relationship.end_date, open_end="")),
                META,
            ),
            ("notes", "Notes", relationship.notes, TEXT),
        ),
    )


def _involvement_item(involvement: Involvement) -> Item:
    end = _day(involvement.end_date)
    if end and involvement.end_reason:
        end += f" ({involvement.end_reason})"
    return Item(
        "involvements",
        "involvement",
        involvement.pk,
        _fields(
            ("heading", "", involvement.role.name, HEADING),
            (
                "meta",
                "",
                _joined(
                    _name(involvement.worker),
                    involvement.team.name,
                    f"from {_day(involvement.start_date)} to {end or 'now (current)'}",
                ),
                META,
            ),
        ),
    )


def _alert_item(alert: Alert) -> Item:
    return Item(
        "alerts",
        "alert",
        alert.pk,
        _fields(
            ("heading", "", f"{alert.type.name} ({alert.type.get_severity_display()})", HEADING),
            (
                "meta",
                "",
                _joined(
                    _period(alert.start_date, alert.end_date, open_end="now (current)"),
                    f"added by {_name(alert.created_by)}" if alert.created_by else "",
                ),
                META,
            ),
            ("description", "Description", alert.description, TEXT),
        ),
    )


def summary_items(person: Person, actor: User) -> list[Item]:
    """The personal details, other names, addresses, relationships, involvements and alerts."""
    context = casefile_render.summary_context(person, actor)
    items = [_details_item(person, context)]
    items += [_other_name_item(name) for name in context["other_names"]]
    items += [_address_item(address) for address in context["addresses"]]
    items += [_relationship_item(row) for row in context["relationships"]]
    items += [_involvement_item(involvement) for involvement in context["involvements"]]
    items += [_alert_item(alert) for alert in context["alerts"]]
    return items


# -- the long sections ------------------------------------------------------------------------


def _chronology_item(entry: ChronologyEntry) -> Item:
    hidden = ""
    if entry.is_hidden:
        hidden = _joined(
            "Hidden from the usual view of the chronology"
            + (f" by {entry.hidden_by}" if entry.hidden_by else "")
            + (f" on {_day(timezone.localdate(entry.hidden_at))}" if entry.hidden_at else ""),
        )
        hidden += f": {entry.hidden_reason}"
    return Item(
        "chronology",
        "chronology",
        entry.pk,
        _fields(
            ("heading", "", f"{_long_day(entry.event_date)}: {entry.summary}", HEADING),
            (
                "meta",
                "",
                _joined(
                    entry.category,
                    entry.get_source_display(),
                    f"recorded {_short_moment(entry.recorded_at)}"
                    + (f" by {entry.created_by}" if entry.created_by else ""),
                ),
                META,
            ),
            ("detail", "", entry.detail, TEXT),
            ("hidden", "", hidden, META),
        ),
    )


def _note_item(row: NoteRow) -> Item:
    note = row.note
    amends = ""
    if row.amends is not None:
        amends = (
            f"Amends note {row.amends.pk} of {_day(timezone.localdate(row.amends.event_at))}, "
            f"“{row.amends.subject}”."
        )
    amended = "\n".join(
        f"Amended by note {amendment.pk}, finalised {_short_moment(amendment.finalised_at)}."
        for amendment in row.amended_by
    )
    return Item(
        "notes",
        "note",
        note.pk,
        _fields(
            (
                "heading",
                "",
                f"{_moment(note.event_at)}: {note.subject}"
                + (" (significant)" if note.is_significant else ""),
                HEADING,
            ),
            (
                "meta",
                "",
                _joined(
                    note.type.name,
                    f"by {note.author}",
                    f"finalised {_short_moment(note.finalised_at)}",
                    f"note {note.pk}",
                ),
                META,
            ),
            ("amends", "", amends, META),
            ("body", "", note.body, TEXT),
            ("amended_by", "", amended, META),
        ),
    )


def _answer_text(answer: forms_html.AnswerRow) -> str:
    if not answer.answered:
        return forms_html.NOT_ANSWERED
    if answer.table_rows:
        return "\n".join(
            f"Entry {number}: "
            + "; ".join(
                f"{head}: {cell}"
                for head, cell in zip(answer.table_head, cells, strict=False)
                if cell != forms_html.NOT_ANSWERED
            )
            for number, cells in enumerate(answer.table_rows, start=1)
        )
    if answer.items:
        return "; ".join(answer.items)
    return answer.text


def _step_item(row: StepRow) -> Item:
    step = row.step
    when = [f"Started {_day(step.started_on) or 'not yet'}"]
    if step.due_date:
        when.append(f"due {_day(step.due_date)}")
    if step.completed_at:
        when.append(
            f"completed {_day(timezone.localdate(step.completed_at))}"
            + (f" by {step.completed_by}" if step.completed_by else "")
        )
    if step.assignee:
        when.append(f"with {step.assignee}" + (f" ({step.team.name})" if step.team else ""))
    elif step.team:
        when.append(f"team {step.team.name}")
    rows: list[tuple[str, str, str, str]] = [
        ("heading", "", f"{step.step_type.name} ({step.get_status_display()})", HEADING),
        (
            "meta",
            "",
            _joined(
                step.episode.workflow.name,
                f"step {step.pk}",
                f"form “{step.form_version.form.name}” version {step.form_version.number}",
            ),
            META,
        ),
        ("when", "", " · ".join(when), META),
        (
            "cancelled",
            "",
            f"Cancelled: {step.cancelled_reason}" if step.cancelled_reason else "",
            META,
        ),
    ]
    for section in row.answers:
        for answer in section.rows:
            label = f"{section.title}: {answer.label}" if section.title else answer.label
            rows.append((f"answer:{answer.key}", label, _answer_text(answer), TEXT))
    for decision in row.decisions:
        rows.append(
            (
                f"decision:{decision.pk}",
                "",
                f"{decision.get_decision_display()} by {decision.decided_by} on "
                f"{_short_moment(decision.decided_at)}"
                + (f": {decision.comments}" if decision.comments else ""),
                META,
            )
        )
    return Item("steps", "step", step.pk, _fields(*rows))


def _document_item(document: Document) -> Item:
    version = document.current_version
    file = ""
    if version is not None:
        file = (
            f"{version.original_filename} (version {version.number}, "
            f"{filesizeformat(version.size)})"
        )
    return Item(
        "documents",
        "document",
        document.pk,
        _fields(
            ("heading", "", document.title, HEADING),
            (
                "meta",
                "",
                _joined(_day(document.document_date), document.category.label, file),
                META,
            ),
        ),
        document_id=document.pk,
        version_id=version.pk if version is not None else None,
    )


def items_for_part(*, person: Person, actor: User, part: Mapping[str, Any]) -> list[Item]:
    """The items of one part of the export's plan (casefile_render.plan_parts), in its order."""
    section = part.get("section")
    if section is None:
        return summary_items(person, actor)
    rows = casefile_render.part_rows(part, actor)
    if section == "chronology":
        return [_chronology_item(entry) for entry in rows["chronology"]]
    if section == "notes":
        return [_note_item(row) for row in rows["notes"]]
    if section == "steps":
        return [_step_item(row) for row in rows["steps"]]
    if section == "documents":
        return [_document_item(document) for document in rows["documents"]]
    return []


# -- redactions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of one field's text, and why they are redacted."""

    start: int
    end: int
    label: str


@dataclass
class Segment:
    """A run of a field's text: plain, or a redaction (whose words the bundle never gets)."""

    text: str
    start: int = 0
    redaction: str = ""
    highlight: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def merged_spans(spans: Iterable[Span], length: int) -> list[Span]:
    """Spans clipped to the text, sorted, overlapping ones joined (the first one's reason)."""
    ordered = sorted(
        (
            Span(max(0, span.start), min(length, span.end), span.label)
            for span in spans
            if min(length, span.end) > max(0, span.start)
        ),
        key=lambda span: (span.start, span.end),
    )
    merged: list[Span] = []
    for span in ordered:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.label)
        else:
            merged.append(span)
    return merged


def release_segments(text: str, spans: Sequence[Span]) -> list[Segment]:
    """The text as released: redacted spans become markers and carry none of their words."""
    segments: list[Segment] = []
    position = 0
    for span in merged_spans(spans, len(text)):
        if span.start > position:
            segments.append(Segment(text[position : span.start], start=position))
        segments.append(Segment("", start=span.start, redaction=span.label))
        position = span.end
    if position < len(text):
        segments.append(Segment(text[position:], start=position))
    return segments


def released_text(text: str, spans: Sequence[Span]) -> str:
    """The text as released, as one string (for an index or a file name)."""
    return "".join(
        f"[Redacted: {segment.redaction}]" if segment.redaction else segment.text
        for segment in release_segments(text, spans)
    )
