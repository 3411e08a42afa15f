"""A record with at least one row in every table retention.erasure.RECORD_ROWS names.

Rows are filled from the models themselves (a required field gets a value of its type,
a foreign key the record's own row or an existing reference row), so a table added to the
plan is filled here too, and the erasure test covers it without changes.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from casemgmt.models import User
from clients.models import Person
from retention import erasure
from tests.factories import PersonFactory
from tests.workflows.builders import small_workflow

_sequence = itertools.count(1)

# What must differ from the defaults for a row to be valid, or to belong as intended.
_OVERRIDES: dict[str, Any] = {
    "retention.legalhold": lambda ctx: {
        "placed_at": timezone.now() - datetime.timedelta(days=30),
        "released_by": ctx["user"],
        "released_at": timezone.now(),
        "release_reason": "The inquiry has closed.",
    },
    "retention.retentionreview": lambda ctx: {
        "status": "destroying",
        "decided_by": ctx["user"],
        "decided_at": timezone.now(),
        "confirmed_by": ctx["second"],
        "confirmed_at": timezone.now(),
    },
    "clients.relationship": lambda ctx: {"other": ctx["relative"]},
    "clients.involvement": lambda ctx: {"end_date": datetime.date(2016, 1, 1)},
    "clients.personmerge": lambda ctx: {"merged": ctx["duplicate"]},
    "clients.recordaccessgrant": lambda ctx: {"user": ctx["user"]},
    "clients.casenote": lambda ctx: {"status": "draft"},
    "workflows.step": lambda ctx: {
        "step_type": ctx["workflow"].contact,
        "form_version": ctx["workflow"].contact.form.latest_published(),
        "status": "completed",
        "completed_at": timezone.now(),
    },
    "workflows.episode": lambda ctx: {"workflow": ctx["workflow"].workflow},
    "workflows.steplink": lambda ctx: {"to_step": ctx["second_step"]},
    "workflows.carerassessment_cared_for": lambda ctx: {"person": ctx["relative"]},
    "workflows.sdqscore": lambda ctx: {"score": 12},
    "subject_access.redaction": lambda ctx: {"start": 0, "end": 5},
    "workflows.childprotectionconference": lambda ctx: {"kind": "initial"},
}


def _value(field: models.Field[Any, Any], label: str, ctx: dict[str, Any]) -> Any:
    if field.choices:
        return field.choices[0][0]  # type: ignore[index]
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date(2015, 4, 1)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return 1
    if isinstance(field, models.FileField):
        return ContentFile(b"%PDF-1.4 a stored file of the record", name="file.pdf")
    if isinstance(field, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(field, models.GenericIPAddressField):
        return "127.0.0.1"
    if isinstance(field, models.EmailField):
        return "someone@example.org"
    if isinstance(field, models.CharField | models.TextField):
        text = f"{label.split('.')[-1]} {next(_sequence)}"
        return text[: field.max_length] if field.max_length else text
    raise TypeError(f"No test value for {label}.{field.name} ({type(field).__name__})")


def _reference(model: type[models.Model], ctx: dict[str, Any]) -> models.Model:
    """An existing row to point at, or a new one filled the same way."""
    if issubclass(model, User):
        return ctx["user"]
    existing = model._base_manager.first()
    return existing if existing is not None else make(model, ctx, {})


def make(model: type[models.Model], ctx: dict[str, Any], overrides: dict[str, Any]) -> Any:
    """One row of `model`, required fields filled, pointing at the record where it can."""
    label = model._meta.label_lower
    values: dict[str, Any] = {}
    own = erasure.RECORD_ROWS.get(label, ())
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in overrides:
            continue
        if isinstance(field, models.ForeignKey):
            target = field.related_model._meta.label_lower  # type: ignore[union-attr]
            if target in ctx["rows"] and (field.name in own or not field.null):
                values[field.name] = ctx["rows"][target]
            elif not field.null:
                values[field.name] = _reference(field.related_model, ctx)  # type: ignore[arg-type]
            continue
        if field.has_default() or field.null or getattr(field, "auto_now_add", False):
            continue
        if field.blank and isinstance(field, models.CharField | models.TextField):
            continue
        values[field.name] = _value(field, label, ctx)
    values.update(overrides)
    files = {name: value for name, value in values.items() if isinstance(value, ContentFile)}
    for name in files:
        del values[name]
    row = model(**values)
    for name, content in files.items():
        getattr(row, name).save(content.name, content, save=False)
    row.save()
    return row


def full_record(*, user: User, second: User) -> dict[str, Any]:
    """A person with a row in every table of their record; the rows by table."""
    subject = PersonFactory(first_name="Erin", last_name="Destroyed", date_of_birth=None)
    relative = PersonFactory(first_name="Rosa", last_name="Relative")
    duplicate = PersonFactory(first_name="Erin", last_name="Duplicate", merged_into=subject)
    ctx: dict[str, Any] = {
        "user": user,
        "second": second,
        "relative": relative,
        "duplicate": duplicate,
        "workflow": small_workflow(),
        "rows": {"clients.person": subject},
    }
    order = [label for label in reversed(erasure.deletion_order())]
    order += ["retention.legalhold", "retention.retentionreview"]
    for label in order:
        model = apps.get_model(label)
        if label == "workflows.steplink":
            # A link between two steps of the record.
            ctx["second_step"] = make(
                apps.get_model("workflows.step"), ctx, _OVERRIDES["workflows.step"](ctx)
            )
        overrides = _OVERRIDES.get(label, lambda ctx: {})(ctx)
        ctx["rows"][label] = make(model, ctx, overrides)
    return ctx


def person_of(ctx: dict[str, Any]) -> Person:
    return ctx["rows"]["clients.person"]
