"""Statutory facts: the relational rows that step completion writes through declared mappings.

A step type declares what its completion writes, as data:

    fact_mappings: [{"fact": "referral.open",
                     "values": {"referral_date": "answers.referral_date",
                                "source": "answers.referral_source",
                                "primary_need": {"value": "N0"}}}]

Each fact name is registered here by the module that owns the model (children.py,
adults.py) with the fields it accepts and a writer. A pack that names an unknown fact,
or a field the fact does not accept, is refused at import; completion resolves each
value (`answers.<key>`, `step.<started_on|completed_on|event_date|due_date|authorised_on>`
or a literal `{"value": ...}`) and calls the writer once per subject person. Writers are
idempotent: completing the same step again (a retry) changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casemgmt.models import User
    from clients.models import Person
    from workflows.models import Step

Writer = Callable[..., Any]

STEP_VALUES = ("started_on", "completed_on", "event_date", "due_date", "authorised_on")


@dataclass(frozen=True)
class FactSpec:
    name: str
    label: str
    fields: dict[str, str]  # field name -> kind: date, text, code, codes, bool, int, decimal
    required: frozenset[str] = field(default_factory=frozenset)
    write: Writer | None = None


class MappingError(ValueError):
    pass


_REGISTRY: dict[str, FactSpec] = {}


def register(
    name: str, *, label: str, fields: dict[str, str], required: tuple[str, ...] = ()
) -> Callable[[Writer], Writer]:
    """Register the writer of a fact.

    The writer is called as `write(step=..., person=..., values=..., actor=...)` inside
    the completion's transaction and returns the row it wrote (or found).
    """

    def decorator(write: Writer) -> Writer:
        if name in _REGISTRY:
            raise RuntimeError(f"fact {name!r} registered twice")
        _REGISTRY[name] = FactSpec(name, label, fields, frozenset(required), write)
        return write

    return decorator


def fact_spec(name: str) -> FactSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise MappingError(f"unknown fact '{name}'") from None


def fact_names() -> list[str]:
    return sorted(_REGISTRY)


def check_mappings(mappings: Any, answer_keys: set[str]) -> None:
    """Raise MappingError naming the first mapping that cannot work."""
    if not isinstance(mappings, list):
        raise MappingError("fact mappings must be a list")
    for index, mapping in enumerate(mappings):
        where = f"fact mapping {index + 1}"
        if not isinstance(mapping, dict) or "fact" not in mapping:
            raise MappingError(f"{where}: needs a 'fact'")
        spec = fact_spec(mapping["fact"])
        values = mapping.get("values", {})
        if not isinstance(values, dict):
            raise MappingError(f"{where} ({spec.name}): 'values' must be a mapping")
        for name, source in values.items():
            if name not in spec.fields:
                raise MappingError(f"{where} ({spec.name}): '{name}' is not a field of the fact")
            _check_source(source, answer_keys, f"{where} ({spec.name}.{name})")
        missing = spec.required - set(values)
        if missing:
            raise MappingError(f"{where} ({spec.name}): needs {', '.join(sorted(missing))}")


def _check_source(source: Any, answer_keys: set[str], where: str) -> None:
    if isinstance(source, dict):
        if set(source) != {"value"}:
            raise MappingError(f"{where}: a literal is written {{value: ...}}")
        return
    if not isinstance(source, str) or "." not in source:
        raise MappingError(f"{where}: expected 'answers.<key>', 'step.<date>' or {{value: ...}}")
    origin, _, name = source.partition(".")
    if origin == "answers":
        if name not in answer_keys:
            raise MappingError(f"{where}: the form has no question '{name}'")
    elif origin == "step":
        if name not in STEP_VALUES:
            raise MappingError(f"{where}: the step has no '{name}'")
    else:
        raise MappingError(f"{where}: unknown source '{origin}'")


def _step_value(step: Step, name: str) -> datetime.date | None:
    if name == "completed_on":
        return step.completed_at.date() if step.completed_at else None
    if name == "authorised_on":
        return step.authorised_at.date() if step.authorised_at else None
    value: datetime.date | None = getattr(step, name)
    return value


def resolve_values(mapping: dict[str, Any], step: Step) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, source in mapping.get("values", {}).items():
        if isinstance(source, dict):
            values[name] = source["value"]
            continue
        origin, _, key = source.partition(".")
        values[name] = step.answers.get(key) if origin == "answers" else _step_value(step, key)
    return values


def write_facts(*, step: Step, people: list[Person], actor: User) -> list[Any]:
    """Write every fact the step's type declares, for each subject person."""
    rows = []
    for mapping in step.step_type.fact_mappings:
        spec = fact_spec(mapping["fact"])
        values = resolve_values(mapping, step)
        if spec.write is None:
            raise MappingError(f"fact '{spec.name}' has no writer")
        for person in people:
            rows.append(spec.write(step=step, person=person, values=values, actor=actor))
    return rows


# The modules that own fact models register their writers on import.
from workflows.facts import adults, children  # noqa: E402, F401
