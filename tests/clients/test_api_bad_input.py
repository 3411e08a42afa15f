"""Hostile and mistaken bodies: always a 4xx naming the field and the reason, never a 500,
and nothing written (no person, no address, no audit event)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from casemgmt.models import AuditEvent
from clients.models import Address, Person
from tests.factories import PersonFactory

NAMES = {"first_name": "Amara", "last_name": "Okafor"}
ADDRESS = {"line_1": "40 Station Road", "postcode": "NT1 4AB", "start_date": "2024-09-01"}
TOMORROW = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()  # noqa: DTZ011
UNKNOWN = (
    "This field is not recognised. Check its spelling against the API schema, or leave it out."
)

# (label, body, the errors expected: {field: a piece of the first message} or, for a
# nested object, {field: {inner field: piece}}). Bodies are for create; the update test
# uses the ones that make sense without names.
CREATE_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "10,000-character name",
        {**NAMES, "first_name": "A" * 10_000},
        {"first_name": "First name must be 100 characters or fewer (you entered 10000)."},
    ),
    (
        "NUL byte",
        {**NAMES, "last_name": "Oka\u0000for"},
        {"last_name": "Last name contains a control character"},
    ),
    (
        "right-to-left override",
        {**NAMES, "first_name": "Amara\u202erofakO"},
        {"first_name": "First name contains hidden text-direction characters"},
    ),
    (
        "lone surrogate",
        {**NAMES, "last_name": "Oka\ud800for"},
        {"last_name": "Surrogate characters are not allowed"},
    ),
    ("name on two lines", {**NAMES, "last_name": "Oka\nfor"}, {"last_name": "on one line"}),
    ("blank first name", {**NAMES, "first_name": "   "}, {"first_name": "Enter a first name."}),
    ("missing last name", {"first_name": "Amara"}, {"last_name": "Enter a last name."}),
    ("null first name", {**NAMES, "first_name": None}, {"first_name": "Enter a first name."}),
    ("name as a number", {**NAMES, "first_name": 42}, {"first_name": "First name must be text."}),
    ("name as a list", {**NAMES, "last_name": ["Okafor"]}, {"last_name": "must be text."}),
    ("name as an object", {**NAMES, "last_name": {"a": 1}}, {"last_name": "must be text."}),
    (
        "NHS number with a wrong check digit",
        {**NAMES, "nhs_number": "943 476 5918"},
        {"nhs_number": "This is not a valid NHS number"},
    ),
    (
        "NHS number too short",
        {**NAMES, "nhs_number": "12345"},
        {"nhs_number": "Enter an NHS number with 10 digits"},
    ),
    (
        "NHS number 10,000 digits",
        {**NAMES, "nhs_number": "9" * 10_000},
        {"nhs_number": "Enter an NHS number with 10 digits"},
    ),
    (
        "NHS number as a number",
        {**NAMES, "nhs_number": 9434765919},
        {"nhs_number": "NHS number must be text."},
    ),
    (
        "UPN with a wrong check letter",
        {**NAMES, "upn": "C801200005001"},
        {"upn": "This is not a valid UPN"},
    ),
    ("UPN wrong shape", {**NAMES, "upn": "12345"}, {"upn": "Enter a UPN with 13 characters"}),
    (
        "NI number wrong shape",
        {**NAMES, "ni_number": "QQ12345"},
        {"ni_number": "Enter a National Insurance number in the right format"},
    ),
    (
        "date of birth in the future",
        {**NAMES, "date_of_birth": TOMORROW},
        {"date_of_birth": "Date of birth must be today or in the past."},
    ),
    (
        "date of birth as a number",
        {**NAMES, "date_of_birth": 20150314},
        {"date_of_birth": "Date of birth must be a real date written as YYYY-MM-DD"},
    ),
    (
        "date of birth the British way",
        {**NAMES, "date_of_birth": "14/03/2015"},
        {"date_of_birth": "Date of birth must be a real date written as YYYY-MM-DD"},
    ),
    (
        "30 February",
        {**NAMES, "date_of_birth": "2015-02-30"},
        {"date_of_birth": "must be a real date"},
    ),
    (
        "date and time for a date",
        {**NAMES, "date_of_birth": "2015-03-14T10:00:00Z"},
        {"date_of_birth": "must be a real date"},
    ),
    (
        "died before being born",
        {**NAMES, "date_of_birth": "2015-03-14", "date_of_death": "2014-01-01"},
        {"date_of_death": "Date of death must be after the date of birth."},
    ),
    (
        "unborn child due in three years",
        {**NAMES, "expected_date_of_birth": "2099-01-01"},
        {"expected_date_of_birth": "within the next 10 months"},
    ),
    (
        "unknown sex code",
        {**NAMES, "sex": "X"},
        {"sex": "Sex must be one of these codes: M, F, U."},
    ),
    ("sex as a list", {**NAMES, "sex": ["M"]}, {"sex": "Sex must be one of these codes"}),
    ("unknown ethnicity", {**NAMES, "ethnicity": "WHITE"}, {"ethnicity": "Ethnicity must be"}),
    (
        "yes for a boolean",
        {**NAMES, "interpreter_required": "yes"},
        {"interpreter_required": "Interpreter required must be true or false."},
    ),
    (
        "1 for a boolean",
        {**NAMES, "date_of_birth_is_estimated": 1},
        {"date_of_birth_is_estimated": "must be true or false"},
    ),
    (
        "disabilities as a string",
        {**NAMES, "disabilities": "AUT"},
        {"disabilities": "Expected a list"},
    ),
    (
        "no disability and a disability",
        {**NAMES, "disabilities": ["NONE", "AUT"]},
        {"disabilities": "'No disability' cannot be chosen with a disability."},
    ),
    (
        "email without an @",
        {**NAMES, "email": "amara.example.com"},
        {"email": "Enter an email address in the correct format"},
    ),
    ("3,000-character phone", {**NAMES, "phone": "0" * 3000}, {"phone": "40 characters or fewer"}),
    ("an unknown field", {**NAMES, "favourite_colour": "blue"}, {"favourite_colour": UNKNOWN}),
    ("a read-only field", {**NAMES, "id": 5}, {"id": UNKNOWN}),
    ("a system field", {**NAMES, "search_name": "x"}, {"search_name": UNKNOWN}),
    ("a field name with a NUL", {**NAMES, "first\u0000name": "x"}, {"first\u0000name": UNKNOWN}),
    (
        "a field name with a lone surrogate",
        {**NAMES, "x\ud800": "x"},
        {"x\\ud800": UNKNOWN},
    ),
    (
        "invalid postcode in the address",
        {**NAMES, "address": {**ADDRESS, "postcode": "ZZ99 ZZZZ"}},
        {"address": {"postcode": "Enter a real postcode, like SW1A 1AA."}},
    ),
    (
        "address without a start date",
        {**NAMES, "address": {"line_1": "40 Station Road"}},
        {"address": {"start_date": "Enter the date the person started living here."}},
    ),
    (
        "address ending before it starts",
        {**NAMES, "address": {**ADDRESS, "end_date": "2020-01-01"}},
        {"address": {"end_date": "The end date must be on or after the start date."}},
    ),
    (
        "address line with an RTL override",
        {**NAMES, "address": {**ADDRESS, "line_1": "40 Station \u202eRoad"}},
        {"address": {"line_1": "hidden text-direction characters"}},
    ),
    (
        "address with an unknown field",
        {**NAMES, "address": {**ADDRESS, "flat": "2"}},
        {"address": {"flat": UNKNOWN}},
    ),
    (
        "address as a string",
        {**NAMES, "address": "40 Station Road"},
        {"address": {"non_field_errors": "Invalid data. Expected a dictionary"}},
    ),
    (
        "unknown address kind",
        {**NAMES, "address": {**ADDRESS, "kind": "castle"}},
        {"address": {"kind": "Kind of address must be one of these codes"}},
    ),
]

# Whole bodies that are not a JSON object at all: (label, raw bytes, content type, status).
RAW_CASES: list[tuple[str, bytes, str, int]] = [
    ("malformed JSON", b'{"first_name": "Amara",', "application/json", 400),
    ("a JSON list", b'[{"first_name": "Amara"}]', "application/json", 400),
    ("a JSON string", b'"Amara Okafor"', "application/json", 400),
    ("JSON null", b"null", "application/json", 400),
    ("NaN", b'{"first_name": NaN, "last_name": "Okafor"}', "application/json", 400),
    ("bytes that are not UTF-8", b'{"first_name": "\xff\xfe"}', "application/json", 400),
    ("nested a hundred thousand deep", b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
    ("a 5,000-digit number", b'{"first_name": ' + b"9" * 5000 + b"}", "application/json", 400),
    ("a decompressing charset", b"{}", "application/json; charset=bz2_codec", 400),
    ("a form post", b"first_name=Amara&last_name=Okafor", "application/x-www-form-urlencoded", 415),
    ("plain text", b"Amara Okafor", "text/plain", 415),
    ("multipart", b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x", 415),
]


def _reasons(errors: Any) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path, first message) for every field named in an error object."""
    for field, value in errors.items():
        if isinstance(value, dict):
            for path, message in _reasons(value):
                yield (field, *path), message
        else:
            yield (field,), value[0]


@pytest.fixture
def nothing_written() -> Iterator[None]:
    """The test's request must leave no person, address or audit event behind."""
    people, addresses, events = (
        Person.objects.count(),
        Address.objects.count(),
        AuditEvent.objects.count(),
    )
    yield
    assert Person.objects.count() == people
    assert Address.objects.count() == addresses
    assert AuditEvent.objects.count() == events


def _assert_errors_name(response: Any, expected: dict[str, Any]) -> None:
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    found = dict(_reasons(errors))
    for path, piece in _reasons(
        {key: value if isinstance(value, dict) else [value] for key, value in expected.items()}
    ):
        assert path in found, f"no error for {path}: {errors}"
        assert piece in found[path], f"{path}: {found[path]!r} does not say {piece!r}"


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    # json.dumps writes a lone surrogate as an escape, which is how a client would send it.
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "expected"),
    [case[1:] for case in CREATE_CASES],
    ids=[case[0] for case in CREATE_CASES],
)
def test_create_refuses_with_the_field_and_reason(
    body: dict[str, Any], expected: dict[str, Any], worker_client: Client, nothing_written: None
) -> None:
    response = _send(worker_client, "post", "/api/v1/people/", body)
    _assert_errors_name(response, expected)


UPDATE_CASES = [
    case
    for case in CREATE_CASES
    if "address" not in case[1] and case[0] not in {"missing last name"}
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "expected"),
    [case[1:] for case in UPDATE_CASES],
    ids=[case[0] for case in UPDATE_CASES],
)
def test_update_refuses_with_the_field_and_reason(
    body: dict[str, Any],
    expected: dict[str, Any],
    worker_client: Client,
    person: Person,
    nothing_written: None,
) -> None:
    before = Person.objects.filter(pk=person.pk).values().get()
    response = _send(worker_client, "patch", f"/api/v1/people/{person.pk}/", body)
    _assert_errors_name(response, expected)
    assert Person.objects.filter(pk=person.pk).values().get() == before


@pytest.mark.django_db
def test_update_cannot_take_an_address(
    worker_client: Client, person: Person, nothing_written: None
) -> None:
    response = _send(worker_client, "patch", f"/api/v1/people/{person.pk}/", {"address": ADDRESS})
    _assert_errors_name(response, {"address": UNKNOWN})


@pytest.fixture
def someone_with_an_nhs_number(db: None) -> Person:
    return PersonFactory(nhs_number="9434765919")


@pytest.mark.django_db
def test_update_refuses_an_nhs_number_someone_else_has(
    someone_with_an_nhs_number: Person,
    worker_client: Client,
    person: Person,
    nothing_written: None,
) -> None:
    response = _send(
        worker_client, "patch", f"/api/v1/people/{person.pk}/", {"nhs_number": "943 476 5919"}
    )
    _assert_errors_name(
        response,
        {
            "nhs_number": "This NHS number already belongs to another person "
            f"(person ID {someone_with_an_nhs_number.pk})"
        },
    )


@pytest.mark.django_db
def test_every_mistake_in_the_content_is_reported_at_once(
    worker_client: Client, nothing_written: None
) -> None:
    # The person services check content, and name every field at fault in one answer.
    response = _send(
        worker_client,
        "post",
        "/api/v1/people/",
        {"first_name": "A\u202e", "last_name": "B\u0000", "nhs_number": "1", "upn": "x"},
    )
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["first_name", "last_name", "nhs_number", "upn"]


@pytest.mark.django_db
def test_every_mistake_in_the_shape_is_reported_at_once(
    worker_client: Client, nothing_written: None
) -> None:
    # Types, lengths, codes and unknown fields are checked first, all together.
    response = _send(
        worker_client,
        "post",
        "/api/v1/people/",
        {"first_name": "A" * 101, "last_name": 7, "sex": "Q", "shoe_size": 9, "address": []},
    )
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == [
        "address",
        "first_name",
        "last_name",
        "sex",
        "shoe_size",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "patch"])
@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [case[1:] for case in RAW_CASES],
    ids=[case[0] for case in RAW_CASES],
)
def test_bodies_that_are_not_an_object_are_refused(
    method: str,
    raw: bytes,
    content_type: str,
    status: int,
    worker_client: Client,
    person: Person,
    nothing_written: None,
) -> None:
    url = "/api/v1/people/" if method == "post" else f"/api/v1/people/{person.pk}/"
    # generic() sends the bytes as they are, under whatever Content-Type is named.
    response = worker_client.generic(
        method.upper(), url, raw, content_type="application/json", CONTENT_TYPE=content_type
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["errors"]["non_field_errors"][0]
    else:
        assert response.json() == {"detail": f'Unsupported media type "{content_type}" in request.'}


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_body_over_the_size_limit_is_413(
    method: str, worker_client: Client, person: Person, nothing_written: None
) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({**NAMES, "religion": "x" * limit}).encode()
    url = "/api/v1/people/" if method == "post" else f"/api/v1/people/{person.pk}/"
    response = getattr(worker_client, method)(url, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is larger than the {limit} bytes this API accepts."
    }


@pytest.mark.django_db
def test_emoji_and_right_to_left_names_are_kept_exactly(worker_client: Client) -> None:
    # Real names in any script are welcome; only the invisible direction controls are not.
    body = {
        "first_name": "\u0646\u0648\u0631",
        "last_name": "Okafor \U0001f308",
        "preferred_name": "Zo\u00eb",
    }
    response = _send(worker_client, "post", "/api/v1/people/", body)
    assert response.status_code == 201
    person = Person.objects.get()
    assert (person.first_name, person.last_name, person.preferred_name) == (
        body["first_name"],
        body["last_name"],
        body["preferred_name"],
    )
    assert {key: response.json()[key] for key in body} == body


# (query string, the parameter named, a piece of its message)
SEARCH_CASES = [
    ("name=Whit%00more", "name", "Name contains a control character"),
    ("name=" + "a" * 10_000, "name", "Name must be 100 characters or fewer"),
    ("name=Whit%E2%80%AEmore", "name", "hidden text-direction characters"),
    ("name=Whitmore2", "name", "A name cannot contain numbers"),
    ("name=%3Cscript%3E", "name", "Name can only include letters"),
    ("dob=31/02/2015", "dob", "Date of birth must be a real date."),
    ("dob=yesterday", "dob", "Enter a date of birth like"),
    ("dob=2099-01-01", "dob", "Date of birth must be today or in the past."),
    ("dob=2015-03-14&dob_year=2015", "dob", "Give the date of birth once"),
    ("dob_month=13&name=Whitmore", "dob_month", "Month of birth must be between 1 and 12."),
    ("dob_month=3", "dob_year", "Add the year of birth"),
    ("dob_year=abc", "dob_year", "Year of birth must be a whole number."),
    ("dob_year=" + "9" * 50, "dob_year", "Year of birth must be between 1000 and 9999."),
    ("dob_year=1700", "dob_year", "Date of birth must be within the last 130 years."),
    ("identifier=943+476+5918", "identifier", "This is not a valid NHS number"),
    ("identifier=%27%3B+DROP+TABLE", "identifier", "Identifier can only include"),
    ("postcode=ZZZZ+ZZZ", "postcode", "Enter a full postcode, like SW1A 1AA"),
    ("postcode=SW1A%001AA", "postcode", "Postcode contains a control character"),
    ("surname=Whitmore", "surname", UNKNOWN),
    ("name=Whitmore&page=0", "page", "Page must be between 1 and 10000."),
    ("name=Whitmore&page=last", "page", "Page must be a whole number."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "piece"), SEARCH_CASES, ids=[case[0][:40] for case in SEARCH_CASES]
)
def test_search_refuses_with_the_parameter_and_reason(
    query: str, field: str, piece: str, worker_client: Client, person: Person, nothing_written: None
) -> None:
    response = worker_client.get(f"/api/v1/people/?{query}")
    _assert_errors_name(response, {field: piece})
