"""In-app notifications: sending (with an email), the header's count, the page, marking read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from casemgmt import notifications
from casemgmt.models import Notification, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/notifications/"


def _send(
    recipients: list[User], subject: str = "Something happened", **extra: Any
) -> list[Notification]:
    return notifications.notification_send(
        recipients=recipients, subject=subject, body="Details here.", link="/people/", **extra
    )


def test_sending_notifies_each_active_recipient_once_and_emails_them_after_commit(
    users: dict[str, User], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # Given an active worker (named twice), an inactive user and a user with no email
    no_email = UserFactory(username="no.email", email="")
    recipients = [users["allocated_worker"], users["allocated_worker"], users["inactive_user"]]
    recipients.append(no_email)

    # When a notification is sent
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        _send(recipients, email_subject="Sign in to read it", email_body="Plain words.")
        assert mail.outbox == []  # nothing is emailed before the transaction commits

    # Then the active ones get it once each, and only addresses receive email
    assert callbacks
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "alice.worker",
        "no.email",
    ]
    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [
        ("Sign in to read it", ["alice.worker@council.example"], "Plain words.")
    ]


def test_the_header_shows_the_unread_count(users: dict[str, User], worker_client: Client) -> None:
    # Given two notifications for the worker
    _send([users["allocated_worker"]])
    _send([users["allocated_worker"]], subject="Another")
    # When any page is shown, Then the header counts them
    page = worker_client.get(URL).content.decode()
    assert (
        '<span class="moj-notification-badge">2<span class="govuk-visually-hidden"> unread' in page
    )
    # and after marking them all read the count is gone
    worker_client.post(URL, {"notification": "all"})
    assert "moj-notification-badge" not in worker_client.get(URL).content.decode()


def test_the_page_lists_only_the_users_own_notifications(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    _send([users["allocated_worker"]], subject="For Alice")
    _send([users["team_manager"]], subject="For Tina")
    page = client_for("allocated_worker").get(URL).content.decode()
    assert "For Alice" in page
    assert "For Tina" not in page


def test_marking_one_read_leaves_the_others(users: dict[str, User], worker_client: Client) -> None:
    first, second = _send([users["allocated_worker"]]) + _send([users["allocated_worker"]])
    response = worker_client.post(URL, {"notification": str(first.pk)})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read
    assert not second.is_read


def test_someone_elses_notification_cannot_be_marked_read(
    users: dict[str, User], worker_client: Client
) -> None:
    (theirs,) = _send([users["team_manager"]])
    response = worker_client.post(URL, {"notification": str(theirs.pk)})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert not theirs.is_read


@pytest.mark.parametrize("value", ["", "abc", "-1", "1 OR 1=1", "9" * 40, "<script>"])
def test_a_wrong_notification_id_is_a_clear_400_and_changes_nothing(
    value: str, users: dict[str, User], worker_client: Client
) -> None:
    (mine,) = _send([users["allocated_worker"]])
    response = worker_client.post(URL, {"notification": value})
    assert response.status_code == 400
    assert b"Choose a notification" in response.content
    mine.refresh_from_db()
    assert not mine.is_read


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_without_notifications_says_so(worker_client: Client) -> None:
    response = worker_client.get(URL)
    assert response.status_code == 200
    assert "You have no notifications." in response.content.decode()
