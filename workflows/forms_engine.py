"""Forms as data: compile a version into an immutable schema, and validate answers against it.

A compiled schema is plain JSON, so a published version renders and validates without
touching its section and field rows again:

    {"form": "code", "version": 3, "title": "...",
     "sections": [{"key": "...", "title": "...", "description": "...",
                   "fields": [{"key": "...", "label": "...", "hint": "...", "kind": "date",
                               "required": true, "choices": [["CODE", "Label"], ...],
                               "code_list": "key", "show_if": {...}, "min": "0", "max": "10",
                               "max_length": 500, "fields": [...repeating group children...]}]}]}

Typed answers (what `Step.answers` holds and the API exchanges): text and long text are
strings; dates "YYYY-MM-DD"; numbers JSON numbers; money a string with two decimal places;
yes/no booleans; a choice its code; a multiple choice a list of codes; a person their id;
a repeating group a list of objects keyed by its fields' keys; attachments a list of ids.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from workflows.models import FormField, FormVersion

Schema = dict[str, Any]
FieldSchema = dict[str, Any]
Errors = dict[str, list[str]]

DEFAULT_TEXT_LIMIT = 500
DEFAULT_LONG_TEXT_LIMIT = 20_000
MAX_REPEATS = 200


class FormDefinitionError(ValueError):
    """A form definition that cannot be published (the message says what and where)."""


# -- compiling ---------------------------------------------------------------------------


def _field_schema(field: FormField, children: dict[int | None, list[FormField]]) -> FieldSchema:
    schema: FieldSchema = {
        "key": field.key,
        "label": field.label,
        "kind": field.kind,
        "required": field.is_required,
    }
    if field.hint:
        schema["hint"] = field.hint
    if field.kind in (FormField.Kind.CHOICE, FormField.Kind.MULTIPLE_CHOICE):
        if field.code_list is not None:
            schema["code_list"] = field.code_list.key
            schema["choices"] = [
                [code.code, code.label]
                for code in field.code_list.codes.filter(is_active=True).order_by(
                    "sort_order", "label"
                )
            ]
        else:
            schema["choices"] = [list(choice) for choice in field.choices]
    if field.show_if:
        schema["show_if"] = field.show_if
    if field.min_value is not None:
        schema["min"] = str(field.min_value)
    if field.max_value is not None:
        schema["max"] = str(field.max_value)
    if field.max_length:
        schema["max_length"] = field.max_length
    if field.kind == FormField.Kind.REPEATING_GROUP:
        schema["fields"] = [_field_schema(child, children) for child in children.get(field.pk, [])]
    return schema


def compile_version(version: FormVersion) -> Schema:
    """The schema of `version` built from its section and field rows, checked for sense."""
    sections = []
    for section in version.sections.order_by("order", "id"):
        rows = list(section.fields.select_related("code_list").order_by("order", "id"))
        children: dict[int | None, list[FormField]] = {}
        for row in rows:
            children.setdefault(row.parent_id, []).append(row)
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "description": section.description,
                "fields": [_field_schema(row, children) for row in children.get(None, [])],
            }
        )
    schema = {
        "form": version.form.code,
        "version": version.number,
        "title": version.form.name,
        "sections": sections,
    }
    check_schema(schema)
    return schema


def check_schema(schema: Schema) -> None:
    """Raise FormDefinitionError naming the first field that makes no sense."""
    seen: set[str] = set()
    kinds = set(FormField.Kind.values)

    def walk(fields: list[FieldSchema], where: str, scope: set[str]) -> None:
        for field in fields:
            key = field.get("key", "")
            place = f"{where} > {key or '(no key)'}"
            if not key:
                raise FormDefinitionError(f"{place}: a field needs a key")
            if key in scope:
                raise FormDefinitionError(f"{place}: the key '{key}' is used twice")
            scope.add(key)
            if field.get("kind") not in kinds:
                raise FormDefinitionError(f"{place}: unknown kind '{field.get('kind')}'")
            if field["kind"] in ("choice", "multiple_choice") and not field.get("choices"):
                raise FormDefinitionError(f"{place}: a choice needs choices or a code list")
            if field["kind"] == "repeating_group":
                if not field.get("fields"):
                    raise FormDefinitionError(f"{place}: a repeating group needs fields")
                walk(field["fields"], place, set())
            elif field.get("fields"):
                raise FormDefinitionError(f"{place}: only a repeating group has fields")

    for section in schema.get("sections", []):
        walk(section.get("fields", []), section.get("title") or section.get("key", ""), seen)
    # Conditions may only look at top-level fields that exist.
    for field in iter_fields(schema):
        condition = field.get("show_if")
        if condition:
            for name in condition_fields(condition):
                if name not in seen:
                    raise FormDefinitionError(
                        f"{field['key']}: show_if refers to '{name}', which is not a field"
                    )


@transaction.atomic
def publish_version(version: FormVersion) -> FormVersion:
    """Freeze a draft: compile its schema; from now on steps may pin it."""
    if version.is_published:
        raise FormDefinitionError(f"{version} is already published")
    version.schema = compile_version(version)
    version.status = FormVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["schema", "status", "published_at"])
    return version


# -- reading a schema ---------------------------------------------------------------------


def iter_fields(schema: Schema) -> Iterator[FieldSchema]:
    """Top-level fields of every section, in order."""
    for section in schema.get("sections", []):
        yield from section.get("fields", [])


def field_map(schema: Schema) -> dict[str, FieldSchema]:
    return {field["key"]: field for field in iter_fields(schema)}


def condition_fields(condition: dict[str, Any]) -> Iterable[str]:
    if "all" in condition or "any" in condition:
        for part in condition.get("all", []) + condition.get("any", []):
            yield from condition_fields(part)
    elif "field" in condition:
        yield condition["field"]


def condition_holds(condition: dict[str, Any] | None, answers: dict[str, Any]) -> bool:
    """Whether answers meet a condition; an empty condition always holds.

    {"field": k, "equals": v} | {"field": k, "in": [..]} | {"field": k, "not_empty": true}
    | {"field": k, "contains": v} (multiple choice) | {"all": [...]} | {"any": [...]}
    """
    if not condition:
        return True
    if "all" in condition:
        return all(condition_holds(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(condition_holds(part, answers) for part in condition["any"])
    value = answers.get(condition.get("field", ""))
    if "equals" in condition:
        return bool(value == condition["equals"])
    if "in" in condition:
        return value in condition["in"]
    if "contains" in condition:
        return isinstance(value, list) and condition["contains"] in value
    if condition.get("not_empty"):
        return value not in (None, "", [], {})
    return True


def visible_fields(schema: Schema, answers: dict[str, Any]) -> list[FieldSchema]:
    return [f for f in iter_fields(schema) if condition_holds(f.get("show_if"), answers)]


# -- validating typed answers --------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _check_value(field: FieldSchema, value: Any) -> tuple[Any, str | None]:
    """The value made canonical, or an error message in the words a worker understands."""
    kind = field["kind"]
    label = field["label"]
    if kind in ("text", "long_text"):
        if not isinstance(value, str):
            return value, f"{label} must be text"
        value = value.strip()
        limit = field.get("max_length") or (
            DEFAULT_LONG_TEXT_LIMIT if kind == "long_text" else DEFAULT_TEXT_LIMIT
        )
        if len(value) > limit:
            return value, f"{label} must be {limit:,} characters or fewer"
        if "\x00" in value:
            return value, f"{label} must not contain control characters"
        return value, None
    if kind == "date":
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            return value, f"{label} must be a real date"
        if not datetime.date(1900, 1, 1) <= day <= datetime.date(2100, 12, 31):
            return value, f"{label} must be between 1900 and 2100"
        return day.isoformat(), None
    if kind in ("number", "money"):
        if isinstance(value, bool):
            return value, f"{label} must be a number"
        try:
            number = decimal.Decimal(str(value).replace(",", "").replace("£", "").strip())
        except decimal.InvalidOperation:
            return value, f"{label} must be a number"
        if not number.is_finite():
            return value, f"{label} must be a number"
        if "min" in field and number < decimal.Decimal(field["min"]):
            return value, f"{label} must be {field['min']} or more"
        if "max" in field and number > decimal.Decimal(field["max"]):
            return value, f"{label} must be {field['max']} or less"
        # Before rounding: quantize refuses numbers longer than the decimal context holds.
        if abs(number) >= decimal.Decimal("1e12"):
            return value, f"{label} is too large"
        if kind == "money" and number != number.quantize(decimal.Decimal("0.01")):
            return value, f"{label} must be in pounds and pence, like 12.50"
        if kind == "money":
            return str(number.quantize(decimal.Decimal("0.01"))), None
        return (int(number) if number == number.to_integral_value() else float(number)), None
    if kind == "yes_no":
        if isinstance(value, bool):
            return value, None
        return value, f"Select yes or no for {label.lower()}"
    if kind == "choice":
        codes = {choice[0] for choice in field.get("choices", [])}
        if value not in codes:
            return value, f"Select an option for {label.lower()}"
        return value, None
    if kind == "multiple_choice":
        codes = {choice[0] for choice in field.get("choices", [])}
        if not isinstance(value, list) or any(item not in codes for item in value):
            return value, "Select only the listed options for " + label.lower()
        return sorted(set(value), key=[c[0] for c in field["choices"]].index), None
    if kind == "person":
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return value, f"Choose a person for {label.lower()}"
        return value, None
    if kind == "attachment":
        if not isinstance(value, list) or any(
            isinstance(item, bool) or not isinstance(item, int) for item in value
        ):
            return value, f"{label} must be a list of documents"
        return value, None
    return value, f"{label} has an unknown kind"


def validate_answers(
    schema: Schema, answers: Any, *, complete: bool
) -> tuple[dict[str, Any], Errors]:
    """Check typed answers against a schema.

    Returns the answers made canonical and `{field key: [messages]}`. Unknown keys are
    errors (they would be lost silently otherwise). With `complete`, required questions
    that are shown must be answered; while saving a draft they may be empty. Errors keep
    every answer: the caller shows them next to what the worker gave.
    """
    if not isinstance(answers, dict):
        return {}, {"__all__": ["Answers must be an object of field keys to values"]}
    fields = field_map(schema)
    errors: Errors = {}
    cleaned: dict[str, Any] = {}
    for key in answers:
        if key not in fields:
            errors.setdefault(key, []).append(f"'{key}' is not a question on this form")
    for key, field in fields.items():
        shown = condition_holds(field.get("show_if"), answers)
        value = answers.get(key)
        if _is_empty(value):
            if complete and shown and field.get("required"):
                errors.setdefault(key, []).append(_required_message(field))
            if key in answers:
                cleaned[key] = value
            continue
        if field["kind"] == "repeating_group":
            cleaned[key], group_errors = _validate_group(field, value, complete=complete and shown)
            for group_key, messages in group_errors.items():
                errors.setdefault(group_key, []).extend(messages)
            continue
        cleaned[key], message = _check_value(field, value)
        if message:
            errors.setdefault(key, []).append(message)
    return cleaned, errors


def _required_message(field: FieldSchema) -> str:
    if field["kind"] in ("choice", "yes_no", "multiple_choice", "person"):
        return f"Select {field['label'].lower()}"
    return f"Enter {field['label'].lower()}"


def _validate_group(field: FieldSchema, value: Any, *, complete: bool) -> tuple[list[Any], Errors]:
    key = field["key"]
    if not isinstance(value, list) or any(not isinstance(item, dict) for item in value):
        return value, {key: [f"{field['label']} must be a list of entries"]}
    if len(value) > MAX_REPEATS:
        return value, {key: [f"{field['label']} can have at most {MAX_REPEATS} entries"]}
    children = {child["key"]: child for child in field["fields"]}
    errors: Errors = {}
    rows = []
    for index, item in enumerate(value):
        row: dict[str, Any] = {}
        for child_key in item:
            if child_key not in children:
                errors.setdefault(f"{key}-{index}-{child_key}", []).append(
                    f"'{child_key}' is not a question in {field['label'].lower()}"
                )
        for child_key, child in children.items():
            child_value = item.get(child_key)
            where = f"{key}-{index}-{child_key}"
            if _is_empty(child_value):
                if complete and child.get("required"):
                    errors.setdefault(where, []).append(
                        f"{_required_message(child)} in entry {index + 1}"
                    )
                continue
            row[child_key], message = _check_value(child, child_value)
            if message:
                errors.setdefault(where, []).append(f"{message} (entry {index + 1})")
        rows.append(row)
    return rows, errors
