"""Form answers between the browser and a step: what is posted, what is kept, what is shown.

A step's form is posted as plain HTML form data. Input names cannot clash with a field
key (a slug has no dots):

    q.<key>                       text, long text, number, money, yes/no ("yes" or "no"),
                                  single choice (a code), person (an id), attachment (ids)
    q.<key>                       multiple choice: one value per ticked box
    q.<key>.day .month .year      a date
    q.<group>.rows                how many entries a repeating group shows
    q.<group>.<i>.<child>         a question in entry i (from 0) of a repeating group

Raw answers are what was typed, exactly: what autosave keeps (`StepDraft.answers`) and
what the form shows again when something needs correcting. They follow the schema: a
string per question, ``{"day", "month", "year"}`` for a date, a list of codes for a
multiple choice and a list of raw entries for a repeating group. ``"@version"`` is the
step version the typing started from, so a restored draft still meets a conflict.

Typed answers are the formats in `workflows.forms_engine`. Converting raw to typed
leaves the checking to `validate_answers`, adding only what it cannot know (a date with
a box left empty), then drops the answers to questions a condition hides: a hidden
question is not asked, so neither its answer nor its requiredness counts.

HTML ids are "f-" and the name without "q.": ``f-<key>``, ``f-<key>.day``,
``f-<group>.<i>.<child>``; the second and later radios and boxes of a question add
``.2``, ``.3``...
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote

from django.utils.safestring import mark_safe

from workflows.forms_engine import (
    DEFAULT_LONG_TEXT_LIMIT,
    DEFAULT_TEXT_LIMIT,
    MAX_REPEATS,
    Errors,
    FieldSchema,
    Schema,
    condition_holds,
    iter_fields,
    validate_answers,
)

Raw = dict[str, Any]

VERSION_KEY = "@version"
DATE_PARTS = ("day", "month", "year")
# Single choices with more options than this are a drop-down rather than radios.
SELECT_THRESHOLD = 10
# How each kind of question is drawn (see `render_field`).
_WIDGETS = {
    "text": "text",
    "long_text": "long_text",
    "date": "date",
    "number": "number",
    "money": "number",
    "yes_no": "radios",
    "choice": "radios",
    "multiple_choice": "checkboxes",
    "person": "person",
    "repeating_group": "repeating_group",
    "attachment": "attachment",
}
_DEFAULT_LIMITS = {"text": DEFAULT_TEXT_LIMIT, "long_text": DEFAULT_LONG_TEXT_LIMIT}
_ENTRY_NUMBER = re.compile(r"entry \d+")
_IDS = re.compile(r"[\s,;]+")


# -- reading what the browser posted -----------------------------------------------------


def _clean_text(value: Any) -> str:
    """A posted string as typed, minus what no keyboard types and PostgreSQL cannot store."""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _rows_posted(data: Mapping[str, Any], name: str) -> int:
    text = str(data.get(f"{name}.rows", "")).strip()
    if text.isascii() and text.isdigit() and len(text) <= 4:
        return min(int(text), MAX_REPEATS)
    return 0


def _raw_value(field: FieldSchema, data: Any, name: str) -> Any:
    kind = field["kind"]
    if kind == "date":
        return {part: _clean_text(data.get(f"{name}.{part}", "")) for part in DATE_PARTS}
    if kind == "multiple_choice":
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if isinstance(values, str):
            values = [values]
        return [_clean_text(value) for value in values][:1000]
    if kind == "repeating_group":
        return [
            {
                child["key"]: _raw_value(child, data, f"{name}.{index}.{child['key']}")
                for child in field["fields"]
            }
            for index in range(_rows_posted(data, name))
        ]
    return _clean_text(data.get(name, ""))


def raw_from_post(schema: Schema, data: Any) -> Raw:
    """What the worker typed into each question, read from posted form data."""
    raw: Raw = {
        field["key"]: _raw_value(field, data, f"q.{field['key']}") for field in iter_fields(schema)
    }
    version = str(data.get("version", "")).strip()
    if version.isascii() and version.isdigit() and len(version) <= 9:
        raw[VERSION_KEY] = int(version)
    return raw


# -- typed answers shown as raw ones ------------------------------------------------------


def _raw_from_typed(field: FieldSchema, value: Any) -> Any:
    kind = field["kind"]
    if kind == "date":
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            return {"day": "", "month": "", "year": ""}
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
    if kind == "multiple_choice":
        return [str(item) for item in value] if isinstance(value, list) else []
    if kind == "repeating_group":
        if not isinstance(value, list):
            return []
        return [
            {
                child["key"]: _raw_from_typed(child, entry.get(child["key"]))
                for child in field["fields"]
            }
            for entry in value
            if isinstance(entry, dict)
        ]
    if value is None:
        return ""
    if kind == "yes_no":
        return {True: "yes", False: "no"}.get(value, "")
    if kind == "attachment":
        return ", ".join(str(item) for item in value) if isinstance(value, list) else ""
    return str(value)


def raw_from_answers(schema: Schema, answers: Mapping[str, Any]) -> Raw:
    """Typed answers (what a step holds) as the form shows them."""
    return {
        field["key"]: _raw_from_typed(field, answers.get(field["key"]))
        for field in iter_fields(schema)
    }


# -- raw answers made typed ---------------------------------------------------------------


def is_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(is_blank(item) for item in value.values())
    if isinstance(value, list):
        return all(is_blank(item) for item in value)
    return value is None or str(value).strip() == ""


class _Missing:
    """No answer: the question was left empty."""


MISSING = _Missing()


def _date_from_raw(field: FieldSchema, value: Any) -> tuple[Any, str | None]:
    parts = value if isinstance(value, dict) else {}
    texts = {part: str(parts.get(part, "")).strip() for part in DATE_PARTS}
    if not any(texts.values()):
        return MISSING, None
    label = field["label"]
    missing = [part for part in DATE_PARTS if not texts[part]]
    if missing:
        return MISSING, f"{label} must include a {' and a '.join(missing)}"
    if not all(text.isascii() and text.isdigit() and len(text) <= 4 for text in texts.values()):
        return MISSING, f"{label} must be a real date"
    if len(texts["year"]) != 4:
        return MISSING, f"The year in {label.lower()} must include 4 numbers"
    # Whether the day exists in that month is the validator's to say, in its words.
    return f"{texts['year']}-{int(texts['month']):02}-{int(texts['day']):02}", None


def _typed(field: FieldSchema, value: Any) -> tuple[Any, str | None]:
    """The raw value as the validator takes it, or MISSING; a message when it cannot be read."""
    kind = field["kind"]
    if kind == "date":
        return _date_from_raw(field, value)
    if kind == "multiple_choice":
        items = [str(item) for item in value] if isinstance(value, list) else [str(value)]
        items = list(dict.fromkeys(item for item in items if item.strip()))
        return (items or MISSING), None
    text = "" if value is None or isinstance(value, dict | list) else str(value)
    if not text.strip():
        return MISSING, None
    if kind in ("text", "long_text"):
        return text, None
    if kind == "yes_no":
        return {"yes": True, "no": False}.get(text.strip().lower(), text), None
    if kind == "person":
        stripped = text.strip()
        if stripped.isascii() and stripped.isdigit() and len(stripped) <= 12:
            return int(stripped), None
        return text, None
    if kind == "attachment":
        items = [item for item in _IDS.split(text.strip()) if item]
        if all(item.isascii() and item.isdigit() and len(item) <= 12 for item in items):
            return [int(item) for item in items], None
        return text, None
    # number, money, choice: the validator reads and checks the text itself.
    return text.strip(), None


def _entry_message(message: str, number: int) -> str:
    return _ENTRY_NUMBER.sub(f"entry {number}", message)


def answers_from_raw(
    schema: Schema, raw: Mapping[str, Any], *, complete: bool = False
) -> tuple[dict[str, Any], Errors]:
    """Typed answers from raw ones, and every message about them keyed as the validator keys them.

    Entries of a repeating group left wholly empty are dropped; messages about the others
    keep the entry numbers the worker sees.
    """
    typed: dict[str, Any] = {}
    errors: Errors = {}
    # (group key, typed index) -> the entry index on the page
    entry_index: dict[str, list[int]] = {}
    for field_schema in iter_fields(schema):
        key = field_schema["key"]
        value = raw.get(key)
        if field_schema["kind"] == "repeating_group":
            entries = value if isinstance(value, list) else []
            rows: list[dict[str, Any]] = []
            positions: list[int] = []
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict) or is_blank(entry):
                    continue
                row: dict[str, Any] = {}
                for child in field_schema["fields"]:
                    child_value, message = _typed(child, entry.get(child["key"]))
                    if message:
                        errors.setdefault(f"{key}-{index}-{child['key']}", []).append(
                            f"{message} (entry {index + 1})"
                        )
                    elif child_value is not MISSING:
                        row[child["key"]] = child_value
                rows.append(row)
                positions.append(index)
            if rows:
                typed[key] = rows
                entry_index[key] = positions
            continue
        typed_value, message = _typed(field_schema, value)
        if message:
            errors.setdefault(key, []).append(message)
        elif typed_value is not MISSING:
            typed[key] = typed_value

    cleaned, found = validate_answers(schema, typed, complete=complete)
    groups = {f["key"]: f for f in iter_fields(schema) if f["kind"] == "repeating_group"}
    for error_key, messages in found.items():
        where = _entry_error_key(error_key, groups)
        if where is None:
            errors.setdefault(error_key, []).extend(messages)
            continue
        group_key, typed_index, child_key = where
        positions = entry_index.get(group_key, [])
        page_index = positions[typed_index] if typed_index < len(positions) else typed_index
        errors.setdefault(f"{group_key}-{page_index}-{child_key}", []).extend(
            _entry_message(message, page_index + 1) for message in messages
        )

    # A question hidden by a condition is not asked: drop its answer and its messages.
    for field_schema in iter_fields(schema):
        key = field_schema["key"]
        if condition_holds(field_schema.get("show_if"), cleaned):
            continue
        cleaned.pop(key, None)
        for error_key in [k for k in errors if _belongs_to(k, field_schema, groups)]:
            del errors[error_key]
    return cleaned, errors


def _entry_error_key(
    error_key: str, groups: Mapping[str, FieldSchema]
) -> tuple[str, int, str] | None:
    """(group, entry index, child) for a validator's key of a question in a group's entry."""
    for group_key, group in groups.items():
        prefix = f"{group_key}-"
        if not error_key.startswith(prefix):
            continue
        index, _, child_key = error_key[len(prefix) :].partition("-")
        if index.isdigit() and child_key in {child["key"] for child in group["fields"]}:
            return group_key, int(index), child_key
    return None


def _belongs_to(
    error_key: str, field_schema: FieldSchema, groups: Mapping[str, FieldSchema]
) -> bool:
    if error_key == field_schema["key"]:
        return True
    where = _entry_error_key(error_key, groups)
    return where is not None and where[0] == field_schema["key"]


def person_ids(schema: Schema, answers: Mapping[str, Any]) -> set[int]:
    """Every person id the answers name (person questions, in groups too)."""
    found: set[int] = set()

    def collect(fields: Iterable[FieldSchema], values: Mapping[str, Any]) -> None:
        for field_schema in fields:
            value = values.get(field_schema["key"])
            if field_schema["kind"] == "person" and isinstance(value, int) and value > 0:
                found.add(value)
            elif field_schema["kind"] == "repeating_group" and isinstance(value, list):
                for entry in value:
                    if isinstance(entry, dict):
                        collect(field_schema["fields"], entry)

    collect(iter_fields(schema), answers)
    return found


def raw_person_ids(schema: Schema, raw: Mapping[str, Any]) -> set[int]:
    """Every person id typed into a person question, read as the conversion reads it."""
    found: set[int] = set()

    def collect(fields: Iterable[FieldSchema], values: Mapping[str, Any]) -> None:
        for field_schema in fields:
            value = values.get(field_schema["key"])
            if field_schema["kind"] == "person":
                typed, _ = _typed(field_schema, value)
                if isinstance(typed, int) and typed > 0:
                    found.add(typed)
            elif field_schema["kind"] == "repeating_group" and isinstance(value, list):
                for entry in value:
                    if isinstance(entry, dict):
                        collect(field_schema["fields"], entry)

    collect(iter_fields(schema), raw)
    return found


def unknown_people(
    schema: Schema, raw: Mapping[str, Any], answers: Mapping[str, Any], known: Iterable[int]
) -> Errors:
    """A message for each person question (still asked) naming an id the worker cannot see.

    Read from the raw answers so that messages in a repeating group carry the entry
    numbers on the page.
    """
    known_ids = set(known)
    errors: Errors = {}

    def check(field_schema: FieldSchema, value: Any, where: str, entry: str) -> None:
        typed, _ = _typed(field_schema, value)
        if isinstance(typed, int) and typed > 0 and typed not in known_ids:
            errors.setdefault(where, []).append(f"There is no one with person ID {typed}{entry}")

    for field_schema in iter_fields(schema):
        key = field_schema["key"]
        if key not in answers:
            continue
        if field_schema["kind"] == "person":
            check(field_schema, raw.get(key), key, "")
        elif field_schema["kind"] == "repeating_group" and isinstance(raw.get(key), list):
            for index, entry in enumerate(raw[key]):
                if not isinstance(entry, dict):
                    continue
                for child in field_schema["fields"]:
                    if child["kind"] == "person":
                        check(
                            child,
                            entry.get(child["key"]),
                            f"{key}-{index}-{child['key']}",
                            f" (entry {index + 1})",
                        )
    return errors


# -- repeating groups: add and remove entries without JavaScript ---------------------------


def change_rows(schema: Schema, raw: Raw, action: str) -> str | None:
    """Apply "add:<group>" or "remove:<group>:<i>" to raw answers; the id to focus, or None."""
    verb, _, rest = action.partition(":")
    group_key, _, index_text = rest.partition(":")
    group = next(
        (
            f
            for f in iter_fields(schema)
            if f["key"] == group_key and f["kind"] == "repeating_group"
        ),
        None,
    )
    if group is None or verb not in ("add", "remove"):
        return None
    entries = raw.get(group_key)
    if not isinstance(entries, list):
        entries = []
    if verb == "add":
        if len(entries) >= MAX_REPEATS:
            return f"f-{group_key}"
        entries.append({child["key"]: _empty_raw(child) for child in group["fields"]})
        raw[group_key] = entries
        first = group["fields"][0]
        return _input_id(f"f-{group_key}.{len(entries) - 1}.{first['key']}", first)
    if index_text.isdigit() and int(index_text) < len(entries):
        del entries[int(index_text)]
        raw[group_key] = entries
    return f"f-{group_key}"


def _empty_raw(field_schema: FieldSchema) -> Any:
    if field_schema["kind"] == "date":
        return {part: "" for part in DATE_PARTS}
    if field_schema["kind"] in ("multiple_choice", "repeating_group"):
        return []
    return ""


def _input_id(base: str, field_schema: FieldSchema) -> str:
    return f"{base}.day" if field_schema["kind"] == "date" else base


# -- what the form shows ----------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    id: str
    selected: bool


@dataclass
class FieldView:
    """One question, ready to draw: names, ids, what to show, what is wrong."""

    key: str
    kind: str
    label: str
    name: str
    id: str
    widget: str
    hint: str = ""
    required: bool = False
    value: str = ""
    day: str = ""
    month: str = ""
    year: str = ""
    options: list[Option] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    max_length: int | None = None
    show_if: str = ""
    person: str = ""
    entries: list[EntryView] = field(default_factory=list)
    can_add: bool = False
    in_entry: bool = False

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def error_text(self) -> str:
        return " ".join(self.errors)

    @property
    def link_id(self) -> str:
        """Where the error summary sends the worker: the first box to correct."""
        if self.kind in ("yes_no", "choice", "multiple_choice") and self.options:
            return self.options[0].id
        if self.kind == "date":
            return f"{self.id}.day"
        return self.id


@dataclass
class EntryView:
    number: int
    index: int
    fields: list[FieldView]
    remove_action: str


@dataclass
class SectionView:
    key: str
    title: str
    description: str
    fields: list[FieldView]
    html: str = ""


@dataclass
class FormView:
    sections: list[SectionView]
    error_links: list[tuple[str, str]]


def build_form(
    schema: Schema,
    raw: Mapping[str, Any],
    errors: Mapping[str, list[str]] | None = None,
    *,
    people: Mapping[int, str] | None = None,
    find_person_url: str = "",
    search_url: str = "",
) -> FormView:
    """The form's questions drawn with what was typed and what is wrong (no queries).

    Each question's GOV.UK markup is written here rather than by a template per
    question: a 200-question form is 200 includes, too slow for the page's budget.
    """
    urls = {"find_person": find_person_url, "search": search_url}
    errors = errors or {}
    people = people or {}
    sections = []
    links: list[tuple[str, str]] = []
    shown: set[str] = set()
    for section in schema.get("sections", []):
        views = []
        for field_schema in section.get("fields", []):
            view = _field_view(
                field_schema,
                raw.get(field_schema["key"]),
                name=f"q.{field_schema['key']}",
                error_key=field_schema["key"],
                errors=errors,
                people=people,
                shown=shown,
            )
            views.append(view)
            links.extend(_links(view))
        sections.append(
            SectionView(
                key=section.get("key", ""),
                title=section.get("title", ""),
                description=section.get("description", ""),
                fields=views,
                html=mark_safe("".join(render_field(view, urls) for view in views)),  # noqa: S308
            )
        )
    # Messages no question shows (about the whole form, or an entry no longer on the
    # page) still reach the summary.
    for key, messages in errors.items():
        if key not in shown:
            links.extend(("step-form", message) for message in messages)
    return FormView(sections=sections, error_links=links)


def _links(view: FieldView) -> list[tuple[str, str]]:
    links = [(view.link_id, message) for message in view.errors]
    for entry in view.entries:
        for child in entry.fields:
            links.extend((child.link_id, message) for message in child.errors)
    return links


def _person_text(value: str, people: Mapping[int, str]) -> str:
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return people.get(int(text), "")
    return ""


def _field_view(
    field_schema: FieldSchema,
    value: Any,
    *,
    name: str,
    error_key: str,
    errors: Mapping[str, list[str]],
    people: Mapping[int, str],
    shown: set[str],
    in_entry: bool = False,
) -> FieldView:
    kind = field_schema["kind"]
    choices = field_schema.get("choices") or []
    if kind == "yes_no":
        choices = [["yes", "Yes"], ["no", "No"]]
    widget = _WIDGETS.get(kind, "text")
    if kind == "choice" and len(choices) > SELECT_THRESHOLD:
        widget = "select"
    html_id = "f-" + name[2:]
    shown.add(error_key)
    view = FieldView(
        key=field_schema["key"],
        kind=kind,
        label=str(field_schema.get("label") or field_schema["key"]),
        name=name,
        id=html_id,
        widget=widget,
        hint=field_schema.get("hint", ""),
        required=bool(field_schema.get("required")),
        errors=list(errors.get(error_key, [])),
        max_length=field_schema.get("max_length") or _DEFAULT_LIMITS.get(kind),
        show_if=json.dumps(field_schema["show_if"]) if field_schema.get("show_if") else "",
        in_entry=in_entry,
    )
    if kind == "date":
        parts = value if isinstance(value, dict) else {}
        view.day = str(parts.get("day", ""))
        view.month = str(parts.get("month", ""))
        view.year = str(parts.get("year", ""))
    elif kind == "multiple_choice":
        chosen = {str(item) for item in value} if isinstance(value, list) else set()
        view.options = _options(html_id, choices, chosen)
    elif kind == "repeating_group":
        entries = value if isinstance(value, list) else []
        for index, entry in enumerate(entries):
            entry_values = entry if isinstance(entry, dict) else {}
            view.entries.append(
                EntryView(
                    number=index + 1,
                    index=index,
                    fields=[
                        _field_view(
                            child,
                            entry_values.get(child["key"]),
                            name=f"{name}.{index}.{child['key']}",
                            error_key=f"{field_schema['key']}-{index}-{child['key']}",
                            errors=errors,
                            people=people,
                            shown=shown,
                            in_entry=True,
                        )
                        for child in field_schema.get("fields", [])
                    ],
                    remove_action=f"remove:{field_schema['key']}:{index}",
                )
            )
        view.can_add = len(entries) < MAX_REPEATS
        view.value = str(len(entries))
    else:
        view.value = "" if value is None or isinstance(value, dict | list) else str(value)
        if kind in ("yes_no", "choice"):
            view.options = _options(html_id, choices, {view.value})
        elif kind == "person":
            view.person = _person_text(view.value, people)
    return view


def _options(html_id: str, choices: list[Any], chosen: set[str]) -> list[Option]:
    return [
        Option(
            value=str(code),
            label=str(label),
            id=html_id if number == 1 else f"{html_id}.{number}",
            selected=str(code) in chosen,
        )
        for number, (code, label) in enumerate(choices, start=1)
    ]


# -- drawing a question (GOV.UK Frontend markup; every value escaped) -------------------------


def _attrs(view: FieldView) -> str:
    """What the page's script needs on a question: its key and kind, and any condition."""
    if view.in_entry:
        return ""
    attrs = f' data-field-key="{escape(view.key)}" data-kind="{view.kind}"'
    if view.show_if:
        attrs += f' data-show-if="{escape(view.show_if)}"'
    return attrs


def _label_text(view: FieldView) -> str:
    return escape(view.label) + ("" if view.required else " (optional)")


def _hint(view: FieldView, extra: str = "") -> str:
    text = " ".join(part for part in (escape(view.hint), extra) if part)
    return f'<div id="{view.hint_id}" class="govuk-hint">{text}</div>' if text else ""


def _error(view: FieldView) -> str:
    if not view.errors:
        return ""
    return (
        f'<p id="{view.error_id}" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {escape(view.error_text)}</p>'
    )


def _group_class(view: FieldView, extra: str = "") -> str:
    error = " govuk-form-group--error" if view.errors else ""
    return f"govuk-form-group{extra}{error}"


def _describedby(ids: str) -> str:
    return f' aria-describedby="{ids}"' if ids else ""


def _text(view: FieldView, _: Mapping[str, str]) -> str:
    error = " govuk-input--error" if view.errors else ""
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<label class="govuk-label govuk-label--s" for="{view.id}">{_label_text(view)}</label>'
        f"{_hint(view)}{_error(view)}"
        f'<input class="govuk-input{error}" id="{view.id}" name="{view.name}" type="text" '
        f'value="{escape(view.value)}"{_describedby(view.describedby)}></div>'
    )


def _long_text(view: FieldView, _: Mapping[str, str]) -> str:
    error = " govuk-textarea--error" if view.errors else ""
    described = " ".join(part for part in (f"{view.id}-info", view.describedby) if part)
    return (
        f'<div class="{_group_class(view, " govuk-character-count")}" '
        f'data-module="govuk-character-count" data-maxlength="{view.max_length}"{_attrs(view)}>'
        f'<label class="govuk-label govuk-label--s" for="{view.id}">{_label_text(view)}</label>'
        f"{_hint(view)}{_error(view)}"
        f'<textarea class="govuk-textarea govuk-js-character-count{error}" id="{view.id}" '
        f'name="{view.name}" rows="{3 if view.in_entry else 6}" spellcheck="true" '
        f'aria-describedby="{described}">\n{escape(view.value)}</textarea>'
        f'<div id="{view.id}-info" class="govuk-hint govuk-character-count__message">'
        f"You can enter up to {view.max_length} characters</div></div>"
    )


def _number(view: FieldView, _: Mapping[str, str]) -> str:
    error = " govuk-input--error" if view.errors else ""
    box = (
        f'<input class="govuk-input govuk-input--width-10{error}" id="{view.id}" '
        f'name="{view.name}" type="text" inputmode="decimal" spellcheck="false" '
        f'value="{escape(view.value)}"{_describedby(view.describedby)}>'
    )
    if view.kind == "money":
        box = (
            '<div class="govuk-input__wrapper">'
            '<div class="govuk-input__prefix" aria-hidden="true">£</div>'
            f"{box}</div>"
        )
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<label class="govuk-label govuk-label--s" for="{view.id}">{_label_text(view)}</label>'
        f"{_hint(view)}{_error(view)}{box}</div>"
    )


def _date(view: FieldView, _: Mapping[str, str]) -> str:
    error = " govuk-input--error" if view.errors else ""
    boxes = []
    for part, label, value, width in (
        ("day", "Day", view.day, 2),
        ("month", "Month", view.month, 2),
        ("year", "Year", view.year, 4),
    ):
        boxes.append(
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            f'<label class="govuk-label govuk-date-input__label" for="{view.id}.{part}">{label}'
            "</label>"
            f'<input class="govuk-input govuk-date-input__input govuk-input--width-{width}{error}" '
            f'id="{view.id}.{part}" name="{view.name}.{part}" type="text" inputmode="numeric" '
            f'value="{escape(value)}"></div></div>'
        )
    described = " ".join(
        part for part in (view.hint_id, view.error_id if view.errors else "") if part
    )
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<fieldset class="govuk-fieldset" role="group" aria-describedby="{described}">'
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{_label_text(view)}'
        f"</legend>{_hint(view, 'For example, 27 3 2026')}{_error(view)}"
        f'<div class="govuk-date-input" id="{view.id}">{"".join(boxes)}</div></fieldset></div>'
    )


def _choices(view: FieldView, kind: str) -> str:
    items = []
    for option in view.options:
        checked = " checked" if option.selected else ""
        items.append(
            f'<div class="govuk-{kind}__item">'
            f'<input class="govuk-{kind}__input" id="{option.id}" name="{view.name}" '
            f'type="{"radio" if kind == "radios" else "checkbox"}" '
            f'value="{escape(option.value)}"{checked}>'
            f'<label class="govuk-label govuk-{kind}__label" for="{option.id}">'
            f"{escape(option.label)}</label></div>"
        )
    return "".join(items)


def _radios(view: FieldView, _: Mapping[str, str]) -> str:
    modifiers = (" govuk-radios--inline" if view.kind == "yes_no" else "") + (
        " govuk-radios--small" if view.in_entry else ""
    )
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<fieldset class="govuk-fieldset"{_describedby(view.describedby)}>'
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{_label_text(view)}'
        f"</legend>{_hint(view)}{_error(view)}"
        f'<div class="govuk-radios{modifiers}" data-module="govuk-radios">'
        f"{_choices(view, 'radios')}</div></fieldset></div>"
    )


def _checkboxes(view: FieldView, _: Mapping[str, str]) -> str:
    small = " govuk-checkboxes--small" if view.in_entry else ""
    described = " ".join(
        part for part in (view.hint_id, view.error_id if view.errors else "") if part
    )
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<fieldset class="govuk-fieldset" aria-describedby="{described}">'
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{_label_text(view)}'
        f"</legend>{_hint(view, 'Select all that apply.')}{_error(view)}"
        f'<div class="govuk-checkboxes{small}" data-module="govuk-checkboxes">'
        f"{_choices(view, 'checkboxes')}</div></fieldset></div>"
    )


def _select(view: FieldView, _: Mapping[str, str]) -> str:
    error = " govuk-select--error" if view.errors else ""
    options = "".join(
        f'<option value="{escape(option.value)}"{" selected" if option.selected else ""}>'
        f"{escape(option.label)}</option>"
        for option in view.options
    )
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<label class="govuk-label govuk-label--s" for="{view.id}">{_label_text(view)}</label>'
        f"{_hint(view)}{_error(view)}"
        f'<select class="govuk-select{error}" id="{view.id}" name="{view.name}"'
        f'{_describedby(view.describedby)}><option value="">Choose an option</option>{options}'
        "</select></div>"
    )


def _person(view: FieldView, urls: Mapping[str, str]) -> str:
    error = " govuk-input--error" if view.errors else ""
    described = " ".join(
        part
        for part in (view.hint_id, f"{view.id}-chosen", view.error_id if view.errors else "")
        if part
    )
    find = escape(f"{urls.get('find_person', '')}?target={quote(view.id)}")
    search = escape(urls.get("search", ""))
    other_search = (
        f'<p class="govuk-body-s">Or <a class="govuk-link" href="{search}" target="_blank" '
        'rel="noopener">search for people in a new tab</a> and copy their person ID.</p>'
        if search
        else ""
    )
    return (
        f'<div class="{_group_class(view)}" data-person-picker{_attrs(view)}>'
        f'<label class="govuk-label govuk-label--s" for="{view.id}">{_label_text(view)}</label>'
        f"{_hint(view, 'Enter their person ID, or find them by name below.')}{_error(view)}"
        f'<input class="govuk-input govuk-input--width-10{error}" id="{view.id}" '
        f'name="{view.name}" type="text" inputmode="numeric" spellcheck="false" '
        f'value="{escape(view.value)}" aria-describedby="{described}">'
        '<p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-2" '
        f'id="{view.id}-chosen">{escape(view.person)}</p>'
        '<details class="govuk-details govuk-!-margin-bottom-0">'
        '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
        f"Find a person for “{escape(view.label)}”</span></summary>"
        '<div class="govuk-details__text">'
        f'<label class="govuk-label" for="{view.id}-find">Name or person ID</label>'
        f'<input class="govuk-input govuk-!-width-two-thirds" id="{view.id}-find" name="find" '
        'type="search" autocomplete="off" spellcheck="false" data-person-search '
        f'hx-get="{find}" hx-trigger="input changed delay:400ms, person-search" '
        f'hx-target="#{view.id}-results" hx-swap="innerHTML">'
        f'<div id="{view.id}-results" class="govuk-!-margin-top-3" aria-live="polite"></div>'
        f"{other_search}</div></details></div>"
    )


def _attachment(view: FieldView, _: Mapping[str, str]) -> str:
    error = " govuk-input--error" if view.errors else ""
    hint = (
        "Enter the document IDs, separated by commas, for example 1204, 1207. "
        "Uploading files here will come with the documents service."
    )
    described = " ".join(
        part for part in (view.hint_id, view.error_id if view.errors else "") if part
    )
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<label class="govuk-label govuk-label--s" for="{view.id}">{_label_text(view)}</label>'
        f"{_hint(view, hint)}{_error(view)}"
        f'<input class="govuk-input govuk-!-width-one-half{error}" id="{view.id}" '
        f'name="{view.name}" type="text" spellcheck="false" value="{escape(view.value)}" '
        f'aria-describedby="{described}"></div>'
    )


def _repeating_group(view: FieldView, urls: Mapping[str, str]) -> str:
    label = escape(view.label)
    parts = []
    for entry in view.entries:
        children = "".join(render_field(child, urls) for child in entry.fields)
        parts.append(
            '<fieldset class="govuk-fieldset app-repeat-entry govuk-!-margin-bottom-6">'
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
            f"{label}: entry {entry.number}</legend>{children}"
            f'<button type="submit" name="action" value="{escape(entry.remove_action)}" '
            'class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" '
            'data-module="govuk-button">Remove<span class="govuk-visually-hidden"> entry '
            f"{entry.number} of {escape(view.label.lower())}</span></button></fieldset>"
        )
    if not view.entries:
        parts.append('<p class="govuk-body">No entries yet.</p>')
    if view.can_add:
        parts.append(
            f'<button type="submit" name="action" value="add:{escape(view.key)}" '
            'class="govuk-button govuk-button--secondary" data-module="govuk-button">'
            f"Add {'another' if view.entries else 'an'} entry"
            f'<span class="govuk-visually-hidden"> to {escape(view.label.lower())}</span></button>'
        )
    return (
        f'<div class="{_group_class(view)}"{_attrs(view)}>'
        f'<fieldset class="govuk-fieldset" id="{view.id}" tabindex="-1"'
        f"{_describedby(view.describedby)}>"
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">{_label_text(view)}'
        f"</legend>{_hint(view)}{_error(view)}"
        f'<input type="hidden" name="{view.name}.rows" value="{escape(view.value)}">'
        f"{''.join(parts)}</fieldset></div>"
    )


_RENDERERS = {
    "text": _text,
    "long_text": _long_text,
    "number": _number,
    "date": _date,
    "radios": _radios,
    "select": _select,
    "checkboxes": _checkboxes,
    "person": _person,
    "attachment": _attachment,
    "repeating_group": _repeating_group,
}


def render_field(view: FieldView, urls: Mapping[str, str]) -> str:
    """One question's markup: label or legend, hint, message, boxes holding what was typed."""
    return _RENDERERS.get(view.widget, _text)(view, urls)


# -- answers shown read-only, and two sets of answers compared --------------------------------


@dataclass
class AnswerRow:
    key: str
    label: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    table_head: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    is_long: bool = False
    answered: bool = True


@dataclass
class AnswerSection:
    title: str
    rows: list[AnswerRow]


NOT_ANSWERED = "Not answered"


def _money(value: Any) -> str:
    try:
        amount = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return str(value)
    return f"£{amount:,.2f}"


def display_text(field_schema: FieldSchema, value: Any, people: Mapping[int, str]) -> str:
    """A typed answer in words (a group's entries are summarised, one per line)."""
    if value is None or value == "" or value == []:
        return NOT_ANSWERED
    kind = field_schema["kind"]
    if kind == "date":
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.day} {day:%B %Y}"
    if kind == "money":
        return _money(value)
    if kind == "yes_no":
        return {True: "Yes", False: "No"}.get(value, str(value))
    if kind in ("choice", "multiple_choice"):
        labels = {str(code): str(label) for code, label in field_schema.get("choices", [])}
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(item), str(item)) for item in items)
    if kind == "person":
        name = people.get(value) if isinstance(value, int) else None
        return f"{name} (person ID {value})" if name else f"Person ID {value}"
    if kind == "attachment":
        items = value if isinstance(value, list) else [value]
        return ", ".join(f"Document {item}" for item in items)
    if kind == "repeating_group":
        entries = value if isinstance(value, list) else []
        lines = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                continue
            parts = [
                f"{child['label']}: {display_text(child, entry.get(child['key']), people)}"
                for child in field_schema.get("fields", [])
                if entry.get(child["key"]) not in (None, "", [])
            ]
            lines.append(f"Entry {number}: " + ("; ".join(parts) or NOT_ANSWERED))
        return "\n".join(lines) or NOT_ANSWERED
    return str(value)


def display_answers(
    schema: Schema, answers: Mapping[str, Any], people: Mapping[int, str]
) -> list[AnswerSection]:
    """The answers by section, as a summary list shows them; hidden questions left out."""
    sections = []
    for section in schema.get("sections", []):
        rows = []
        for field_schema in section.get("fields", []):
            if not condition_holds(field_schema.get("show_if"), dict(answers)):
                continue
            value = answers.get(field_schema["key"])
            row = AnswerRow(
                key=field_schema["key"],
                label=field_schema.get("label", field_schema["key"]),
                answered=value not in (None, "", []),
                is_long=field_schema["kind"] == "long_text",
            )
            if field_schema["kind"] == "repeating_group" and isinstance(value, list) and value:
                children = field_schema.get("fields", [])
                row.table_head = [child["label"] for child in children]
                row.table_rows = [
                    [display_text(child, entry.get(child["key"]), people) for child in children]
                    for entry in value
                    if isinstance(entry, dict)
                ]
            elif field_schema["kind"] == "multiple_choice" and isinstance(value, list) and value:
                labels = {str(code): str(label) for code, label in field_schema.get("choices", [])}
                row.items = [labels.get(str(item), str(item)) for item in value]
            else:
                row.text = display_text(field_schema, value, people)
            rows.append(row)
        sections.append(AnswerSection(title=section.get("title", ""), rows=rows))
    return sections


@dataclass
class Difference:
    key: str
    label: str
    link_id: str
    theirs: str
    mine: str


def differences(
    schema: Schema,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    people: Mapping[int, str],
) -> list[Difference]:
    """Questions whose saved answer differs from the worker's, both in words."""
    found = []
    for field_schema in iter_fields(schema):
        key = field_schema["key"]
        if _comparable(mine.get(key)) == _comparable(theirs.get(key)):
            continue
        link = f"f-{key}.day" if field_schema["kind"] == "date" else f"f-{key}"
        found.append(
            Difference(
                key=key,
                label=str(field_schema.get("label") or key),
                link_id=link,
                theirs=display_text(field_schema, theirs.get(key), people),
                mine=display_text(field_schema, mine.get(key), people),
            )
        )
    return found


def _comparable(value: Any) -> Any:
    if value in (None, "", [], {}):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    return value
