from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.mfa.services import next_code, script_device_ensure
from casemgmt.models import User


@pytest.mark.django_db
def test_staff_sign_in_and_land_on_search(users: dict[str, User]) -> None:
    client = Client()
    response = client.post(
        reverse("login"), {"username": "alice.worker", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # then the second factor (tests/casemgmt/test_mfa.py covers it in full)
    response = client.get(reverse("home"))
    assert response["Location"] == f"{reverse('mfa-verify')}?next=/"
    device = script_device_ensure(user=users["allocated_worker"])
    response = client.post(reverse("mfa-verify"), {"code": next_code(device), "next": "/"})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("clients:search")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("alice.worker", "wrong password"),
        ("ivan.inactive", "correct-horse-battery"),
        ("nobody", "x"),
        ("", ""),
        ("a" * 10_000, "b" * 10_000),
        ("alice\x00worker", "correct-horse-battery"),
    ],
)
def test_a_failed_sign_in_says_so_and_keeps_the_username(
    users: dict[str, User], username: str, password: str
) -> None:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b'name="password" type="password"' in response.content
    if username and len(username) < 150 and "\x00" not in username:
        assert f'value="{username}"'.encode() in response.content


@pytest.mark.django_db
def test_sign_out_ends_the_session(worker_client: Client) -> None:
    response = worker_client.post(reverse("logout"))
    assert response.status_code == 302
    assert worker_client.get(reverse("home"))["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_pages_need_a_signed_in_user() -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.django_db
def test_repeated_failures_lock_the_username_from_that_address_then_a_right_password_fails_too(
    users: dict[str, User],
) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice.worker", "password": "guess"})
    response = client.post(
        reverse("login"), {"username": "alice.worker", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert b"You cannot sign in for now" in response.content
    assert "_auth_user_id" not in client.session
    # Someone else at another desk is not locked out by it.
    other = Client(REMOTE_ADDR="10.0.0.9")
    response = other.post(
        reverse("login"), {"username": "alice.worker", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_passwords_may_be_long_but_not_absurd(users: dict[str, User]) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    validate_password("a long passphrase of words " * 4)  # 108 characters
    with pytest.raises(ValidationError, match="too long"):
        validate_password("correct horse battery staple " * 5)
    with pytest.raises(ValidationError, match="too short"):
        validate_password("Tr0ub4dor&3")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")
