"""API tokens: made and revoked by a system administrator, bearer authentication, scopes,
throttling, and what a token request is not (a session, a CSRF risk, a second-factor page)."""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.views import APIView

from casemgmt.api_tokens.scopes import required_scope
from casemgmt.api_tokens.services import api_token_create, api_token_revoke, hash_secret
from casemgmt.api_tokens.throttling import Limit, check_rates, parse_rate
from casemgmt.models import ApiScope, ApiToken, AuditEvent, Team, User, UserSession
from casemgmt.roles import Role
from clients.models import Person, RecordAccessGrant
from tests.api.tokens import bearer, issue, service_account, token_maker
from tests.factories import InvolvementFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

READ_PEOPLE = [ApiScope.PEOPLE_READ]


@pytest.fixture
def account(team_a: Team) -> User:
    """A practitioner's service account in team A: case work on team A's people."""
    return service_account(role=Role.PRACTITIONER, team=team_a)


@pytest.fixture
def child(account: User, team_a: Team) -> Person:
    child = PersonFactory(first_name="Jayden", last_name="Whitmore")
    InvolvementFactory(person=child, worker=account, team=team_a)
    return child


def _detail(person: Person) -> str:
    return f"/api/v1/people/{person.pk}/"


def _patch(client: Client, person: Person, body: Any, **extra: str) -> Any:
    return client.patch(
        _detail(person), data=json.dumps(body), content_type="application/json", **extra
    )


def _changes(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# ----------------------------------------------------------------------------------------
# Making a token
# ----------------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_kept_only_as_a_hash(account: User) -> None:
    # When a system administrator makes a token
    admin = token_maker()
    issued = issue(account, scopes=[ApiScope.PEOPLE_READ, ApiScope.WORK_READ], actor=admin)

    # Then the secret has a recognisable prefix and the key id, and only its hash is stored
    token = ApiToken.objects.get()
    prefix, key_id, secret = issued.secret.split("_", 2)
    assert (prefix, key_id, len(secret)) == ("cm", token.key_id, 43)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(ApiToken.objects.values().get(), default=str), (
        "the secret itself is stored nowhere"
    )
    assert (token.user, token.created_by, token.scopes) == (
        account,
        admin,
        ["people:read", "work:read"],
    )
    # and its making is audited, without the secret or its hash
    (event,) = _changes("api_token_create")
    assert (event.actor, event.object_id, event.person_id) == (admin, str(token.pk), None)
    assert event.changes["key_id"] == [None, token.key_id]
    assert event.changes["scopes"] == [None, ["people:read", "work:read"]]
    assert secret not in json.dumps(event.changes)
    assert token.secret_hash not in json.dumps(event.changes)


def test_a_token_lasts_the_default_days_unless_told(account: User, settings: Any) -> None:
    settings.API_TOKEN_DEFAULT_DAYS = 30
    before = timezone.now()

    token = issue(account).token

    assert (
        before + datetime.timedelta(days=30)
        <= token.expires_at
        <= timezone.now() + datetime.timedelta(days=30)
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter the integration's name."),
        ({"name": "M" * 101}, "name", "Name must be 100 characters or fewer (you entered 101)."),
        ({"name": "MASH\u0000feed"}, "name", "Name contains a control or hidden character"),
        ({"name": "MASH\u202efeed"}, "name", "Name contains a control or hidden character"),
        ({"description": "x" * 2001}, "description", "2000 characters or fewer"),
        ({"scopes": []}, "scopes", "Choose at least one scope."),
        ({"scopes": ["people:delete"]}, "scopes", "Unknown scope: people:delete."),
        (
            {"scopes": ["people:write"]},
            "scopes",
            "people:write needs people:read as well",
        ),
        (
            {"expires_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
            "expires_at",
            "The expiry must be in the future.",
        ),
        (
            {"expires_at": timezone.now() + datetime.timedelta(days=400)},
            "expires_at",
            "A token may last at most 365 days.",
        ),
    ],
)
def test_a_token_that_is_not_right_is_not_made(
    account: User, change: dict[str, Any], field: str, message: str
) -> None:
    # Given an administrator making a token with something wrong
    admin = token_maker()
    values: dict[str, Any] = {"name": "MASH feed", "scopes": ["people:read"], **change}

    # When they make it
    with pytest.raises(ValidationError) as refused:
        api_token_create(actor=admin, user=account, **values)

    # Then it says which field is wrong and why, and nothing is made or audited
    assert message in refused.value.message_dict[field][0]
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("kind", ["a person's own account", "a disabled account"])
def test_a_token_acts_only_as_an_active_service_account(
    users: dict[str, User], account: User, kind: str
) -> None:
    # A token needs no second factor: for a person's own account it would be a way round theirs.
    if kind == "a disabled account":
        user = account
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.refresh_from_db()
    else:
        user = users["allocated_worker"]

    with pytest.raises(ValidationError) as refused:
        issue(user)

    assert "Choose an active service account" in refused.value.message_dict["user"][0]
    assert not ApiToken.objects.exists()


def test_revoking_a_token_says_why_and_is_audited(account: User) -> None:
    admin = token_maker()
    token = issue(account, actor=admin).token

    api_token_revoke(actor=admin, token=token, reason="Found in a shared drive.")

    token.refresh_from_db()
    assert (token.is_revoked, token.revoked_by, token.revoked_reason) == (
        True,
        admin,
        "Found in a shared drive.",
    )
    (event,) = _changes("api_token_revoke")
    assert (event.actor, event.reason, event.object_id) == (
        admin,
        "Found in a shared drive.",
        str(token.pk),
    )


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("  ", "Say why the token is being revoked"),
        ("x" * 501, "500 characters or fewer"),
        ("Leaked\u0007", "control or hidden character"),
    ],
)
def test_a_revocation_without_a_proper_reason_changes_nothing(
    account: User, reason: str, message: str
) -> None:
    admin = token_maker()
    token = issue(account, actor=admin).token
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        api_token_revoke(actor=admin, token=token, reason=reason)

    assert message in refused.value.message_dict["reason"][0]
    token.refresh_from_db()
    assert not token.is_revoked
    assert AuditEvent.objects.count() == events


def test_a_token_is_revoked_once(account: User) -> None:
    admin = token_maker()
    token = issue(account, actor=admin).token
    api_token_revoke(actor=admin, token=token, reason="Retired.")

    with pytest.raises(ValidationError, match="already been revoked"):
        api_token_revoke(actor=admin, token=token, reason="Again.")
    assert len(_changes("api_token_revoke")) == 1


# ----------------------------------------------------------------------------------------
# Calling the API with a token
# ----------------------------------------------------------------------------------------


def test_a_token_reads_a_record_as_its_account(account: User, child: Person) -> None:
    secret = issue(account, scopes=READ_PEOPLE).secret

    response = Client().get(_detail(child), **bearer(secret))

    assert response.status_code == 200
    assert response.json()["last_name"] == "Whitmore"
    (event,) = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS)
    assert (event.actor, event.person_id) == (account, child.pk)
    assert response["Cache-Control"].startswith("no-store")


def test_a_token_request_makes_no_session(account: User, child: Person) -> None:
    secret = issue(account, scopes=READ_PEOPLE).secret
    client = Client()

    client.get(_detail(child), **bearer(secret))
    client.get("/api/v1/people/?name=Whitmore", **bearer(secret))

    assert "sessionid" not in client.cookies
    assert not Session.objects.exists()
    assert not UserSession.objects.exists()


def test_a_token_request_ignores_a_session_cookie_sent_with_it(
    account: User, child: Person, worker: User
) -> None:
    # Given a staff session that has given its password but not yet its code
    client = Client()
    client.post("/login/", {"username": worker.username, "password": "correct-horse-battery"})
    assert client.get("/api/v1/work/mine/").status_code == 403  # the second factor comes first
    tracked = UserSession.objects.get(user=worker)
    secret = issue(account, scopes=READ_PEOPLE).secret

    # When the same client calls the API with a token
    response = client.get(_detail(child), **bearer(secret))

    # Then the token alone counts: no second-factor refusal, and the session is untouched
    assert response.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).get().actor == account
    tracked_after = UserSession.objects.get(pk=tracked.pk)
    assert tracked_after.last_seen_at == tracked.last_seen_at
    assert "sessionid" not in response.cookies


def test_last_use_is_written_at_most_once_a_minute(account: User, child: Person) -> None:
    token_row = issue(account, scopes=READ_PEOPLE)
    client = Client()
    start = timezone.now()

    with time_machine.travel(start, tick=False) as clock:
        client.get(_detail(child), **bearer(token_row.secret), REMOTE_ADDR="192.0.2.10")
        first = ApiToken.objects.get().last_used_at
        clock.shift(30)
        client.get(_detail(child), **bearer(token_row.secret), REMOTE_ADDR="192.0.2.11")
        after_30_seconds = ApiToken.objects.get()
        clock.shift(31)
        client.get(_detail(child), **bearer(token_row.secret), REMOTE_ADDR="192.0.2.12")
        after_61_seconds = ApiToken.objects.get()

    assert first == start
    assert (after_30_seconds.last_used_at, after_30_seconds.last_used_ip) == (start, "192.0.2.10")
    assert after_61_seconds.last_used_at == start + datetime.timedelta(seconds=61)
    assert after_61_seconds.last_used_ip == "192.0.2.12"


def test_a_token_without_the_scope_is_refused_and_changes_nothing(
    account: User, child: Person
) -> None:
    # Given a token that may read people but not change them
    secret = issue(account, scopes=READ_PEOPLE).secret
    before = Person.objects.values().get(pk=child.pk)

    # When it tries to change a record its account could change
    response = _patch(Client(), child, {"preferred_name": "Jay"}, **bearer(secret))

    # Then it is refused with the reason, and nothing is changed or written
    assert response.status_code == 403
    assert response.json() == {
        "detail": "This API token does not have the scope people:write, which this operation "
        "needs (it has people:read). Ask a system administrator for a token with it."
    }
    assert response["WWW-Authenticate"] == (
        'Bearer realm="casemgmt", error="insufficient_scope", scope="people:write"'
    )
    assert Person.objects.values().get(pk=child.pk) == before
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).exists()
    assert not AuditEvent.objects.filter(person_id=child.pk).exists()


@pytest.mark.parametrize(
    ("url", "scope"),
    [
        ("/api/v1/people/?name=Whitmore", "people:read"),
        ("/api/v1/work/mine/", "work:read"),
        ("/api/v1/work/authorisations/", "work:read"),
    ],
)
def test_each_area_needs_its_own_scope(account: User, url: str, scope: str) -> None:
    other = [s for s in ApiScope.values if not s.startswith(scope.split(":")[0])]
    secret = issue(account, scopes=[s for s in other if s.endswith(":read")]).secret

    response = Client().get(url, **bearer(secret))

    assert response.status_code == 403
    assert f"does not have the scope {scope}" in response.json()["detail"]


def test_the_scope_does_not_add_to_the_accounts_roles(team_a: Team) -> None:
    # Given a finance officer's service account, whose role may find people but not add them
    finance = service_account("finance.feed", role=Role.FINANCE_OFFICER)
    secret = issue(finance).secret

    # When its token, with every scope, tries to add a person
    response = Client().post(
        "/api/v1/people/",
        data=json.dumps({"first_name": "Amara", "last_name": "Okafor"}),
        content_type="application/json",
        **bearer(secret),
    )

    # Then the account's role decides: refused, nothing added
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not add people."}
    assert not Person.objects.exists()


@pytest.mark.parametrize("level", ["restricted", "sealed"])
def test_a_record_the_account_may_not_see_is_a_404_through_a_token(
    account: User, child: Person, level: str
) -> None:
    # Given a restricted or sealed record the service account has no grant to
    Person.objects.filter(pk=child.pk).update(access_level=level)
    secret = issue(account).secret
    client = Client()

    # When the token reads it, changes it, or searches for it
    read = client.get(_detail(child), **bearer(secret))
    change = _patch(client, child, {"preferred_name": "Jay"}, **bearer(secret))
    search = client.get("/api/v1/people/?name=Whitmore", **bearer(secret))

    # Then it does not exist, exactly as on the account's pages, and nothing is written
    assert (read.status_code, change.status_code) == (404, 404)
    assert read.json() == change.json()
    assert b"Whitmore" not in read.content + change.content
    assert search.status_code == 200
    assert search.json()["results"] == []
    assert Person.objects.get(pk=child.pk).preferred_name == ""
    assert not AuditEvent.objects.filter(person_id=child.pk).exists()


def test_a_grant_to_the_service_account_opens_the_record(
    account: User, child: Person, users: dict[str, User]
) -> None:
    Person.objects.filter(pk=child.pk).update(access_level="sealed")
    RecordAccessGrant.objects.create(
        person=child, user=account, reason="Feeds the MASH.", granted_by=users["senior_manager"]
    )
    secret = issue(account, scopes=READ_PEOPLE).secret

    assert Client().get(_detail(child), **bearer(secret)).status_code == 200


def _refusal(response: Any) -> tuple[int, str, str]:
    return response.status_code, response["WWW-Authenticate"], response.json()["detail"]


NOT_IN_FORM = (
    "The API token is not in the form cm_<key>_<secret>. Send it as "
    "'Authorization: Bearer <token>', exactly as it was shown when it was made."
)
BEARER_CHALLENGE = 'Bearer realm="casemgmt", error="invalid_token"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer abc",
        "bearer cm_123",
        "Bearer cm_zzzzzzzzzzzz_" + "a" * 43,
        "Bearer cm_0123456789ab_" + "a" * 42,
        "Bearer cm_0123456789ab_" + "a" * 43 + " extra",
        "Bearer " + "cm_" + "a" * 10_000,
        "Bearer cm_0123456789ab_" + "é" * 43,
    ],
)
def test_a_malformed_token_is_401_with_the_bearer_challenge(header: str, child: Person) -> None:
    response = Client().get(_detail(child), HTTP_AUTHORIZATION=header)

    assert _refusal(response) == (401, BEARER_CHALLENGE, NOT_IN_FORM)
    assert not AuditEvent.objects.exists()


def test_an_unknown_token_or_a_wrong_secret_is_not_recognised(account: User, child: Person) -> None:
    real = issue(account).secret
    key_id = ApiToken.objects.get().key_id
    wrong_secret = f"cm_{key_id}_{'A' * 43}"
    unknown_key = f"cm_{'0' * 12}_{real.split('_', 2)[2]}"
    client = Client()

    for secret in (wrong_secret, unknown_key):
        response = client.get(_detail(child), **bearer(secret))
        assert _refusal(response) == (
            401,
            BEARER_CHALLENGE,
            "This API token is not recognised.",
        )
    assert ApiToken.objects.get().last_used_at is None
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).exists()


def test_an_expired_token_is_refused(account: User, child: Person) -> None:
    issued = issue(account, expires_at=timezone.now() + datetime.timedelta(days=1))

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = Client().get(_detail(child), **bearer(issued.secret))

    expired_on = f"{timezone.localtime(issued.token.expires_at):%-d %B %Y}"
    assert _refusal(response) == (
        401,
        BEARER_CHALLENGE,
        f"This API token expired on {expired_on}. Ask a system administrator for a new one.",
    )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).exists()


def test_a_revoked_token_is_refused_at_once(account: User, child: Person) -> None:
    issued = issue(account)
    client = Client()
    assert client.get(_detail(child), **bearer(issued.secret)).status_code == 200

    api_token_revoke(actor=token_maker(), token=issued.token, reason="Leaked.")
    response = client.get(_detail(child), **bearer(issued.secret))

    assert response.status_code == 401
    assert response.json()["detail"].startswith("This API token was revoked on ")


@pytest.mark.parametrize("change", ["disabled", "given a password"])
def test_a_token_stops_when_its_account_is_disabled_or_can_sign_in(
    account: User, child: Person, change: str
) -> None:
    secret = issue(account).secret
    if change == "disabled":
        account.is_active = False
        account.save()
        expected = "The account this API token acts as has been disabled."
    else:
        account.set_password("a long and memorable passphrase")
        account.save()
        expected = (
            "The account this API token acts as can now sign in with a password, so the "
            "token no longer works: tokens act only as service accounts."
        )

    response = Client().get(_detail(child), **bearer(secret))

    assert _refusal(response) == (401, BEARER_CHALLENGE, expected)


def test_another_scheme_is_left_to_the_session(child: Person) -> None:
    response = Client().get(_detail(child), HTTP_AUTHORIZATION="Basic YWxpY2U6c2VjcmV0")

    assert _refusal(response) == (
        401,
        'Session realm="casemgmt"',
        "Sign in first: the API uses your staff session.",
    )


def test_csrf_applies_to_sessions_and_not_to_tokens(
    account: User, worker: User, client_for: Callable[[str], Client]
) -> None:
    body = json.dumps({"first_name": "Amara", "last_name": "Okafor"})
    secret = issue(account).secret

    # A token's POST needs no CSRF token (no cookie can send it for a page an attacker made)
    by_token = Client(enforce_csrf_checks=True).post(
        "/api/v1/people/", data=body, content_type="application/json", **bearer(secret)
    )
    # but a session's does
    session = client_for("allocated_worker")
    session.handler.enforce_csrf_checks = True
    by_session = session.post("/api/v1/people/", data=body, content_type="application/json")

    assert by_token.status_code == 201
    assert by_session.status_code == 403
    assert "CSRF" in by_session.json()["detail"]
    assert Person.objects.count() == 1


# ----------------------------------------------------------------------------------------
# Throttling (real Redis)
# ----------------------------------------------------------------------------------------


def _forget_counts(kind: str, ident: str) -> None:
    """Clear this window's counters (a rerun within the minute may reuse a user's id)."""
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    now = time.time()
    for seconds in (1, 60, 3600, 86400):
        cache.delete(f"api-throttle:{database}:{kind}:{ident}:{seconds}:{int(now // seconds)}")


def _rates(settings: Any, **rates: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1000/minute", "user": "1000/minute", **rates},
    }


def test_a_token_over_its_rate_gets_429_with_retry_after(
    account: User, child: Person, settings: Any
) -> None:
    # Given a rate of three calls a minute for tokens
    _rates(settings, token="3/minute")
    first, second = issue(account), issue(account, name="Second feed")
    client = Client()

    # When a token makes a fourth call in the minute
    with time_machine.travel(timezone.now().replace(second=10), tick=False):
        statuses = [
            client.get(_detail(child), **bearer(first.secret)).status_code for _ in range(3)
        ]
        refused = client.get(_detail(child), **bearer(first.secret))
        other_token = client.get(_detail(child), **bearer(second.secret))

    # Then it is refused until the minute is over; another token counts on its own
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert refused.json() == {"detail": "Too many requests: try again in 50 seconds."}
    assert other_token.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).count() == 4


def test_a_burst_limit_and_an_hourly_limit_both_count(
    account: User, child: Person, settings: Any
) -> None:
    _rates(settings, token="5/minute,6/hour")
    secret = issue(account).secret
    client = Client()
    start = timezone.now().replace(minute=0, second=0)

    with time_machine.travel(start, tick=False) as clock:
        in_first_minute = [
            client.get(_detail(child), **bearer(secret)).status_code for _ in range(6)
        ]
        clock.shift(60)
        next_minute = [client.get(_detail(child), **bearer(secret)) for _ in range(2)]

    assert in_first_minute == [200] * 5 + [429]
    # The sixth call was refused but counted: the hour's six are used up.
    assert [response.status_code for response in next_minute] == [429, 429]
    assert next_minute[0]["Retry-After"] == str(3600 - 60)


def test_a_signed_in_user_has_a_rate_of_their_own(
    worker: User, child: Person, client_for: Callable[[str], Client], settings: Any
) -> None:
    _rates(settings, user="2/second")
    _forget_counts("user", str(worker.pk))
    client = client_for("allocated_worker")

    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False):
        statuses = [client.get("/api/v1/work/mine/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    ("rate", "limits"),
    [
        ("300/minute", [Limit(300, 60)]),
        (" 5 / second , 10000/hour ", [Limit(5, 1), Limit(10000, 3600)]),
        ("1/day", [Limit(1, 86400)]),
    ],
)
def test_rates_are_read_from_settings(rate: str, limits: list[Limit]) -> None:
    assert parse_rate(rate, name="token") == limits


@pytest.mark.parametrize("rate", ["", "300", "300/fortnight", "0/minute", "-1/minute", "x/hour"])
def test_a_rate_that_cannot_be_read_is_a_configuration_error(rate: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="must be like 300/minute"):
        parse_rate(rate, name="token")


def test_an_unreadable_rate_stops_the_server_starting(settings: Any) -> None:
    _rates(settings, user="lots")

    (error,) = check_rates(None)

    assert error.id == "casemgmt.E201"
    assert "'user' must be like 300/minute" in error.msg


# ----------------------------------------------------------------------------------------
# The schema, and every API view's scope
# ----------------------------------------------------------------------------------------


def _api_views(
    resolver: URLResolver | None = None, prefix: str = ""
) -> list[tuple[str, type[APIView]]]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found.extend(_api_views(pattern, route))
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class and issubclass(view_class, APIView):
                found.append((route, view_class))
    return found


def test_every_api_view_names_its_scope() -> None:
    # A view that names none is closed to tokens; this makes that a decision, not an accident.
    views = {
        route: view_class
        for route, view_class in _api_views()
        if not issubclass(view_class, SpectacularAPIView)
    }
    assert "api/v1/people/<int:person_id>/" in views
    for route, view_class in views.items():
        for method in ("GET", "POST"):
            assert required_scope(view_class(), method) in ApiScope.values, route


def test_the_schema_documents_tokens_and_each_operations_scope() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    token_scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (token_scheme["type"], token_scheme["scheme"]) == ("http", "bearer")
    scopes = {
        (path, method): operation["x-token-scope"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert scopes[("/api/v1/people/", "get")] == "people:read"
    assert scopes[("/api/v1/people/{person_id}/", "patch")] == "people:write"
    assert scopes[("/api/v1/steps/{step_id}/complete/", "post")] == "work:write"
    assert scopes[("/api/v1/work/mine/", "get")] == "work:read"
    for methods in schema["paths"].values():
        for operation in methods.values():
            assert {"tokenAuth": []} in operation["security"]
            assert {"401", "403", "429"} <= set(operation["responses"])
            assert operation["description"].endswith(
                f"With an API token, needs the scope `{operation['x-token-scope']}`."
            )


def test_an_api_address_that_does_not_exist_is_a_json_404(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("allocated_worker")

    api = client.get("/api/v1/people/-1/")
    page = client.get("/no-such-page/")

    assert (api.status_code, api["Content-Type"]) == (404, "application/json")
    assert api.json() == {"detail": "There is nothing at this address in the API."}
    assert (page.status_code, page["Content-Type"].split(";")[0]) == (404, "text/html")


def test_the_schema_can_be_read_with_any_token(account: User) -> None:
    secret = issue(account, scopes=[ApiScope.WORK_READ]).secret

    response = Client().get("/api/v1/schema/?format=json", **bearer(secret))

    assert response.status_code == 200
    assert "tokenAuth" in response.json()["components"]["securitySchemes"]


def test_the_hash_is_of_the_secret_part() -> None:
    assert hash_secret("abc") == hashlib.sha256(b"abc").hexdigest()


# ----------------------------------------------------------------------------------------
# The admin
# ----------------------------------------------------------------------------------------

ADD = "/admin/casemgmt/apitoken/add/"


def _admin(users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users["admin"])
    return client


def _form(account: User, **change: Any) -> dict[str, Any]:
    expires = timezone.localdate() + datetime.timedelta(days=30)
    return {
        "name": "MASH referral feed",
        "description": "Posts referrals from the police. Owner: MASH team.",
        "user": account.pk,
        "scopes": ["people:read", "people:write"],
        "expires_on": expires.isoformat(),
        **change,
    }


def test_a_system_administrator_makes_a_token_and_sees_it_once(
    users: dict[str, User], account: User, child: Person
) -> None:
    client = _admin(users)
    form_page = client.get(ADD)
    assert form_page.status_code == 200
    assert account.username.encode() in form_page.content
    # A person's own account is never offered
    assert users["allocated_worker"].username.encode() not in form_page.content

    response = client.post(ADD, _form(account))

    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert response.status_code == 200
    assert secret.encode() in response.content
    assert response["Cache-Control"].startswith("no-store")
    assert token.expires_at == timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=31), datetime.time.min
        )
    )
    # It works, and it is never shown again
    assert Client().get(_detail(child), **bearer(secret)).status_code == 200
    detail = client.get(f"/admin/casemgmt/apitoken/{token.pk}/change/")
    listing = client.get("/admin/casemgmt/apitoken/")
    assert f"cm_{token.key_id}_".encode() in detail.content
    assert secret.split("_", 2)[2].encode() not in detail.content + listing.content
    assert token.secret_hash.encode() not in detail.content + listing.content
    assert _changes("api_token_create")[0].actor == users["admin"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "N" * 10_000}, "name", "Name must be 100 characters or fewer"),
        ({"name": "MASH\u202efeed"}, "name", "control or hidden character"),
        ({"scopes": []}, "scopes", "This field is required."),
        ({"scopes": ["people:write"]}, "scopes", "people:write needs people:read as well"),
        ({"scopes": ["everything"]}, "scopes", "Select a valid choice."),
        ({"user": "999999"}, "user", "Select a valid choice."),
        ({"user": "not a number"}, "user", "Select a valid choice."),
        ({"expires_on": "2020-01-01"}, "expires_on", "must be today or later"),
        ({"expires_on": "9999-12-31"}, "expires_on", "A token may last at most 365 days"),
        ({"expires_on": "30/02/2027"}, "expires_on", "Enter a valid date."),
        ({"expires_on": "next year"}, "expires_on", "Enter a valid date."),
    ],
)
def test_the_admin_form_says_what_is_wrong_keeps_what_was_typed_and_makes_nothing(
    users: dict[str, User], account: User, change: dict[str, Any], field: str, message: str
) -> None:
    response = _admin(users).post(ADD, _form(account, **change))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert response.context["form"]["name"].value() == _form(account, **change)["name"]
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_person_s_own_account_cannot_be_chosen_in_the_admin(
    users: dict[str, User], account: User
) -> None:
    response = _admin(users).post(ADD, _form(account, user=users["allocated_worker"].pk))

    assert "Select a valid choice." in " ".join(response.context["form"].errors["user"])
    assert not ApiToken.objects.exists()


def test_a_token_is_revoked_in_the_admin_with_a_reason(
    users: dict[str, User], account: User
) -> None:
    token = issue(account).token
    client = _admin(users)
    url = f"/admin/casemgmt/apitoken/{token.pk}/revoke/"

    blank = client.post(url, {"reason": "  "})
    token.refresh_from_db()
    assert blank.status_code == 200
    assert not token.is_revoked

    done = client.post(url, {"reason": "The feed was retired."})

    token.refresh_from_db()
    assert done.status_code == 302
    assert (token.is_revoked, token.revoked_by, token.revoked_reason) == (
        True,
        users["admin"],
        "The feed was retired.",
    )
    assert client.post(url, {"reason": "Again."}).status_code == 200
    assert len(_changes("api_token_revoke")) == 1


def test_nothing_about_a_token_is_edited_or_deleted_in_the_admin(
    users: dict[str, User], account: User
) -> None:
    token = issue(account).token
    client = _admin(users)

    change = client.post(f"/admin/casemgmt/apitoken/{token.pk}/change/", {"name": "Renamed"})
    delete = client.post(f"/admin/casemgmt/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert (change.status_code, delete.status_code) == (403, 403)
    token.refresh_from_db()
    assert token.name == "MASH referral feed"


@pytest.mark.parametrize("persona", ["team_manager", "senior_manager"])
def test_only_system_administrators_make_tokens(
    persona: str, users: dict[str, User], account: User
) -> None:
    staff = users[persona]
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    client = Client()
    client.force_login(staff)

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, _form(account)).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_service_account_cannot_sign_in(account: User) -> None:
    response = Client().post("/login/", {"username": account.username, "password": ""})

    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_the_default_roles_let_system_administrators_manage_tokens() -> None:
    admin = UserFactory(roles=[Role.SYSTEM_ADMINISTRATOR])
    assert admin.has_perms(
        ["casemgmt.view_apitoken", "casemgmt.add_apitoken", "casemgmt.change_apitoken"]
    )
    assert not admin.has_perm("casemgmt.delete_apitoken")


def test_a_token_call_reads_its_token_once_and_costs_no_more_than_a_session(
    account: User, child: Person, client_for: Callable[[str], Client]
) -> None:
    secret = issue(account, scopes=READ_PEOPLE).secret
    by_token, by_session = Client(), client_for("allocated_worker")
    by_token.get(_detail(child), **bearer(secret))  # writes the last use
    by_session.get(_detail(child))

    with CaptureQueriesContext(connection) as token_call:
        assert by_token.get(_detail(child), **bearer(secret)).status_code == 200
    with CaptureQueriesContext(connection) as session_call:
        assert by_session.get(_detail(child)).status_code == 200

    token_queries = [
        q["sql"] for q in token_call.captured_queries if "casemgmt_apitoken" in q["sql"]
    ]
    assert len(token_queries) == 1  # the token and its account, in one query; no write
    assert len(token_call.captured_queries) <= len(session_call.captured_queries)


def test_the_admin_list_of_tokens_takes_the_same_queries_however_many(
    users: dict[str, User], account: User, django_assert_max_num_queries: Any
) -> None:
    client = _admin(users)
    for number in range(25):
        issue(account, name=f"Feed {number}")
    client.get("/admin/casemgmt/apitoken/")

    with django_assert_max_num_queries(4):
        response = client.get("/admin/casemgmt/apitoken/")

    assert response.status_code == 200
    assert b"Feed 24" in response.content
