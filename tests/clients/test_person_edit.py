"""Changing a person's details, adding addresses and other names: happy paths and bad input."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import Address, Person, PersonDisability, PersonName
from tests.factories import AddressFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _details(person: Person, **changes: Any) -> dict[str, Any]:
    """The edit form as the page fills it in for `person`, with `changes` typed over it."""
    data: dict[str, Any] = {
        "title": person.title,
        "first_name": person.first_name,
        "middle_names": person.middle_names,
        "last_name": person.last_name,
        "preferred_name": person.preferred_name,
        "sex": person.sex,
        "gender_identity": person.gender_identity,
        "ethnicity": person.ethnicity,
        "first_language": person.first_language,
        "religion": person.religion,
        "nhs_number": person.nhs_number or "",
        "upn": person.upn or "",
        "ni_number": person.ni_number or "",
        "phone": person.phone,
        "mobile": person.mobile,
        "email": person.email,
        "gp_practice_code": person.gp_practice_code,
        "gp_practice_name": person.gp_practice_name,
    }
    for name in ("date_of_birth", "expected_date_of_birth", "date_of_death"):
        value = getattr(person, name)
        data[f"{name}_day"] = value.day if value else ""
        data[f"{name}_month"] = value.month if value else ""
        data[f"{name}_year"] = value.year if value else ""
    data.update(changes)
    return data


def _changes(person: Person) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(person_id=person.pk, kind=AuditEvent.Kind.CHANGE).order_by("id")
    )


def _edit(client: Client, person: Person, **changes: Any) -> Any:
    return client.post(
        reverse("clients:person-edit", args=[person.pk]), _details(person, **changes)
    )


# ---------------------------------------------------------------------------
# Details
# ---------------------------------------------------------------------------


def test_edit_page_shows_the_current_details(worker_client: Client, person: Person) -> None:
    person.nhs_number = "9434765919"
    person.save()
    PersonDisability.objects.create(person=person, code="HEAR")

    response = worker_client.get(reverse("clients:person-edit", args=[person.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Jayden"' in page
    assert 'value="9434765919"' in page
    assert 'value="HEAR" checked' in page
    assert 'name="date_of_birth_year" type="text" inputmode="numeric" value="2015"' in page


def test_saving_details_writes_one_change_event_with_old_and_new_values(
    worker_client: Client, worker: User, person: Person
) -> None:
    response = _edit(
        worker_client,
        person,
        first_name="Jaiden",
        nhs_number="943 476 5919",
        interpreter_required="on",
        first_language="Polish",
        disabilities=["AUT", "LD"],
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:person-detail", args=[person.pk])
    person.refresh_from_db()
    assert person.first_name == "Jaiden"
    assert person.nhs_number == "9434765919"
    assert person.interpreter_required is True
    assert person.search_name == "jaiden whitmore"
    assert sorted(person.disabilities.values_list("code", flat=True)) == ["AUT", "LD"]
    [event] = _changes(person)
    assert event.actor_id == worker.pk
    assert event.changes == {
        "first_name": ["Jayden", "Jaiden"],
        "nhs_number": [None, "9434765919"],
        "first_language": ["", "Polish"],
        "interpreter_required": [False, True],
        "disabilities": [[], ["AUT", "LD"]],
    }


def test_saving_unchanged_details_writes_nothing(worker_client: Client, person: Person) -> None:
    response = _edit(worker_client, person)

    assert response.status_code == 302
    assert _changes(person) == []


def test_a_past_expected_date_of_birth_does_not_block_other_changes(
    worker_client: Client, person: Person
) -> None:
    # Given a child recorded before birth, whose expected date is now long past
    Person.objects.filter(pk=person.pk).update(expected_date_of_birth=datetime.date(2015, 3, 1))
    person.refresh_from_db()

    response = _edit(worker_client, person, religion="Christian")

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.religion == "Christian"
    assert person.expected_date_of_birth == datetime.date(2015, 3, 1)
    [event] = _changes(person)
    assert event.changes == {"religion": ["", "Christian"]}


def test_emoji_and_accents_in_a_name_are_kept(worker_client: Client, person: Person) -> None:
    response = _edit(worker_client, person, first_name="Zoë 🌈", last_name="O'Brien-Smith")

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Zoë 🌈"
    assert person.last_name == "O'Brien-Smith"
    assert person.search_name == "zoe obriensmith"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"nhs_number": "943 476 5918"},
            "nhs_number",
            "This is not a valid NHS number: check you have typed it correctly.",
        ),
        ({"nhs_number": "12345"}, "nhs_number", "Enter an NHS number with 10 digits"),
        ({"upn": "A12345678901X"}, "upn", "UPN"),
        ({"ni_number": "QQ12345"}, "ni_number", "Enter a National Insurance number in the right"),
        ({"first_name": "x" * 10_000}, "first_name", "First name must be 100 characters or fewer"),
        ({"first_name": ""}, "first_name", "Enter their first name."),
        ({"last_name": "Whit\x00more"}, "last_name", "Last name contains a control character"),
        ({"last_name": "Whit\u202eerom"}, "last_name", "hidden text-direction characters"),
        ({"middle_names": "Lee\nRoy"}, "middle_names", "Middle names must be on one line."),
        ({"sex": "X"}, "sex", "Choose the person's sex, or 'Not known'."),
        ({"ethnicity": "ZZZZ"}, "ethnicity", "Choose ethnicity from the list."),
        ({"email": "not an email"}, "email", "Enter an email address in the correct format"),
        ({"date_of_birth_day": ""}, "date_of_birth", "Date of birth must include a day."),
        ({"date_of_birth_month": "13"}, "date_of_birth", "Date of birth must be a real date."),
        ({"date_of_birth_year": "15"}, "date_of_birth", "Year must include 4 numbers."),
        ({"date_of_birth_day": "3\x00"}, "date_of_birth", "Date of birth must be a real date."),
        ({"date_of_birth_year": "2" * 10_000}, "date_of_birth", "Year must include 4 numbers."),
        (
            {"date_of_death_day": "1", "date_of_death_month": "1", "date_of_death_year": "2010"},
            "date_of_death",
            "Date of death must be on or after the date of birth.",
        ),
        ({"disabilities": ["NONE", "AUT"]}, "disabilities", "Choose 'No disability' or"),
        ({"disabilities": ["MADEUP"]}, "disabilities", "Choose disabilities from the list."),
    ],
)
def test_bad_details_get_a_message_on_the_field_and_nothing_is_saved(
    worker_client: Client, person: Person, changes: dict[str, Any], field: str, message: str
) -> None:
    before = Person.objects.values().get(pk=person.pk)

    response = _edit(worker_client, person, religion="Catholic", **changes)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'id="id_{field}-error"' in page
    assert message.replace("'", "&#x27;") in page
    # What else was typed is still there
    assert 'value="Catholic"' in page
    # and nothing was saved.
    assert Person.objects.values().get(pk=person.pk) == before
    assert _changes(person) == []


def test_future_date_of_birth_is_refused(worker_client: Client, person: Person) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = _edit(
        worker_client,
        person,
        date_of_birth_day=tomorrow.day,
        date_of_birth_month=tomorrow.month,
        date_of_birth_year=tomorrow.year,
    )

    assert "Date of birth must be today or in the past." in response.content.decode()
    assert _changes(person) == []


def test_every_problem_is_shown_at_once(worker_client: Client, person: Person) -> None:
    response = _edit(worker_client, person, first_name="", nhs_number="1", date_of_birth_month="14")

    page = response.content.decode()
    assert page.count('class="govuk-error-message"') == 3
    assert 'href="#id_first_name"' in page
    assert 'href="#id_nhs_number"' in page
    assert 'href="#id_date_of_birth_0"' in page


def test_an_nhs_number_belonging_to_someone_else_is_refused(
    worker_client: Client, person: Person
) -> None:
    other = PersonFactory(nhs_number="9434765919")

    response = _edit(worker_client, person, nhs_number="9434765919", religion="Sikh")

    page = response.content.decode()
    assert f"already belongs to another person (person ID {other.pk})" in page
    person.refresh_from_db()
    assert person.nhs_number is None
    assert person.religion == ""


def test_an_error_page_is_one_access_event_and_no_change(
    worker_client: Client, person: Person
) -> None:
    _edit(worker_client, person, nhs_number="1")

    events = AuditEvent.objects.filter(person_id=person.pk)
    assert [event.kind for event in events] == [AuditEvent.Kind.ACCESS]


def test_a_merged_person_cannot_be_edited(worker_client: Client, person: Person) -> None:
    duplicate = PersonFactory(merged_into=person)

    response = worker_client.get(reverse("clients:person-edit", args=[duplicate.pk]))

    assert response.status_code == 404


# ---------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------


def _address(**changes: Any) -> dict[str, Any]:
    data = {
        "kind": "home",
        "line_1": "12 Mill Lane",
        "line_2": "",
        "town": "Leeds",
        "county": "",
        "postcode": "ls62qt",
        "uprn": "",
        "start_date_day": "1",
        "start_date_month": "3",
        "start_date_year": "2025",
        "end_date_day": "",
        "end_date_month": "",
        "end_date_year": "",
    }
    data.update(changes)
    return data


def test_adding_a_home_address_ends_the_previous_one(worker_client: Client, person: Person) -> None:
    old = AddressFactory(person=person, start_date=datetime.date(2020, 1, 1))

    response = worker_client.post(
        reverse("clients:address-add", args=[person.pk]), _address(uprn="100023336956")
    )

    assert response.status_code == 302
    new = Address.objects.exclude(pk=old.pk).get(person=person)
    assert new.postcode == "LS6 2QT"
    assert new.uprn == "100023336956"
    old.refresh_from_db()
    assert old.end_date == datetime.date(2025, 2, 28)
    person.refresh_from_db()
    assert person.current_postcode == "LS62QT"
    assert [event.summary for event in _changes(person)] == [
        "Ended previous home address",
        "Added address",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postcode": "ZZ99 9ZZZ"}, "postcode", "Enter a real postcode, like SW1A 1AA."),
        ({"line_1": ""}, "line_1", "Enter the first line of the address."),
        ({"line_1": "a" * 10_000}, "line_1", "Address line 1 must be 150 characters or fewer"),
        ({"town": "Le\x00eds"}, "town", "Town or city contains a control character"),
        ({"line_2": "\u202eFlat 2"}, "line_2", "hidden text-direction characters"),
        ({"uprn": "12AB"}, "uprn", "Enter a UPRN of up to 12 digits"),
        ({"kind": "castle"}, "kind", "Choose the kind of address."),
        ({"start_date_day": ""}, "start_date", "Date they started living here must include a day."),
        (
            {"start_date_day": "", "start_date_month": "", "start_date_year": ""},
            "start_date",
            "Enter the date they started living here.",
        ),
        (
            {"end_date_day": "1", "end_date_month": "1", "end_date_year": "2024"},
            "end_date",
            "The date they left must be on or after the date they started living here.",
        ),
    ],
)
def test_bad_addresses_are_refused_whole(
    worker_client: Client, person: Person, changes: dict[str, Any], field: str, message: str
) -> None:
    response = worker_client.post(
        reverse("clients:address-add", args=[person.pk]),
        _address(county="West Yorkshire", **changes),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert message in page
    assert 'value="West Yorkshire"' in page
    assert not Address.objects.filter(person=person).exists()
    assert _changes(person) == []


# ---------------------------------------------------------------------------
# Other names
# ---------------------------------------------------------------------------


def test_adding_a_former_name(worker_client: Client, person: Person) -> None:
    response = worker_client.post(
        reverse("clients:name-add", args=[person.pk]),
        {"kind": "former", "first_name": "Jayden", "last_name": "Kowalski"},
    )

    assert response.status_code == 302
    name = PersonName.objects.get(person=person)
    assert (name.kind, name.last_name, name.search_name) == (
        "former",
        "Kowalski",
        "jayden kowalski",
    )
    [event] = _changes(person)
    assert event.changes["last_name"] == [None, "Kowalski"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "former", "last_name": ""}, "last_name", "Enter the last name."),
        ({"kind": "", "last_name": "Kowalski"}, "kind", "Choose whether this is a former name"),
        ({"kind": "nickname", "last_name": "Kowalski"}, "kind", "Choose whether this is a former"),
        ({"kind": "alias", "last_name": "K" * 10_000}, "last_name", "100 characters or fewer"),
        ({"kind": "alias", "last_name": "K\x00"}, "last_name", "control character"),
        (
            {
                "kind": "former",
                "last_name": "Kowalski",
                "start_date_day": "1",
                "start_date_month": "1",
                "start_date_year": "2020",
                "end_date_day": "1",
                "end_date_month": "1",
                "end_date_year": "2019",
            },
            "end_date",
            "Used until must be on or after used from.",
        ),
    ],
)
def test_bad_names_are_refused(
    worker_client: Client, person: Person, data: dict[str, str], field: str, message: str
) -> None:
    response = worker_client.post(
        reverse("clients:name-add", args=[person.pk]), {"first_name": "Jay", **data}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert message in page
    assert 'value="Jay"' in page
    assert not PersonName.objects.filter(person=person).exists()
