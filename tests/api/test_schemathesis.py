"""Schemathesis against the live OpenAPI schema: every operation, at least 1,000 examples each.

The schema is read from /api/v1/schema/ as an integration would, with an API token, and
every generated request goes through the whole WSGI application (middleware, token,
scopes, throttling) to the real PostgreSQL test database. The token acts as a team
manager's service account with every scope, so it can do everything the API offers.

Each operation is its own test (so `pytest -n 2` shares them out) and fails on:

- any 5xx (not_a_server_error);
- a status, content type, header or body the schema does not document for the operation
  (status_code_conformance, content_type_conformance, response_headers_conformance,
  response_schema_conformance);
- schema-violating input that is accepted (negative_data_rejection), a call without or
  with a wrong token that is not refused (ignored_auth), an undocumented method that is
  not 405 (unsupported_method).

positive_data_acceptance is off: a request can fit the schema and still be refused with
a reason, rightly. An NHS number's check digit, a date of birth in the future, a step's
version that is not the current one cannot be said in JSON Schema.

Generated ids mostly land on records the scene made (a restricted and a sealed person
among them), so the run reaches the code behind the 404; and the If-Match and `version`
a case sends are often set to the record's current version, so saves are reached too.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from casemgmt.models import Team, User
from casemgmt.roles import Role
from clients.api import person_etag
from clients.models import Person, RecordAccessGrant
from tests.api.tokens import issue, service_account
from tests.factories import InvolvementFactory, PersonFactory
from tests.workflows.tray_factories import make_step, tray_workflow
from workflows.api import step_etag
from workflows.models import Step

# At least this many generated examples per operation (the fuzzing phase's cap; the
# examples and coverage phases add their own). Lower it locally to iterate faster.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "1000"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261123"))

# The operations there were when this run was written: new ones are fuzzed as they come.
OPERATIONS = [
    "people_search",
    "people_create",
    "people_retrieve",
    "people_partial_update",
    "work_mine",
    "work_team_tray",
    "work_authorisations",
    "steps_retrieve",
    "steps_answers_update",
    "steps_answers_partial_update",
    "steps_complete",
    "steps_authorise",
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)

# The application as a WSGI server runs it. Its requests share the test's database
# connection and transaction, as the Django test client's do (see `scene`).
APPLICATION = WSGIHandler()


@dataclass
class Scene:
    headers: dict[str, str]
    person_ids: list[int]
    step_ids: list[int]
    team_ids: list[int]

    def aim(self, case: Any) -> None:
        """Point generated ids at the scene's records, and versions at the current ones.

        Only parts generated to be valid are touched, and only as a function of what was
        generated, so a failing example stays reproducible; one id in eight is left as
        generated, to reach the 404s of records that do not exist.
        """
        meta = case.meta
        path_valid = meta is None or not meta.is_negative_at(ParameterLocation.PATH)
        if path_valid:
            for name, ids in (
                ("person_id", self.person_ids),
                ("step_id", self.step_ids),
                ("team_id", self.team_ids),
            ):
                value = case.path_parameters.get(name)
                if type(value) is int and value >= 0 and value % 8 != 7:
                    case.path_parameters[name] = ids[value % len(ids)]
        etag = self._current_etag(case.path_parameters)
        if etag is None:
            return
        version, tag = etag
        sent = case.headers.get("If-Match") if case.headers else None
        header_valid = meta is None or not meta.is_negative_at(ParameterLocation.HEADER)
        if header_valid and isinstance(sent, str) and len(sent) % 2 == 0:
            case.headers["If-Match"] = tag
        body_valid = meta is None or not meta.is_negative_at(ParameterLocation.BODY)
        body = case.body
        if (
            body_valid
            and version is not None
            and isinstance(body, dict)
            and type(body.get("version")) is int
            and body["version"] % 2 == 0
        ):
            body["version"] = version

    @staticmethod
    def _current_etag(path: dict[str, Any]) -> tuple[int | None, str] | None:
        step_id, person_id = path.get("step_id"), path.get("person_id")
        if type(step_id) is int:
            step = Step.objects.filter(pk=step_id).first()
            return (step.version, step_etag(step)) if step else None
        if type(person_id) is int:
            person = Person.objects.filter(pk=person_id).first()
            return (None, person_etag(person)) if person else None
        return None


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Requests leave the database connection open: it holds the test's transaction.

    And the thousands of 4xx the run is meant to get are not each logged as a warning.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    quiet = [logging.getLogger(name) for name in ("django.request", "casemgmt.api_tokens")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    yield
    for logger, level in zip(quiet, levels, strict=True):
        logger.setLevel(level)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def scene(
    same_connection: None, team_a: Team, team_b: Team, users: dict[str, User], settings: Any
) -> Scene:
    """A team manager's service account with every scope, and records in every state."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1000000/minute", "user": "1000000/minute"},
    }
    account = service_account(
        "integration.everything", role=Role.TEAM_MANAGER, team=team_a, manager=True
    )
    token = issue(account).secret
    worker = users["allocated_worker"]

    allocated = PersonFactory(first_name="Jayden", last_name="Whitmore")
    InvolvementFactory(person=allocated, worker=worker, team=team_a)
    other_team = PersonFactory(first_name="Amara", last_name="Okafor")
    InvolvementFactory(person=other_team, worker=users["other_team_worker"], team=team_b)
    restricted = PersonFactory(first_name="Riley", last_name="Hidden", access_level="restricted")
    sealed = PersonFactory(first_name="Sam", last_name="Sealed", access_level="sealed")
    granted = PersonFactory(first_name="Grace", last_name="Granted", access_level="restricted")
    RecordAccessGrant.objects.create(
        person=granted, user=account, reason="Feeds the MASH.", granted_by=users["senior_manager"]
    )
    people = [allocated, other_team, restricted, sealed, granted]

    flow = tray_workflow()
    in_progress = Step.Status.IN_PROGRESS
    steps = [
        make_step(
            flow.contact, team=team_a, person=allocated, status=in_progress, assignee=account
        ),
        make_step(flow.contact, team=team_a, person=allocated),
        make_step(
            flow.assessment,
            team=team_a,
            person=allocated,
            status=Step.Status.AWAITING_AUTHORISATION,
            assignee=worker,
            answers={"summary": "Seen at home with mother.", "visits": 2},
            pending_actions=[{"transition": flow.to_plan.pk, "assignee": None, "team": None}],
        ),
        make_step(flow.plan, team=team_a, person=allocated, status=Step.Status.COMPLETED),
        make_step(flow.contact, team=team_b, person=other_team, status=in_progress),
        make_step(flow.contact, team=team_a, person=restricted, status=in_progress),
        make_step(flow.contact, team=team_a, person=granted, status=in_progress, assignee=account),
    ]
    return Scene(
        headers={"Authorization": f"Bearer {token}"},
        person_ids=[person.pk for person in people],
        step_ids=[step.pk for step in steps],
        team_ids=[team_a.pk, team_b.pk],
    )


@pytest.fixture
def examples(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    """Counts the calls made for the operation; fewer than MAX_EXAMPLES fails the test."""
    counted: Counter[str] = Counter()
    yield counted
    calls = sum(counted.values())
    assert calls >= MAX_EXAMPLES, f"{request.node.name} ran {calls} examples, not {MAX_EXAMPLES}"


def _schema_document() -> dict[str, Any]:
    """The OpenAPI document /api/v1/schema/ serves (the first test checks they are the same).

    Read when the module is imported, so that pytest makes a test of each operation and
    `pytest -n 2` can share them out; the live endpoint needs a database to sign in.
    """
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


DOCUMENT = _schema_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.app = APPLICATION


@pytest.mark.django_db
def test_the_run_is_of_the_live_schema_and_every_operation_in_it(scene: Scene) -> None:
    # Given the schema as an integration reads it, with its token
    live = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", APPLICATION, config=CONFIG, headers=scene.headers
    )

    # Then it is the document the run fuzzes (each of its operations is a test below)
    assert live.raw_schema == DOCUMENT
    found = {result.ok().definition.raw["operationId"] for result in live.get_all_operations()}
    assert found >= set(OPERATIONS)


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
@pytest.mark.django_db
def test_every_operation_conforms_to_the_schema(
    case: Any, scene: Scene, examples: Counter[str]
) -> None:
    scene.aim(case)
    case.call_and_validate(headers=scene.headers, excluded_checks=[positive_data_acceptance])
    examples[case.operation.label] += 1
