"""Bad input through an API token, on every operation that writes: refused with the right
status and a reason, and nothing changed (no row, no version, no audit event).

Oversized and malformed bodies, the wrong content type, a token without the write scope,
and ids of records the token's account may not see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from casemgmt.models import ApiScope, AuditEvent, Team, User
from casemgmt.roles import Role
from clients.models import Person
from tests.api.tokens import bearer, issue, service_account
from tests.factories import InvolvementFactory, PersonFactory
from tests.workflows.tray_factories import make_step, tray_workflow
from workflows.models import Step

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    account: User
    secret: str
    child: Person
    hidden: Person  # restricted, no grant to the account
    open_step: Step  # in progress, the account's
    submitted: Step  # awaiting the account's authorisation
    hidden_step: Step  # on the hidden person
    no_further_action: int  # the open step's transition that closes the episode


@pytest.fixture
def scene(team_a: Team, users: dict[str, User]) -> Scene:
    account = service_account(role=Role.TEAM_MANAGER, team=team_a, manager=True)
    child = PersonFactory(first_name="Jayden", last_name="Whitmore")
    InvolvementFactory(person=child, worker=account, team=team_a)
    hidden = PersonFactory(first_name="Riley", last_name="Hidden", access_level="restricted")
    InvolvementFactory(person=hidden, worker=users["allocated_worker"], team=team_a)
    flow = tray_workflow()
    in_progress = Step.Status.IN_PROGRESS
    return Scene(
        account=account,
        secret=issue(account).secret,
        child=child,
        hidden=hidden,
        open_step=make_step(
            flow.contact, team=team_a, person=child, status=in_progress, assignee=account
        ),
        submitted=make_step(
            flow.assessment,
            team=team_a,
            person=child,
            status=Step.Status.AWAITING_AUTHORISATION,
            assignee=users["allocated_worker"],
            answers={"summary": "Seen at home.", "visits": 1},
            pending_actions=[{"transition": flow.to_plan.pk, "assignee": None, "team": None}],
        ),
        hidden_step=make_step(
            flow.contact, team=team_a, person=hidden, status=in_progress, assignee=account
        ),
        no_further_action=flow.no_further_action.pk,
    )


# Each write operation: (label, method, URL, a good body), built on the scene.
WRITES: list[tuple[str, str, Callable[[Scene], str], Callable[[Scene], dict[str, Any]]]] = [
    (
        "add a person",
        "post",
        lambda s: "/api/v1/people/",
        lambda s: {"first_name": "A", "last_name": "B"},
    ),
    (
        "change a person",
        "patch",
        lambda s: f"/api/v1/people/{s.child.pk}/",
        lambda s: {"preferred_name": "Jay"},
    ),
    (
        "replace answers",
        "put",
        lambda s: f"/api/v1/steps/{s.open_step.pk}/answers/",
        lambda s: {"answers": {"notes": "Called back."}, "version": 1},
    ),
    (
        "change answers",
        "patch",
        lambda s: f"/api/v1/steps/{s.open_step.pk}/answers/",
        lambda s: {"answers": {"notes": "Called back."}, "version": 1},
    ),
    (
        "complete",
        "post",
        lambda s: f"/api/v1/steps/{s.open_step.pk}/complete/",
        lambda s: {
            "answers": {"contact_date": "2026-01-05", "decision": "nfa"},
            "version": 1,
            "next_actions": [{"transition": s.no_further_action}],
        },
    ),
    (
        "authorise",
        "post",
        lambda s: f"/api/v1/steps/{s.submitted.pk}/authorise/",
        lambda s: {"decision": "approve", "version": 1},
    ),
]
IDS = [write[0] for write in WRITES]


def _state() -> tuple[Any, ...]:
    """Everything a write could change."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(Step.objects.order_by("pk").values("pk", "version", "status", "answers")),
        AuditEvent.objects.count(),
    )


def _send(scene: Scene, method: str, url: str, raw: bytes, content_type: str, **extra: Any) -> Any:
    return Client().generic(
        method.upper(),
        url,
        raw,
        content_type=content_type,
        **{**bearer(scene.secret), **extra},
    )


@pytest.mark.parametrize(("label", "method", "url", "body"), WRITES, ids=IDS)
def test_a_body_over_the_size_limit_is_413(
    scene: Scene,
    label: str,
    method: str,
    url: Callable[[Scene], str],
    body: Callable[[Scene], dict[str, Any]],
) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = json.dumps({**body(scene), "padding": "x" * limit}).encode()
    before = _state()

    response = _send(scene, method, url(scene), raw, "application/json", HTTP_IF_MATCH='"1"')

    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is larger than the {limit} bytes this API accepts."
    }
    assert _state() == before


MALFORMED = [
    ("cut short", b'{"first_name": "A", ', "not valid JSON"),
    ("not JSON", b"first_name=A", "not valid JSON"),
    ("NaN", b'{"version": NaN}', "not valid JSON"),
    ("nested too deeply", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("bad UTF-8", b'{"first_name": "\xff\xfe"}', "not valid JSON"),
    ("a list", b"[]", ""),
    ("null", b"null", ""),
    ("a string", b'"hello"', ""),
]


@pytest.mark.parametrize(("label", "method", "url", "body"), WRITES, ids=IDS)
@pytest.mark.parametrize(("kind", "raw", "piece"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_malformed_body_is_400_naming_the_body(
    scene: Scene,
    label: str,
    method: str,
    url: Callable[[Scene], str],
    body: Callable[[Scene], dict[str, Any]],
    kind: str,
    raw: bytes,
    piece: str,
) -> None:
    before = _state()

    response = _send(scene, method, url(scene), raw, "application/json", HTTP_IF_MATCH='"1"')

    assert response.status_code == 400, response.content[:300]
    (message,) = response.json()["errors"]["non_field_errors"]
    assert piece in message
    assert _state() == before


@pytest.mark.parametrize(("label", "method", "url", "body"), WRITES, ids=IDS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415(
    scene: Scene,
    label: str,
    method: str,
    url: Callable[[Scene], str],
    body: Callable[[Scene], dict[str, Any]],
    content_type: str,
) -> None:
    before = _state()

    response = _send(scene, method, url(scene), json.dumps(body(scene)).encode(), content_type)

    assert response.status_code == 415
    assert response.json() == {"detail": f'Unsupported media type "{content_type}" in request.'}
    assert _state() == before


@pytest.mark.parametrize(("label", "method", "url", "body"), WRITES, ids=IDS)
def test_a_token_that_may_only_read_changes_nothing(
    scene: Scene,
    label: str,
    method: str,
    url: Callable[[Scene], str],
    body: Callable[[Scene], dict[str, Any]],
) -> None:
    reader = issue(scene.account, scopes=[ApiScope.PEOPLE_READ, ApiScope.WORK_READ]).secret
    before = _state()

    response = Client().generic(
        method.upper(),
        url(scene),
        json.dumps(body(scene)),
        content_type="application/json",
        **bearer(reader),
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 403
    assert "does not have the scope" in response.json()["detail"]
    assert _state() == before


def test_the_good_bodies_are_accepted(scene: Scene) -> None:
    # The bodies above are refused for what is wrong with them, not for what they say.
    statuses = []
    for _, method, url, body in WRITES:
        response = Client().generic(
            method.upper(),
            url(scene),
            json.dumps(body(scene)),
            content_type="application/json",
            **bearer(scene.secret),
        )
        statuses.append(response.status_code)
        Step.objects.filter(pk=scene.open_step.pk).update(version=1, status="in_progress")
    assert statuses == [201, 200, 200, 200, 200, 200]


HIDDEN: list[tuple[str, str, Callable[[Scene], str], dict[str, Any]]] = [
    ("read the person", "get", lambda s: f"/api/v1/people/{s.hidden.pk}/", {}),
    ("change the person", "patch", lambda s: f"/api/v1/people/{s.hidden.pk}/", {"sex": "F"}),
    ("read the step", "get", lambda s: f"/api/v1/steps/{s.hidden_step.pk}/", {}),
    (
        "save answers",
        "put",
        lambda s: f"/api/v1/steps/{s.hidden_step.pk}/answers/",
        {"answers": {"notes": "x"}, "version": 1},
    ),
    (
        "complete the step",
        "post",
        lambda s: f"/api/v1/steps/{s.hidden_step.pk}/complete/",
        {"answers": {"contact_date": "2026-01-05", "decision": "nfa"}, "version": 1},
    ),
    (
        "authorise the step",
        "post",
        lambda s: f"/api/v1/steps/{s.hidden_step.pk}/authorise/",
        {"decision": "approve"},
    ),
    ("a person who does not exist", "get", lambda s: "/api/v1/people/999999999/", {}),
    ("an id past bigint", "get", lambda s: f"/api/v1/steps/{2**70}/", {}),
]


@pytest.mark.parametrize(
    ("label", "method", "url", "body"), HIDDEN, ids=[case[0] for case in HIDDEN]
)
def test_a_record_the_account_may_not_see_is_a_404_and_nothing_changes(
    scene: Scene, label: str, method: str, url: Callable[[Scene], str], body: dict[str, Any]
) -> None:
    before = _state()

    response = Client().generic(
        method.upper(),
        url(scene),
        json.dumps(body) if body else "",
        content_type="application/json",
        **bearer(scene.secret),
    )

    assert response.status_code == 404
    assert b"Hidden" not in response.content
    assert b"Riley" not in response.content
    assert _state() == before
