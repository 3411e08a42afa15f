"""The work API: trays, a step, saving answers, completing, authorising, and hostile input."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from casemgmt.models import AuditEvent, Team, User
from clients.models import Person
from tests.factories import PersonFactory, UserFactory
from tests.workflows.tray_factories import TrayWorkflow, make_step, tray_workflow
from workflows.models import Episode, Step, StepDecision, StepLink

PLANNED = Step.Status.PLANNED
IN_PROGRESS = Step.Status.IN_PROGRESS
AWAITING = Step.Status.AWAITING_AUTHORISATION
COMPLETED = Step.Status.COMPLETED


@pytest.fixture
def flow(db: None) -> TrayWorkflow:
    return tray_workflow()


@pytest.fixture
def contact(flow: TrayWorkflow, person: Person, team_a: Team, worker: User) -> Step:
    return make_step(
        flow.contact,
        team=team_a,
        person=person,
        status=IN_PROGRESS,
        assignee=worker,
        answers={"notes": "Call from school"},
    )


@pytest.fixture
def submitted(flow: TrayWorkflow, person: Person, team_a: Team, worker: User) -> Step:
    return make_step(
        flow.assessment,
        team=team_a,
        person=person,
        status=AWAITING,
        assignee=worker,
        answers={"summary": "Seen at home with mother.", "visits": 2},
        pending_actions=[{"transition": flow.to_plan.pk, "assignee": None, "team": None}],
    )


def _json(client: Client, method: str, url: str, body: Any, **headers: str) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


def _access_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS))


# ----------------------------------------------------------------------------------------
# Trays
# ----------------------------------------------------------------------------------------


def test_my_work(worker_client: Client, contact: Step, submitted: Step, person: Person) -> None:
    response = worker_client.get("/api/v1/work/mine/")

    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"current": 1, "due_soon": 0, "overdue": 0, "awaiting": 1}
    assert (body["count"], body["page"], body["page_count"], body["page_size"]) == (1, 1, 1, 25)
    assert (body["next"], body["previous"], body["tab"], body["sort"]) == (
        None,
        None,
        "current",
        "due",
    )
    (item,) = body["results"]
    assert item == {
        "id": contact.pk,
        "version": 1,
        "status": "in_progress",
        "status_label": "In progress",
        "step_type_id": contact.step_type_id,
        "step_type_name": "Contact",
        "person_id": person.pk,
        "person_name": "Jayden Whitmore",
        "group_id": None,
        "group_name": "",
        "assignee_id": contact.assignee_id,
        "assignee_name": str(contact.assignee),
        "team_id": contact.team_id,
        "team_name": "Assessment team north",
        "received_at": contact.created_at.isoformat().replace("+00:00", "Z"),
        "started_on": contact.started_on.isoformat(),  # type: ignore[union-attr]
        "due_date": None,
        "is_overdue": False,
        "is_due_soon": False,
        "submitted_at": None,
        "submitted_by_id": None,
        "submitted_by_name": "",
        "url": f"http://testserver/api/v1/steps/{contact.pk}/",
    }
    # A tray is a list of work, not a look at a record
    assert _access_events() == []


def test_my_work_tabs_and_pages(
    worker_client: Client, flow: TrayWorkflow, team_a: Team, worker: User, submitted: Step
) -> None:
    people = PersonFactory.create_batch(2)
    for index in range(27):
        make_step(flow.contact, team=team_a, person=people[index % 2], assignee=worker)

    first = worker_client.get("/api/v1/work/mine/?sort=-received").json()
    second = worker_client.get("/api/v1/work/mine/?sort=-received&page=2").json()
    awaiting = worker_client.get("/api/v1/work/mine/?tab=awaiting").json()

    assert (first["count"], len(first["results"]), len(second["results"])) == (27, 25, 2)
    assert first["next"] == "http://testserver/api/v1/work/mine/?page=2&sort=-received"
    assert second["previous"] == "http://testserver/api/v1/work/mine/?page=1&sort=-received"
    assert [item["id"] for item in awaiting["results"]] == [submitted.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("tab=everything", "tab"),
        ("sort=id;drop", "sort"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("colour=red", "colour"),
    ],
)
def test_my_work_refuses_nonsense(worker_client: Client, query: str, field: str) -> None:
    response = worker_client.get(f"/api/v1/work/mine/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_my_work_is_403_without_casework(client_for: Callable[[str], Client]) -> None:
    response = client_for("finance_officer").get("/api/v1/work/mine/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not include casework."}


def test_the_api_is_401_when_signed_out(contact: Step) -> None:
    client = Client()
    assert client.get("/api/v1/work/mine/").status_code == 401
    response = client.get(f"/api/v1/steps/{contact.pk}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Session realm="casemgmt"'


def test_team_tray(worker_client: Client, flow: TrayWorkflow, team_a: Team, person: Person) -> None:
    incoming = make_step(flow.assessment, team=team_a, person=person)
    make_step(flow.contact, team=team_a, person=person)

    body = worker_client.get(
        f"/api/v1/work/teams/{team_a.pk}/tray/?step_type={flow.assessment.pk}"
    ).json()

    assert [item["id"] for item in body["results"]] == [incoming.pk]
    assert (body["team_id"], body["team_name"], body["step_type"]) == (
        team_a.pk,
        "Assessment team north",
        flow.assessment.pk,
    )
    assert body["counts"] == {"total": 1, "due_soon": 0, "overdue": 0}
    assert [(kind["name"], kind["total"]) for kind in body["step_types"]] == [
        ("Assessment", 1),
        ("Contact", 1),
    ]


def test_team_tray_of_another_team_is_404(
    client_for: Callable[[str], Client], team_b: Team
) -> None:
    response = client_for("allocated_worker").get(f"/api/v1/work/teams/{team_b.pk}/tray/")
    assert response.status_code == 404


def test_team_tray_refuses_a_bad_filter(worker_client: Client, team_a: Team) -> None:
    response = worker_client.get(f"/api/v1/work/teams/{team_a.pk}/tray/?due=tomorrow&step_type=x")
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["due", "step_type"]


def test_authorisations(client_for: Callable[[str], Client], submitted: Step) -> None:
    body = client_for("team_manager").get("/api/v1/work/authorisations/").json()
    assert [item["id"] for item in body["results"]] == [submitted.pk]
    assert body["results"][0]["submitted_by_name"] == str(submitted.submitted_by)


def test_authorisations_are_403_for_a_practitioner(worker_client: Client) -> None:
    assert worker_client.get("/api/v1/work/authorisations/").status_code == 403


# ----------------------------------------------------------------------------------------
# A step
# ----------------------------------------------------------------------------------------


def test_get_a_step(
    worker_client: Client, contact: Step, flow: TrayWorkflow, person: Person, worker: User
) -> None:
    response = worker_client.get(f"/api/v1/steps/{contact.pk}/")

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert (body["id"], body["version"], body["status"], body["status_label"]) == (
        contact.pk,
        1,
        "in_progress",
        "In progress",
    )
    assert body["step_type"] == {
        "id": flow.contact.pk,
        "code": "trays-contact",
        "name": "Contact",
        "requires_authorisation": False,
    }
    assert body["person"] == {"id": person.pk, "name": "Jayden Whitmore"}
    assert body["group"] is None
    assert body["answers"] == {"notes": "Call from school"}
    assert body["form"]["code"] == "trays-contact"
    assert [field["key"] for field in body["form"]["schema"]["sections"][0]["fields"]] == [
        "contact_date",
        "decision",
        "notes",
    ]
    # No decision yet, so no next action's condition holds
    assert body["next_actions"] == []
    assert body["abilities"] == {"record": True, "authorise": False, "allocate": False}
    assert body["page_url"] == f"http://testserver/work/steps/{contact.pk}/"
    # and the look is in the person's access log, once
    (event,) = _access_events()
    assert (event.person_id, event.actor, event.object_type, event.object_id) == (
        person.pk,
        worker,
        "workflows.step",
        str(contact.pk),
    )


def test_offered_next_actions_follow_the_answers(
    worker_client: Client, contact: Step, flow: TrayWorkflow
) -> None:
    Step.objects.filter(pk=contact.pk).update(answers={"decision": "assess"})
    body = worker_client.get(f"/api/v1/steps/{contact.pk}/").json()
    assert body["next_actions"] == [
        {
            "transition": flow.to_assessment.pk,
            "label": "Assessment",
            "to_step_type": {
                "id": flow.assessment.pk,
                "code": "trays-assessment",
                "name": "Assessment",
                "requires_authorisation": True,
            },
            "is_no_further_action": False,
        }
    ]


def test_a_step_out_of_reach_is_404(
    client_for: Callable[[str], Client], flow: TrayWorkflow, team_a: Team, person: Person
) -> None:
    merged = make_step(flow.contact, team=team_a, person=PersonFactory(merged_into=person))
    worker = client_for("allocated_worker")
    assert worker.get(f"/api/v1/steps/{merged.pk}/").status_code == 404
    assert worker.get("/api/v1/steps/99999999/").status_code == 404
    assert client_for("finance_officer").get(f"/api/v1/steps/{merged.pk}/").status_code == 404
    assert _access_events() == []


# ----------------------------------------------------------------------------------------
# Saving answers
# ----------------------------------------------------------------------------------------


def _answers_url(step: Step) -> str:
    return f"/api/v1/steps/{step.pk}/answers/"


def test_put_replaces_the_answers(worker_client: Client, contact: Step) -> None:
    response = _json(
        worker_client,
        "put",
        _answers_url(contact),
        {"answers": {"contact_date": "2026-03-02", "decision": "assess"}},
        **{"If-Match": '"1"'},
    )

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["answers"] == {"contact_date": "2026-03-02", "decision": "assess"}
    assert body["version"] == 2
    contact.refresh_from_db()
    assert contact.answers == {"contact_date": "2026-03-02", "decision": "assess"}
    assert AuditEvent.objects.filter(action="step_saved").count() == 1
    assert len(_access_events()) == 1


def test_patch_keeps_the_answers_not_sent(worker_client: Client, contact: Step) -> None:
    response = _json(
        worker_client,
        "patch",
        _answers_url(contact),
        {"answers": {"decision": "nfa"}, "version": 1},
    )
    assert response.status_code == 200
    assert response.json()["answers"] == {"notes": "Call from school", "decision": "nfa"}


def test_saving_needs_the_version(worker_client: Client, contact: Step) -> None:
    response = _json(worker_client, "put", _answers_url(contact), {"answers": {}})
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    contact.refresh_from_db()
    assert contact.version == 1


@pytest.mark.parametrize(
    "precondition", [{"If-Match": '"7"'}, {"If-Match": 'W/"1"'}, {"If-Match": "garbage"}, {}]
)
def test_a_stale_save_is_412_with_both_versions(
    worker_client: Client, contact: Step, precondition: dict[str, str]
) -> None:
    # Given someone saved the step since (version 2)
    Step.objects.filter(pk=contact.pk).update(version=2, answers={"notes": "Theirs"})
    body: dict[str, Any] = {"answers": {"notes": "Mine"}}
    if not precondition:
        body["version"] = 1

    response = _json(worker_client, "put", _answers_url(contact), body, **precondition)

    assert response.status_code == 412
    assert response.json() == {
        "detail": (
            "Someone else saved this step while you were working on it. Their answers are "
            "shown beside yours: nothing you typed has been lost."
        ),
        "version": 2,
        "answers": {"notes": "Theirs"},
        "your_answers": {"notes": "Mine"},
    }
    assert response["ETag"] == '"2"'
    contact.refresh_from_db()
    assert contact.answers == {"notes": "Theirs"}


def test_invalid_answers_are_400_per_question(worker_client: Client, contact: Step) -> None:
    response = _json(
        worker_client,
        "put",
        _answers_url(contact),
        {
            "answers": {"contact_date": "31/02/2026", "decision": "maybe", "colour": "red"},
            "version": 1,
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "answers": {
                "colour": ["'colour' is not a question on this form"],
                "contact_date": ["Date of contact must be a real date"],
                "decision": ["Select an option for decision"],
            }
        }
    }
    contact.refresh_from_db()
    assert (contact.version, contact.answers) == (1, {"notes": "Call from school"})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": [], "version": 1}, "answers"),
        ({"answers": "notes", "version": 1}, "answers"),
        ({"answers": {}, "version": "1"}, "version"),
        ({"answers": {}, "version": 1.5}, "version"),
        ({"answers": {}, "version": True}, "version"),
        ({"answers": {}, "version": 1, "status": "completed"}, "status"),
        ({"version": 1}, "answers"),
        ({"answers": {"notes": "a\u0000b"}, "version": 1}, "answers"),
        ({"answers": {"notes": "\ud800"}, "version": 1}, "answers"),
        ({"answers": {"notes": [[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]}, "version": 1}, "answers"),
        ({"answers": {f"q{i}": "x" for i in range(1001)}, "version": 1}, "answers"),
    ],
)
def test_hostile_bodies_are_400(
    worker_client: Client, contact: Step, body: dict[str, Any], field: str
) -> None:
    response = _json(worker_client, "put", _answers_url(contact), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    contact.refresh_from_db()
    assert contact.version == 1


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"[1, 2", "application/json", 400),
        (b"[]", "application/json", 400),
        (b"null", "application/json", 400),
        (b"NaN", "application/json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (b"answers=1", "application/x-www-form-urlencoded", 415),
        (
            b'{"answers": {"notes": "' + b"x" * 3_000_000 + b'"}, "version": 1}',
            "application/json",
            413,
        ),
    ],
)
def test_unreadable_bodies_are_4xx(
    worker_client: Client, contact: Step, raw: bytes, content_type: str, status: int
) -> None:
    response = worker_client.put(_answers_url(contact), data=raw, content_type=content_type)
    assert response.status_code == status


def test_someone_elses_step_is_403_with_the_reason(
    client_for: Callable[[str], Client], contact: Step
) -> None:
    response = _json(
        client_for("other_team_worker"), "put", _answers_url(contact), {"answers": {}, "version": 1}
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only the worker this step is allocated to")


def test_a_completed_step_is_409(worker_client: Client, contact: Step) -> None:
    Step.objects.filter(pk=contact.pk).update(status=COMPLETED)
    response = _json(worker_client, "patch", _answers_url(contact), {"answers": {}, "version": 1})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This step is completed: its answers can no longer change."
    }


# ----------------------------------------------------------------------------------------
# Completing
# ----------------------------------------------------------------------------------------


def _complete(client: Client, step: Step, body: dict[str, Any], **headers: str) -> Any:
    return _json(client, "post", f"/api/v1/steps/{step.pk}/complete/", body, **headers)


def test_complete_with_a_next_action(
    worker_client: Client, contact: Step, flow: TrayWorkflow, team_a: Team
) -> None:
    response = _complete(
        worker_client,
        contact,
        {
            "answers": {"contact_date": "2026-03-02", "decision": "assess"},
            "version": 1,
            "next_actions": [{"transition": flow.to_assessment.pk, "team": team_a.pk}],
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["version"], body["event_date"]) == ("completed", 2, "2026-03-02")
    (next_step,) = body["next_steps"]
    assert (next_step["step_type_name"], next_step["status"], next_step["team_name"]) == (
        "Assessment",
        "planned",
        "Assessment team north",
    )
    assert StepLink.objects.filter(from_step=contact, to_step_id=next_step["id"]).exists()


def test_complete_with_the_saved_answers_and_no_further_action(
    worker_client: Client, contact: Step, flow: TrayWorkflow
) -> None:
    Step.objects.filter(pk=contact.pk).update(
        answers={"contact_date": "2026-03-02", "decision": "nfa"}
    )
    response = _complete(
        worker_client,
        contact,
        {"next_actions": [{"transition": flow.no_further_action.pk}]},
        **{"If-Match": '"1"'},
    )
    assert response.status_code == 200
    episode = Episode.objects.get(pk=contact.episode_id)
    assert (episode.closed_on, episode.closure_reason) == (datetime.date(2026, 3, 2), "RC8")


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ([{"transition": 99999999}], ["That next action is not offered after this step."]),
        ([{"transition": "1"}], {"0": {"transition": ["Transition must be a whole number."]}}),
        (
            [{"transition": 1, "colour": "red"}],
            {
                "0": {
                    "colour": [
                        "This field is not recognised. Check its spelling against the API schema, "
                        "or leave it out."
                    ]
                }
            },
        ),
        ("all of them", ["Next actions must be a list."]),
    ],
)
def test_complete_refuses_bad_next_actions(
    worker_client: Client, contact: Step, actions: Any, expected: Any
) -> None:
    response = _complete(
        worker_client,
        contact,
        {
            "answers": {"contact_date": "2026-03-02", "decision": "assess"},
            "version": 1,
            "next_actions": actions,
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"]["next_actions"] == expected
    contact.refresh_from_db()
    assert (contact.status, contact.version) == (IN_PROGRESS, 1)


def test_complete_refuses_an_unknown_worker_or_team(
    worker_client: Client, contact: Step, flow: TrayWorkflow, team_a: Team
) -> None:
    response = _complete(
        worker_client,
        contact,
        {
            "answers": {"contact_date": "2026-03-02", "decision": "assess"},
            "version": 1,
            "next_actions": [
                {"transition": flow.to_assessment.pk, "assignee": 99999999, "team": 88888888}
            ],
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"]["next_actions"] == {
        "0": {
            "assignee": ["There is no active worker with the id 99999999."],
            "team": ["There is no active team with the id 88888888."],
        }
    }


def test_complete_checks_required_answers(
    worker_client: Client, contact: Step, flow: TrayWorkflow
) -> None:
    response = _complete(
        worker_client,
        contact,
        {
            "answers": {"decision": "assess"},
            "version": 1,
            "next_actions": [{"transition": flow.to_assessment.pk}],
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"]["answers"] == {"contact_date": ["Enter date of contact"]}


def test_complete_needs_a_version(worker_client: Client, contact: Step, flow: TrayWorkflow) -> None:
    response = _complete(
        worker_client, contact, {"next_actions": [{"transition": flow.to_assessment.pk}]}
    )
    assert response.status_code == 428


def test_complete_sends_work_needing_authorisation_to_a_manager(
    worker_client: Client, flow: TrayWorkflow, team_a: Team, person: Person, worker: User
) -> None:
    assessment = make_step(
        flow.assessment, team=team_a, person=person, status=IN_PROGRESS, assignee=worker
    )
    response = _complete(
        worker_client,
        assessment,
        {
            "answers": {"summary": "Seen alone.", "visits": 3},
            "version": 1,
            "next_actions": [{"transition": flow.to_plan.pk}],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["next_steps"]) == ("awaiting_authorisation", [])
    assert body["pending_actions"] == [
        {"transition": flow.to_plan.pk, "assignee": None, "team": None}
    ]


# ----------------------------------------------------------------------------------------
# Authorising
# ----------------------------------------------------------------------------------------


def _decide(client: Client, step: Step, body: dict[str, Any], **headers: str) -> Any:
    return _json(client, "post", f"/api/v1/steps/{step.pk}/authorise/", body, **headers)


def test_approve(
    client_for: Callable[[str], Client], submitted: Step, users: dict[str, User]
) -> None:
    response = _decide(client_for("team_manager"), submitted, {"decision": "approve"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "completed"
    assert [step["step_type_name"] for step in body["next_steps"]] == ["Plan"]
    (decision,) = body["decisions"]
    assert (decision["decision"], decision["decided_by"]) == (
        "approved",
        str(users["team_manager"]),
    )


def test_return_with_comments(
    client_for: Callable[[str], Client], submitted: Step, worker: User
) -> None:
    response = _decide(
        client_for("team_manager"),
        submitted,
        {"decision": "return", "comments": "Say who the child was seen with.", "version": 1},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    decision = StepDecision.objects.get(step=submitted)
    assert (decision.decision, decision.comments) == (
        "returned",
        "Say who the child was seen with.",
    )


def test_return_needs_comments(client_for: Callable[[str], Client], submitted: Step) -> None:
    response = _decide(client_for("team_manager"), submitted, {"decision": "return"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"comments": ["Say what needs to change before returning the work."]}
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "approve", "comments": 5}, "comments"),
        ({"decision": "approve", "comments": "x" * 5001}, "comments"),
        ({"decision": "approve", "urgent": True}, "urgent"),
    ],
)
def test_bad_decisions_are_400(
    client_for: Callable[[str], Client], submitted: Step, body: dict[str, Any], field: str
) -> None:
    response = _decide(client_for("team_manager"), submitted, body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    submitted.refresh_from_db()
    assert submitted.status == AWAITING


@pytest.mark.parametrize(
    ("persona", "reason"),
    [
        ("other_team_worker", "Your role does not allow you to authorise work."),
        ("allocated_worker", "You cannot authorise work you submitted yourself."),
        ("business_support", "Your role does not allow you to authorise work."),
        ("senior_manager", "Only a team manager may authorise assessment."),
    ],
)
def test_authorising_is_refused_with_the_reason(
    client_for: Callable[[str], Client], submitted: Step, persona: str, reason: str
) -> None:
    response = _decide(client_for(persona), submitted, {"decision": "approve"})
    assert response.status_code == 403
    assert response.json() == {"detail": reason}


def test_a_manager_cannot_authorise_their_own_work(
    flow: TrayWorkflow,
    team_a: Team,
    person: Person,
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    own = make_step(
        flow.assessment, team=team_a, person=person, status=AWAITING, assignee=users["team_manager"]
    )
    response = _decide(client_for("team_manager"), own, {"decision": "approve"})
    assert response.json() == {"detail": "You cannot authorise work you submitted yourself."}


def test_authorising_work_not_submitted_is_409(
    client_for: Callable[[str], Client], contact: Step
) -> None:
    response = _decide(client_for("team_manager"), contact, {"decision": "approve"})
    assert response.status_code == 409


def test_a_stale_decision_is_412(client_for: Callable[[str], Client], submitted: Step) -> None:
    response = _decide(
        client_for("team_manager"), submitted, {"decision": "approve"}, **{"If-Match": '"9"'}
    )
    assert response.status_code == 412
    submitted.refresh_from_db()
    assert submitted.status == AWAITING


def test_authorising_a_step_out_of_reach_is_404(
    client_for: Callable[[str], Client], flow: TrayWorkflow, team_a: Team, person: Person
) -> None:
    hidden = make_step(
        flow.assessment,
        team=team_a,
        person=PersonFactory(merged_into=person),
        status=AWAITING,
        assignee=UserFactory(),
    )
    assert _decide(client_for("team_manager"), hidden, {"decision": "approve"}).status_code == 404


# ----------------------------------------------------------------------------------------
# The OpenAPI schema
# ----------------------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/work/mine/", "get"): "work_mine",
    ("/api/v1/work/teams/{team_id}/tray/", "get"): "work_team_tray",
    ("/api/v1/work/authorisations/", "get"): "work_authorisations",
    ("/api/v1/steps/{step_id}/", "get"): "steps_retrieve",
    ("/api/v1/steps/{step_id}/answers/", "put"): "steps_answers_update",
    ("/api/v1/steps/{step_id}/answers/", "patch"): "steps_answers_partial_update",
    ("/api/v1/steps/{step_id}/complete/", "post"): "steps_complete",
    ("/api/v1/steps/{step_id}/authorise/", "post"): "steps_authorise",
}


def test_the_schema_describes_every_work_operation() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    found = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path.startswith(("/api/v1/work/", "/api/v1/steps/"))
    }
    assert found == OPERATIONS
    for path, method in OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["summary"]
        assert operation["description"]
        assert operation["tags"] in (["Work"], ["Steps"])
        assert "401" in operation["responses"]
    answers = schema["paths"]["/api/v1/steps/{step_id}/answers/"]["put"]["responses"]
    assert {"200", "400", "403", "404", "409", "412", "428"} <= set(answers)


@pytest.mark.django_db
def test_the_schema_command_passes_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert {path for path, _ in OPERATIONS} <= set(schema["paths"])
