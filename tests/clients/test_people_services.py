from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import Address, Person
from clients.services.people import address_add, person_create, person_update


@pytest.mark.django_db
def test_create_a_person_with_an_address(worker: User) -> None:
    # When a worker records a new person with their home address
    person = person_create(
        actor=worker,
        first_name="Amira",
        last_name="Haddad",
        date_of_birth=datetime.date(2012, 5, 2),
        sex="F",
        nhs_number="943 476 5919",
        disabilities=["HEAR"],
        address={
            "line_1": "4 Mill Lane",
            "postcode": "ls1 4ap",
            "start_date": datetime.date(2024, 1, 1),
        },
    )

    # Then the record, its search keys and its address are saved, and both are audited
    person.refresh_from_db()
    assert (person.nhs_number, person.search_name, person.current_postcode) == (
        "9434765919",
        "amira haddad",
        "LS14AP",
    )
    assert list(person.disabilities.values_list("code", flat=True)) == ["HEAR"]
    assert Address.objects.get(person=person).postcode == "LS1 4AP"
    actions = list(
        AuditEvent.objects.filter(person_id=person.pk)
        .order_by("id")
        .values_list("action", "object_type")
    )
    assert actions == [("create", "clients.person"), ("create", "clients.address")]


@pytest.mark.django_db
def test_every_bad_field_is_reported_and_nothing_is_saved(worker: User) -> None:
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=worker,
            first_name="x" * 10_000,
            last_name="Nul\x00l",
            date_of_birth=timezone.localdate() + datetime.timedelta(days=3),
            nhs_number="9434765918",
            upn="A801200001001",
            address={
                "line_1": "1 High St",
                "postcode": "NOTAPOSTCODE",
                "start_date": datetime.date(2024, 1, 1),
            },
        )
    assert set(caught.value.message_dict) == {
        "first_name",
        "last_name",
        "date_of_birth",
        "nhs_number",
        "upn",
    }
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_address_saves_no_person(worker: User) -> None:
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=worker,
            first_name="Amira",
            last_name="Haddad",
            address={
                "line_1": "1 High St",
                "postcode": "NOTAPOSTCODE",
                "start_date": datetime.date(2024, 1, 1),
            },
        )
    assert caught.value.message_dict == {"postcode": ["Enter a real postcode, like SW1A 1AA."]}
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_an_identifier_belongs_to_one_person(worker: User, person: Person) -> None:
    person_update(actor=worker, person=person, nhs_number="9434765919")
    with pytest.raises(ValidationError, match="already belongs to another person"):
        person_create(actor=worker, first_name="Other", last_name="Person", nhs_number="9434765919")


@pytest.mark.django_db
def test_updating_names_refreshes_search_keys_and_audits_the_difference(
    worker: User, person: Person
) -> None:
    person_update(actor=worker, person=person, last_name="Whitmore-Smyth", sex="M")
    person.refresh_from_db()
    assert person.search_name == "jayden whitmoresmyth"
    event = AuditEvent.objects.get(person_id=person.pk, kind="change")
    assert event.changes == {"last_name": ["Whitmore", "Whitmore-Smyth"]}


@pytest.mark.django_db
def test_death_before_birth_is_refused(worker: User, person: Person) -> None:
    with pytest.raises(ValidationError, match="after the date of birth"):
        person_update(actor=worker, person=person, date_of_death=datetime.date(2010, 1, 1))


@pytest.mark.django_db
def test_a_new_home_address_ends_the_previous_one(worker: User, person: Person) -> None:
    first = address_add(
        actor=worker,
        person=person,
        line_1="1 Old Road",
        postcode="M1 1AE",
        start_date=datetime.date(2020, 1, 1),
    )
    address_add(
        actor=worker,
        person=person,
        line_1="2 New Road",
        postcode="M2 2BB",
        start_date=datetime.date(2025, 3, 1),
    )
    first.refresh_from_db()
    person.refresh_from_db()
    assert first.end_date == datetime.date(2025, 2, 28)
    assert person.current_postcode == "M22BB"
