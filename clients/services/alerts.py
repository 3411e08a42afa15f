"""Alerts and warnings on a person: shown on every page of their record while open."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from clients.models import Alert, AlertType, Person

ALERT_FIELDS = ("type", "description", "start_date", "end_date")


def alert_add(
    *,
    actor: User,
    person: Person,
    alert_type: AlertType,
    description: str = "",
    start_date: datetime.date | None = None,
) -> Alert:
    """Put an alert on a person's record (it shows on every page of it), audited."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    start_date = start_date or today
    if start_date > today:
        errors["start_date"] = ["The start date must be today or in the past."]
    if not alert_type.is_active:
        errors["type"] = ["This kind of alert is no longer used: choose another."]
    try:
        description = validators.validate_text(
            description or "", label="Description", max_length=500
        )
    except ValidationError as error:
        errors["description"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        alert = Alert.objects.create(
            person=person,
            type=alert_type,
            description=description,
            start_date=start_date,
            created_by=actor,
        )
        audit.record_change(
            actor=actor,
            action="create",
            instance=alert,
            person_id=person.pk,
            changes=audit.created(alert, ALERT_FIELDS),
            summary=f"Added alert: {alert_type.name}",
        )
    return alert


def alert_end(
    *,
    actor: User,
    alert: Alert,
    end_date: datetime.date | None,
    reason: str = "",
) -> Alert:
    """End an alert: it leaves the banner but stays in the record's history."""
    errors: dict[str, list[str]] = {}
    if end_date is None:
        errors["end_date"] = ["Enter the date the alert ended."]
    elif end_date > timezone.localdate():
        errors["end_date"] = ["The end date must be today or in the past."]
    elif end_date < alert.start_date:
        errors["end_date"] = [
            f"The end date must be on or after the start date ({alert.start_date:%-d %B %Y})."
        ]
    try:
        reason = validators.validate_text(reason or "", label="Reason", max_length=500)
    except ValidationError as error:
        errors["reason"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Alert.objects.select_for_update().select_related("type").get(pk=alert.pk)
        if row.end_date is not None:
            raise ValidationError({"end_date": ["This alert has already ended."]})
        row.end_date = end_date
        row.save(update_fields=["end_date"])
        audit.record_change(
            actor=actor,
            action="update",
            instance=row,
            person_id=row.person_id,
            changes={"end_date": [None, end_date.isoformat() if end_date else None]},
            summary=f"Ended alert: {row.type.name}",
            reason=reason,
        )
    alert.end_date = row.end_date
    return alert
