"""Letter and report templates: a Jinja2 sandbox fed plain data, and the data it is fed.

A template body is HTML with Jinja2 merge fields (``{{ person.name }}``,
``{{ answers.health }}``, ``{% for row in fields.visits.table_rows %}``). It runs in
Jinja2's ``SandboxedEnvironment`` with autoescaping, no loader (no include, import or
extends) and no globals but a bounded ``range``; the context holds only dicts, lists,
strings, numbers and dates, never ORM objects, so a template can reach only what it is
given. Runaway templates are stopped: repeated strings and lists, ``range`` and the
output are all capped.

Problems are reported as ``TemplateProblem`` with the line of the body they are on.
"""

from __future__ import annotations

import datetime
import decimal
import operator
import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from clients.models import Address, Person

TEMPLATE_FILENAME = "<template>"
MAX_BODY_CHARS = 200_000
MAX_OUTPUT_CHARS = 5_000_000
MAX_SEQUENCE = 100_000
MAX_RANGE_TOTAL = 100_000


class TemplateProblem(Exception):
    """A template that cannot be compiled or rendered: what went wrong, and on which line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f"Line {self.line}: " if self.line else ""
        return f"{where}{self.message}"


class _Budget:
    """Work a single render may do (shared by its ``range`` calls)."""

    def __init__(self) -> None:
        self.range_left = MAX_RANGE_TOTAL


class DocumentSandbox(SandboxedEnvironment):
    """The sandbox, with sequence repetition and powers bounded as well as ``range``."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise SecurityError("powers above 100 are not allowed in a template")
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and (left.bit_length() * abs(right) > MAX_SEQUENCE)
            ):
                raise SecurityError("the number would be too large")
            return operator.pow(left, right)
        if operator_name == "*":
            for sequence, count in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(count, int)
                    and len(sequence) * count > MAX_SEQUENCE
                ):
                    raise SecurityError("a repeated text or list would be too long")
            return operator.mul(left, right)
        return super().call_binop(context, operator_name, left, right)


def _long_date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, str) and value:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    return "" if value is None else str(value)


def _short_date(value: Any) -> str:
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return _long_date(value)


def _money(value: Any) -> str:
    try:
        return f"£{decimal.Decimal(str(value)):,.2f}"
    except decimal.InvalidOperation:
        return str(value)


def _css_string(value: Any) -> Markup:
    """Text for inside a double-quoted CSS string in a <style> element (HTML escaping does not apply there)."""
    out = []
    for character in str(value):
        if character.isalnum() or character in " .,-/·'()&":
            out.append(character)
        else:
            out.append(f"\\{ord(character):x} ")
    return Markup("".join(out))  # noqa: S704 (every character outside a safe set is escaped)


def _nhs(value: Any) -> str:
    text = str(value or "")
    return f"{text[:3]} {text[3:6]} {text[6:]}" if len(text) == 10 and text.isdigit() else text


@lru_cache(maxsize=1)
def environment() -> DocumentSandbox:
    env = DocumentSandbox(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=0,
    )
    env.globals.clear()
    env.filters.update(
        {
            "long_date": _long_date,
            "short_date": _short_date,
            "money": _money,
            "nhs": _nhs,
            "css_string": _css_string,
        }
    )
    return env


def _line_of(error: BaseException) -> int | None:
    """The template line a runtime error happened on (Jinja rewrites its traceback frames)."""
    line = None
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _explain(error: BaseException) -> str:
    if isinstance(error, UndefinedError):
        return f"unknown merge field: {error.message}"
    if isinstance(error, SecurityError):
        return f"not allowed: {error}"
    if isinstance(error, TemplateError):
        return error.message or type(error).__name__
    return f"{type(error).__name__}: {error}"


def compile_body(body: str) -> Any:
    """The compiled template of ``body``; TemplateProblem (with its line) if it will not compile."""
    if not isinstance(body, str) or not body.strip():
        raise TemplateProblem("The template is empty.")
    if len(body) > MAX_BODY_CHARS:
        raise TemplateProblem(
            f"The template is {len(body):,} characters long; the limit is {MAX_BODY_CHARS:,}."
        )
    if "\x00" in body:
        raise TemplateProblem("The template contains a NUL character.")
    try:
        return environment().from_string(body)
    except TemplateSyntaxError as error:
        raise TemplateProblem(error.message or "syntax error", error.lineno) from error
    except (TemplateError, RecursionError) as error:
        raise TemplateProblem(_explain(error), _line_of(error)) from error


def render_body(body: str, context: Mapping[str, Any]) -> str:
    """Render ``body`` against plain ``context`` in the sandbox; TemplateProblem on any error."""
    template = compile_body(body)
    budget = _Budget()

    def bounded_range(*args: int) -> range:
        numbers = range(*args)
        budget.range_left -= len(numbers)
        if budget.range_left < 0:
            raise SecurityError(f"range() may produce at most {MAX_RANGE_TOTAL:,} numbers in all")
        return numbers

    values = dict(context)
    values["range"] = bounded_range
    pieces: list[str] = []
    size = 0
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(min(limit, 2000))
        for piece in template.generate(values):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateProblem(
                    f"The document would be longer than {MAX_OUTPUT_CHARS:,} characters."
                )
            pieces.append(piece)
    except TemplateProblem:
        raise
    except (TemplateError, RecursionError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateProblem(_explain(error), _line_of(error)) from error
    except (AttributeError, KeyError, IndexError, LookupError) as error:
        raise TemplateProblem(_explain(error), _line_of(error)) from error
    finally:
        sys.setrecursionlimit(limit)
    return "".join(pieces)


# -- the context: plain data only ------------------------------------------------------------


def council() -> dict[str, Any]:
    lines = getattr(settings, "COUNCIL_ADDRESS", None) or [
        "Civic Centre",
        "1 Market Street",
        "Demoton",
        "DM1 1AA",
    ]
    return {
        "name": settings.COUNCIL_NAME,
        "address_lines": [str(line) for line in lines],
        "phone": str(getattr(settings, "COUNCIL_PHONE", "") or "0300 123 4567"),
        "email": str(getattr(settings, "COUNCIL_EMAIL", "") or "socialcare@example.gov.uk"),
        "website": str(getattr(settings, "COUNCIL_WEBSITE", "") or "www.example.gov.uk"),
    }


def _address(address: Address | None) -> dict[str, Any]:
    if address is None:
        return {"lines": [], "postcode": "", "text": "", "is_confidential": False}
    lines = [
        part
        for part in (address.line_1, address.line_2, address.town, address.county, address.postcode)
        if part
    ]
    return {
        "lines": lines,
        "postcode": address.postcode,
        "text": ", ".join(lines),
        "is_confidential": address.is_confidential,
    }


def _current_address(person: Person, on: datetime.date) -> Address | None:
    addresses = [a for a in person.addresses.all() if a.is_current_on(on)]
    for kind in (Address.Kind.CORRESPONDENCE, Address.Kind.HOME, Address.Kind.PLACEMENT):
        for address in addresses:
            if address.kind == kind:
                return address
    return addresses[0] if addresses else None


def person_data(person: Person, *, on: datetime.date | None = None) -> dict[str, Any]:
    on = on or timezone.localdate()
    address = _address(_current_address(person, on))
    return {
        "id": person.pk,
        "reference": f"P{person.pk:07d}",
        "title": person.title,
        "first_name": person.first_name,
        "middle_names": person.middle_names,
        "last_name": person.last_name,
        "preferred_name": person.preferred_name,
        "name": person.full_name,
        "addressee": " ".join(
            part for part in (person.title, person.first_name, person.last_name) if part
        ),
        "date_of_birth": person.date_of_birth,
        "age": person.age_on(on) if person.date_of_birth else None,
        "nhs_number": person.nhs_number or "",
        "gp_practice_name": person.gp_practice_name,
        "gp_practice_code": person.gp_practice_code,
        "phone": person.phone or person.mobile,
        "address": address,
    }


def user_data(user: Any) -> dict[str, Any]:
    if user is None:
        return {"name": "", "job_title": "", "email": "", "phone": ""}
    return {
        "name": user.get_full_name() or user.get_username(),
        "job_title": getattr(user, "job_title", "") or "",
        "email": user.email or "",
        "phone": getattr(user, "phone", "") or "",
    }


def _plain(value: Any) -> Any:
    """A JSON-ish value as plain data (dates stay dates, decimals become strings)."""
    if value is None or isinstance(value, str | bool | int | float | datetime.date):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def sample_context() -> dict[str, Any]:
    """Made-up data in the shape of a real context, for previewing a template in the admin."""
    today = timezone.localdate()
    rows = [
        {
            "key": "summary",
            "label": "Summary",
            "text": "Seen at home with mother; the home was warm and tidy.",
            "item_list": [],
            "table_head": [],
            "table_rows": [],
            "is_long": True,
            "answered": True,
        },
        {
            "key": "visits",
            "label": "Visits and meetings",
            "text": "",
            "item_list": [],
            "table_head": ["Date", "Kind of visit"],
            "table_rows": [[_long_date(today), "Home visit"]],
            "is_long": False,
            "answered": True,
        },
    ]
    return {
        "council": council(),
        "person": {
            "id": 1,
            "reference": "P0000001",
            "title": "Ms",
            "first_name": "Sample",
            "middle_names": "",
            "last_name": "Person",
            "preferred_name": "",
            "name": "Sample Person",
            "addressee": "Ms Sample Person",
            "date_of_birth": datetime.date(2015, 4, 1),
            "age": 10,
            "nhs_number": "9434765919",
            "gp_practice_name": "Market Street Surgery",
            "gp_practice_code": "B86001",
            "phone": "0113 496 0000",
            "address": {
                "lines": ["1 Sample Street", "Demoton", "DM1 2AB"],
                "postcode": "DM1 2AB",
                "text": "1 Sample Street, Demoton, DM1 2AB",
                "is_confidential": False,
            },
        },
        "worker": user_data(None) | {"name": "Sam Worker", "job_title": "Social worker"},
        "author": user_data(None) | {"name": "Sam Worker", "job_title": "Social worker"},
        "step": {
            "id": 1,
            "reference": "S0000001",
            "type": "Sample step",
            "type_code": "sample",
            "workflow": "Sample workflow",
            "status": "Completed",
            "started_on": today,
            "event_date": today,
            "completed_on": today,
            "completed_by": "Sam Worker",
            "authorised_on": None,
            "authorised_by": "",
            "team": "Sample team",
        },
        "form": {"title": "Sample form", "version": 1},
        "sections": [{"title": "Details", "rows": rows}],
        "fields": {row["key"]: row for row in rows},
        "answers": {row["key"]: row["text"] or "See the table" for row in rows},
        "values": {"summary": rows[0]["text"], "visits": [{"date": today.isoformat()}]},
        "facts": [],
        "today": today,
        "reference": "S0000001",
        "document": {"title": "Sample document", "template": "sample", "template_version": 0},
    }


def _fact_value(row: Any, field: Any) -> str:
    value = getattr(row, field.attname)
    if field.choices and not isinstance(value, list):
        return str(getattr(row, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return _long_date(value)
    if isinstance(value, list):
        labels = dict(getattr(field, "base_field", field).choices or [])
        return ", ".join(str(labels.get(item, item)) for item in value)
    return "" if value is None else str(value)


def step_facts(step: Any, person: Person) -> list[dict[str, Any]]:
    """The statutory fact rows the step wrote for the person, as titled label/value lists."""
    from django.apps import apps

    from workflows.models.facts_children import FactRow

    skip = {"id", "step", "person", "created_at"}
    facts = []
    for model in apps.get_app_config("workflows").get_models():
        if not issubclass(model, FactRow):
            continue
        field_names = {f.name for f in model._meta.concrete_fields}
        query = model._default_manager.filter(step=step)
        if "person" in field_names:
            query = query.filter(**{"person": person})
        for row in query.order_by("pk"):
            facts.append(
                {
                    "kind": model._meta.model_name,
                    "title": str(model._meta.verbose_name).capitalize(),
                    "rows": [
                        {"label": str(f.verbose_name).capitalize(), "value": _fact_value(row, f)}
                        for f in model._meta.concrete_fields
                        if f.name not in skip
                        and not f.is_relation
                        and _fact_value(row, f) not in ("", "None")
                    ],
                }
            )
    return facts


def step_context(
    step: Any, person: Person, *, author: Any, people: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """Everything a template may merge for ``step`` about ``person``, as plain data."""
    from workflows import forms_html
    from workflows.forms_engine import iter_fields

    schema = step.form_version.schema
    answers = step.answers if isinstance(step.answers, dict) else {}
    names = dict(people or {})
    sections = []
    fields: dict[str, dict[str, Any]] = {}
    for section in forms_html.display_answers(schema, answers, names):
        rows = []
        for row in section.rows:
            data = {
                "key": row.key,
                "label": row.label,
                "text": row.text,
                "item_list": list(row.items),
                "table_head": list(row.table_head),
                "table_rows": [list(r) for r in row.table_rows],
                "is_long": row.is_long,
                "answered": row.answered,
                "entries": [],
            }
            rows.append(data)
            fields[row.key] = data
        sections.append({"title": section.title, "rows": rows})
    texts: dict[str, str] = {}
    for field in iter_fields(schema):
        key = field["key"]
        if field["kind"] == "repeating_group" and key in fields:
            value = answers.get(key)
            fields[key]["entries"] = [
                {
                    child["key"]: forms_html.display_text(child, entry.get(child["key"]), names)
                    for child in field.get("fields", [])
                }
                for entry in (value if isinstance(value, list) else [])
                if isinstance(entry, dict)
            ]
        if key in fields:
            shown = fields[key]
            texts[key] = (
                shown["text"]
                or ", ".join(shown["item_list"])
                or (forms_html.display_text(field, answers.get(key), names))
            )
        else:  # hidden by a condition, or a child of a repeating group
            texts[key] = forms_html.NOT_ANSWERED
            fields[key] = {
                "key": key,
                "label": field.get("label", key),
                "text": forms_html.NOT_ANSWERED,
                "item_list": [],
                "table_head": [],
                "table_rows": [],
                "is_long": False,
                "answered": False,
                "entries": [],
            }
    completed_on = timezone.localtime(step.completed_at).date() if step.completed_at else None
    authorised_on = timezone.localtime(step.authorised_at).date() if step.authorised_at else None
    worker = step.completed_by or step.assignee or author
    reference = f"{person.pk:07d}/{step.pk:06d}"
    return {
        "council": council(),
        "person": person_data(person),
        "worker": user_data(worker),
        "author": user_data(author),
        "step": {
            "id": step.pk,
            "reference": reference,
            "type": step.step_type.name,
            "type_code": step.step_type.code,
            "workflow": step.step_type.workflow.name,
            "status": step.get_status_display(),
            "started_on": step.started_on,
            "event_date": step.event_date,
            "completed_on": completed_on,
            "completed_by": user_data(step.completed_by)["name"],
            "authorised_on": authorised_on,
            "authorised_by": user_data(step.authorised_by)["name"] if step.authorised_by else "",
            "team": step.team.name if step.team_id else "",
        },
        "form": {"title": schema.get("title", ""), "version": schema.get("version")},
        "sections": sections,
        "fields": fields,
        "answers": texts,
        "values": _plain(answers),
        "facts": step_facts(step, person),
        "today": timezone.localdate(),
        "reference": reference,
        "document": {},
    }
