"""When a subject access request must be answered (UK GDPR Article 12(3), as the ICO counts it).

- The time limit runs from the day the request is received (working day or not), or from
  the day the proof of identity, proof of authority or clarification asked for arrives:
  the clock restarts then.
- One calendar month: the same date next month; where next month has no such date, its
  last day (31 January -> 28 February, or 29 in a leap year).
- Where that date is a weekend or a bank holiday, the response is due the next working day.
- An extension adds up to two further months (the limit becomes three months from the
  same start), once, for a complex request or many requests from the same person.
"""

from __future__ import annotations

import datetime

from casemgmt import calendar

MONTHS = 1
MAX_EXTENSION_MONTHS = 2
DUE_SOON_DAYS = 7


def month_end(start: datetime.date, months: int = MONTHS) -> datetime.date:
    """The corresponding calendar date `months` later (clamped to a shorter month's end)."""
    return calendar.add_months(start, months)


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself if it is a working day in England, otherwise the next one."""
    while not calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def due_date(start: datetime.date, *, extension_months: int = 0) -> datetime.date:
    """The day the response is due, for a clock started on `start`."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError("An extension is one or two further months.")
    return next_working_day(month_end(start, MONTHS + extension_months))


def explain(start: datetime.date, *, extension_months: int = 0) -> str:
    """How the deadline was worked out, in words, for the request page."""
    months = MONTHS + extension_months
    end = month_end(start, months)
    due = next_working_day(end)
    span = "One calendar month" if months == 1 else f"{months} calendar months"
    text = f"{span} from {_day(start)} is {_day(end)}"
    if due != end:
        kind = "a bank holiday" if end.weekday() < 5 else f"a {end:%A}"
        text += f", {kind}, so the response is due the next working day, {_day(due, weekday=True)}"
    return text + "."


def _day(day: datetime.date, *, weekday: bool = False) -> str:
    text = f"{day.day} {day:%B %Y}"
    return f"{day:%A} {text}" if weekday else text
