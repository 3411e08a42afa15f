"""The people API: happy paths with exact JSON, versions (ETag/If-Match), audit and scope."""

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
from clients.api import person_etag
from clients.models import (
    Address,
    Person,
    PersonDisability,
    PersonIdentifier,
    PersonName,
)
from tests.factories import (
    AddressFactory,
    AlertFactory,
    AlertTypeFactory,
    InvolvementFactory,
    PersonFactory,
    UserFactory,
)

UTC = datetime.UTC
WINTER_MORNING = datetime.datetime(2025, 1, 1, 9, 30, tzinfo=UTC)
WINTER_AFTERNOON = datetime.datetime(2025, 2, 11, 14, 5, 12, tzinfo=UTC)


def _url(person_id: int | None = None) -> str:
    return "/api/v1/people/" if person_id is None else f"/api/v1/people/{person_id}/"


def _post(client: Client, body: Any) -> Any:
    return client.post(_url(), data=json.dumps(body), content_type="application/json")


def _patch(client: Client, person_id: int, body: Any, **headers: str) -> Any:
    return client.patch(
        _url(person_id), data=json.dumps(body), content_type="application/json", headers=headers
    )


def _access_events(person: Person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS, person_id=person.pk))


@pytest.fixture
def full_record(users: dict[str, User], team_a: Team) -> Person:
    """A person with something in every part of the record, and rows that must not show."""
    person = PersonFactory(
        first_name="Jayden",
        last_name="Whitmore",
        preferred_name="Jay",
        date_of_birth=datetime.date(2015, 3, 14),
        sex="M",
        ethnicity="WBRI",
        first_language="English",
        nhs_number="9434765919",
        mobile="07700 900123",
        gp_practice_code="Y01234",
        gp_practice_name="Riverside Surgery",
        created_at=WINTER_MORNING,
        updated_at=WINTER_AFTERNOON,
    )
    AddressFactory(
        person=person,
        line_1="3 Mill Lane",
        town="Northtown",
        postcode="NT1 2CD",
        start_date=datetime.date(2019, 5, 1),
        end_date=datetime.date(2021, 5, 31),
    )
    AddressFactory(
        person=person,
        line_1="12 Acacia Avenue",
        town="Northtown",
        postcode="NT1 4AB",
        start_date=datetime.date(2021, 6, 1),
    )
    AddressFactory(
        person=person,
        kind=Address.Kind.CORRESPONDENCE,
        line_1="c/o Northtown Library",
        town="Northtown",
        postcode="NT1 9ZZ",
        start_date=datetime.date(2024, 1, 1),
    )
    PersonName.objects.create(
        person=person,
        kind=PersonName.Kind.BIRTH,
        first_name="Jayden",
        last_name="Smith",
        end_date=datetime.date(2017, 9, 30),
    )
    PersonIdentifier.objects.create(person=person, system="Legacy system", value="C-118822")
    PersonDisability.objects.create(person=person, code="AUT")
    AlertFactory(
        person=person,
        type=AlertTypeFactory(code="risk-to-staff", name="Risk to staff"),
        start_date=datetime.date(2025, 1, 10),
    )
    AlertFactory(  # ended: not shown
        person=person,
        type=AlertTypeFactory(code="lone-working", name="Do not visit alone"),
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 6, 1),
    )
    InvolvementFactory(  # an earlier allocation, ended: history, not the current one
        person=person,
        worker=users["other_team_worker"],
        team=team_a,
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    InvolvementFactory(
        person=person,
        worker=users["allocated_worker"],
        team=team_a,
        start_date=datetime.date(2025, 1, 1),
    )
    return person


def _address_json(address: Address) -> dict[str, Any]:
    return {
        "id": address.pk,
        "kind": address.kind,
        "line_1": address.line_1,
        "line_2": "",
        "town": address.town,
        "county": "",
        "postcode": address.postcode,
        "uprn": "",
        "is_confidential": False,
        "start_date": address.start_date.isoformat(),
        "end_date": address.end_date.isoformat() if address.end_date else None,
    }


# ----------------------------------------------------------------------------------------
# GET /api/v1/people/{id}/
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_is_the_whole_record(
    full_record: Person, users: dict[str, User], team_a: Team, worker_client: Client
) -> None:
    # Given a person with addresses, names, identifiers, alerts and an allocation
    person = full_record
    addresses = {address.line_1: address for address in person.addresses.all()}
    home = _address_json(addresses["12 Acacia Avenue"])
    alert = person.alerts.get(end_date__isnull=True)
    birth_name = person.other_names.get()
    worker = users["allocated_worker"]

    # When a worker reads it through the API
    response = worker_client.get(_url(person.pk))

    # Then they get every part of it, in ISO dates and snake_case
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "id": person.pk,
        "title": "",
        "first_name": "Jayden",
        "middle_names": "",
        "last_name": "Whitmore",
        "preferred_name": "Jay",
        "full_name": "Jayden Whitmore",
        "date_of_birth": "2015-03-14",
        "date_of_birth_is_estimated": False,
        "expected_date_of_birth": None,
        "date_of_death": None,
        "age": person.age,
        "is_deceased": False,
        "sex": "M",
        "gender_identity": "",
        "ethnicity": "WBRI",
        "first_language": "English",
        "interpreter_required": False,
        "religion": "",
        "disabilities": ["AUT"],
        "nhs_number": "9434765919",
        "upn": None,
        "ni_number": None,
        "other_identifiers": [{"system": "Legacy system", "value": "C-118822"}],
        "phone": "",
        "mobile": "07700 900123",
        "email": "",
        "gp_practice_code": "Y01234",
        "gp_practice_name": "Riverside Surgery",
        # A home address beats a newer correspondence address.
        "current_address": home,
        "addresses": [
            _address_json(addresses["c/o Northtown Library"]),
            home,
            _address_json(addresses["3 Mill Lane"]),
        ],
        "other_names": [
            {
                "id": birth_name.pk,
                "kind": "birth",
                "first_name": "Jayden",
                "last_name": "Smith",
                "start_date": None,
                "end_date": "2017-09-30",
            }
        ],
        "alerts": [
            {
                "id": alert.pk,
                "type": "risk-to-staff",
                "name": "Risk to staff",
                "severity": "warning",
                "description": "Dog at the property; visit in pairs.",
                "start_date": "2025-01-10",
                "end_date": None,
            }
        ],
        "current_allocation": {
            "role": "Allocated social worker",
            "worker_id": worker.pk,
            "worker_name": worker.get_full_name(),
            "team_id": team_a.pk,
            "team_name": "Assessment team north",
            "start_date": "2025-01-01",
        },
        "created_at": "2025-01-01T09:30:00Z",
        "updated_at": "2025-02-11T14:05:12Z",
    }
    assert response["ETag"] == person_etag(person)


@pytest.mark.django_db
def test_detail_writes_one_access_event(full_record: Person, worker: User, worker_client: Client):
    # Given a person nobody has looked at
    assert _access_events(full_record) == []

    # When a worker reads the record through the API twice
    worker_client.get(_url(full_record.pk), HTTP_USER_AGENT="Integration/1.0")
    worker_client.get(_url(full_record.pk))

    # Then each read is one access event: who, what, from where
    events = _access_events(full_record)
    assert len(events) == 2
    first = events[-1]
    assert (first.actor, first.action, first.summary) == (
        worker,
        "view",
        "Viewed person record (API)",
    )
    assert (first.path, first.user_agent) == (_url(full_record.pk), "Integration/1.0")


@pytest.mark.django_db
def test_detail_reads_in_a_fixed_number_of_queries(
    full_record: Person,
    worker_client: Client,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    # Session, user, permissions (2), person, one per part of the record (6), the
    # access event, and the suite's own check that exactly one was written.
    worker_client.get(_url(full_record.pk))  # warm the session
    for _ in range(5):
        AlertFactory(person=full_record, start_date=datetime.date(2025, 1, 10))
        AddressFactory(person=full_record, start_date=datetime.date(2010, 1, 1))
    with django_assert_max_num_queries(10):
        response = worker_client.get(_url(full_record.pk))
    assert response.status_code == 200
    assert len(response.json()["alerts"]) == 6


@pytest.mark.django_db
def test_detail_of_a_missing_person_is_404(worker_client: Client) -> None:
    response = worker_client.get(_url(987654))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such person."}
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_user_without_a_role_gets_the_same_404(person: Person) -> None:
    # Given a signed-in member of staff who has no role that lets them see people
    client = Client()
    client.force_login(UserFactory(username="no.role"))

    # When they ask for a person who exists
    response = client.get(_url(person.pk))

    # Then it is as if the person did not exist, and nothing is logged
    assert response.status_code == 404
    assert response.json() == {"detail": "No such person."}
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_merged_people_are_not_found(person: Person, worker_client: Client) -> None:
    duplicate = PersonFactory(merged_into=person)
    assert worker_client.get(_url(duplicate.pk)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "inactive_user"])
def test_signed_out_callers_get_401_with_a_challenge(
    persona: str, person: Person, client_for: Callable[[str], Client]
) -> None:
    response = client_for(persona).get(_url(person.pk))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Session realm="casemgmt"'
    assert response.json() == {"detail": "Sign in first: the API uses your staff session."}
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "delete"])
def test_methods_the_api_does_not_offer_are_405(
    method: str, person: Person, worker_client: Client
) -> None:
    response = getattr(worker_client, method)(_url(person.pk))
    assert response.status_code == 405
    assert response["Allow"] == "GET, PATCH, HEAD, OPTIONS"
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.exists()


# ----------------------------------------------------------------------------------------
# POST /api/v1/people/
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_a_person_with_an_address(worker: User, worker_client: Client) -> None:
    # Given a worker with a new referral
    body = {
        "first_name": " Amara ",
        "last_name": "Okafor",
        "date_of_birth": "2012-07-09",
        "sex": "F",
        "ethnicity": "BAFR",
        "nhs_number": "943 476 5919",
        "ni_number": None,
        "interpreter_required": True,
        "first_language": "Yoruba",
        "disabilities": ["HEAR"],
        "address": {
            "line_1": "Flat 2, 40 Station Road",
            "town": "Northtown",
            "postcode": "nt1 4ab",
            "start_date": "2024-09-01",
        },
    }

    # When they add the person through the API
    response = _post(worker_client, body)

    # Then the person is created as typed, tidied, with the address
    assert response.status_code == 201, response.content
    person = Person.objects.get()
    address = person.addresses.get()
    assert response["Location"] == f"http://testserver/api/v1/people/{person.pk}/"
    assert response["ETag"] == person_etag(person)
    data = response.json()
    assert {key: data[key] for key in body if key != "address"} == {
        "first_name": "Amara",
        "last_name": "Okafor",
        "date_of_birth": "2012-07-09",
        "sex": "F",
        "ethnicity": "BAFR",
        "nhs_number": "9434765919",
        "ni_number": None,
        "interpreter_required": True,
        "first_language": "Yoruba",
        "disabilities": ["HEAR"],
    }
    assert data["id"] == person.pk
    assert data["addresses"] == [data["current_address"]]
    assert data["current_address"] == {
        "id": address.pk,
        "kind": "home",
        "line_1": "Flat 2, 40 Station Road",
        "line_2": "",
        "town": "Northtown",
        "county": "",
        "postcode": "NT1 4AB",
        "uprn": "",
        "is_confidential": False,
        "start_date": "2024-09-01",
        "end_date": None,
    }
    assert (person.created_by, person.current_postcode) == (worker, "NT14AB")
    # and the creation is audited, and showing the new record back is one access.
    changes = AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE, person_id=person.pk)
    assert sorted(changes.values_list("object_type", flat=True)) == [
        "clients.address",
        "clients.person",
    ]
    assert len(_access_events(person)) == 1


@pytest.mark.django_db
def test_create_needs_only_names(worker_client: Client) -> None:
    response = _post(worker_client, {"first_name": "Baby", "last_name": "Okafor"})
    assert response.status_code == 201
    data = response.json()
    assert (data["sex"], data["date_of_birth"], data["current_address"], data["addresses"]) == (
        "U",
        None,
        None,
        [],
    )


@pytest.mark.django_db
def test_create_is_refused_without_the_capability(
    client_for: Callable[[str], Client],
) -> None:
    # Finance officers find people; they do not add them.
    response = _post(client_for("finance_officer"), {"first_name": "A", "last_name": "B"})
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not add people."}
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_nhs_number_is_refused_naming_the_record(
    person: Person, worker_client: Client
) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919")
    response = _post(
        worker_client, {"first_name": "A", "last_name": "B", "nhs_number": "9434765919"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "nhs_number": [
                f"This NHS number already belongs to another person (person ID {person.pk}). "
                "Check for a duplicate record."
            ]
        }
    }
    assert Person.objects.count() == 1


# ----------------------------------------------------------------------------------------
# PATCH /api/v1/people/{id}/
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_with_the_current_etag(full_record: Person, worker: User, worker_client: Client):
    # Given a worker who has read the record
    etag = worker_client.get(_url(full_record.pk))["ETag"]

    # When they change some details, sending back the ETag they were given
    response = _patch(
        worker_client,
        full_record.pk,
        {"preferred_name": "JJ", "religion": None, "disabilities": ["AUT", "COMM"]},
        if_match=etag,
    )

    # Then the change is saved, and the answer is the record with a new ETag
    assert response.status_code == 200, response.content
    full_record.refresh_from_db()
    assert full_record.preferred_name == "JJ"
    assert full_record.updated_at > WINTER_AFTERNOON
    assert response.json()["preferred_name"] == "JJ"
    assert response.json()["disabilities"] == ["AUT", "COMM"]
    assert response["ETag"] == person_etag(full_record) != etag
    # and the change event holds the old and new values.
    change = AuditEvent.objects.get(kind=AuditEvent.Kind.CHANGE, person_id=full_record.pk)
    assert (change.actor, change.changes) == (
        worker,
        {"preferred_name": ["Jay", "JJ"], "disabilities": [["AUT"], ["AUT", "COMM"]]},
    )


@pytest.mark.django_db
def test_a_stale_etag_is_412_and_nothing_is_saved(full_record: Person, worker_client: Client):
    # Given a worker who read the record before a colleague changed it
    stale = worker_client.get(_url(full_record.pk))["ETag"]
    assert _patch(worker_client, full_record.pk, {"preferred_name": "J"}).status_code == 200
    events_before = AuditEvent.objects.count()

    # When they send their own change with the ETag they read
    response = _patch(worker_client, full_record.pk, {"preferred_name": "Jayjay"}, if_match=stale)

    # Then it is refused with the reason, and the colleague's change stands
    assert response.status_code == 412
    assert response.json() == {
        "detail": "This person's details have changed since you fetched them. GET the record "
        "again, check your change still applies, and send the new ETag in If-Match."
    }
    full_record.refresh_from_db()
    assert full_record.preferred_name == "J"
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        (None, 200),
        ("*", 200),
        ('"nonsense", CURRENT', 200),
        ("W/CURRENT", 412),  # If-Match compares strongly: a weak tag never matches
        ('"0000"', 412),
        ("not an etag", 412),
    ],
)
def test_if_match_forms(
    if_match: str | None, status: int, full_record: Person, worker_client: Client
) -> None:
    headers = {}
    if if_match is not None:
        headers["if_match"] = if_match.replace("CURRENT", person_etag(full_record))
    response = _patch(worker_client, full_record.pk, {"religion": "None"}, **headers)
    assert response.status_code == status


@pytest.mark.django_db
def test_an_empty_patch_changes_nothing(full_record: Person, worker_client: Client) -> None:
    response = _patch(worker_client, full_record.pk, {})
    assert response.status_code == 200
    assert response["ETag"] == person_etag(full_record)
    full_record.refresh_from_db()
    assert full_record.updated_at == WINTER_AFTERNOON
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


@pytest.mark.django_db
def test_update_is_404_without_the_capability(
    person: Person, client_for: Callable[[str], Client]
) -> None:
    # A person page refuses a finance officer's edit with 404, and so does the API.
    response = _patch(client_for("finance_officer"), person.pk, {"preferred_name": "X"})
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.preferred_name == ""
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_update_of_a_missing_person_is_404(worker_client: Client) -> None:
    assert _patch(worker_client, 987654, {"preferred_name": "X"}).status_code == 404


# ----------------------------------------------------------------------------------------
# GET /api/v1/people/?name=...
# ----------------------------------------------------------------------------------------


def _search(client: Client, **params: Any) -> Any:
    return client.get(_url(), data=params)


@pytest.mark.django_db
def test_search_finds_a_misspelt_name(person: Person, worker: User, worker_client: Client):
    # Given Jayden Whitmore, who lives at NT1 4AB, and someone else entirely
    AddressFactory(person=person, postcode="NT1 4AB", start_date=datetime.date(2021, 6, 1))
    Person.objects.filter(pk=person.pk).update(current_postcode="NT14AB")
    PersonFactory(first_name="Oscar", last_name="Nolan")

    # When a worker searches with the name misspelt
    response = _search(worker_client, name="Jaydon Whitmor")

    # Then Jayden is found, and only Jayden
    assert response.status_code == 200
    data = response.json()
    score = data["results"][0].pop("score")
    assert isinstance(score, float)
    assert score > 0
    assert data == {
        "count": 1,
        "is_capped": False,
        "page": 1,
        "page_count": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": person.pk,
                "full_name": "Jayden Whitmore",
                "first_name": "Jayden",
                "last_name": "Whitmore",
                "preferred_name": "",
                "date_of_birth": "2015-03-14",
                "age": person.age,
                "is_deceased": False,
                "sex": "M",
                "nhs_number": None,
                "postcode": "NT1 4AB",
                "matched_name": "",
                "matched_name_kind": "",
            }
        ],
    }
    # and the search, not a view of anyone's record, is what the audit trail holds.
    event = AuditEvent.objects.get()
    assert (event.kind, event.action, event.actor, event.person_id) == (
        AuditEvent.Kind.ACCESS,
        "search",
        worker,
        None,
    )
    assert event.summary == 'Searched for name "Jaydon Whitmor" (1 found)'


@pytest.mark.django_db
def test_search_by_a_former_name_says_which_name_matched(person: Person, worker_client: Client):
    PersonName.objects.create(
        person=person,
        kind=PersonName.Kind.FORMER,
        first_name="Jayden",
        last_name="Ashcroft",
        search_name="jayden ashcroft",
    )
    result = _search(worker_client, name="Jayden Ashcroft").json()["results"][0]
    assert (result["id"], result["matched_name"], result["matched_name_kind"]) == (
        person.pk,
        "Jayden Ashcroft",
        "Former name",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"dob": "2015-03-14"},
        {"dob": "2015-03", "name": "Whitmore"},
        {"dob_year": "2015", "dob_month": "3"},
        {"dob_year": "2015", "name": "Jayden"},
        {"identifier": "943 476 5919"},
        {"postcode": "nt1 4ab"},
        {"postcode": "NT1"},
        {"name": "Whitmore", "dob": "2015-03-14", "postcode": "NT1 4AB"},
    ],
)
def test_search_by_each_criterion(
    params: dict[str, str], person: Person, worker_client: Client
) -> None:
    # Given Jayden and a namesake born on another day, living elsewhere
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919", current_postcode="NT14AB")
    PersonFactory(
        first_name="Jayden",
        last_name="Whitmore",
        date_of_birth=datetime.date(1990, 7, 1),
        current_postcode="SW1A1AA",
    )

    response = _search(worker_client, **params)

    assert response.status_code == 200, response.content
    assert [result["id"] for result in response.json()["results"]] == [person.pk]


@pytest.mark.django_db
def test_search_pages_link_to_each_other(worker_client: Client) -> None:
    # Given 25 Whitmores
    for number in range(25):
        PersonFactory(
            first_name=f"Child{'abcdefghijklmnopqrstuvwxyz'[number]}", last_name="Whitmore"
        )

    # When the worker searches for them and follows the link to the next page
    first = _search(worker_client, name="Whitmore").json()
    second = worker_client.get(first["next"]).json()

    # Then the pages hold 20 and 5, with links back and forth
    assert (first["count"], first["page_count"], len(first["results"])) == (25, 2, 20)
    assert first["next"] == "http://testserver/api/v1/people/?name=Whitmore&page=2"
    assert first["previous"] is None
    assert (second["page"], len(second["results"]), second["next"]) == (2, 5, None)
    assert second["previous"] == "http://testserver/api/v1/people/?name=Whitmore&page=1"
    ids = [result["id"] for result in first["results"] + second["results"]]
    assert len(set(ids)) == 25


@pytest.mark.django_db
def test_search_never_finds_a_merged_record(person: Person, worker_client: Client) -> None:
    PersonFactory(first_name="Jayden", last_name="Whitmore", merged_into=person)
    results = _search(worker_client, name="Jayden Whitmore").json()["results"]
    assert [result["id"] for result in results] == [person.pk]


@pytest.mark.django_db
def test_search_reads_in_a_fixed_number_of_queries(
    person: Person, worker_client: Client, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    for number in range(30):
        PersonFactory(
            first_name="Jayden", last_name=f"Whitmore{'abcdefghijklmnopqrstuvwxyz'[number % 26]}"
        )
    _search(worker_client, name="Jayden Whitmore")
    # The user (their permissions come from the cache: the request above read them); the
    # search's thresholds, current and other names and the page of people (its savepoint
    # pair counts here, inside the test's transaction); and the audit event. Not one more
    # per person found.
    with django_assert_max_num_queries(8):
        response = _search(worker_client, name="Jayden Whitmore")
    assert response.status_code == 200


@pytest.mark.django_db
def test_search_without_criteria_is_400_and_not_audited(worker_client: Client) -> None:
    response = _search(worker_client)
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "non_field_errors": [
                "Enter a name, a date of birth, an identifier or a postcode to search."
            ]
        }
    }
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_search_is_403_for_staff_who_may_not_see_people(person: Person) -> None:
    client = Client()
    client.force_login(UserFactory(username="no.role"))
    response = _search(client, name="Whitmore")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not look people up."}
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_search_is_401_when_signed_out(person: Person) -> None:
    response = _search(Client(), name="Whitmore")
    assert response.status_code == 401
    assert b"Whitmore" not in response.content


# ----------------------------------------------------------------------------------------
# The OpenAPI schema
# ----------------------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/people/", "get"): "people_search",
    ("/api/v1/people/", "post"): "people_create",
    ("/api/v1/people/{person_id}/", "get"): "people_retrieve",
    ("/api/v1/people/{person_id}/", "patch"): "people_partial_update",
}


def test_the_schema_is_valid_and_describes_every_operation() -> None:
    # When the schema is generated
    schema = SchemaGenerator().get_schema(request=None, public=True)

    # Then it is valid OpenAPI 3, and every people operation is in it, documented
    validate_schema(schema)
    found = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/api/v1/people/")
    }
    assert found == OPERATIONS
    for path, method in OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["summary"]
        assert operation["description"]
        assert operation["tags"] == ["People"]
    # (and API tokens, tokenAuth: tests/casemgmt/test_api_tokens.py)
    assert schema["components"]["securitySchemes"]["sessionAuth"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
    }


@pytest.mark.django_db
def test_the_schema_command_passes_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    people_paths = {path for path in schema["paths"] if path.startswith("/api/v1/people/")}
    assert people_paths == {"/api/v1/people/", "/api/v1/people/{person_id}/"}


@pytest.mark.django_db
def test_staff_can_read_the_schema(client_for: Callable[[str], Client]) -> None:
    response = client_for("allocated_worker").get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "casemgmt API"
