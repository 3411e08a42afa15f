"""Adding a person: likely duplicates first, then a new record with its first address."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import Address, Person

pytestmark = pytest.mark.django_db

CREATE = reverse("clients:person-create")


def new_person(**changes: str) -> dict[str, str]:
    data = {
        "first_name": "Amara",
        "middle_names": "Grace",
        "last_name": "Okafor",
        "date_of_birth_day": "9",
        "date_of_birth_month": "11",
        "date_of_birth_year": "2012",
        "sex": "F",
        "ethnicity": "BAFR",
        "first_language": "Igbo",
        "interpreter_required": "on",
        "nhs_number": "943 476 5919",
        "upn": "R933000123450",
        "ni_number": "",
        "address_line_1": "12 Mill Lane",
        "address_town": "Leeds",
        "address_postcode": "ls6 2qt",
        "address_start_date_day": "1",
        "address_start_date_month": "9",
        "address_start_date_year": "2023",
    }
    data.update(changes)
    return data


def test_the_form_is_shown(worker_client: Client) -> None:
    response = worker_client.get(CREATE)

    assert response.status_code == 200
    assert b'<h1 class="govuk-heading-l">Add a person</h1>' in response.content
    assert b'name="address_postcode"' in response.content


def test_a_new_person_is_added_with_their_address(worker_client: Client, worker: User) -> None:
    # When a worker adds someone nobody knows
    response = worker_client.post(CREATE, new_person())

    # Then the record exists, as typed, and they are taken to it
    person = Person.objects.get(last_name="Okafor")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:person-detail", args=[person.pk])
    assert (
        person.first_name,
        person.middle_names,
        person.date_of_birth,
        person.sex,
        person.ethnicity,
        person.first_language,
        person.interpreter_required,
        person.nhs_number,
        person.upn,
        person.ni_number,
        person.search_name,
        person.current_postcode,
        person.created_by,
    ) == (
        "Amara",
        "Grace",
        datetime.date(2012, 11, 9),
        "F",
        "BAFR",
        "Igbo",
        True,
        "9434765919",
        "R933000123450",
        None,
        "amara okafor",
        "LS62QT",
        worker,
    )
    address = Address.objects.get(person=person)
    assert (address.kind, address.line_1, address.town, address.postcode, address.start_date) == (
        "home",
        "12 Mill Lane",
        "Leeds",
        "LS6 2QT",
        datetime.date(2023, 9, 1),
    )
    # and the duplicate check, the record and its address are all audited
    assert list(AuditEvent.objects.order_by("id").values_list("kind", "action", "object_type")) == [
        ("access", "search", "search"),
        ("change", "create", "clients.person"),
        ("change", "create", "clients.address"),
    ]


def test_without_an_address_and_a_move_in_date_today_is_used(worker_client: Client) -> None:
    data = new_person(
        address_start_date_day="", address_start_date_month="", address_start_date_year=""
    )

    worker_client.post(CREATE, data)

    assert Address.objects.get().start_date == timezone.localdate()


def test_the_address_is_optional(worker_client: Client) -> None:
    data = new_person(address_line_1="", address_town="", address_postcode="")

    response = worker_client.post(CREATE, data)

    assert response.status_code == 302
    person = Person.objects.get(last_name="Okafor")
    assert person.addresses.count() == 0


def test_likely_duplicates_are_shown_before_anything_is_saved(
    worker_client: Client, person: Person
) -> None:
    # Given Jayden Whitmore is already known
    data = new_person(
        first_name="Jaden",
        middle_names="",
        last_name="Whitmore",
        date_of_birth_day="14",
        date_of_birth_month="3",
        date_of_birth_year="2015",
        nhs_number="",
        upn="",
    )

    # When a worker adds "Jaden Whitmore", born the same day
    response = worker_client.post(CREATE, data)

    # Then he is shown, linked to his record, and nothing is saved
    assert response.status_code == 200
    html = response.content.decode()
    assert "Is this the same person?" in html
    assert f'href="{reverse("clients:person-detail", args=[person.pk])}"' in html
    assert "Similar name, Same date of birth" in html
    assert "None of these \u2013 create a new record" in html
    assert Person.objects.count() == 1
    # with everything typed kept
    assert 'value="Jaden"' in html
    assert 'value="12 Mill Lane"' in html
    assert 'value="ls6 2qt"' in html
    # and the check is audited as one search
    assert list(AuditEvent.objects.values_list("action", "summary")) == [
        ("search", "Searched for possible duplicates of Jaden Whitmore (1 found)")
    ]

    # When the worker confirms none of these is the person
    checked_for = response.context["checked_for"]
    confirmed = worker_client.post(CREATE, {**data, "confirm": "new", "checked_for": checked_for})

    # Then the new record is made
    assert confirmed.status_code == 302
    assert Person.objects.filter(first_name="Jaden", last_name="Whitmore").count() == 1


def test_changing_the_name_after_the_check_checks_again(
    worker_client: Client, person: Person
) -> None:
    data = new_person(
        first_name="Jaden",
        last_name="Whitmore",
        date_of_birth_day="14",
        date_of_birth_month="3",
        date_of_birth_year="2015",
        nhs_number="",
        upn="",
    )
    checked_for = worker_client.post(CREATE, data).context["checked_for"]

    # When the worker changes the first name and presses "none of these"
    response = worker_client.post(
        CREATE, {**data, "first_name": "Jayden", "confirm": "new", "checked_for": checked_for}
    )

    # Then the duplicates are shown again for the new details, and nothing is saved
    assert response.status_code == 200
    assert "Is this the same person?" in response.content.decode()
    assert Person.objects.count() == 1


def test_a_forged_confirmation_does_not_skip_the_check(
    worker_client: Client, person: Person
) -> None:
    data = new_person(
        first_name="Jayden",
        last_name="Whitmore",
        date_of_birth_day="14",
        date_of_birth_month="3",
        date_of_birth_year="2015",
        nhs_number="",
        upn="",
    )

    response = worker_client.post(CREATE, {**data, "confirm": "new", "checked_for": "x"})

    assert response.status_code == 200
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        (
            {"nhs_number": "9434765918"},
            "id_nhs_number",
            "This is not a valid NHS number: check you have typed it correctly.",
        ),
        (
            {"upn": "A933000123450"},
            "id_upn",
            "This is not a valid UPN: the check letter does not match.",
        ),
        (
            {"address_postcode": "NOTAPOSTCODE"},
            "id_address_postcode",
            "Enter a real postcode, like SW1A 1AA.",
        ),
        (
            {"date_of_birth_year": str(timezone.localdate().year + 1)},
            "id_date_of_birth_0",
            "Date of birth must be today or in the past.",
        ),
        (
            {"first_name": "x" * 10_000},
            "id_first_name",
            "First name must be 100 characters or fewer (you entered 10000).",
        ),
        (
            {"last_name": "Oka\x00for"},
            "id_last_name",
            "Last name contains a control character that cannot be stored.",
        ),
        (
            {"last_name": "Oka\u202efor"},
            "id_last_name",
            "Last name contains hidden text-direction characters; please type it again.",
        ),
        ({"last_name": ""}, "id_last_name", "Enter their last name."),
        ({"date_of_birth_month": "13"}, "id_date_of_birth_0", "Date of birth must be a real date."),
        ({"address_line_1": ""}, "id_address_line_1", "Enter the first line of the address."),
        (
            {
                "expected_date_of_birth_day": "1",
                "expected_date_of_birth_month": "1",
                "expected_date_of_birth_year": str(timezone.localdate().year + 1),
            },
            "id_expected_date_of_birth_0",
            "Enter a date of birth or an expected date of birth, not both.",
        ),
        ({"sex": "Q"}, "id_sex_0", "Choose the person's sex, or 'Not known'."),
    ],
)
def test_bad_input_gets_a_message_on_its_field_and_nothing_is_saved(
    worker_client: Client, changes: dict[str, Any], field_id: str, message: str
) -> None:
    data = new_person(**changes)

    response = worker_client.post(CREATE, data)

    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "<title>Error: Add a person" in html
    assert f'<a href="#{field_id}">{message}</a>' in html
    assert Person.objects.count() == 0
    assert Address.objects.count() == 0
    assert AuditEvent.objects.filter(kind="change").count() == 0
    # What was typed elsewhere is kept
    assert 'value="Amara"' in html or "first_name" in changes
    assert 'value="12 Mill Lane"' in html or "address_line_1" in changes
    assert 'value="9"' in html


def test_an_nhs_number_already_on_a_record_is_a_duplicate(
    worker_client: Client, person: Person
) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919")

    response = worker_client.post(CREATE, new_person())

    assert response.status_code == 200
    assert "Same NHS number" in response.content.decode()
    assert Person.objects.count() == 1


def test_the_service_refuses_a_taken_nhs_number_on_the_field(
    worker_client: Client, person: Person
) -> None:
    # Given the worker confirmed past the duplicate check
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919")
    data = new_person()
    checked_for = worker_client.post(CREATE, data).context["checked_for"]

    response = worker_client.post(CREATE, {**data, "confirm": "new", "checked_for": checked_for})

    # Then the service's refusal lands on the NHS number
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<a href="#id_nhs_number">This NHS number already belongs to another person '
        f"(person ID {person.pk}). Check for a duplicate record.</a>"
    ) in html
    assert Person.objects.count() == 1


def test_finance_cannot_add_people(client_for: Any) -> None:
    response = client_for("finance_officer").post(CREATE, new_person())

    assert response.status_code == 403
    assert Person.objects.count() == 0
