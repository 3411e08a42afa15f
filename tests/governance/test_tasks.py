"""The hourly job: which hours are due, catching up after a stop, and the Celery task."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from casemgmt.celery import app
from governance.models import AccessFlag, UnusualAccessRun
from governance.services import unusual_access_windows_due
from governance.tasks import detect_unusual_access
from tests.factories import PersonFactory, UserFactory
from tests.governance.factories import opened

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
NOW = datetime.datetime(2025, 6, 2, 10, 59, 59, tzinfo=datetime.UTC)
TEN = datetime.datetime(2025, 6, 2, 10, 0, tzinfo=datetime.UTC)


def _checked(window_end: datetime.datetime) -> None:
    UnusualAccessRun.objects.create(
        window_start=window_end - HOUR, window_end=window_end, finished_at=window_end
    )


def test_the_first_check_covers_the_last_whole_hour() -> None:
    assert unusual_access_windows_due(now=NOW) == [(TEN - HOUR, TEN)]


def test_an_hour_is_due_only_once_it_has_ended() -> None:
    _checked(TEN)
    assert unusual_access_windows_due(now=NOW) == []
    assert unusual_access_windows_due(now=TEN + HOUR) == [(TEN, TEN + HOUR)]


def test_every_hour_since_the_last_check_is_due_oldest_first() -> None:
    _checked(TEN - 3 * HOUR)

    assert unusual_access_windows_due(now=NOW) == [
        (TEN - 3 * HOUR, TEN - 2 * HOUR),
        (TEN - 2 * HOUR, TEN - HOUR),
        (TEN - HOUR, TEN),
    ]


def test_catching_up_goes_back_a_day_at_most() -> None:
    _checked(TEN - 72 * HOUR)

    windows = unusual_access_windows_due(now=NOW)

    assert len(windows) == 24
    assert windows[0] == (TEN - 24 * HOUR, TEN - 23 * HOUR)
    assert windows[-1] == (TEN - HOUR, TEN)


def test_a_window_checked_by_hand_mid_hour_is_followed_by_whole_hours() -> None:
    UnusualAccessRun.objects.create(
        window_start=TEN - 2 * HOUR, window_end=TEN - 90 * MINUTE, finished_at=TEN
    )

    assert unusual_access_windows_due(now=NOW) == [
        (TEN - 2 * HOUR, TEN - HOUR),
        (TEN - HOUR, TEN),
    ]


def test_a_time_in_another_zone_gives_the_same_hours() -> None:
    london = NOW.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    assert unusual_access_windows_due(now=london) == [(TEN - HOUR, TEN)]


def test_the_task_checks_the_hours_due_and_raises_flags() -> None:
    # Given a worker who opened 20 records they have nothing to do with, last hour
    latest_end = timezone.now().astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    # (a check two hours ago, so the job still covers that hour if the clock turns now)
    _checked(latest_end - HOUR)
    worker = UserFactory(username="wendy.worker")
    people = [PersonFactory().pk for _ in range(20)]
    opened(worker, people, at=latest_end - datetime.timedelta(minutes=30))

    # When the task runs (in this process, as Celery's eager mode does)
    raised = detect_unusual_access.apply().get()

    # Then the flag is raised, and running it again raises nothing more
    assert raised == 1
    flag = AccessFlag.objects.get()
    assert (flag.user, flag.person_ids) == (worker, sorted(people))
    assert flag.window_end <= latest_end + HOUR
    assert detect_unusual_access.apply().get() == 0
    assert AccessFlag.objects.count() == 1


def test_the_task_is_scheduled_hourly() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["detect-unusual-access"]
    assert entry["task"] == "governance.tasks.detect_unusual_access"
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert schedule.minute == {5}  # type: ignore[attr-defined]
    assert schedule.hour == set(range(24))  # type: ignore[attr-defined]
