"""Your account (casemgmt/views_account.py): the page, changing your password, and an
administrator lifting a sign-in lockout."""

from __future__ import annotations

import datetime
import html
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from casemgmt.mfa.services import next_code, script_device_ensure
from casemgmt.mfa.views import REAUTHENTICATED_AT
from casemgmt.models import AuditEvent, Team, TeamMembership, User
from tests.factories import (
    ServiceAreaFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "otter kettle lantern meadow"
ACCOUNT = reverse("account")
CHANGE = reverse("account-password")


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reauthenticated(user: User) -> Client:
    """Signed in, and has just given their password and a code again."""
    client = _signed_in(user)
    session = client.session
    session[REAUTHENTICATED_AT] = time.time()
    session.save()
    return client


def _is_signed_in(client: Client) -> bool:
    return client.get(ACCOUNT).status_code == 200


def _text(response: Any) -> str:
    """The page's text with tags removed and spaces collapsed, to read as a person would."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


# --- the page ------------------------------------------------------------------------------------


def test_your_account_shows_who_you_are_your_roles_teams_and_where_to_go(
    users: dict[str, User], team_a: Team
) -> None:
    # Given a team manager with a job title, an unread notification and a second session
    manager = users["team_manager"]
    User.objects.filter(pk=manager.pk).update(
        first_name="Tina",
        last_name="Marsh",
        job_title="Team manager, assessment",
        phone="0113 496 0000",
        unread_notifications=2,
    )
    manager.refresh_from_db()
    _signed_in(manager)
    client = _signed_in(manager)

    # When they open Your account
    response = client.get(ACCOUNT)

    # Then they see their details, role and team, and the ways to their sign-in settings
    assert response.status_code == 200
    text = _text(response)
    for expected in (
        "Name Tina Marsh",
        "Username tina.manager",
        "Email tina.manager@council.example",
        "Job title Team manager, assessment",
        "Phone 0113 496 0000",
        "Roles Team manager",
        "Assessment team north Children's services Manager 1 January 2024",
        "Authenticator app Set up",
        "Signed in in 2 places",
        "You have 2 unread notifications.",
    ):
        assert expected in text, expected
    page = response.content.decode()
    for url_name in ("account-password", "account-security", "session-list", "notifications"):
        assert f'href="{reverse(url_name)}"' in page
    # and the header marks Your account as where they are
    assert re.search(
        rf'<a class="govuk-service-navigation__link" href="{ACCOUNT}" aria-current="true">'
        r"Your account</a>",
        page,
    )


def test_a_user_without_a_role_or_a_team_is_told_so(db: None) -> None:
    newcomer = UserFactory(username="new.starter", first_name="", last_name="", email="")
    text = _text(_signed_in(newcomer).get(ACCOUNT))
    assert "Name Not recorded" in text
    assert "No role: you can sign in, but not see or change records" in text
    assert "You are not in a team." in text
    assert "You have no unread notifications." in text


def test_only_current_team_memberships_are_listed(users: dict[str, User], team_a: Team) -> None:
    worker = users["allocated_worker"]
    area = ServiceAreaFactory(name="Adults' services", code="adults")
    TeamMembershipFactory(
        user=worker,
        team=TeamFactory(name="Former team", code="former", parent=area),
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    TeamMembershipFactory(
        user=worker,
        team=TeamFactory(name="Future team", code="future", parent=area),
        start_date=datetime.date(2999, 1, 1),
    )
    text = _text(_signed_in(worker).get(ACCOUNT))
    assert "Assessment team north Children's services Member" in text
    assert "Former team" not in text
    assert "Future team" not in text


def test_roles_a_council_added_are_shown_by_their_own_name(users: dict[str, User]) -> None:
    from django.contrib.auth.models import Group

    worker = users["allocated_worker"]
    worker.groups.add(Group.objects.create(name="Emergency duty team"))
    text = _text(_signed_in(worker).get(ACCOUNT))
    assert "Roles Emergency duty team Practitioner" in text


def test_what_staff_typed_into_their_details_is_shown_as_text(db: None) -> None:
    hostile = UserFactory(
        username="hostile",
        first_name='<script>alert("x")</script>',
        job_title="<img src=x onerror=alert(1)>",
    )
    page = _signed_in(hostile).get(ACCOUNT).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_page_reads_in_a_fixed_number_of_queries(
    users: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    worker = users["allocated_worker"]
    area = ServiceAreaFactory(name="Adults' services", code="adults")
    for n in range(8):
        TeamMembershipFactory(
            user=worker, team=TeamFactory(name=f"Team {n}", code=f"t-{n}", parent=area)
        )
    client = _signed_in(worker)
    client.get(ACCOUNT)
    with django_assert_max_num_queries(12):
        response = client.get(ACCOUNT)
    assert response.status_code == 200
    assert TeamMembership.objects.filter(user=worker).count() == 9


def test_the_page_is_read_only_and_writes_no_audit_event(users: dict[str, User]) -> None:
    client = _signed_in(users["allocated_worker"])
    events = AuditEvent.objects.count()
    assert client.get(ACCOUNT).status_code == 200
    assert client.post(ACCOUNT).status_code == 405
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("url_name", ["session-list", "account-security"])
def test_the_header_shows_your_sessions_and_security_as_parts_of_your_account(
    users: dict[str, User], url_name: str
) -> None:
    page = _signed_in(users["allocated_worker"]).get(reverse(url_name)).content.decode()
    assert f'href="{ACCOUNT}" aria-current="true">Your account</a>' in page


def test_other_pages_do_not_mark_your_account(users: dict[str, User]) -> None:
    page = _signed_in(users["allocated_worker"]).get(reverse("notifications")).content.decode()
    assert f'href="{ACCOUNT}">Your account</a>' in page


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={ACCOUNT}"


# --- changing your password ----------------------------------------------------------------------


def test_changing_the_password_needs_the_password_and_a_code_again(
    users: dict[str, User],
) -> None:
    worker = users["allocated_worker"]
    client = _signed_in(worker)
    events = AuditEvent.objects.count()

    # Not re-authenticated: sent to confirm it is them, and a POST changes nothing
    response = client.get(CHANGE)
    assert response["Location"] == f"{reverse('mfa-reauthenticate')}?next={CHANGE}"
    response = client.post(CHANGE, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response["Location"].startswith(reverse("mfa-reauthenticate"))
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    assert AuditEvent.objects.count() == events

    # The password and a code, on the page the second factor's changes use
    device = script_device_ensure(user=worker, name="test")
    response = client.post(
        reverse("mfa-reauthenticate"),
        {"password": PASSWORD, "code": next_code(device), "next": CHANGE},
    )
    assert response["Location"] == CHANGE
    page = client.get(CHANGE)
    assert page.status_code == 200
    text = _text(page)
    assert "Your password must contain at least 12 characters." in text
    assert "Your password can be up to 128 characters long." in text
    assert "Your password can\u2019t be a commonly used password." in text


def test_re_authentication_for_a_password_change_lasts_five_minutes(
    users: dict[str, User],
) -> None:
    client = _reauthenticated(users["allocated_worker"])
    session = client.session
    session[REAUTHENTICATED_AT] = time.time() - settings.MFA_REAUTHENTICATION_SECONDS - 1
    session.save()
    assert client.get(CHANGE)["Location"].startswith(reverse("mfa-reauthenticate"))


def test_a_new_password_signs_out_every_other_session_and_keeps_this_one(
    users: dict[str, User],
) -> None:
    # Given a worker signed in on a laptop and a phone, changing their password on the laptop
    worker = users["allocated_worker"]
    phone = _signed_in(worker)
    laptop = _reauthenticated(worker)
    key_before = laptop.session.session_key

    # When they choose a new password
    response = laptop.post(
        CHANGE, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}, follow=True
    )

    # Then it is their password now, and they are told what happened
    assert response.redirect_chain == [(ACCOUNT, 302)]
    assert "Your password is changed. You were signed out of 1 other session." in _text(response)
    worker.refresh_from_db()
    assert worker.check_password(NEW_PASSWORD)
    assert not worker.check_password(PASSWORD)
    # the laptop stays signed in, under a new session key; the phone is signed out
    assert _is_signed_in(laptop)
    assert laptop.session.session_key != key_before
    assert not Session.objects.filter(session_key=key_before).exists()
    assert not _is_signed_in(phone)
    # and the change is audited, without the password in any form
    change = AuditEvent.objects.get(action="password_change")
    assert (change.kind, change.actor, change.object_id) == ("change", worker, str(worker.pk))
    assert change.changes == {"password": ["(not recorded)", "(not recorded)"]}
    stored = str(change.changes) + change.summary
    assert NEW_PASSWORD not in stored
    assert worker.password not in stored
    ended = AuditEvent.objects.get(action="sessions_end")
    assert ended.changes == {"sessions_ended": [None, 1], "reason": [None, "ended_by_user"]}


def test_with_no_other_session_the_message_says_only_that_it_changed(
    users: dict[str, User],
) -> None:
    client = _reauthenticated(users["allocated_worker"])
    response = client.post(
        CHANGE, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}, follow=True
    )
    assert "Your password is changed." in _text(response)
    assert "signed out of" not in _text(response)


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("", "", "id_new_password", "Enter a new password"),
        ("", "", "id_confirm_password", "Enter your new password again"),
        (NEW_PASSWORD, "", "id_confirm_password", "Enter your new password again"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "id_confirm_password", "The passwords do not match"),
        ("Tr0ub4dor&3", "Tr0ub4dor&3", "id_new_password", "too short"),
        ("w" * 129, "w" * 129, "id_new_password", "must be 128 characters or fewer"),
        ("x" * 1_000_000, "x" * 1_000_000, "id_new_password", "must be 128 characters or fewer"),
        ("password1234", "password1234", "id_new_password", "This password is too common."),
        ("914276530081", "914276530081", "id_new_password", "entirely numeric"),
        ("alice.worker1", "alice.worker1", "id_new_password", "too similar to the username"),
        (PASSWORD, PASSWORD, "id_new_password", "must be different from your current password"),
        ("a\x00 long enough passphrase", "same", "id_new_password", "Null characters"),
    ],
    ids=[
        "nothing",
        "nothing-confirm",
        "no-confirmation",
        "mismatch",
        "11-characters",
        "129-characters",
        "a-megabyte",
        "common",
        "numeric",
        "like-the-username",
        "unchanged",
        "null-character",
    ],
)
def test_a_refused_password_says_why_on_its_field_and_changes_nothing(
    users: dict[str, User], new: str, confirm: str, field: str, message: str
) -> None:
    worker = users["allocated_worker"]
    other = _signed_in(worker)
    client = _reauthenticated(worker)
    events = AuditEvent.objects.count()

    response = client.post(CHANGE, {"new_password": new, "confirm_password": confirm})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#{field}"' in page
    error = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', page, re.S)
    assert error is not None
    assert message in error.group(1)
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Error: Change your password" in page
    # Passwords are never written back into the page
    if new:
        assert f'value="{new[:40]}' not in page
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    assert AuditEvent.objects.count() == events
    assert _is_signed_in(other)


def test_twelve_and_a_hundred_and_twenty_eight_characters_are_accepted(
    users: dict[str, User],
) -> None:
    worker = users["allocated_worker"]
    longest = ("lantern meadow otter kettle " * 5)[:128]
    for password in ("Qz7!mWp2vR#k", longest):
        client = _reauthenticated(worker)
        response = client.post(CHANGE, {"new_password": password, "confirm_password": password})
        assert response.status_code == 302, _text(response)
        worker.refresh_from_db()
        assert worker.check_password(password)
    assert len(longest) == 128


def test_a_password_of_any_script_and_with_spaces_is_kept_as_typed(users: dict[str, User]) -> None:
    worker = users["allocated_worker"]
    password = "  ключ 鍵 clé kettle meadow  "
    client = _reauthenticated(worker)
    assert (
        client.post(CHANGE, {"new_password": password, "confirm_password": password}).status_code
        == 302
    )
    worker.refresh_from_db()
    assert worker.check_password(password)
    assert not worker.check_password(password.strip())


def test_the_new_password_signs_in_and_the_old_one_does_not(users: dict[str, User]) -> None:
    worker = users["allocated_worker"]
    client = _reauthenticated(worker)
    client.post(CHANGE, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})

    refused = Client().post(reverse("login"), {"username": worker.username, "password": PASSWORD})
    assert refused.status_code == 200
    accepted = Client().post(
        reverse("login"), {"username": worker.username, "password": NEW_PASSWORD}
    )
    assert accepted.status_code == 302


def test_if_the_audit_write_fails_the_password_is_not_changed(
    users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DatabaseError

    worker = users["allocated_worker"]
    other = _signed_in(worker)
    client = _reauthenticated(worker)
    client.raise_request_exception = False

    def refuse(event: object) -> None:
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr("casemgmt.audit._insert", refuse)
    response = client.post(CHANGE, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})

    assert response.status_code == 500
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    monkeypatch.undo()
    assert _is_signed_in(other)


# --- an administrator lifts a sign-in lockout ----------------------------------------------------


def _lock_out(username: str, *, failures: int = 5) -> None:
    client = Client()
    for _ in range(failures):
        client.post(reverse("login"), {"username": username, "password": "a wrong guess"})


def _signs_in(username: str, password: str = PASSWORD) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def test_an_administrator_unlocks_a_locked_out_user(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    # Given a worker locked out after five wrong passwords
    worker = users["allocated_worker"]
    _lock_out(worker.username)
    assert not _signs_in(worker.username)

    # When an administrator chooses "Unlock sign-in" for them on Users
    response = client_for("admin").post(
        reverse("admin:casemgmt_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [str(worker.pk)]},
        follow=True,
    )

    # Then the worker can sign in again, and the unlock is audited with the failures cleared
    assert "Unlocked sign-in for alice.worker." in _text(response)
    assert not AccessAttempt.objects.filter(username=worker.username).exists()
    event = AuditEvent.objects.get(action="sign_in_unlock")
    assert (event.actor, event.object_id) == (users["admin"], str(worker.pk))
    # (five wrong passwords, and the right one refused while locked)
    assert event.changes == {"failed_sign_ins": [6, 0]}
    assert _signs_in(worker.username)


def test_unlocking_a_user_with_no_failed_sign_ins_changes_nothing(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    worker = users["allocated_worker"]
    response = client_for("admin").post(
        reverse("admin:casemgmt_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [str(worker.pk)]},
        follow=True,
    )
    assert "None of the selected users had failed sign-ins to clear." in _text(response)
    assert not AuditEvent.objects.filter(action="sign_in_unlock").exists()


def test_unlocking_one_user_leaves_another_locked(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    worker, other = users["allocated_worker"], users["other_team_worker"]
    _lock_out(worker.username)
    _lock_out(other.username)
    client_for("admin").post(
        reverse("admin:casemgmt_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [str(worker.pk)]},
    )
    assert _signs_in(worker.username)
    assert not _signs_in(other.username)


def test_only_administrators_who_may_change_users_are_offered_the_unlock(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    page = client_for("admin").get(reverse("admin:casemgmt_user_changelist")).content.decode()
    assert 'value="unlock_sign_in"' in page
    # A staff user who may only view users gets no such action, and posting it does nothing
    helpdesk = UserFactory(username="help.desk", is_staff=True)
    from django.contrib.auth.models import Permission

    helpdesk.user_permissions.add(Permission.objects.get(codename="view_user"))
    worker = users["allocated_worker"]
    _lock_out(worker.username)
    client = _signed_in(helpdesk)
    page = client.get(reverse("admin:casemgmt_user_changelist")).content.decode()
    assert 'value="unlock_sign_in"' not in page
    client.post(
        reverse("admin:casemgmt_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [str(worker.pk)]},
    )
    assert AccessAttempt.objects.filter(username=worker.username).exists()
    assert not AuditEvent.objects.filter(action="sign_in_unlock").exists()
