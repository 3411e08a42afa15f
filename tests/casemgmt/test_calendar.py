from __future__ import annotations

import datetime

import pytest

from casemgmt.calendar import (
    add_months,
    add_working_days,
    is_working_day,
    working_days_between,
)


def test_45_working_days_from_a_referral_on_1_december_2026() -> None:
    # Christmas Day (Fri 25), Boxing Day observed (Mon 28) and New Year's Day (Fri 1) are skipped.
    assert add_working_days(datetime.date(2026, 12, 1), 45) == datetime.date(2027, 2, 5)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # An initial conference within 15 working days of a strategy discussion over Easter 2027.
        (datetime.date(2027, 3, 22), 15, datetime.date(2027, 4, 14)),
        # A Friday plus one working day is the Monday.
        (datetime.date(2026, 11, 20), 1, datetime.date(2026, 11, 23)),
        # The Friday before the August bank holiday plus one is the Tuesday.
        (datetime.date(2026, 8, 28), 1, datetime.date(2026, 9, 1)),
        (datetime.date(2026, 12, 24), 1, datetime.date(2026, 12, 29)),
        (datetime.date(2026, 12, 1), 0, datetime.date(2026, 12, 1)),
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(
    start: datetime.date, days: int, due: datetime.date
) -> None:
    assert add_working_days(start, days) == due
    assert working_days_between(start, due) == days


def test_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(datetime.date(2026, 12, 28))  # Boxing Day, observed
    assert not is_working_day(datetime.date(2027, 3, 29))  # Easter Monday
    assert is_working_day(datetime.date(2026, 12, 29))


@pytest.mark.parametrize(
    ("start", "months", "result"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2027, 11, 30), 3, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 6, 15), 6, datetime.date(2026, 12, 15)),
        (datetime.date(2026, 10, 10), 3, datetime.date(2027, 1, 10)),
    ],
)
def test_months_clamp_to_the_end_of_a_short_month(
    start: datetime.date, months: int, result: datetime.date
) -> None:
    assert add_months(start, months) == result


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(datetime.date(2026, 1, 1), -1)
