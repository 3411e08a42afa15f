"""Multi-factor sign-in: password, then a code; set-up, recovery codes, throttling, audit."""

from __future__ import annotations

import datetime
import json
import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casemgmt.mfa import services
from casemgmt.mfa.views import REAUTHENTICATED_AT
from casemgmt.models import AuditEvent, User
from casemgmt.roles import Role
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def _actions(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=user, action__startswith="mfa_")
        .order_by("id")
        .values_list("action", flat=True)
    )


def _authenticator(user: User) -> Any:
    return TOTPDevice.objects.create(user=user, name=services.AUTHENTICATOR_NAME, confirmed=True)


def _recovery_codes(user: User, codes: list[str]) -> Any:
    device = StaticDevice.objects.create(user=user, name=services.RECOVERY_NAME, confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def _password_signed_in(user: User, **client_kwargs: Any) -> Client:
    client = Client(**client_kwargs)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password stage failed"
    return client


def _unthrottle(device: Any) -> None:
    """As if the wait after a wrong code had passed."""
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(hours=1)
    device.save(update_fields=["throttling_failure_timestamp"])


def _is_verified(client: Client) -> bool:
    response = client.get(reverse("account-security"))
    return response.status_code == 200


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory(username="alice.mfa", roles=[Role.PRACTITIONER])


# --- the two stages of signing in ---------------------------------------------------------


@pytest.mark.django_db
def test_a_password_alone_leads_to_the_code_page_and_a_right_code_signs_in(alice: User) -> None:
    # Given a user with an authenticator app, signed in with their password only
    device = _authenticator(alice)
    client = _password_signed_in(alice)
    session_before = client.session.session_key

    # When they open a page, they are sent to the code page (which keeps where they were going)
    response = client.get(reverse("clients:search"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa-verify')}?next=/people/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Enter your security code" in page.content
    assert b'name="next" value="/people/"' in page.content

    # When they enter the code the app shows
    response = client.post(
        reverse("mfa-verify"), {"code": services.next_code(device), "next": "/people/"}
    )

    # Then they are where they were going, in a new session, and it is recorded
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    assert client.session.session_key != session_before
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("clients:search")).status_code == 200
    assert _actions(alice) == ["mfa_verified"]


@pytest.mark.django_db
def test_codes_may_be_typed_with_spaces(alice: User) -> None:
    device = _authenticator(alice)
    client = _password_signed_in(alice)
    code = services.next_code(device)
    response = client.post(reverse("mfa-verify"), {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302
    assert _is_verified(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app, or a recovery code"),
        ("12345", "Enter the 6 digits your authenticator app shows"),
        ("1234567", "Enter the 6 digits your authenticator app shows"),
        ("abc", "Enter the 6 digits your authenticator app shows"),
        ("١٢٣٤٥٦", "Enter the 6 digits your authenticator app shows"),
        ("<script>alert(1)</script>", "Enter the 6 digits your authenticator app shows"),
        ("1" * 10_000, "The code is too long"),
        ("12\x003456", "Null characters are not allowed"),
    ],
)
def test_a_code_of_the_wrong_shape_gets_a_clear_error_and_counts_for_nothing(
    alice: User, typed: str, message: str
) -> None:
    device = _authenticator(alice)
    client = _password_signed_in(alice)

    response = client.post(reverse("mfa-verify"), {"code": typed})

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    assert "<script>alert" not in content
    assert not _is_verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    if len(typed) <= services.CODE_MAX_LENGTH and typed.isprintable() and "<" not in typed:
        assert f'value="{typed}"' in content  # what was typed is kept


@pytest.mark.django_db
def test_a_missing_code_field_is_an_error_not_a_crash(alice: User) -> None:
    _authenticator(alice)
    client = _password_signed_in(alice)
    response = client.post(reverse("mfa-verify"), {})
    assert response.status_code == 200
    assert b"There is a problem" in response.content


@pytest.mark.django_db
def test_a_wrong_code_is_refused_audited_and_throttles_the_next_attempt(alice: User) -> None:
    # Given a user at the code page
    device = _authenticator(alice)
    client = _password_signed_in(alice)
    right = services.next_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    # When they enter a wrong code
    response = client.post(reverse("mfa-verify"), {"code": wrong})

    # Then they are told, the failure is counted and audited, and they are not signed in
    assert response.status_code == 200
    assert b"The code is not right" in response.content
    assert f'value="{wrong}"'.encode() in response.content
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    event = AuditEvent.objects.get(actor=alice, action="mfa_code_wrong")
    assert event.kind == AuditEvent.Kind.CHANGE
    assert event.changes == {"failures": [0, 1]}
    assert event.object_type == "otp_totp.totpdevice"

    # When they try again at once, even with the right code, they must wait (and that is audited)
    response = client.post(reverse("mfa-verify"), {"code": right})
    assert b"Too many wrong codes. Wait" in response.content
    assert not _is_verified(client)
    assert _actions(alice) == ["mfa_code_wrong", "mfa_code_throttled"]

    # When the wait is over, the right code works and the count starts again
    _unthrottle(device)
    response = client.post(reverse("mfa-verify"), {"code": right})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.django_db
def test_repeated_wrong_codes_lock_the_account_for_longer_each_time(alice: User) -> None:
    device = _authenticator(alice)
    client = _password_signed_in(alice)
    for _ in range(8):
        _unthrottle(device)
        client.post(reverse("mfa-verify"), {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 8
    # 2**7 seconds after the eighth failure: more than two minutes.
    response = client.post(reverse("mfa-verify"), {"code": services.next_code(device)})
    assert re.search(rb"Wait \d+ (seconds|minutes)", response.content)
    assert not _is_verified(client)


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(alice: User) -> None:
    # Given a code that has just signed the user in
    device = _authenticator(alice)
    code = services.next_code(device)
    first = _password_signed_in(alice)
    assert first.post(reverse("mfa-verify"), {"code": code}).status_code == 302

    # When someone replays it in another session
    second = _password_signed_in(alice, REMOTE_ADDR="10.0.0.7")
    response = second.post(reverse("mfa-verify"), {"code": code})

    # Then it is refused
    assert response.status_code == 200
    assert b"The code is not right" in response.content
    assert not _is_verified(second)


@pytest.mark.django_db
def test_a_recovery_code_works_once(alice: User) -> None:
    _authenticator(alice)
    _recovery_codes(alice, ["abcdefgh", "ijklmnop"])

    client = _password_signed_in(alice)
    response = client.post(reverse("mfa-verify"), {"code": "ABCD-EFGH"})
    assert response.status_code == 302
    assert _is_verified(client)
    assert services.recovery_codes_left(alice) == 1
    event = AuditEvent.objects.get(actor=alice, action="mfa_recovery_code_used")
    assert event.changes == {"codes": [2, 1]}

    again = _password_signed_in(alice, REMOTE_ADDR="10.0.0.8")
    response = again.post(reverse("mfa-verify"), {"code": "abcdefgh"})
    assert b"That recovery code is not right, or it has already been used" in response.content
    assert not _is_verified(again)


@pytest.mark.django_db
def test_signing_in_with_a_last_recovery_code_warns(alice: User) -> None:
    _authenticator(alice)
    _recovery_codes(alice, ["abcdefgh"])
    client = _password_signed_in(alice)
    response = client.post(reverse("mfa-verify"), {"code": "abcdefgh"}, follow=True)
    assert b"You have 0 recovery codes left" in response.content


@pytest.mark.django_db
def test_the_code_page_never_redirects_off_the_site(alice: User) -> None:
    device = _authenticator(alice)
    client = _password_signed_in(alice)
    for hostile in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        page = client.get(reverse("mfa-verify"), {"next": hostile})
        assert b"evil.example" not in page.content
    response = client.post(
        reverse("mfa-verify"),
        {"code": services.next_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_the_code_page_sends_an_already_verified_user_on(worker_client: Client) -> None:
    response = worker_client.get(reverse("mfa-verify"), {"next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"


@pytest.mark.django_db
def test_the_code_pages_need_a_password_first() -> None:
    for name in ("mfa-verify", "mfa-setup", "account-security", "mfa-reauthenticate"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- setting up an authenticator ------------------------------------------------------------


@pytest.mark.django_db
def test_first_sign_in_sets_up_an_authenticator_and_shows_recovery_codes_once(
    alice: User,
) -> None:
    # Given a user with no authenticator, signed in with their password
    client = _password_signed_in(alice)

    # When they reach the code page, they are sent to set one up
    response = client.get(reverse("mfa-verify"), {"next": "/people/"})
    assert response["Location"] == f"{reverse('mfa-setup')}?next=/people/"
    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in content
    assert 'aria-label="QR code for your authenticator app"' in content
    assert "<script" not in content.split("<svg", 1)[1].split("</svg>", 1)[0]
    pending = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert services.key_for_typing(pending) in content
    # A reload shows the same key (the phone may already have scanned it).
    assert services.key_for_typing(pending) in client.get(reverse("mfa-setup")).content.decode()
    assert TOTPDevice.objects.filter(user=alice).count() == 1

    # When they enter a recovery-code-shaped or wrong code, they are told and nothing changes
    response = client.post(reverse("mfa-setup"), {"code": "abcdefgh", "next": "/people/"})
    assert b"The code must be the 6 digits your authenticator app shows" in response.content
    response = client.post(reverse("mfa-setup"), {"code": "000000", "next": "/people/"})
    assert b"The code is not right" in response.content
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()

    # When they enter the code the app shows
    _unthrottle(pending)
    response = client.post(
        reverse("mfa-setup"), {"code": services.next_code(pending), "next": "/people/"}
    )

    # Then the app is theirs, they are signed in, and they see ten recovery codes
    assert response["Location"] == reverse("mfa-recovery-codes")
    pending.refresh_from_db()
    assert pending.confirmed
    page = client.get(reverse("mfa-recovery-codes"))
    codes = StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)
    assert len(codes) == services.RECOVERY_CODE_COUNT
    for code in codes:
        assert code.encode() in page.content
    assert b"I have saved these codes" in page.content

    # When they say they have saved them, they go on, and the codes are not shown again
    response = client.post(reverse("mfa-recovery-codes"))
    assert response["Location"] == "/people/"
    assert client.get(reverse("mfa-recovery-codes"))["Location"] == reverse("account-security")
    assert client.get("/people/").status_code == 200
    assert _actions(alice) == [
        "mfa_code_wrong",
        "mfa_authenticator_added",
        "mfa_recovery_codes_created",
    ]


@pytest.mark.django_db
def test_set_up_cannot_replace_an_existing_authenticator_without_its_code(alice: User) -> None:
    _authenticator(alice)
    client = _password_signed_in(alice)
    response = client.get(reverse("mfa-setup"))
    assert response["Location"].startswith(reverse("mfa-verify"))
    response = client.post(reverse("mfa-setup"), {"code": "123456"})
    assert response["Location"].startswith(reverse("mfa-verify"))
    assert TOTPDevice.objects.filter(user=alice).count() == 1


@pytest.mark.django_db
def test_a_setup_confirmation_for_a_device_not_in_the_session_is_refused(alice: User) -> None:
    client = _password_signed_in(alice)
    response = client.post(reverse("mfa-setup"), {"code": "123456"})
    assert b"Start setting up your authenticator app again" in response.content
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


# --- what an unverified session may reach -----------------------------------------------------


@pytest.mark.django_db
def test_an_unverified_session_reaches_no_page_and_no_api(alice: User) -> None:
    _authenticator(alice)
    client = _password_signed_in(alice)

    for path in ("/", "/people/", reverse("account-security"), "/admin/", "/governance/flags/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa-verify")), path
    response = client.post("/people/new/", {"first_name": "X"})
    assert response["Location"] == f"{reverse('mfa-verify')}?next=/"

    response = client.get("/api/v1/people/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "second factor" in json.loads(response.content)["detail"]
    assert client.get("/api/v1/schema/").status_code == 403

    response = client.get("/people/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("mfa-verify"))

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("mfa-verify")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_mfa_can_be_switched_off_for_local_development(alice: User, settings: Any) -> None:
    settings.MFA_REQUIRED = False
    client = _password_signed_in(alice)
    assert client.get("/people/").status_code == 200


def test_the_system_checks_refuse_mfa_off_outside_debug(settings: Any) -> None:
    from casemgmt.mfa.checks import mfa_required_in_deployment, mfa_required_outside_debug

    settings.MFA_REQUIRED = True
    assert mfa_required_outside_debug() == []
    assert mfa_required_in_deployment() == []

    settings.MFA_REQUIRED = False
    settings.DEBUG = True
    assert mfa_required_outside_debug() == []
    assert [error.id for error in mfa_required_in_deployment()] == ["casemgmt.E102"]

    settings.DEBUG = False
    assert [error.id for error in mfa_required_outside_debug()] == ["casemgmt.E101"]


# --- your account security: re-authentication, new codes, a new phone -------------------------


def _verified(user: User) -> tuple[Client, Any]:
    client = Client()
    client.force_login(user)  # tests/conftest.py: verified with an authenticator
    return client, services.confirmed_authenticator(user)


def _reauthenticated(client: Client, device: Any) -> None:
    _unthrottle(device)
    response = client.post(
        reverse("mfa-reauthenticate"),
        {"password": PASSWORD, "code": services.next_code(device), "next": "/account/security/"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_the_account_security_page_shows_the_authenticator_and_codes_left(alice: User) -> None:
    client, _ = _verified(alice)
    _recovery_codes(alice, ["abcdefgh", "ijklmnop", "qrstuvwx"])
    page = client.get(reverse("account-security"))
    assert page.status_code == 200
    assert b"3 unused" in page.content
    assert b"Set up on" in page.content


@pytest.mark.django_db
def test_changes_need_the_password_and_a_code_again(alice: User) -> None:
    # Given a signed-in user who has not re-authenticated
    client, device = _verified(alice)

    # When they open either change, they are asked to confirm it is them
    for name in ("mfa-replace", "mfa-recovery-codes-create"):
        response = client.get(reverse(name))
        assert response["Location"] == f"{reverse('mfa-reauthenticate')}?next={reverse(name)}"
        response = client.post(reverse(name))
        assert response["Location"].startswith(reverse("mfa-reauthenticate"))
    assert not StaticDevice.objects.filter(user=alice).exists()

    page = client.get(reverse("mfa-reauthenticate"), {"next": reverse("mfa-replace")})
    assert b"Confirm it is you" in page.content

    # When they give a wrong password (even with the right code), it is refused and counted
    code = services.next_code(device)
    response = client.post(
        reverse("mfa-reauthenticate"),
        {"password": "not it", "code": code, "next": reverse("mfa-replace")},
    )
    assert b"The password is not right" in response.content
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert _actions(alice) == ["mfa_reauthentication_failed"]

    # When they give the right password and a wrong code
    _unthrottle(device)
    response = client.post(reverse("mfa-reauthenticate"), {"password": PASSWORD, "code": "000000"})
    assert b"The code is not right" in response.content
    assert REAUTHENTICATED_AT not in client.session

    # When they give both right, they go on to the change
    _unthrottle(device)
    response = client.post(
        reverse("mfa-reauthenticate"),
        {"password": PASSWORD, "code": code, "next": reverse("mfa-replace")},
    )
    assert response["Location"] == reverse("mfa-replace")
    assert client.get(reverse("mfa-replace")).status_code == 200
    assert _actions(alice)[-1] == "mfa_reauthenticated"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        ("", "123456", b"Enter your password"),
        (PASSWORD, "", b"Enter the 6-digit code"),
        ("p" * 10_000, "123456", b"The password is too long"),
        (PASSWORD, "9" * 5_000, b"The code is too long"),
    ],
)
def test_re_authentication_with_missing_or_oversized_input_says_what_is_wrong(
    alice: User, password: str, code: str, message: bytes
) -> None:
    client, device = _verified(alice)
    response = client.post(reverse("mfa-reauthenticate"), {"password": password, "code": code})
    assert response.status_code == 200
    assert message in response.content
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.django_db
def test_re_authentication_lasts_five_minutes(alice: User) -> None:
    client, device = _verified(alice)
    _reauthenticated(client, device)
    assert client.get(reverse("mfa-recovery-codes-create")).status_code == 200

    session = client.session
    session[REAUTHENTICATED_AT] = time.time() - 5 * 60 - 1
    session.save()
    response = client.get(reverse("mfa-recovery-codes-create"))
    assert response["Location"].startswith(reverse("mfa-reauthenticate"))

    session = client.session
    session[REAUTHENTICATED_AT] = "yesterday"
    session.save()
    assert client.get(reverse("mfa-replace"))["Location"].startswith(reverse("mfa-reauthenticate"))


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(alice: User) -> None:
    # Given a user with recovery codes who has confirmed it is them
    client, device = _verified(alice)
    _recovery_codes(alice, ["abcdefgh"])
    _reauthenticated(client, device)

    # When they make new codes
    page = client.get(reverse("mfa-recovery-codes-create"))
    assert b"You have 1 unused recovery code." in page.content
    response = client.post(reverse("mfa-recovery-codes-create"))

    # Then they see ten new ones, the old one no longer works, and it is recorded
    assert response["Location"] == reverse("mfa-recovery-codes")
    codes = list(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(codes) == 10
    assert "abcdefgh" not in codes
    page = client.get(reverse("mfa-recovery-codes"))
    assert all(code.encode() in page.content for code in codes)
    assert client.post(reverse("mfa-recovery-codes"))["Location"] == reverse("account-security")
    event = AuditEvent.objects.get(actor=alice, action="mfa_recovery_codes_created")
    assert event.changes == {"codes": [1, 10]}
    assert _is_verified(client)

    other = _password_signed_in(alice, REMOTE_ADDR="10.0.0.5")
    assert b"already been used" in other.post(reverse("mfa-verify"), {"code": "abcdefgh"}).content
    _unthrottle(StaticDevice.objects.get(user=alice))
    assert other.post(reverse("mfa-verify"), {"code": codes[0]}).status_code == 302


@pytest.mark.django_db
def test_a_session_verified_by_a_recovery_code_stays_verified_after_new_codes(
    alice: User,
) -> None:
    device = _authenticator(alice)
    _recovery_codes(alice, ["abcdefgh"])
    client = _password_signed_in(alice)
    assert client.post(reverse("mfa-verify"), {"code": "abcdefgh"}).status_code == 302
    _reauthenticated(client, device)
    client.post(reverse("mfa-recovery-codes-create"))
    assert _is_verified(client)


@pytest.mark.django_db
def test_replacing_the_authenticator_retires_the_old_one_everywhere(alice: User) -> None:
    # Given a user signed in on two computers, who has confirmed it is them on one
    client, old = _verified(alice)
    elsewhere, _ = _verified(alice)
    _reauthenticated(client, old)

    # When they set up a new phone
    page = client.get(reverse("mfa-replace"))
    assert b"Replace your authenticator app" in page.content
    new = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert client.post(reverse("mfa-replace"), {"code": "000000"}).status_code == 200
    _unthrottle(new)
    response = client.post(reverse("mfa-replace"), {"code": services.next_code(new)})

    # Then the new one is their only authenticator, this session carries on, the other
    # session must give a code again, and it is recorded
    assert response["Location"] == reverse("account-security")
    assert list(TOTPDevice.objects.filter(user=alice).values_list("pk", flat=True)) == [new.pk]
    assert _is_verified(client)
    assert elsewhere.get("/people/")["Location"].startswith(reverse("mfa-verify"))
    event = AuditEvent.objects.get(actor=alice, action="mfa_authenticator_replaced")
    assert event.changes == {"authenticator": [old.pk, new.pk]}
    # No new recovery codes were made: the saved ones still work.
    assert not AuditEvent.objects.filter(action="mfa_recovery_codes_created").exists()


# --- the administrator's reset ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_resets_a_users_mfa_and_they_set_up_again(
    users: dict[str, User], client_for: Any
) -> None:
    # Given a worker signed in with an authenticator and recovery codes
    worker = users["allocated_worker"]
    worker_client = client_for("allocated_worker")
    _recovery_codes(worker, ["abcdefgh"])
    admin_client = client_for("admin")
    users["admin"].is_superuser = True
    users["admin"].save(update_fields=["is_superuser"])

    # When an administrator resets their sign-in security in the admin
    response = admin_client.post(
        reverse("admin:casemgmt_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [worker.pk]},
    )

    # Then their devices are gone, it is recorded, and they must set up again
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not StaticDevice.objects.filter(user=worker).exists()
    events = AuditEvent.objects.filter(action="mfa_reset")
    assert {event.actor_id for event in events} == {users["admin"].pk}
    assert events.count() == 2
    response = worker_client.get("/people/")
    assert response["Location"].startswith(reverse("mfa-verify"))
    assert worker_client.get(response["Location"])["Location"].startswith(reverse("mfa-setup"))


@pytest.mark.django_db
def test_only_administrators_who_may_change_users_see_the_reset(
    users: dict[str, User], client_for: Any
) -> None:
    client = client_for("team_manager")
    response = client.post(
        reverse("admin:casemgmt_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [users["allocated_worker"].pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not AuditEvent.objects.filter(action="mfa_reset").exists()


# --- the demo's codes -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_code_prints_a_demo_users_code_only_in_development(alice: User, settings: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    services.script_device_ensure(user=alice, name=services.DEMO_DEVICE_NAME)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("demo_code", "alice.mfa", stdout=StringIO())

    settings.DEBUG = True
    output = StringIO()
    call_command("demo_code", "alice.mfa", stdout=output)
    code = output.getvalue().strip()
    assert re.fullmatch(r"[0-9]{6}", code)
    client = _password_signed_in(alice)
    assert client.post(reverse("mfa-verify"), {"code": code}).status_code == 302
    # The next code printed is a fresh one (a code works once).
    output = StringIO()
    call_command("demo_code", "alice.mfa", stdout=output)
    assert output.getvalue().strip() != code

    someone = UserFactory(username="real.person")
    _authenticator(someone)
    with pytest.raises(CommandError, match="is not a demo login"):
        call_command("demo_code", "real.person", stdout=StringIO())
    with pytest.raises(CommandError, match="is not a demo login"):
        call_command("demo_code", "nobody", stdout=StringIO())


def test_production_settings_refuse_mfa_switched_off(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # Given a production environment (as in test_settings.py) with MFA_REQUIRED=0
    secret = tmp_path / "secret"
    secret.write_text("k" * 30 + "production-secret-from-a-mounted-file-0123456789")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS"}
        and not key.startswith("SECURE_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="casemgmt.settings",
        PYTHONPATH=str(root),
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="casemgmt.council.example",
        MFA_REQUIRED="0",
    )

    # When the deployment checks run, then they fail and say why
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "casemgmt.E101" in output
    assert "casemgmt.E102" in output


@pytest.mark.django_db
def test_the_demo_seed_gives_each_demo_login_an_authenticator_it_can_print() -> None:
    from clients import demo

    staff = demo.ensure_organisation()
    demo.ensure_organisation()  # idempotent: still one device each

    for member in demo.STAFF:
        devices = TOTPDevice.objects.filter(user=staff[member.username], confirmed=True)
        if member.is_login:
            assert [device.name for device in devices] == [services.DEMO_DEVICE_NAME]
        else:
            assert not devices.exists()
