"""The demo council: safe to run, complete, valid, idempotent and deterministic."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.test import RequestFactory
from django.utils import timezone
from stdnum.gb import nhs

from casemgmt.models import AuditEvent, Team, TeamMembership, User
from casemgmt.roles import Role
from clients import demo, validators
from clients.models import (
    Address,
    Alert,
    CaseNote,
    ChronologyEntry,
    Group,
    GroupMembership,
    Involvement,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
)
from clients.names import fold, name_keys
from clients.services.people import person_refresh_current_postcode

pytestmark = pytest.mark.django_db

PEOPLE = 250
MODELS = (
    Person,
    Address,
    PersonIdentifier,
    PersonName,
    Relationship,
    Group,
    GroupMembership,
    Involvement,
    Alert,
    CaseNote,
    ChronologyEntry,
    AuditEvent,
    User,
    Team,
    TeamMembership,
)


def _seed(people: int = PEOPLE, **options: object) -> str:
    out = StringIO()
    call_command("seed_demo", people=people, force=True, stdout=out, **options)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return _seed()


def test_refuses_to_run_without_debug_or_force(settings: object) -> None:
    # Given a server that is not in DEBUG (a live council's)
    settings.DEBUG = False  # type: ignore[attr-defined]

    # When someone runs seed_demo without --force, then it refuses and writes nothing
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo", people=10, stdout=StringIO())
    assert Person.objects.count() == 0
    assert not User.objects.filter(username="practitioner").exists()


def test_runs_under_debug_without_force(settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    call_command("seed_demo", people=5, stdout=StringIO())
    assert Person.objects.count() >= 5


@pytest.mark.parametrize("people", [-1, demo.MAX_PEOPLE + 1])
def test_refuses_an_impossible_number_of_people(people: int) -> None:
    with pytest.raises(CommandError, match="--people must be between"):
        _seed(people)
    assert Person.objects.count() == 0


def test_print_password_prints_only_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = StringIO()
    call_command("seed_demo", print_password=True, stdout=out)
    assert out.getvalue() == "demo-council-2026\n"

    monkeypatch.setenv("DEMO_PASSWORD", "a-different-one-42")
    out = StringIO()
    call_command("seed_demo", print_password=True, stdout=out)
    assert out.getvalue() == "a-different-one-42\n"


def test_print_logins_prints_one_line_per_login_and_writes_nothing() -> None:
    out = StringIO()
    call_command("seed_demo", print_logins=True, stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == [
        "practitioner",
        "manager",
        "senior",
        "finance",
        "support",
        "admin",
        "adults",
        "governance",
        "dpo",
    ]
    assert all(line.startswith("  ") for line in lines)
    assert " ".join(lines[0].split()) == "practitioner Practitioner Assessment team north"
    assert " ".join(lines[5].split()) == "admin System administrator -"
    assert User.objects.count() == 0


def test_every_role_has_a_demo_login_that_works(seeded: str) -> None:
    # Then each role has a memorable login that signs in with the demo password
    logins = {member.username: member for member in demo.DEMO_LOGINS}
    assert {member.role for member in logins.values()} == set(Role.values)
    for username, member in logins.items():
        user = authenticate(
            RequestFactory().post("/login/"), username=username, password="demo-council-2026"
        )
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [member.role]
    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert not admin.is_superuser  # configuration rights come from the role, not a superuser flag
    assert not User.objects.get(username="practitioner").is_staff
    # and colleagues who only hold cases cannot sign in at all.
    colleague = User.objects.get(username="tom.bradley")
    assert not colleague.has_usable_password()


def test_demo_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "training-room-password")
    _seed(5)
    assert (
        authenticate(
            RequestFactory().post("/login/"), username="manager", password="training-room-password"
        )
        is not None
    )
    assert (
        authenticate(
            RequestFactory().post("/login/"), username="manager", password="demo-council-2026"
        )
        is None
    )


def test_creates_the_organisation(seeded: str) -> None:
    areas = Team.objects.filter(kind=Team.Kind.SERVICE_AREA)
    assert sorted(areas.values_list("name", flat=True)) == [
        "Adult social care",
        "Children's services",
    ]
    children = Team.objects.get(code="childrens")
    assert {
        "MASH and front door",
        "Assessment team north",
        "Assessment team south",
        "Child protection team",
        "Looked after children team",
        "Disabled children's team",
    } <= set(children.children.values_list("name", flat=True))
    adults = Team.objects.get(code="adults")
    assert {
        "Hospital discharge team",
        "Locality team east",
        "Locality team west",
        "Occupational therapy",
        "Safeguarding adults team",
    } <= set(adults.children.values_list("name", flat=True))
    manager = TeamMembership.objects.get(user__username="manager")
    assert manager.team.code == "assessment-north"
    assert manager.is_manager
    assert "Demo council loaded" in seeded


def test_people_are_valid_and_searchable(seeded: str) -> None:
    people = list(Person.objects.all())
    assert PEOPLE <= len(people) < PEOPLE + 20  # whole households
    today = timezone.localdate()
    nhs_numbers = [p.nhs_number for p in people if p.nhs_number]
    assert len(nhs_numbers) > len(people) * 0.8
    for number in nhs_numbers:
        assert nhs.is_valid(number)
        assert "9990000000" <= number <= "9999999999"  # NHS England's test range
    upns = [p.upn for p in people if p.upn]
    assert upns
    for upn in upns:
        assert validators.normalise_upn(upn) == upn
    for person in people:
        keys = name_keys(person.first_name, person.last_name)
        assert (person.search_name, person.first_name_phonetic, person.last_name_phonetic) == keys
        validators.validate_date_of_birth(person.date_of_birth)
        if person.expected_date_of_birth:
            validators.validate_expected_date_of_birth(person.expected_date_of_birth)
        if person.date_of_death:
            assert person.date_of_birth is not None
            assert person.date_of_birth <= person.date_of_death <= today
        assert person.created_at <= timezone.now()
        if person.ni_number:
            assert validators.normalise_ni_number(person.ni_number) == person.ni_number
    for name in PersonName.objects.all():
        assert name.search_name == f"{fold(name.first_name)} {fold(name.last_name)}".strip()
    for address in Address.objects.select_related("person"):
        assert validators.normalise_postcode(address.postcode) == address.postcode
        if address.person.date_of_birth:
            assert address.start_date >= address.person.date_of_birth
    # The denormalised current postcode is what the service would compute.
    for person in people:
        before = person.current_postcode
        person_refresh_current_postcode(person)
        assert person.current_postcode == before, person
    assert sum(1 for p in people if p.current_postcode) > len(people) * 0.9
    # A realistic mix of people, not one community.
    assert Person.objects.values("ethnicity").distinct().count() >= 6


def test_families_are_linked_both_ways(seeded: str) -> None:
    relationships = Relationship.objects.select_related("type__reciprocal", "reciprocal")
    assert relationships.count() > 200
    for relationship in relationships:
        pair = relationship.reciprocal
        assert pair is not None
        assert (pair.person_id, pair.other_id) == (relationship.other_id, relationship.person_id)
        assert pair.type_id == relationship.type.reciprocal_id
        assert pair.reciprocal_id == relationship.pk
    codes = set(Relationship.objects.values_list("type__code", flat=True))
    assert {"parent", "child", "sibling", "grandparent", "grandchild"} <= codes
    households = Group.objects.filter(kind=Group.Kind.HOUSEHOLD).annotate(n=Count("memberships"))
    assert households.count() > 30
    assert all(group.n >= 1 for group in households)


def test_casework_is_realistic(seeded: str) -> None:
    practitioner = User.objects.get(username="practitioner")
    caseload = Involvement.objects.filter(
        worker=practitioner, end_date__isnull=True, role__is_allocation=True
    )
    assert 3 <= caseload.count() <= 21
    # Notes: a mix of types; drafts only from the practitioner; final notes have a time.
    notes = CaseNote.objects.all()
    assert notes.values("type").distinct().count() >= 6
    drafts = notes.filter(status=CaseNote.Status.DRAFT)
    assert drafts.exists()
    assert set(drafts.values_list("author__username", flat=True)) == {"practitioner"}
    assert not notes.filter(status=CaseNote.Status.FINAL, finalised_at__isnull=True).exists()
    assert not notes.filter(event_at__gt=timezone.now()).exists()
    assert not notes.filter(recorded_at__lt=F("event_at")).exists()
    # Every significant final note is on the chronology, once; no draft is.
    significant = notes.filter(is_significant=True, status=CaseNote.Status.FINAL)
    assert significant.exists()
    charted = set(
        ChronologyEntry.objects.filter(source_type="clients.casenote").values_list(
            "source_id", flat=True
        )
    )
    assert charted == {str(pk) for pk in significant.values_list("pk", flat=True)}
    assert not ChronologyEntry.objects.filter(event_date__gt=timezone.localdate()).exists()
    assert not ChronologyEntry.objects.filter(is_hidden=True, hidden_reason="").exists()
    # No workflows exist yet, so no entry claims to come from one.
    assert set(ChronologyEntry.objects.values_list("source", flat=True)) == {
        ChronologyEntry.Source.MANUAL,
        ChronologyEntry.Source.CASE_NOTE,
    }
    assert Alert.objects.values("type").distinct().count() >= 3
    # Each person has one audit event: who made the record (the loader).
    assert AuditEvent.objects.filter(action="create").count() == Person.objects.count()


def test_showcase_family_is_there_for_the_demo(seeded: str) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    assert jayden.date_of_birth == datetime.date(2015, 3, 14)
    allocation = Involvement.objects.get(
        person=jayden, end_date__isnull=True, role__is_allocation=True
    )
    assert allocation.worker is not None
    assert allocation.worker.username == "practitioner"
    assert allocation.team.code == "assessment-north"
    parents = {
        (rel.other.first_name, rel.label)
        for rel in Relationship.objects.filter(person=jayden, type__code="parent").select_related(
            "other", "type"
        )
    }
    assert parents == {("Kelly", "Mother"), ("Lee", "Father")}
    assert jayden.case_notes.filter(status=CaseNote.Status.FINAL).count() >= 3
    assert Person.objects.filter(first_name="Jayden", last_name="Whitmore").count() == 1


def test_running_twice_changes_nothing(seeded: str) -> None:
    before = _counts()
    practitioner_password = User.objects.get(username="practitioner").password

    output = _seed()

    assert _counts() == before
    assert User.objects.get(username="practitioner").password == practitioner_password
    assert "nothing to add" in output


def test_a_bigger_run_adds_only_the_missing_households() -> None:
    _seed(40)
    first = set(Person.objects.values_list("pk", "first_name", "last_name"))

    _seed(120)

    assert Person.objects.count() >= 120
    assert first <= set(Person.objects.values_list("pk", "first_name", "last_name"))
    duplicates = (
        PersonIdentifier.objects.values("system", "value").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert Team.objects.filter(code="assessment-north").count() == 1


def test_the_same_options_give_the_same_council() -> None:
    demo.ensure_reference_data()
    staff = demo.ensure_organisation()
    today = datetime.date(2026, 6, 1)

    def plan() -> list[tuple[object, ...]]:
        council = demo.Council(staff=staff, today=today)
        return [
            (p.first_name, p.last_name, p.date_of_birth, p.nhs_number, p.current_postcode)
            for household in demo.plan_households(council, 200)
            for p in household.people
        ]

    assert plan() == plan()


def test_nhs_numbers_and_upns_are_unique_and_valid_for_every_slot() -> None:
    numbers = [demo.nhs_number_for(slot) for slot in range(0, 90_000, 7)]
    assert len(set(numbers)) == len(numbers)
    assert all(nhs.is_valid(number) for number in numbers)
    upns = [demo.upn_for(slot, la_code="201", issued=2020) for slot in range(0, 5000, 3)]
    assert len(set(upns)) == len(upns)
    assert all(validators.normalise_upn(value) == value for value in upns)
