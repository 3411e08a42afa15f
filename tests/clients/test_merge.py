"""Merging a duplicate into the person kept: every row moves, every audit event stays."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from casemgmt import audit
from casemgmt.models import AuditEvent, User
from clients import permissions
from clients.models import (
    Address,
    Alert,
    CaseNote,
    ChronologyEntry,
    GroupMembership,
    Involvement,
    Person,
    PersonDisability,
    PersonIdentifier,
    PersonMerge,
    PersonName,
    Relationship,
    RelationshipType,
)
from clients.search import merged_person_ids
from clients.services.merge import person_merge
from tests.factories import (
    AddressFactory,
    AlertFactory,
    CaseNoteFactory,
    ChronologyEntryFactory,
    GroupFactory,
    GroupMembershipFactory,
    InvolvementFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Same child: same date of birth and school; confirmed with the school office."


@pytest.fixture
def manager(users: dict[str, User]) -> User:
    return users["team_manager"]


@pytest.fixture
def manager_client(client_for: Callable[[str], Client]) -> Client:
    return client_for("team_manager")


@pytest.fixture
def duplicate(person: Person) -> Person:
    """A second record of Jayden, made at another front door."""
    return PersonFactory(
        first_name="Jaden",
        last_name="Whitmore",
        date_of_birth=person.date_of_birth,
        sex="M",
        nhs_number="9434765919",
        phone="0113 496 0000",
    )


def pair(
    person: Person, other: Person, code: str, reciprocal: str
) -> tuple[Relationship, Relationship]:
    forward = Relationship.objects.create(
        person=person, other=other, type=RelationshipType.objects.get(code=code)
    )
    back = Relationship.objects.create(
        person=other,
        other=person,
        type=RelationshipType.objects.get(code=reciprocal),
        reciprocal=forward,
    )
    forward.reciprocal = back
    forward.save(update_fields=["reciprocal"])
    return forward, back


@pytest.fixture
def history(person: Person, duplicate: Person, manager: User) -> dict[str, object]:
    """Everything a duplicate record gathers in a few months."""
    household = GroupFactory()
    GroupMembershipFactory(group=household, person=person, start_date=datetime.date(2024, 5, 1))
    GroupMembershipFactory(group=household, person=duplicate, start_date=datetime.date(2023, 1, 1))
    mother = PersonFactory(first_name="Kerry", last_name="Whitmore", sex="F")
    rows = {
        "notes": [CaseNoteFactory(person=duplicate), CaseNoteFactory(person=duplicate)],
        "chronology": ChronologyEntryFactory(person=duplicate),
        "address": AddressFactory(person=duplicate, postcode="LS6 2QT"),
        "alert": AlertFactory(person=duplicate),
        "involvement": InvolvementFactory(person=duplicate),
        "identifier": PersonIdentifier.objects.create(
            person=duplicate, system="Legacy system", value="L-000123"
        ),
        "former_name": PersonName.objects.create(
            person=duplicate,
            kind=PersonName.Kind.FORMER,
            first_name="Jaden",
            last_name="Kowalski",
            search_name="jaden kowalski",
        ),
        "mother": mother,
        "with_mother": pair(duplicate, mother, "parent", "child"),
        "between": pair(duplicate, person, "sibling", "sibling"),
    }
    PersonDisability.objects.create(person=person, code="HEAR")
    PersonDisability.objects.create(person=duplicate, code="HEAR")
    PersonDisability.objects.create(person=duplicate, code="VIS")
    # Earlier looks at both records, and a change, already in the audit trail
    audit.record_access(actor=manager, action="view", person_id=duplicate.pk, summary="Viewed")
    audit.record_access(actor=manager, action="view", person_id=person.pk, summary="Viewed")
    audit.record_change(
        actor=manager,
        action="update",
        instance=duplicate,
        person_id=duplicate.pk,
        changes={"phone": [None, "0113 496 0000"]},
    )
    return rows


# --- the service ------------------------------------------------------------------------


def test_a_merge_moves_everything_and_keeps_every_audit_event(
    person: Person, duplicate: Person, history: dict[str, object], manager: User
) -> None:
    trail_before = list(AuditEvent.objects.order_by("id").values_list("id", "person_id", "summary"))

    # When the duplicate is merged into Jayden's record
    merge = person_merge(actor=manager, kept=person, merged=duplicate, reason=REASON)

    # Then every row it held is now his
    assert CaseNote.objects.filter(person=person).count() == 2
    assert ChronologyEntry.objects.filter(person=person).count() == 1
    assert Address.objects.filter(person=person).count() == 1
    assert Alert.objects.filter(person=person).count() == 1
    assert Involvement.objects.filter(person=person).count() == 2
    assert list(person.identifiers.values_list("system", "value")) == [
        ("Legacy system", "L-000123")
    ]
    assert sorted(person.disabilities.values_list("code", flat=True)) == ["HEAR", "VIS"]
    assert sorted(person.other_names.values_list("kind", "first_name", "last_name")) == [
        ("alias", "Jaden", "Whitmore"),
        ("former", "Jaden", "Kowalski"),
    ]
    mother = history["mother"]
    assert sorted(
        (r.person_id, r.other_id, r.type.code) for r in Relationship.objects.select_related("type")
    ) == sorted([(person.pk, mother.pk, "parent"), (mother.pk, person.pk, "child")])  # type: ignore[attr-defined]
    assert list(GroupMembership.objects.values_list("person_id", "start_date")) == [
        (person.pk, datetime.date(2023, 1, 1))
    ]
    # and nothing is left on the duplicate, which now points at him
    for model in (
        CaseNote,
        ChronologyEntry,
        Address,
        Alert,
        Involvement,
        PersonIdentifier,
        PersonName,
        PersonDisability,
    ):
        assert model.objects.filter(person=duplicate).count() == 0, model
    duplicate.refresh_from_db()
    person.refresh_from_db()
    assert duplicate.merged_into == person
    # The identifiers and details only the duplicate had are his now
    assert (person.nhs_number, duplicate.nhs_number) == ("9434765919", None)
    assert person.phone == "0113 496 0000"
    assert person.current_postcode == "LS62QT"
    # The merge is recorded with what moved, table by table
    assert (merge.kept, merge.merged, merge.merged_by) == (person, duplicate, manager)
    assert merge.reason == REASON
    assert merge.moved == {
        "clients.address": 1,
        "clients.alert": 1,
        "clients.casenote": 2,
        "clients.chronologyentry": 1,
        "clients.involvement": 1,
        "clients.persondisability": 1,
        "clients.personidentifier": 1,
        "clients.personname": 1,
        "clients.relationship": 2,
    }
    # Every audit event is still there, untouched, and the merge is audited on both people
    trail_after = list(AuditEvent.objects.order_by("id").values_list("id", "person_id", "summary"))
    assert trail_after[: len(trail_before)] == trail_before
    new = list(
        AuditEvent.objects.order_by("id")[len(trail_before) :].values(
            "kind", "action", "person_id", "object_type", "object_id", "summary", "reason"
        )
    )
    assert new == [
        {
            "kind": "change",
            "action": "merge",
            "person_id": person.pk,
            "object_type": "clients.personmerge",
            "object_id": str(merge.pk),
            "summary": f"Merged person ID {duplicate.pk} (Jaden Whitmore) into this record",
            "reason": REASON,
        },
        {
            "kind": "change",
            "action": "merge",
            "person_id": duplicate.pk,
            "object_type": "clients.personmerge",
            "object_id": str(merge.pk),
            "summary": f"Merged into person ID {person.pk} (Jayden Whitmore)",
            "reason": REASON,
        },
    ]
    changes = AuditEvent.objects.get(person_id=person.pk, action="merge").changes
    assert changes["rows_removed"] == [
        None,
        {"clients.groupmembership": 1, "clients.persondisability": 1, "clients.relationship": 2},
    ]
    assert changes["nhs_number"] == [None, "9434765919"]
    assert changes["alias_added"] == [None, "Jaden Whitmore"]
    # and the access log of the person kept can gather the duplicate's events
    assert merged_person_ids(person) == [duplicate.pk]
    assert AuditEvent.objects.filter(
        person_id__in=[person.pk, *merged_person_ids(person)]
    ).count() == len(trail_after)


def test_the_duplicate_still_opens_and_points_at_the_person_kept(
    person: Person, duplicate: Person, manager: User
) -> None:
    person_merge(actor=manager, kept=person, merged=duplicate, reason=REASON)

    found = permissions.access_person(manager, duplicate.pk, include_merged=True)

    assert found.merged_into_id == person.pk
    with pytest.raises(Http404):
        permissions.access_person(manager, duplicate.pk)


def test_records_merged_into_the_duplicate_follow_it(
    person: Person, duplicate: Person, manager: User
) -> None:
    older = PersonFactory(first_name="J", last_name="Whitmore", merged_into=duplicate)

    merge = person_merge(actor=manager, kept=person, merged=duplicate, reason=REASON)

    older.refresh_from_db()
    assert older.merged_into == person
    assert merge.moved["clients.person"] == 1
    assert sorted(merged_person_ids(person)) == sorted([duplicate.pk, older.pk])


def test_the_same_name_is_not_added_as_an_alias(person: Person, manager: User) -> None:
    twin = PersonFactory(first_name="Jayden", last_name="WHITMORE")

    person_merge(actor=manager, kept=person, merged=twin, reason=REASON)

    assert person.other_names.count() == 0


def test_no_disability_gives_way_to_a_disability(person: Person, manager: User) -> None:
    other = PersonFactory()
    PersonDisability.objects.create(person=person, code="NONE")
    PersonDisability.objects.create(person=other, code="AUT")

    person_merge(actor=manager, kept=person, merged=other, reason=REASON)

    assert list(person.disabilities.values_list("code", flat=True)) == ["AUT"]


def test_different_nhs_numbers_refuse_the_merge_and_change_nothing(
    person: Person, duplicate: Person, history: dict[str, object], manager: User
) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="4010232137")
    person.refresh_from_db()
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        person_merge(actor=manager, kept=person, merged=duplicate, reason=REASON)

    assert caught.value.message_dict == {
        "nhs_number": [
            "The records have different NHS numbers (401 023 2137 and 943 476 5919). Check which "
            "is right and correct the other record before merging."
        ]
    }
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert duplicate.nhs_number == "9434765919"
    assert CaseNote.objects.filter(person=duplicate).count() == 2
    assert Relationship.objects.count() == 4
    assert PersonMerge.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why these records are the same person."),
        ("   ", "Enter why these records are the same person."),
        ("Same\x00child", "Reason contains a control character that cannot be stored."),
        ("x" * 10_000, "Reason must be 2000 characters or fewer (you entered 10000)."),
    ],
)
def test_a_merge_needs_a_reason(
    person: Person, duplicate: Person, manager: User, reason: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        person_merge(actor=manager, kept=person, merged=duplicate, reason=reason)

    assert caught.value.message_dict == {"reason": [message]}
    assert Person.objects.get(pk=duplicate.pk).merged_into is None


def test_a_person_cannot_be_merged_into_themselves(person: Person, manager: User) -> None:
    with pytest.raises(ValidationError) as caught:
        person_merge(actor=manager, kept=person, merged=person, reason=REASON)

    assert caught.value.message_dict == {
        "__all__": ["A record cannot be merged into itself. Choose another record."]
    }


def test_a_record_already_merged_cannot_be_merged_again(
    person: Person, duplicate: Person, manager: User
) -> None:
    person_merge(actor=manager, kept=person, merged=duplicate, reason=REASON)
    third = PersonFactory()

    with pytest.raises(ValidationError) as into_third:
        person_merge(actor=manager, kept=third, merged=duplicate, reason=REASON)
    with pytest.raises(ValidationError) as into_merged:
        person_merge(actor=manager, kept=duplicate, merged=third, reason=REASON)

    assert into_third.value.message_dict == {
        "__all__": [f"Person ID {duplicate.pk} has already been merged into person ID {person.pk}."]
    }
    assert into_merged.value.message_dict == {
        "__all__": [
            f"Person ID {duplicate.pk} has been merged into person ID {person.pk}: "
            "merge into that record instead."
        ]
    }


# --- the pages --------------------------------------------------------------------------


def test_choosing_lists_likely_duplicates(
    manager_client: Client, person: Person, duplicate: Person
) -> None:
    PersonFactory(first_name="Oliver", last_name="Brown", date_of_birth=person.date_of_birth)

    response = manager_client.get(reverse("clients:person-merge", args=[person.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Find the duplicate of Jayden Whitmore" in html
    compare = reverse("clients:person-merge-confirm", args=[person.pk, duplicate.pk])
    assert f'href="{compare}"' in html
    assert "Oliver Brown" not in html
    assert [m.person for m in response.context["duplicates"]] == [duplicate]
    assert AuditEvent.objects.get().summary == "Viewed record to look for its duplicates"


def test_choosing_by_search(manager_client: Client, person: Person, duplicate: Person) -> None:
    response = manager_client.get(
        reverse("clients:person-merge", args=[person.pk]), {"name": "Whitmore"}
    )

    html = response.content.decode()
    assert "This record" in html
    assert reverse("clients:person-merge-confirm", args=[person.pk, duplicate.pk]) in html
    event = AuditEvent.objects.get()
    assert (event.person_id, event.summary) == (
        person.pk,
        'Viewed record to look for its duplicates (searched for name "Whitmore": 2 found)',
    )


def test_the_two_records_side_by_side(
    manager_client: Client, person: Person, duplicate: Person, history: dict[str, object]
) -> None:
    response = manager_client.get(
        reverse("clients:person-merge-confirm", args=[person.pk, duplicate.pk])
    )

    assert response.status_code == 200
    rows = {row.label: (row.kept, row.merged) for row in response.context["rows"]}
    assert rows["Name"] == ("Jayden Whitmore", "Jaden Whitmore")
    assert rows["NHS number"] == (None, "9434765919")
    assert rows["Case notes"] == (0, 2)
    assert rows["Relationships"] == (1, 2)
    assert rows["Other names"] == ("None", "Jaden Kowalski")
    assert b"Merge records" in response.content


def test_merging_from_the_page(
    manager_client: Client, person: Person, duplicate: Person, history: dict[str, object]
) -> None:
    url = reverse("clients:person-merge-confirm", args=[person.pk, duplicate.pk])

    response = manager_client.post(url, {"reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:person-detail", args=[person.pk])
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == person.pk
    assert PersonMerge.objects.get().reason == REASON


@pytest.mark.parametrize("reason", ["", "Same\u202echild"])
def test_merging_from_the_page_needs_a_sound_reason(
    manager_client: Client, person: Person, duplicate: Person, reason: str
) -> None:
    url = reverse("clients:person-merge-confirm", args=[person.pk, duplicate.pk])

    response = manager_client.post(url, {"reason": reason})

    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b'href="#id_reason"' in response.content
    assert Person.objects.get(pk=duplicate.pk).merged_into_id is None


def test_the_page_refuses_merging_a_person_into_themselves(
    manager_client: Client, person: Person
) -> None:
    url = reverse("clients:person-merge-confirm", args=[person.pk, person.pk])

    shown = manager_client.get(url)
    posted = manager_client.post(url, {"reason": REASON})

    for response in (shown, posted):
        assert response.status_code == 200
        assert b"A record cannot be merged into itself. Choose another record." in response.content
        assert b"Merge records" not in response.content
    assert PersonMerge.objects.count() == 0


def test_the_page_refuses_a_record_already_merged(
    manager_client: Client, person: Person, duplicate: Person, manager: User
) -> None:
    person_merge(actor=manager, kept=person, merged=duplicate, reason=REASON)
    third = PersonFactory()

    response = manager_client.post(
        reverse("clients:person-merge-confirm", args=[third.pk, duplicate.pk]), {"reason": REASON}
    )

    assert response.status_code == 200
    assert (
        f"Person ID {duplicate.pk} has already been merged into person ID {person.pk}.".encode()
        in response.content
    )
    assert PersonMerge.objects.count() == 1


def test_the_page_shows_why_different_identifiers_refuse(
    manager_client: Client, person: Person, duplicate: Person
) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="4010232137")

    response = manager_client.get(
        reverse("clients:person-merge-confirm", args=[person.pk, duplicate.pk])
    )

    assert response.status_code == 200
    assert (
        b"The records have different NHS numbers (401 023 2137 and 943 476 5919)."
        in response.content
    )
    assert b"Merge records" not in response.content


def test_practitioners_cannot_merge(
    client_for: Callable[[str], Client], person: Person, duplicate: Person
) -> None:
    response = client_for("allocated_worker").post(
        reverse("clients:person-merge-confirm", args=[person.pk, duplicate.pk]), {"reason": REASON}
    )

    assert response.status_code == 404
    assert PersonMerge.objects.count() == 0
    assert AuditEvent.objects.count() == 0
