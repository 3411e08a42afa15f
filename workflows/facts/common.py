"""What every fact writer shares: registration with `only_if`, value checking, audit, retries.

Values arrive as completion resolved them: answers in their typed form (dates
"YYYY-MM-DD", yes/no booleans, a choice's code, a multiple choice a list of codes, money a
string with two decimal places, a person their id, a repeating group a list of objects), or
the step's own dates as `datetime.date`. A writer checks each one against the statutory
lists and refuses, in a worker's words, anything a return would reject.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from casemgmt.audit import created, diff, record_change, snapshot
from clients.validators import normalise_postcode
from workflows import statutory_codes
from workflows.facts import register

if TYPE_CHECKING:
    from casemgmt.models import User
    from clients.models import Person
    from workflows.models import Step

Row = TypeVar("Row", bound=models.Model)

ONLY_IF = "only_if"
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_EARLIEST = datetime.date(1900, 1, 1)
_LATEST = datetime.date(2100, 12, 31)


def step_error(message: str) -> Exception:
    # Imported here: workflows.services imports the fact registry, which imports this module.
    from workflows.services import StepError

    return StepError(message)


def fact(
    name: str, *, label: str, fields: dict[str, str], required: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a writer; every fact also takes `only_if`, a yes/no that must hold to write."""

    def decorator(write: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(write)
        def guarded(*, step: Step, person: Person, values: dict[str, Any], actor: User) -> Any:
            if ONLY_IF in values and not _truthy(values[ONLY_IF]):
                return None
            return write(step=step, person=person, values=Values(label, values), actor=actor)

        register(name, label=label, fields={**fields, ONLY_IF: "bool"}, required=required)(guarded)
        return guarded

    return decorator


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return False


def _words(name: str) -> str:
    return name.replace("_", " ")


class Values:
    """The resolved values of one mapping, read with checks that name the fact and field."""

    def __init__(self, fact_label: str, values: dict[str, Any]) -> None:
        self.fact_label = fact_label
        self.raw = values

    def error(self, message: str) -> Exception:
        return step_error(f"{self.fact_label}: {message}")

    def given(self, name: str) -> bool:
        value = self.raw.get(name)
        return value not in (None, "", [])

    def _missing(self, name: str) -> Exception:
        return self.error(f"the {_words(name)} is missing.")

    def date(self, name: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise self._missing(name)
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            try:
                value = datetime.date.fromisoformat(str(value).strip())
            except ValueError:
                raise self.error(
                    f"the {_words(name)} '{value}' is not a real date (expected YYYY-MM-DD)."
                ) from None
        if not _EARLIEST <= value <= _LATEST:
            raise self.error(f"the {_words(name)} {value:%d/%m/%Y} is not a plausible date.")
        return value

    def required_date(self, name: str) -> datetime.date:
        value = self.date(name, required=True)
        assert value is not None  # noqa: S101 - date(required=True) raises instead
        return value

    def code(self, name: str, choices: statutory_codes.Choices, *, required: bool = False) -> str:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise self._missing(name)
            return ""
        code = str(value).strip()
        if code not in statutory_codes.codes(choices):
            raise self.error(f"'{code}' is not a valid {_words(name)} code.")
        return code

    def code_list(
        self, name: str, choices: statutory_codes.Choices, *, required: bool = False
    ) -> list[str]:
        value = self.raw.get(name)
        if value in (None, "", []):
            if required:
                raise self._missing(name)
            return []
        items = value if isinstance(value, list | tuple) else [value]
        allowed = statutory_codes.codes(choices)
        result: list[str] = []
        for item in items:
            code = str(item).strip()
            if code not in allowed:
                raise self.error(f"'{code}' is not a valid {_words(name)} code.")
            if code not in result:
                result.append(code)
        return result

    def yes_no(self, name: str, *, required: bool = False) -> bool | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise self._missing(name)
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise self.error(f"the {_words(name)} must be yes or no, not '{value}'.")

    def integer(
        self, name: str, *, minimum: int = 0, maximum: int | None = None, required: bool = False
    ) -> int | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise self._missing(name)
            return None
        number: int
        if isinstance(value, bool):
            raise self.error(f"the {_words(name)} must be a whole number.")
        try:
            as_decimal = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise self.error(f"the {_words(name)} must be a whole number.") from None
        if as_decimal != as_decimal.to_integral_value():
            raise self.error(f"the {_words(name)} must be a whole number.")
        number = int(as_decimal)
        if number < minimum or (maximum is not None and number > maximum):
            bounds = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            raise self.error(f"the {_words(name)} must be {bounds} (got {number}).")
        return number

    def number(
        self,
        name: str,
        *,
        places: int = 2,
        maximum: decimal.Decimal | None = None,
        required: bool = False,
    ) -> decimal.Decimal | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise self._missing(name)
            return None
        if isinstance(value, bool):
            raise self.error(f"the {_words(name)} must be a number.")
        try:
            # str() first: a JSON number arrives as a float, which Decimal would keep inexact.
            number = decimal.Decimal(str(value).strip().replace(",", "").lstrip("£"))
        except decimal.InvalidOperation:
            raise self.error(f"the {_words(name)} '{value}' is not a number.") from None
        if not number.is_finite() or number < 0:
            raise self.error(f"the {_words(name)} must be zero or more.")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise self.error(f"the {_words(name)} {number} has more than {places} decimal places.")
        if maximum is not None and number > maximum:
            raise self.error(f"the {_words(name)} must be {maximum} or less (got {number}).")
        return number.quantize(decimal.Decimal(1).scaleb(-places))

    def text(self, name: str, *, max_length: int, required: bool = False) -> str:
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self._missing(name)
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            raise self.error(
                f"the {_words(name)} must be {max_length} characters or fewer (it has {len(text)})."
            )
        return text

    def postcode(self, name: str, *, required: bool = False) -> str:
        value = self.text(name, max_length=10, required=required)
        if not value:
            return ""
        try:
            return normalise_postcode(value)
        except ValidationError:
            raise self.error(
                f"the {_words(name)} '{value}' is not a real UK postcode, like SW1A 1AA."
            ) from None

    def pattern(self, name: str, regex: str, example: str, *, max_length: int) -> str:
        value = self.text(name, max_length=max_length).upper()
        if value and not re.fullmatch(regex, value):
            raise self.error(f"the {_words(name)} '{value}' is not in the form {example}.")
        return value

    def person_ids(self, name: str) -> list[int]:
        value = self.raw.get(name)
        if value in (None, "", []):
            return []
        items = value if isinstance(value, list | tuple) else [value]
        ids: list[int] = []
        for item in items:
            candidate = item.get("person") if isinstance(item, dict) else item
            if isinstance(candidate, bool):
                raise self.error(f"the {_words(name)} must name people.")
            try:
                person_id = int(str(candidate))
            except (TypeError, ValueError):
                raise self.error(f"the {_words(name)} must name people.") from None
            if person_id not in ids:
                ids.append(person_id)
        return ids

    def rows(self, name: str) -> list[dict[str, Any]]:
        value = self.raw.get(name)
        if value in (None, "", []):
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(f"the {_words(name)} must come from a repeating group of questions.")
        return value

    def nested(self, label: str, values: dict[str, Any]) -> Values:
        return Values(f"{self.fact_label} ({label})", values)


def not_before(
    values: Values,
    later: datetime.date | None,
    earlier: datetime.date | None,
    later_name: str,
    earlier_name: str,
) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise values.error(
            f"the {_words(later_name)} ({later:%d/%m/%Y}) is before the "
            f"{_words(earlier_name)} ({earlier:%d/%m/%Y})."
        )


def written_by(
    model: type[Row], step: Step, person: Person, *, field: str = "step", **lookup: Any
) -> Row | None:
    """The row this step already wrote (or closed) for this person: a retry writes nothing."""
    return model._default_manager.filter(person=person, **{field: step}, **lookup).first()


def save_new(
    row: Row,
    *,
    actor: User | None,
    fields: Iterable[str],
    summary: str,
    action: str = "",
) -> Row:
    """Insert a new fact row and write its change event with the values it was created with."""
    row.save(force_insert=True)
    record_change(
        actor=actor,
        action=action or f"{row._meta.model_name}_created",
        instance=row,
        person_id=getattr(row, "person_id", None),
        changes=created(row, fields),
        summary=summary,
    )
    return row


def save_changes(
    row: Row,
    before: dict[str, Any],
    *,
    actor: User | None,
    fields: list[str],
    summary: str,
    action: str,
) -> Row:
    """Save the changed fields of an existing row and write its change event (old and new)."""
    changes = diff(before, snapshot(row, fields))
    if not changes:
        return row
    row.save(update_fields=[name for name in fields if name in changes])
    record_change(
        actor=actor,
        action=action,
        instance=row,
        person_id=getattr(row, "person_id", None),
        changes=changes,
        summary=summary,
    )
    return row


def display_date(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""
