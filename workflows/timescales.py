"""Due dates that follow the law: working days with England's bank holidays, or months."""

from __future__ import annotations

import datetime

from casemgmt.calendar import add_months, add_working_days
from workflows.models import Episode, Step, StepType


def base_date(
    step_type: StepType,
    *,
    start: datetime.date,
    episode: Episode | None,
    previous: Step | None,
) -> datetime.date:
    """The named date a timescale counts from; the step's start when that date is unknown."""
    source = step_type.timescale_from or "start"
    if source == "previous" and previous is not None:
        return previous.event_date or start
    if source.startswith("step:") and episode is not None and episode.pk is not None:
        code = source.removeprefix("step:")
        if previous is not None and previous.step_type.code == code:
            return previous.event_date or start
        latest = (
            episode.steps.filter(step_type__code=code, status=Step.Status.COMPLETED)
            .exclude(event_date__isnull=True)
            .order_by("-event_date", "-id")
            .values_list("event_date", flat=True)
            .first()
        )
        if latest is not None:
            return latest
    return start


def due_date_for(
    step_type: StepType,
    *,
    start: datetime.date,
    episode: Episode | None = None,
    previous: Step | None = None,
) -> datetime.date | None:
    """When a step of this type is due, or None when the type has no timescale."""
    amount = step_type.timescale_amount
    if amount is None:
        return None
    base = base_date(step_type, start=start, episode=episode, previous=previous)
    unit = step_type.timescale_unit
    if unit == StepType.TimescaleUnit.WORKING_DAYS:
        return add_working_days(base, amount)
    if unit == StepType.TimescaleUnit.MONTHS:
        return add_months(base, amount)
    return base + datetime.timedelta(days=amount)
