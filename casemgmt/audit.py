"""Audit writers: one function per kind of event. Services call these inside their transaction."""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.utils import timezone

from casemgmt import request_context
from casemgmt.models import AuditEvent, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` on `instance`, in a form an audit row can hold."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attribute = field.attname if isinstance(field, models.ForeignKey) else name
        values[name] = _jsonable(getattr(instance, attribute))
    return values


def created(instance: models.Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """`{field: [None, value]}` for every field a new row was given a value for."""
    return {
        name: [None, value]
        for name, value in snapshot(instance, fields).items()
        if value not in (None, "", False)
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for every field whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def _write(
    *,
    kind: str,
    action: str,
    actor: User | None,
    person_id: int | None,
    object_type: str,
    object_id: str,
    summary: str,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    context = request_context.current()
    event = AuditEvent(
        occurred_at=timezone.now(),
        kind=kind,
        action=action,
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        person_id=person_id,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        changes=dict(changes or {}),
        reason=reason,
        ip_address=context.ip_address,
        user_agent=context.user_agent[:300],
        path=context.path[:500],
        request_id=context.request_id,
    )
    _insert(event)
    return event


@functools.cache
def _insert_statement() -> tuple[str, tuple[models.Field[Any, Any], ...]]:
    fields = tuple(
        field
        for field in AuditEvent._meta.concrete_fields
        if isinstance(field, models.Field) and not field.primary_key
    )
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    returning = quote(str(AuditEvent._meta.pk.column))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {returning}"  # noqa: S608 (the model's own names; values are parameters)
    return sql, fields


def _insert(event: AuditEvent) -> None:
    """INSERT the row, as `save()` would, with its SQL built once per process.

    Every page of a record writes an access event, and compiling the ORM's INSERT cost
    more than running it. Audit rows are only ever inserted (the database refuses
    anything else) and nothing listens for their save signals.
    """
    sql, fields = _insert_statement()
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


def record_access(
    *,
    actor: User,
    action: str,
    person_id: int | None,
    summary: str,
    object_type: str = "person",
    object_id: str | int | None = None,
    reason: str = "",
) -> AuditEvent:
    """Someone looked at, exported, printed or downloaded (part of) a record."""
    return _write(
        kind=AuditEvent.Kind.ACCESS,
        action=action,
        actor=actor,
        person_id=person_id,
        object_type=object_type,
        object_id=str(object_id if object_id is not None else person_id or ""),
        summary=summary,
        reason=reason,
    )


def record_change(
    *,
    actor: User | None,
    action: str,
    instance: models.Model,
    person_id: int | None,
    changes: Mapping[str, Any],
    summary: str = "",
    reason: str = "",
) -> AuditEvent:
    """Someone created, changed or removed a row: old and new values, in the same transaction."""
    return _write(
        kind=AuditEvent.Kind.CHANGE,
        action=action,
        actor=actor,
        person_id=person_id,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        summary=summary or f"{action} {instance._meta.verbose_name}",
        changes=changes,
        reason=reason,
    )


def record_break_glass(*, actor: User, person_id: int, reason: str, summary: str) -> AuditEvent:
    """Someone opened a restricted record they had no grant to, in an emergency, saying why."""
    return _write(
        kind=AuditEvent.Kind.BREAK_GLASS,
        action="break_glass",
        actor=actor,
        person_id=person_id,
        object_type="person",
        object_id=str(person_id),
        summary=summary,
        reason=reason,
    )
