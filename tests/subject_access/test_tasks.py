"""The daily reminder: the owner is told once when the deadline is 7 days away and once when it
has passed; a new deadline (an extension, a restarted clock) gets its own reminders."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from casemgmt.models import AuditEvent, Notification, User
from subject_access import services
from subject_access.models import DeadlineNotice
from subject_access.tasks import flag_due_requests
from tests.subject_access.conftest import make_request

pytestmark = pytest.mark.django_db

D = datetime.date


def _at(day: D) -> time_machine.travel:
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 7, 0, tzinfo=datetime.UTC), tick=False
    )


def _subjects(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("subject", flat=True)
    )


def test_the_owner_is_told_a_week_before_and_once_overdue_and_only_once_each(
    officer: User, second_officer: User
) -> None:
    with _at(D(2026, 2, 2)):
        sar = make_request(
            officer, received_on=D(2026, 2, 2), owner=second_officer
        )  # due Monday 2 March
    with _at(D(2026, 2, 22)):
        assert flag_due_requests.apply().get() == 0  # 8 days away
    with _at(D(2026, 2, 23)):
        assert flag_due_requests.apply().get() == 1
        assert flag_due_requests.apply().get() == 0
    with _at(D(2026, 2, 27)):
        assert flag_due_requests.apply().get() == 0
    with _at(D(2026, 3, 2)):
        assert flag_due_requests.apply().get() == 0
    with _at(D(2026, 3, 3)):
        assert flag_due_requests.apply().get() == 1
        assert flag_due_requests.apply().get() == 0

    assert _subjects(second_officer) == [
        f"{sar.reference} is due in 7 days, on 2 March 2026",
        f"{sar.reference} is overdue: it was due on 2 March 2026",
    ]
    assert _subjects(officer) == []
    notification = Notification.objects.filter(recipient=second_officer).first()
    assert notification is not None
    assert notification.link == f"/subject-access/{sar.pk}/"
    assert AuditEvent.objects.filter(kind="change", action="notify").count() == 2


def test_a_missed_day_is_caught_up_and_the_day_itself_says_due_today(officer: User) -> None:
    with _at(D(2026, 2, 2)):
        sar = make_request(officer, received_on=D(2026, 2, 2))
    with _at(D(2026, 3, 2)):
        assert flag_due_requests.apply().get() == 1
    assert _subjects(officer) == [f"{sar.reference} is due today"]


def test_an_extended_deadline_gets_reminders_of_its_own(officer: User) -> None:
    with _at(D(2026, 2, 2)):
        sar = make_request(officer, received_on=D(2026, 2, 2))
    with _at(D(2026, 2, 24)):
        assert flag_due_requests.apply().get() == 1
        services.deadline_extend(
            actor=officer,
            sar=sar,
            months=1,
            reason="Records held in three archives.",
            told_on=D(2026, 2, 24),
            told_how="email",
            letter="We need one more month, sorry.",
        )
        assert flag_due_requests.apply().get() == 0
    with _at(D(2026, 3, 26)):  # 7 days before Thursday 2 April
        assert flag_due_requests.apply().get() == 1
    assert list(DeadlineNotice.objects.order_by("pk").values_list("kind", "due_on")) == [
        ("due_soon", D(2026, 3, 2)),
        ("due_soon", D(2026, 4, 2)),
    ]


def test_paused_and_closed_requests_are_not_chased(officer: User) -> None:
    with _at(D(2026, 2, 2)):
        paused = make_request(officer, received_on=D(2026, 2, 2))
        services.pause_start(
            actor=officer,
            sar=paused,
            kind="identity",
            asked_on=D(2026, 2, 2),
            asked_how="letter",
            details="Photo ID, please.",
        )
        closed = make_request(officer, received_on=D(2026, 2, 2))
        services.request_close(
            actor=officer,
            sar=closed,
            outcome="withdrawn",
            closed_on=D(2026, 2, 2),
            reason="They withdrew it by phone.",
        )
    with _at(D(2026, 4, 1)):
        assert flag_due_requests.apply().get() == 0
    assert not Notification.objects.exists()


def test_the_reminders_of_an_owner_who_has_left_go_to_the_officers_who_run_requests(
    officer: User, second_officer: User
) -> None:
    with _at(D(2026, 2, 2)):
        sar = make_request(officer, received_on=D(2026, 2, 2), owner=second_officer)
    User.objects.filter(pk=second_officer.pk).update(is_active=False)
    with _at(D(2026, 2, 24)):
        assert flag_due_requests.apply().get() == 1
        assert flag_due_requests.apply().get() == 0
    assert _subjects(officer) == [f"{sar.reference} is due in 6 days, on 2 March 2026"]
    assert _subjects(second_officer) == []
    assert DeadlineNotice.objects.count() == 1
