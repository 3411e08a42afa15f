"""The security controls of issue 5 that no other module proves, each by a test that fails
without it: forged and replayed session cookies, session fixation, CSRF on forms and the
API, the password rules, lockout and its reset, the headers on every page, the cookies
under production settings, and the audit trail's chain, failure and clock.

The rest are proven next to their code: the second factor in test_mfa.py, timeouts and
ending sessions in test_sessions.py, restricted and sealed records in
tests/clients/test_record_access.py and the permission matrix, the append-only trigger in
test_audit.py, the hash chain in test_audit_chain.py, unusual access in tests/governance/,
`check --deploy` in test_settings.py.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt import audit
from casemgmt.audit_chain import audit_seal, audit_verify, canonical
from casemgmt.mfa.services import next_code, script_device_ensure
from casemgmt.models import AuditEvent, AuditSeal, User
from clients.models import Person
from clients.services.people import person_update
from tests.conftest import PERSONAS
from tests.matrix.base import Case, Context
from tests.test_permission_matrix import CASES

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
SESSION_COOKIE = settings.SESSION_COOKIE_NAME
SIGNED_IN_PAGE = reverse("account")
API_READ = "/api/v1/people/?name=Whitmore"
LATER = datetime.timedelta(hours=1)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _with_cookie(value: str) -> Client:
    """A browser that presents this session cookie and nothing else."""
    client = Client()
    client.cookies[SESSION_COOKIE] = value
    return client


def _refused_as_signed_out(client: Client) -> None:
    """The cookie opens nothing: pages send it to sign in, scripts get 401, nothing revives it."""
    page = client.get(SIGNED_IN_PAGE)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert client.get(API_READ).status_code == 401
    assert client.get(reverse("session-status")).status_code == 401
    assert client.post(reverse("session-keep-alive")).status_code == 401
    assert client.get(SIGNED_IN_PAGE).status_code == 302


# --- forged session cookies --------------------------------------------------------------------


def _signed_cookie_session(user: User) -> str:
    """What Django's signed-cookie session engine would take as a signed-in session,
    signed with this server's own key: this server keeps sessions server-side instead."""
    return signing.dumps(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        },
        salt="django.contrib.sessions.backends.signed_cookies",
        compress=True,
    )


FORGERIES: dict[str, Callable[[User, str], str]] = {
    "random": lambda user, real: "k3q9x0v7m2b8n4c6z1a5s9d3f7g2h8j4",
    "a real key with one character changed": lambda user, real: (
        real[:-1] + ("a" if real[-1] != "a" else "b")
    ),
    "a real key cut short": lambda user, real: real[:-1],
    "a real key with more on the end": lambda user, real: real + "0",
    "a real key in capitals": lambda user, real: real.upper(),
    "empty": lambda user, real: "",
    "4,000 characters": lambda user, real: "a" * 4000,
    "SQL": lambda user, real: "' OR '1'='1",
    "a path": lambda user, real: "../../../../etc/passwd",
    "the user's id": lambda user, real: str(user.pk),
    "a signed-cookie session": lambda user, real: _signed_cookie_session(user),
    "a signed-cookie session tampered": lambda user, real: (
        _signed_cookie_session(user)[:-3] + "AAA"
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("forgery", list(FORGERIES))
# Redis takes any key; the warning is about memcached, which this project does not use.
@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
def test_a_forged_session_cookie_opens_nothing(users: dict[str, User], forgery: str) -> None:
    # Given a worker signed in elsewhere (so a real key exists to imitate)
    worker = users["allocated_worker"]
    real = _signed_in(worker).cookies[SESSION_COOKIE].value
    sessions_before = Session.objects.count()
    events_before = AuditEvent.objects.count()

    # When a browser presents a forged cookie
    thief = _with_cookie(FORGERIES[forgery](worker, real))

    # Then it is treated as signed out, and it creates no session for anyone
    _refused_as_signed_out(thief)
    assert Session.objects.count() == sessions_before
    assert AuditEvent.objects.count() == events_before


def _messages_cookie(text: str) -> str:
    storage = CookieStorage(HttpRequest())
    encoded = storage._encode([Message(message_levels.SUCCESS, text)])
    assert encoded is not None
    return encoded


@pytest.mark.django_db
def test_a_message_cookie_is_shown_only_if_this_server_signed_it(users: dict[str, User]) -> None:
    # A banner saying something reassuring is a phishing aid: only the server may set one.
    worker = users["allocated_worker"]
    genuine = _messages_cookie("Genuine message from the server")
    forged = _messages_cookie("Your password is changed")
    tampered = forged.replace("password", "passw0rd")
    unsigned = json.dumps([["__json_message", 0, 25, "Sign in again at evil.example"]])

    client = _signed_in(worker)
    client.cookies["messages"] = genuine
    assert "Genuine message from the server" in client.get(SIGNED_IN_PAGE).content.decode()
    for value, text in ((tampered, "Your passw0rd is changed"), (unsigned, "evil.example")):
        client = _signed_in(worker)
        client.cookies["messages"] = value
        assert text not in client.get(SIGNED_IN_PAGE).content.decode()


# --- session fixation ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_planted_before_sign_in_is_replaced_at_each_stage(users: dict[str, User]) -> None:
    # Given a browser carrying a session key an attacker chose (an anonymous session)
    worker = users["allocated_worker"]
    victim = Client()
    planted = victim.session
    planted["planted"] = "by someone else"
    planted.save()
    planted_key = planted.session_key
    victim.cookies[SESSION_COOKIE] = planted_key

    # When the victim signs in with their password
    response = victim.post(reverse("login"), {"username": worker.username, "password": PASSWORD})
    assert response.status_code == 302
    after_password = victim.cookies[SESSION_COOKIE].value

    # Then the planted key is gone, and so is the key again after the second factor
    assert after_password != planted_key
    assert not Session.objects.filter(session_key=planted_key).exists()
    device = script_device_ensure(user=worker)
    response = victim.post(reverse("mfa-verify"), {"code": next_code(device), "next": "/"})
    assert response.status_code == 302
    after_code = victim.cookies[SESSION_COOKIE].value
    assert after_code != after_password
    assert not Session.objects.filter(session_key=after_password).exists()
    assert victim.get(SIGNED_IN_PAGE).status_code == 200
    # and the attacker's copies of the earlier keys open nothing
    _refused_as_signed_out(_with_cookie(planted_key))
    _refused_as_signed_out(_with_cookie(after_password))


# --- replayed session cookies ----------------------------------------------------------------------


def _sign_out(client: Client, user: User, users: dict[str, User]) -> None:
    assert client.post(reverse("logout")).status_code == 302


def _disable(client: Client, user: User, users: dict[str, User]) -> None:
    user.is_active = False
    user.save()


def _disable_then_enable(client: Client, user: User, users: dict[str, User]) -> None:
    # Enabled again, the account works, but the sessions it had must not come back with it.
    _disable(client, user, users)
    user.is_active = True
    user.save()


def _administrator_ends_sessions(client: Client, user: User, users: dict[str, User]) -> None:
    admin = _signed_in(users["admin"])
    response = admin.post(reverse("user-sessions-end", kwargs={"user_id": user.pk}))
    assert response.status_code == 302


def _signed_out_from_another_device(client: Client, user: User, users: dict[str, User]) -> None:
    other = _signed_in(user)
    assert other.post(reverse("session-end"), {"scope": "others"}).status_code == 302


def _administrator_sets_a_new_password(client: Client, user: User, users: dict[str, User]) -> None:
    user.set_password("a password only the administrator knows")
    user.save()


ENDINGS = {
    "signed out": _sign_out,
    "account disabled": _disable,
    "account disabled then enabled again": _disable_then_enable,
    "an administrator ended the sessions": _administrator_ends_sessions,
    "signed out from another device": _signed_out_from_another_device,
    "password set by an administrator": _administrator_sets_a_new_password,
}


@pytest.mark.django_db
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_session_cookie_replayed_after_the_session_ended_is_refused(
    users: dict[str, User], ending: str
) -> None:
    # Given a worker's session cookie, copied while it worked
    worker = users["allocated_worker"]
    client = _signed_in(worker)
    assert client.get(SIGNED_IN_PAGE).status_code == 200
    stolen = client.cookies[SESSION_COOKIE].value

    # When the session ends this way, and someone presents the copy
    ENDINGS[ending](client, worker, users)
    thief = _with_cookie(stolen)

    # Then it opens nothing, and the session is gone from the store
    _refused_as_signed_out(thief)
    assert not Session.objects.filter(session_key=stolen).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("idle", "minutes"), [(True, 31), (False, 12 * 60 + 1)])
def test_a_session_cookie_replayed_after_a_timeout_is_refused(
    users: dict[str, User], idle: bool, minutes: int
) -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = _signed_in(users["allocated_worker"])
        stolen = client.cookies[SESSION_COOKIE].value
        if not idle:
            # Busy all day: activity every 20 minutes never lets the idle timeout come.
            for _ in range(36):
                clock.shift(datetime.timedelta(minutes=20))
                assert client.get(SIGNED_IN_PAGE).status_code == 200
            clock.shift(datetime.timedelta(minutes=minutes - 36 * 20))
        else:
            clock.shift(datetime.timedelta(minutes=minutes))
        _refused_as_signed_out(_with_cookie(stolen))
        assert not Session.objects.filter(session_key=stolen).exists()


# --- CSRF ----------------------------------------------------------------------------------------


def _strict(user: User, **defaults: Any) -> Client:
    """A browser that does not skip Django's CSRF check (the test client normally does)."""
    client = Client(enforce_csrf_checks=True, **defaults)
    client.force_login(user)
    return client


def _csrf_token(client: Client, **request: Any) -> str:
    client.get(reverse("clients:person-create"), **request)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


NEW_PERSON = {
    "first_name": "Amara",
    "last_name": "Okafor",
    "date_of_birth_day": "9",
    "date_of_birth_month": "11",
    "date_of_birth_year": "2012",
    "sex": "F",
}


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_is_refused_and_saves_nothing(
    users: dict[str, User],
) -> None:
    worker = users["allocated_worker"]
    client = _strict(worker)
    events = AuditEvent.objects.count()

    response = client.post(reverse("clients:person-create"), NEW_PERSON)

    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Person.objects.filter(last_name="Okafor").exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_form_posted_with_another_sessions_token_is_refused(users: dict[str, User]) -> None:
    # A token lifted from the attacker's own session is worth nothing in the victim's.
    attacker_token = _csrf_token(_strict(users["other_team_worker"]))
    victim = _strict(users["allocated_worker"])
    _csrf_token(victim)
    response = victim.post(
        reverse("clients:person-create"), {**NEW_PERSON, "csrfmiddlewaretoken": attacker_token}
    )
    assert response.status_code == 403
    assert not Person.objects.filter(last_name="Okafor").exists()


@pytest.mark.django_db
def test_an_https_form_posted_from_another_site_is_refused_even_with_a_token(
    users: dict[str, User],
) -> None:
    client = _strict(users["allocated_worker"])
    token = _csrf_token(client, secure=True)
    data = {**NEW_PERSON, "csrfmiddlewaretoken": token}

    response = client.post(
        reverse("clients:person-create"),
        data,
        secure=True,
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert not Person.objects.filter(last_name="Okafor").exists()

    # The same form from the site's own page goes through (so the refusal was the origin's)
    response = client.post(
        reverse("clients:person-create"),
        data,
        secure=True,
        headers={"Origin": "https://testserver"},
    )
    assert response.status_code == 302
    assert Person.objects.filter(last_name="Okafor").count() == 1


@pytest.mark.django_db
def test_an_api_write_with_the_session_but_no_csrf_token_is_refused(
    users: dict[str, User], person: Person
) -> None:
    worker = users["allocated_worker"]
    client = _strict(worker)
    events = AuditEvent.objects.count()

    created = client.post(
        "/api/v1/people/",
        data=json.dumps({"first_name": "Amara", "last_name": "Okafor"}),
        content_type="application/json",
    )
    changed = client.patch(
        f"/api/v1/people/{person.pk}/",
        data=json.dumps({"first_name": "Changed"}),
        content_type="application/json",
    )

    for response in (created, changed):
        assert response.status_code == 403
        assert response.json()["detail"].startswith("CSRF Failed: CSRF ")
    assert not Person.objects.filter(last_name="Okafor").exists()
    person.refresh_from_db()
    assert person.first_name == "Jayden"
    assert AuditEvent.objects.count() == events

    # With the token in its header, the same call is accepted (the refusal was the token's)
    token = _csrf_token(client)
    response = client.post(
        "/api/v1/people/",
        data=json.dumps({"first_name": "Amara", "last_name": "Okafor"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_signing_out_needs_a_post_with_the_token(users: dict[str, User]) -> None:
    # Otherwise any page on the web could sign staff out (and lose their unsaved work).
    client = _strict(users["allocated_worker"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(SIGNED_IN_PAGE).status_code == 200


# --- passwords -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("Tr0ub4dor&3", "too short"),
        ("Tr0ub4dor&3x", None),
        ("lantern meadow otter kettle " * 4 + "lantern meadow o", None),
        ("lantern meadow otter kettle " * 4 + "lantern meadow ot", "too long"),
        ("password1234", "too common"),
        ("qwertyuiop123", "too common"),
        ("914276530081", "entirely numeric"),
        ("alice.worker.2026", "too similar to the username"),
    ],
    ids=["11", "12", "128", "129", "common", "common-2", "numeric", "like-the-username"],
)
def test_the_password_rules(users: dict[str, User], password: str, refusal: str | None) -> None:
    worker = users["allocated_worker"]
    if refusal is None:
        validate_password(password, worker)
        return
    with pytest.raises(ValidationError, match=refusal):
        validate_password(password, worker)


def test_the_length_limits_are_exactly_12_and_128() -> None:
    assert len("lantern meadow otter kettle " * 4 + "lantern meadow o") == 128
    validators = {v["NAME"].rsplit(".", 1)[-1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert validators["MinimumLengthValidator"]["OPTIONS"] == {"min_length": 12}
    assert validators["MaximumLengthValidator"]["OPTIONS"] == {"max_length": 128}
    assert "CommonPasswordValidator" in validators


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "ok"),
    [("Tr0ub4dor&3", False), ("Tr0ub4dor&3x", True), ("w" * 129, False), ("password1234", False)],
    ids=["11", "12", "129", "common"],
)
def test_an_administrator_setting_a_password_meets_the_same_rules(
    users: dict[str, User], client_for: Callable[[str], Client], password: str, ok: bool
) -> None:
    worker = users["allocated_worker"]
    response = client_for("admin").post(
        reverse("admin:auth_user_password_change", args=[worker.pk]),
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    worker.refresh_from_db()
    assert worker.check_password(password) is ok
    assert worker.check_password(PASSWORD) is not ok
    if not ok:
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()


@pytest.mark.django_db
def test_a_password_is_never_forced_to_rotate(users: dict[str, User]) -> None:
    # Given a password set five years ago, and not used since
    worker = users["allocated_worker"]
    five_years_on = timezone.now() + datetime.timedelta(days=5 * 366)

    # When its owner signs in today
    with time_machine.travel(five_years_on, tick=False):
        client = Client()
        response = client.post(
            reverse("login"), {"username": worker.username, "password": PASSWORD}
        )

        # Then the password works, and the next step is the code, not a new password
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert client.get(reverse("home"))["Location"].startswith(reverse("mfa-verify"))


# --- lockout after repeated failures, and its reset -----------------------------------------------


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        response = client.post(reverse("login"), {"username": username, "password": "a guess"})
        assert response.status_code in {200, 429}


def _sign_in(client: Client, username: str) -> int:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return int(response.status_code)


@pytest.mark.django_db
def test_four_failures_do_not_lock_and_the_fifth_does(users: dict[str, User]) -> None:
    username = users["allocated_worker"].username
    client = Client()
    _fail(client, username, 4)
    assert _sign_in(Client(), username) == 302

    _fail(client, username, 5)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


@pytest.mark.django_db
def test_a_lockout_ends_when_its_time_is_up(users: dict[str, User]) -> None:
    username = users["allocated_worker"].username
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _fail(Client(), username, 5)
        clock.shift(datetime.timedelta(minutes=14, seconds=59))
        assert _sign_in(Client(), username) == 429
    # (that refused attempt was itself a failure: the wait runs from it)
    with time_machine.travel(start + datetime.timedelta(minutes=30, seconds=1), tick=False):
        assert _sign_in(Client(), username) == 302


@pytest.mark.django_db
def test_signing_in_clears_earlier_failures(users: dict[str, User]) -> None:
    username = users["allocated_worker"].username
    client = Client()
    _fail(client, username, 4)
    assert _sign_in(client, username) == 302
    assert not AccessAttempt.objects.filter(username=username).exists()
    _fail(Client(), username, 4)
    assert _sign_in(Client(), username) == 302


# --- headers on every page, signed in -------------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
ONE_YEAR = 31_536_000


def _header_problems(response: Any, *, signed_in: bool) -> list[str]:
    """Every way a response falls short of the headers issue 5 asks of it."""
    problems = []
    cache = response.get("Cache-Control", "")
    if signed_in and not ("no-store" in cache and "private" in cache):
        problems.append(f"Cache-Control is {cache!r}")
    hsts = response.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    if not (max_age and int(max_age.group(1)) >= ONE_YEAR and "includeSubDomains" in hsts):
        problems.append(f"Strict-Transport-Security is {hsts!r}")
    for header, value in (
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ):
        if response.get(header) != value:
            problems.append(f"{header} is {response.get(header)!r}")
    policy = response.get("Content-Security-Policy", "")
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    if "sandbox" in directives:
        # A stored file shown in the browser: it runs nothing and reaches nothing.
        if directives.get("default-src") != "'none'":
            problems.append(f"a file's policy is {policy!r}")
    else:
        for directive, value in (
            ("default-src", "'self'"),
            ("frame-ancestors", "'none'"),
            ("object-src", "'none'"),
            ("base-uri", "'self'"),
            ("form-action", "'self'"),
        ):
            if directives.get(directive) != value:
                problems.append(f"{directive} is {directives.get(directive)!r}")
        # (the nonce is there whenever the page used it: a JSON answer has none to give)
        if not re.fullmatch(r"'self'( 'nonce-[^']+')?", directives.get("script-src", "")):
            problems.append(f"script-src is {directives.get('script-src')!r}")
        if "unsafe-" in policy:
            problems.append(f"the policy allows something unsafe: {policy!r}")
    if response.get("Content-Type", "").startswith("text/html") and not getattr(
        response, "streaming", False
    ):
        problems += _page_problems(response.content.decode(errors="replace"), policy)
    for name, cookie in response.cookies.items():
        if not cookie["httponly"] or cookie["samesite"] != "Lax":
            problems.append(f"cookie {name} is {cookie.OutputString()!r}")
    return problems


def _page_problems(page: str, policy: str) -> list[str]:
    """What the policy would silently block in a page: it must not be there at all."""
    nonce = re.search(r"'nonce-([^']+)'", policy)
    problems = []
    for tag in SCRIPT_TAG.findall(page) + STYLE_TAG.findall(page):
        source = re.search(r'\ssrc="([^"]*)"', tag)
        if source:
            # A script file runs if it is this site's ('self'); the admin's carry no nonce.
            if not source.group(1).startswith("/") or source.group(1).startswith("//"):
                problems.append(f"{tag} is not this site's own")
        elif not nonce or f'nonce="{nonce.group(1)}"' not in tag:
            problems.append(f"{tag} does not carry this response's nonce")
    if handler := INLINE_HANDLER.search(page):
        problems.append(f"an inline event handler: {handler.group(0)[:80]}")
    if style := STYLE_ATTRIBUTE.search(page):
        problems.append(f"an inline style attribute: {style.group(0)[:80]}")
    return problems


def _crawler_for(case: Case) -> str:
    """A signed-in persona who may use the URL (else one who is refused: headers still count)."""
    return next((p for p in PERSONAS if p in case.allowed), "allocated_worker")


def _crawl(client: Client, case: Case, ctx: Context) -> Any:
    url = reverse(case.url_name, kwargs=case.kwargs(ctx)) + case.query
    method = getattr(client, case.method)
    body = case.data(ctx) if case.data else None
    if case.is_api and body is not None:
        return method(url, data=json.dumps(body), content_type="application/json", secure=True)
    if body is not None:
        return method(url, data=body, secure=True)
    return method(url, secure=True)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_page_signed_in_carries_the_security_headers(
    case: Case,
    person: Person,
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    # Given a signed-in persona, over HTTPS (as in production)
    persona = _crawler_for(case)
    client = client_for(persona)

    # When they request every page and endpoint the application has (the permission
    # matrix fails if one is missing, so this covers each new one too)
    response = _crawl(client, case, Context(person=person, users=users, persona=persona))

    # Then the response carries every header, whatever its status
    assert response.status_code < 500
    assert _header_problems(response, signed_in=True) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:casemgmt_user_changelist",
        "admin:casemgmt_auditevent_changelist",
        "admin:casemgmt_user_change",
    ],
)
def test_the_admin_carries_the_security_headers_too(
    url: str, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    args = [users["allocated_worker"].pk] if url.endswith("_change") else []
    response = client_for("admin").get(reverse(url, args=args), secure=True)
    assert response.status_code == 200
    problems = _header_problems(response, signed_in=True)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["login", "healthz"])
def test_public_pages_carry_the_security_headers(url: str) -> None:
    response = Client().get(reverse(url), secure=True)
    assert response.status_code == 200
    assert _header_problems(response, signed_in=False) == []


@pytest.mark.django_db
def test_a_refusal_and_a_page_not_found_carry_them_too(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("finance_officer")
    for url, status in (("/people/999999999/", 404), ("/governance/flags/", 403)):
        response = client.get(url, secure=True)
        assert response.status_code == status
        assert _header_problems(response, signed_in=True) == []


def test_the_header_checks_catch_what_they_are_for() -> None:
    """The crawl's checks, on responses missing each header, report each one."""
    from django.http import HttpResponse

    bare = HttpResponse("<p>hello</p>")
    bare.set_cookie("sessionid", "x", samesite="None")
    problems = " | ".join(_header_problems(bare, signed_in=True))
    for missing in (
        "Cache-Control",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "frame-ancestors",
        "script-src",
        "cookie sessionid",
    ):
        assert missing in problems
    assert _page_problems(
        '<script src="https://cdn.example/x.js"></script><script>x()</script>'
        '<a onclick="x()" style="color:red">',
        "script-src 'self'",
    ) == [
        '<script src="https://cdn.example/x.js"> is not this site\'s own',
        "<script> does not carry this response's nonce",
        "an inline event handler: <a onclick=",
        'an inline style attribute: <a onclick="x()" style=',
    ]


# --- cookies under production settings ---------------------------------------------------------------

PRODUCTION_SECURITY_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "DEBUG",
)


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The security settings a council's production server gets from casemgmt/settings.py
    (read in a fresh process with a production environment, as the deploy check is)."""
    secret = tmp_path_factory.mktemp("secret") / "key"
    secret.write_text("k" * 30 + "production-secret-from-a-mounted-file-0123456789")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS"}
        and not key.startswith("SECURE_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="casemgmt.settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="casemgmt.council.example",
    )
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {PRODUCTION_SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, the script above)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_production_settings_make_cookies_secure_and_turn_on_https(
    production_settings: dict[str, Any],
) -> None:
    assert production_settings == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": ONE_YEAR,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "DEBUG": False,
    }


@pytest.mark.django_db
def test_under_production_settings_every_cookie_is_secure_httponly_and_same_site(
    production_settings: dict[str, Any], users: dict[str, User], settings: Any
) -> None:
    # Given this process running with production's security settings
    for name, value in production_settings.items():
        setattr(settings, name, value)
    client = Client()

    # Plain HTTP is sent to HTTPS before anything else happens
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{reverse('login')}"

    # When a worker opens the sign-in page and signs in, over HTTPS
    page = client.get(reverse("login"), secure=True)
    signed_in = client.post(
        reverse("login"),
        {
            "username": users["allocated_worker"].username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": page.cookies[settings.CSRF_COOKIE_NAME].value,
        },
        secure=True,
    )

    # Then every cookie set on the way is Secure, HttpOnly and SameSite=Lax
    assert signed_in.status_code == 302
    cookies = {**page.cookies, **signed_in.cookies}
    assert {settings.CSRF_COOKIE_NAME, SESSION_COOKIE} <= set(cookies)
    for name, cookie in cookies.items():
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


# --- the audit trail -------------------------------------------------------------------------------


def _behind_the_database(sql: str, params: list[object]) -> None:
    """What a superuser could do by switching the append-only triggers off."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def a_morning_of_activity(users: dict[str, User], person: Person) -> datetime.datetime:
    """A worker signs in with both factors, reads and changes a record, changes their password;
    an administrator ends the worker's sessions. Returns a moment after it all has settled."""
    worker = users["allocated_worker"]
    client = Client()
    client.post(reverse("login"), {"username": worker.username, "password": PASSWORD})
    device = script_device_ensure(user=worker)
    client.post(reverse("mfa-verify"), {"code": "000000", "next": "/"})  # a wrong code, audited
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    client.post(reverse("mfa-verify"), {"code": next_code(device), "next": "/"})
    for name in ("clients:person-detail", "clients:chronology", "clients:relationships"):
        assert client.get(reverse(name, kwargs={"person_id": person.pk})).status_code == 200
    person_update(actor=worker, person=person, first_name="Jaden")
    _administrator_ends_sessions(client, worker, users)
    return timezone.now() + LATER


@pytest.mark.django_db
def test_the_audit_chain_verifies_after_activity_and_finds_an_altered_row(
    a_morning_of_activity: datetime.datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    later = a_morning_of_activity
    kinds = set(AuditEvent.objects.values_list("kind", "action"))
    assert {("access", "view"), ("change", "update"), ("change", "sessions_end")} <= kinds

    # When the scheduled task seals the trail, the chain verifies in full
    total = AuditEvent.objects.count()
    assert audit_seal(now=later) == total
    result = audit_verify(now=later)
    assert (result.intact, result.checked) == (True, total)
    with time_machine.travel(later, tick=False):
        call_command("audit_verify")
    assert f"The audit chain is intact: {total} sealed events checked." in capsys.readouterr().out

    # When someone with the database's keys rewrites who looked at the record
    viewed = AuditEvent.objects.filter(kind="access").order_by("id").first()
    assert viewed is not None
    _behind_the_database(
        "UPDATE casemgmt_auditevent SET actor_username = 'someone.else' WHERE id = %s",
        [viewed.pk],
    )

    # Then verification names the altered event, and the command fails
    position = AuditSeal.objects.get(event_id=viewed.pk).position
    result = audit_verify(now=later)
    assert result.problems == [f"seal {position}: audit event {viewed.pk} has been changed"]
    with time_machine.travel(later, tick=False), pytest.raises(CommandError, match="is broken"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_a_removed_seal_or_a_rewritten_hash_is_found(
    a_morning_of_activity: datetime.datetime,
) -> None:
    later = a_morning_of_activity
    audit_seal(now=later)
    last = AuditSeal.objects.order_by("-position").first()
    assert last is not None
    assert last.position > 3

    _behind_the_database("DELETE FROM casemgmt_auditseal WHERE position = %s", [2])
    _behind_the_database(
        "UPDATE casemgmt_auditseal SET hash = %s WHERE position = %s", ["f" * 64, 3]
    )

    problems = audit_verify(now=later).problems
    assert "seals 2 to 2 are missing" in problems
    assert any(p.startswith("seal 3: audit event") for p in problems)
    assert "seal 4: does not follow the seal before it (chain rewritten)" in problems


@pytest.mark.django_db
def test_if_the_audit_write_fails_the_record_is_neither_shown_nor_changed(
    users: dict[str, User], person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = users["allocated_worker"]
    client = _signed_in(worker)
    client.raise_request_exception = False

    def unavailable(event: object) -> None:
        raise DatabaseError("the audit table cannot be written")

    monkeypatch.setattr(audit, "_insert", unavailable)

    # A page of the record: without its access event, nothing of it is shown
    response = client.get(reverse("clients:person-detail", kwargs={"person_id": person.pk}))
    assert response.status_code == 500
    assert b"Whitmore" not in response.content
    # A change: without its change event, it is not made
    with pytest.raises(DatabaseError):
        person_update(actor=worker, person=person, first_name="Jaden")
    person.refresh_from_db()
    assert person.first_name == "Jayden"


@pytest.mark.django_db
def test_audit_timestamps_are_stored_and_read_in_utc(users: dict[str, User]) -> None:
    # At noon in a British summer (13:00 on the wall clock), an event is written
    noon_utc = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(noon_utc, tick=False):
        event = audit.record_access(
            actor=users["allocated_worker"], action="view", person_id=1, summary="Viewed"
        )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'casemgmt_auditevent' AND column_name = 'occurred_at'"
        )
        assert cursor.fetchone()[0] == "timestamp with time zone"
        cursor.execute("SHOW TIME ZONE")
        assert cursor.fetchone()[0] == "UTC"
        cursor.execute(
            "SELECT to_char(occurred_at, 'YYYY-MM-DD HH24:MI TZ') FROM casemgmt_auditevent "
            "WHERE id = %s",
            [event.pk],
        )
        assert cursor.fetchone()[0] == "2026-07-01 12:00 UTC"
    stored = AuditEvent.objects.get(pk=event.pk).occurred_at
    assert stored == noon_utc
    assert stored.utcoffset() == datetime.timedelta(0)
    row = AuditEvent.objects.filter(pk=event.pk).values("id", "occurred_at").get()
    assert b'"occurred_at":"2026-07-01T12:00:00.000000+00:00"' in canonical(row)
