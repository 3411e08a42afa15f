"""The deadline, day by day: one calendar month (clamped to a shorter month's end), to the
next working day in England, restarted by what was asked of the requester, extended once."""

from __future__ import annotations

import datetime

import pytest

from subject_access import deadlines

D = datetime.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # The same date next month.
        (D(2025, 11, 17), D(2025, 12, 17)),
        (D(2025, 3, 3), D(2025, 4, 3)),
        # No such date next month: the last day of it, in a leap year and not.
        (D(2024, 1, 31), D(2024, 2, 29)),
        (D(2025, 1, 31), D(2025, 2, 28)),
        (D(2025, 1, 29), D(2025, 2, 28)),
        (D(2025, 3, 31), D(2025, 4, 30)),
        (D(2024, 12, 31), D(2025, 1, 31)),
        # Received on a Saturday: the clock runs from that day all the same.
        (D(2025, 5, 10), D(2025, 6, 10)),
    ],
)
def test_one_calendar_month_from_receipt(received: D, due: D) -> None:
    assert deadlines.due_date(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # 31 January 2026 + 1 month = Saturday 28 February: due Monday 2 March.
        (D(2026, 1, 31), D(2026, 3, 2)),
        # 3 April 2026 is Good Friday and 6 April Easter Monday: due Tuesday 7 April.
        (D(2026, 3, 3), D(2026, 4, 7)),
        # Christmas Day 2026 is a Friday, Boxing Day (Saturday) is observed on Monday 28th.
        (D(2026, 11, 25), D(2026, 12, 29)),
    ],
)
def test_a_weekend_or_bank_holiday_moves_it_to_the_next_working_day(received: D, due: D) -> None:
    assert deadlines.due_date(received) == due


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (D(2025, 1, 31), 2, D(2025, 4, 30)),
        (D(2025, 1, 31), 1, D(2025, 3, 31)),
        (D(2024, 11, 30), 2, D(2025, 2, 28)),
        (D(2023, 11, 30), 2, D(2024, 2, 29)),
    ],
)
def test_an_extension_adds_further_months_from_the_same_start(
    received: D, months: int, due: D
) -> None:
    assert deadlines.due_date(received, extension_months=months) == due


@pytest.mark.parametrize("months", [-1, 3, 12])
def test_an_extension_is_one_or_two_months(months: int) -> None:
    with pytest.raises(ValueError, match="one or two further months"):
        deadlines.due_date(D(2025, 1, 31), extension_months=months)


def test_the_page_explains_how_the_deadline_was_worked_out() -> None:
    assert deadlines.explain(D(2025, 1, 31)) == (
        "One calendar month from 31 January 2025 is 28 February 2025."
    )
    assert deadlines.explain(D(2026, 1, 31)) == (
        "One calendar month from 31 January 2026 is 28 February 2026, a Saturday, so the "
        "response is due the next working day, Monday 2 March 2026."
    )
    assert deadlines.explain(D(2026, 3, 3)) == (
        "One calendar month from 3 March 2026 is 3 April 2026, a bank holiday, so the "
        "response is due the next working day, Tuesday 7 April 2026."
    )
    assert deadlines.explain(D(2025, 1, 31), extension_months=2) == (
        "3 calendar months from 31 January 2025 is 30 April 2025."
    )
