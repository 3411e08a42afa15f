"""Plausible answers for a form, made from its schema: for the demo council and the benchmarks.

Never used on real work. Given a schema and the date the work happened, every question
shown gets an answer of its kind, and the caller's overrides win; `satisfy` adds what a
transition's condition needs, so a walk through a workflow can take the path it wants.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from workflows.forms_engine import FieldSchema, Schema, condition_holds, iter_fields

PHRASES = [
    "Seen at home with mother; the home was warm and tidy.",
    "School report attendance of 82% this term and concerns about lateness.",
    "Health visitor reports missed appointments since the spring.",
    "Discussed with the family what is working well and what they are worried about.",
    "Views gathered from the child through a three houses exercise.",
    "Agreed actions with timescales; the family understand and agree the plan.",
    "Information shared with consent under the local information sharing agreement.",
    "Risks remain around parental alcohol use; protective factors include the grandmother.",
    "Needs support with personal care in the morning and evening.",
    "Lives alone; daughter visits twice a week and manages shopping.",
]


# Text questions whose answers have a format a fact writer checks.
SPECIAL_TEXT: dict[str, Any] = {
    "postcode": lambda rng: rng.choice(["LS6 2AB", "LS8 1QT", "M14 5RQ", "BD7 1DP", "HX1 2PQ"]),
    "urn": lambda rng: f"SC{rng.randint(100000, 999999)}",
    "cqc": lambda rng: f"1-{rng.randint(100000000, 999999999)}",
    "email": lambda rng: "family.contact@example.org",
    "phone": lambda rng: f"0113 496 {rng.randint(0, 999):04d}",
    "time": lambda rng: f"{rng.randint(9, 16):02d}:{rng.choice(['00', '15', '30', '45'])}",
}


def _value(field: FieldSchema, rng: random.Random, on: datetime.date) -> Any:
    kind = field["kind"]
    key = field["key"]
    if kind == "text":
        for word, make in SPECIAL_TEXT.items():
            if word in key:
                return make(rng)
        return rng.choice(PHRASES)[: min(field.get("max_length") or 80, 80)].rstrip(" ;,.")
    if kind == "long_text":
        return " ".join(rng.sample(PHRASES, 2))
    if kind == "date":
        if any(word in key for word in ("end", "ceased", "closure", "left", "until", "to_date")):
            # A period that has not ended yet, unless the form insists.
            return on.isoformat() if field.get("required") else None
        if "next" in key or "due" in key:
            return (on + datetime.timedelta(days=rng.randint(20, 90))).isoformat()
        return on.isoformat()  # one day's work: starts and ends agree
    if kind in ("number", "money"):
        low = float(field.get("min", 0))
        high = float(field.get("max", low + 40))
        number = round(rng.uniform(low, high), 2 if kind == "money" else 0)
        return f"{number:.2f}" if kind == "money" else int(number)
    if kind == "yes_no":
        return rng.random() < 0.5
    if kind == "choice":
        return rng.choice(field["choices"])[0]
    if kind == "multiple_choice":
        codes = [choice[0] for choice in field["choices"]]
        return sorted(rng.sample(codes, min(len(codes), rng.randint(1, 2))), key=codes.index)
    if kind == "repeating_group":
        return [
            {child["key"]: _value(child, rng, on) for child in field["fields"]}
            for _ in range(rng.randint(1, 2))
        ]
    return None  # people and attachments are left for the worker


def satisfy(condition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Answers changed as little as possible so that `condition` holds."""
    answers = dict(answers)
    if not condition:
        return answers
    if "all" in condition:
        for part in condition["all"]:
            answers = satisfy(part, answers)
        return answers
    if "any" in condition:
        return satisfy(condition["any"][0], answers) if condition["any"] else answers
    key = condition["field"]
    if "equals" in condition:
        answers[key] = condition["equals"]
    elif "in" in condition:
        answers[key] = condition["in"][0]
    elif "contains" in condition:
        current = answers.get(key)
        answers[key] = [*(current if isinstance(current, list) else []), condition["contains"]]
    elif condition.get("not_empty") and answers.get(key) in (None, "", [], {}):
        answers[key] = "Yes"
    return answers


def fill(
    schema: Schema,
    rng: random.Random,
    *,
    on: datetime.date,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An answer for every question shown, given the overrides (which win)."""
    answers: dict[str, Any] = dict(overrides or {})
    for _ in range(3):  # conditions can depend on answers filled in the previous pass
        for field in iter_fields(schema):
            if field["key"] in answers:
                continue
            if condition_holds(field.get("show_if"), answers):
                value = _value(field, rng, on)
                if value is not None:
                    answers[field["key"]] = value
    shown = {f["key"] for f in iter_fields(schema) if condition_holds(f.get("show_if"), answers)}
    return {key: value for key, value in answers.items() if key in shown}
