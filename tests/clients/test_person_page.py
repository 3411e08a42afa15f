"""The single-view person page: what it shows, whom it shows it to, and what it costs."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, Team, User
from clients.models import (
    CaseNote,
    ChronologyEntry,
    NoteType,
    Person,
    PersonDisability,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipType,
)
from clients.services.people import person_update
from clients.services.relationships import relationship_create, relationship_end
from tests.factories import (
    AddressFactory,
    AlertFactory,
    CaseNoteFactory,
    ChronologyEntryFactory,
    GroupFactory,
    GroupMembershipFactory,
    InvolvementFactory,
    InvolvementRoleFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _access_events(person: Person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(person_id=person.pk, kind=AuditEvent.Kind.ACCESS))


def _relate(person: Person, other: Person, code: str) -> None:
    """Both rows of a relationship, as the service would write them (without audit)."""
    kind = RelationshipType.objects.select_related("reciprocal").get(code=code)
    forward = RelationshipFactory(person=person, other=other, type=kind)
    backward = RelationshipFactory(
        person=other, other=person, type=kind.reciprocal, reciprocal=forward
    )
    forward.reciprocal = backward
    forward.save(update_fields=["reciprocal"])


def test_summary_shows_the_whole_record(worker_client: Client, person: Person) -> None:
    # Given a child with details, identifiers, an address history, a family, notes and events
    person.nhs_number = "9434765919"
    person.first_language = "Polish"
    person.interpreter_required = True
    person.gp_practice_name = "Riverside Surgery"
    person.save()
    PersonName.objects.create(
        person=person, kind="birth", first_name="Jayden", last_name="Kowalski"
    )
    PersonIdentifier.objects.create(person=person, system="Legacy CareFirst", value="CF-00912")
    PersonDisability.objects.create(person=person, code="AUT")
    AddressFactory(
        person=person,
        line_1="4 Old Road",
        postcode="LS1 4AB",
        start_date=datetime.date(2016, 1, 1),
        end_date=datetime.date(2019, 12, 31),
    )
    AddressFactory(
        person=person,
        line_1="12 Mill Lane",
        postcode="LS6 2QT",
        start_date=datetime.date(2020, 1, 1),
    )
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")
    _relate(person, mother, "parent")
    AlertFactory(person=person, description="Dog at the property; visit in pairs.")
    household = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=household, person=person, role="child")
    GroupMembershipFactory(group=household, person=mother, role="parent")
    CaseNoteFactory(person=person, subject="Home visit with mum")
    ChronologyEntryFactory(person=person, summary="Referral from school")

    # When the allocated worker opens the page
    response = worker_client.get(reverse("clients:person-detail", args=[person.pk]))

    # Then everything a worker needs is on it
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Jayden Whitmore",
        "Jayden Kowalski",
        "name at birth",
        "943 476 5919",
        "Legacy CareFirst",
        "CF-00912",
        "Autism or Asperger syndrome",
        "Needs an interpreter",
        "Riverside Surgery",
        "12 Mill Lane",
        "4 Old Road",
        "Mary Whitmore",
        "Mother",
        "Dog at the property; visit in pairs.",
        "Whitmore household",
        "Home visit with mum",
        "Referral from school",
        "Allocated social worker",
        "Assessment team north",
        'role="img"',
        "Genogram for Jayden Whitmore",
    ):
        assert text in page, text
    # and the actions the practitioner may take
    for name in ("person-edit", "address-add", "name-add", "relationship-add", "alert-add"):
        assert reverse(f"clients:{name}", args=[person.pk]) in page, name
    assert reverse("clients:note-create", args=[person.pk]) in page
    # but not those of a manager
    assert reverse("clients:involvement-add", args=[person.pk]) not in page
    assert reverse("clients:person-merge", args=[person.pk]) not in page


def test_each_view_writes_exactly_one_access_event(
    worker_client: Client, worker: User, person: Person
) -> None:
    url = reverse("clients:person-detail", args=[person.pk])

    worker_client.get(url)
    worker_client.get(url)

    events = _access_events(person)
    assert len(events) == 2
    assert {event.actor_id for event in events} == {worker.pk}
    assert {event.action for event in events} == {"view"}
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count() == 0


def test_finance_sees_the_page_without_case_notes_or_chronology(
    client_for: Callable[[str], Client], person: Person
) -> None:
    CaseNoteFactory(person=person, subject="Confidential visit notes")
    ChronologyEntryFactory(person=person, summary="Strategy discussion held")

    response = client_for("finance_officer").get(reverse("clients:person-detail", args=[person.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Confidential visit notes" not in page
    assert "Strategy discussion held" not in page
    assert reverse("clients:person-edit", args=[person.pk]) not in page
    assert len(_access_events(person)) == 1


def test_drafts_of_other_workers_are_not_listed(
    worker_client: Client, worker: User, person: Person
) -> None:
    colleague = User.objects.create_user(username="colleague", password="x")
    CaseNoteFactory(
        person=person,
        author=colleague,
        subject="Colleague's draft",
        status=CaseNote.Status.DRAFT,
        finalised_at=None,
    )
    CaseNoteFactory(
        person=person, author=worker, subject="My draft", status="draft", finalised_at=None
    )

    page = worker_client.get(reverse("clients:person-detail", args=[person.pk])).content.decode()

    assert "My draft" in page
    assert "Colleague&#x27;s draft" not in page
    assert "Colleague's draft" not in page


def test_hidden_chronology_entries_are_not_listed(worker_client: Client, person: Person) -> None:
    ChronologyEntryFactory(person=person, summary="Shown event")
    ChronologyEntryFactory(
        person=person, summary="Entered in error", is_hidden=True, hidden_reason="Wrong child"
    )

    page = worker_client.get(reverse("clients:person-detail", args=[person.pk])).content.decode()

    assert "Shown event" in page
    assert "Entered in error" not in page


def test_long_histories_are_cut_with_links_to_the_rest(
    worker_client: Client, worker: User, person: Person
) -> None:
    note_type = NoteType.objects.get(code="home-visit")
    now = timezone.now()
    CaseNote.objects.bulk_create(
        CaseNote(
            person=person,
            type=note_type,
            subject=f"Visit number {number}",
            body="Seen at home.",
            event_at=now - datetime.timedelta(days=number),
            author=worker,
            status="final",
            finalised_at=now,
        )
        for number in range(1, 16)
    )
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            person=person,
            event_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=number),
            category="Visit",
            summary=f"Event {number}",
            source="manual",
        )
        for number in range(15)
    )

    page = worker_client.get(reverse("clients:person-detail", args=[person.pk])).content.decode()

    assert "Visit number 1<" in page
    assert "Visit number 10<" in page
    assert "Visit number 11<" not in page
    assert "Show all case notes" in page
    assert "Event 14<" in page
    assert "Event 4<" not in page
    assert "Show the whole chronology" in page


def test_a_merged_record_redirects_to_the_kept_one(worker_client: Client, person: Person) -> None:
    duplicate = PersonFactory(first_name="Jaden", last_name="Whitmore", merged_into=person)

    response = worker_client.get(reverse("clients:person-detail", args=[duplicate.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:person-detail", args=[person.pk])
    # The page it leads to writes the access event; the redirect shows nothing.
    assert _access_events(duplicate) == []


def test_a_person_who_does_not_exist_is_404(worker_client: Client) -> None:
    response = worker_client.get(reverse("clients:person-detail", args=[987654321]))

    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0


def test_page_for_a_person_with_a_long_history_stays_within_its_query_budget(
    worker_client: Client,
    worker: User,
    person: Person,
    team_a: Team,
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    # Given the heaviest kind of record: 3,000 notes, 20 relationships (with relatives of
    # their own), 10 addresses, 10 involvements, alerts, groups and a long chronology
    note_type = NoteType.objects.get(code="home-visit")
    now = timezone.now()
    CaseNote.objects.bulk_create(
        CaseNote(
            person=person,
            type=note_type,
            subject=f"Note {number}",
            body="A long visit record. " * 50,
            event_at=now - datetime.timedelta(hours=number),
            author=worker,
            status="final",
            finalised_at=now,
        )
        for number in range(3000)
    )
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            person=person,
            event_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=number),
            category="Visit",
            summary=f"Event {number}",
            source="manual",
        )
        for number in range(500)
    )
    codes = ["parent", "parent", "sibling", "sibling", "sibling", "child", "partner"]
    codes += ["grandparent", "aunt-uncle", "carer", "friend", "neighbour", "step-parent"]
    codes += ["half-sibling", "foster-carer", "household-member", "niece-nephew"]
    codes += ["grandchild", "former-partner", "cared-for"]
    relatives = []
    for code in codes:
        relative = PersonFactory()
        _relate(person, relative, code)
        relatives.append(relative)
    for relative in relatives[:4]:
        _relate(relative, PersonFactory(), "parent")
    for number in range(10):
        AddressFactory(
            person=person,
            start_date=datetime.date(2010 + number, 1, 1),
            end_date=datetime.date(2010 + number, 12, 31) if number < 9 else None,
        )
    role = InvolvementRoleFactory(code="key-worker", name="Key worker")
    for number in range(9):
        InvolvementFactory(
            person=person,
            worker=worker,
            team=team_a,
            role=role,
            start_date=datetime.date(2015 + number, 1, 1),
            end_date=datetime.date(2015 + number, 6, 1),
        )
    for _ in range(3):
        AlertFactory(person=person)
    for number in range(3):
        group = GroupFactory()
        GroupMembershipFactory(group=group, person=person)
        for relative in relatives[number * 3 : number * 3 + 3]:
            GroupMembershipFactory(group=group, person=relative)
    PersonName.objects.create(person=person, kind="former", first_name="J", last_name="Smith")
    PersonIdentifier.objects.create(person=person, system="Legacy", value="L-1")
    PersonDisability.objects.create(person=person, code="LD")
    url = reverse("clients:person-detail", args=[person.pk])

    # When the page is opened, Then it takes at most 8 queries, everything included: the
    # user, their permissions (two, read once and then cached), the person, the whole
    # summary, the sections other apps add (open work, documents), and the audit insert
    # (plus the one with which this suite checks that insert)
    with django_assert_max_num_queries(8 + 1):  # type: ignore[operator]
        response = worker_client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Note 0<" in page
    assert "Note 10<" not in page
    assert len(_access_events(person)) == 1

    # And opened again, with the permissions cached, at most 6
    with django_assert_max_num_queries(6 + 1):  # type: ignore[operator]
        again = worker_client.get(url)
    assert "Note 0<" in again.content.decode()
    assert len(_access_events(person)) == 2


def test_the_banner_and_alerts_sit_in_a_labelled_region(
    worker_client: Client, person: Person
) -> None:
    AlertFactory(person=person, description="Dog at the property")

    page = worker_client.get(reverse("clients:person-detail", args=[person.pk])).content.decode()

    start = page.index('<section aria-label="Person">')
    end = page.index("</section>", start)
    region = page[start:end]
    assert 'id="person-banner"' in region
    assert 'aria-label="Alerts and warnings"' in region
    assert "Dog at the property" in region
    # The skip link still goes to the main content, after the banner.
    assert '<a href="#main-content" class="govuk-skip-link"' in page
    assert end < page.index('id="main-content"')


def test_every_table_on_the_page_scrolls_inside_its_own_labelled_box(
    client_for: Callable[[str], Client], person: Person, users: dict[str, User]
) -> None:
    # Given a record with every kind of table the summary shows
    _relate(person, PersonFactory(first_name="Mary", sex="F"), "parent")
    InvolvementFactory(
        person=person,
        worker=users["other_team_worker"],
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    AddressFactory(
        person=person, start_date=datetime.date(2016, 1, 1), end_date=datetime.date(2019, 1, 1)
    )
    AddressFactory(person=person, start_date=datetime.date(2019, 1, 2))
    CaseNoteFactory(person=person)
    ChronologyEntryFactory(person=person)

    page = (
        client_for("team_manager")
        .get(reverse("clients:person-detail", args=[person.pk]))
        .content.decode()
    )

    # Then each table is in a focusable region that scrolls sideways on a phone
    tables = page.count("<table")
    wrapped = re.findall(
        r'<div class="app-table-scroll[^"]*" role="region" aria-label="([^"]+)" tabindex="0">'
        r'\s*<table class="govuk-table govuk-table--small-text-until-tablet',
        page,
    )
    assert tables == 6
    assert wrapped == [
        "Workers and teams involved now",
        "Past involvement",
        "Recent case notes",
        "Latest chronology entries",
        "People related to Jayden Whitmore",
        "Previous and planned addresses",
    ]


def test_parental_responsibility_is_a_tag_under_the_relationship(
    worker_client: Client, person: Person
) -> None:
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")
    kind = RelationshipType.objects.get(code="parent")
    RelationshipFactory(person=person, other=mother, type=kind, is_parental_responsibility=True)

    for url in ("clients:person-detail", "clients:relationships"):
        page = worker_client.get(reverse(url, args=[person.pk])).content.decode()

        assert (
            '<br><strong class="govuk-tag govuk-tag--purple app-tag-below">'
            "Parental responsibility</strong>"
        ) in page


def test_nhs_numbers_are_written_3_3_4_on_every_page(
    worker_client: Client, client_for: Callable[[str], Client], person: Person
) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919")
    twin = PersonFactory(
        first_name="Jayden",
        last_name="Whitmore",
        date_of_birth=person.date_of_birth,
        sex="M",
        nhs_number="4010232137",
    )
    note = CaseNoteFactory(person=person)
    manager = client_for("team_manager")
    shown = '<span class="app-nowrap">943 476 5919</span>'

    pages = {
        "summary": worker_client.get(reverse("clients:person-detail", args=[person.pk])),
        "note": worker_client.get(reverse("clients:note-detail", args=[person.pk, note.pk])),
        "search": worker_client.get(reverse("clients:search"), {"name": "Jayden Whitmore"}),
        "merge": manager.get(reverse("clients:person-merge", args=[twin.pk])),
        "compare": manager.get(reverse("clients:person-merge-confirm", args=[twin.pk, person.pk])),
    }

    for name, response in pages.items():
        page = response.content.decode()
        assert shown in page, name
        assert "9434765919" not in page, name
    # The banner and the identifiers card both show it on the summary.
    assert pages["summary"].content.decode().count(shown) == 2
    assert '<span class="app-nowrap">401 023 2137</span>' in pages["compare"].content.decode()


# ---------------------------------------------------------------------------
# The relationships section is cached under a digest of what it shows
# ---------------------------------------------------------------------------


def _relationships_card(page: str) -> str:
    start = page.index('id="relationships"')
    return page[start : page.index('id="details"', start)]


@pytest.fixture
def family(person: Person) -> dict[str, Person]:
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")
    sister = PersonFactory(first_name="Skye", last_name="Whitmore", sex="F")
    grandmother = PersonFactory(first_name="Ada", last_name="Greene", sex="F")
    _relate(person, mother, "parent")
    _relate(person, sister, "sibling")
    _relate(mother, grandmother, "parent")
    return {"mother": mother, "sister": sister, "grandmother": grandmother}


def test_the_relationships_section_is_drawn_once_and_then_served_from_the_cache(
    worker_client: Client,
    person: Person,
    family: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from clients.views import person as person_views

    url = reverse("clients:person-detail", args=[person.pk])
    first = _relationships_card(worker_client.get(url).content.decode())
    drawn: list[int] = []
    monkeypatch.setattr(
        person_views, "genogram_for", lambda *args, **kwargs: drawn.append(1) or None
    )

    second = _relationships_card(worker_client.get(url).content.decode())

    assert drawn == []
    assert second == first
    assert "Ada Greene" in first  # the grandmother comes from the mother's own rows


def test_renaming_a_relative_shows_the_new_name_at_once(
    worker_client: Client, worker: User, person: Person, family: dict[str, Person]
) -> None:
    url = reverse("clients:person-detail", args=[person.pk])
    assert "Ada Greene" in _relationships_card(worker_client.get(url).content.decode())

    # A grandparent is drawn from the mother's rows: renaming her must show too
    person_update(actor=worker, person=family["grandmother"], last_name="Okafor")
    person_update(actor=worker, person=family["sister"], first_name="Skylar")

    card = _relationships_card(worker_client.get(url).content.decode())
    assert "Ada Okafor" in card
    assert "Ada Greene" not in card
    assert "Skylar Whitmore" in card


def test_ending_or_adding_a_relationship_shows_at_once(
    worker_client: Client, worker: User, person: Person, family: dict[str, Person]
) -> None:
    url = reverse("clients:person-detail", args=[person.pk])
    assert "Ended" not in _relationships_card(worker_client.get(url).content.decode())

    row = Relationship.objects.get(person=person, other=family["sister"])
    relationship_end(actor=worker, relationship=row, end_date=timezone.localdate())
    relationship_create(
        actor=worker,
        person=person,
        other=PersonFactory(first_name="Tom", last_name="Carer"),
        relationship_type=RelationshipType.objects.get(code="carer"),
    )

    card = _relationships_card(worker_client.get(url).content.decode())
    assert "Ended" in card
    assert "Tom Carer" in card


def test_a_change_to_the_person_or_to_what_the_reader_may_do_is_not_served_stale(
    worker_client: Client,
    client_for: Callable[[str], Client],
    worker: User,
    person: Person,
    family: dict[str, Person],
) -> None:
    url = reverse("clients:person-detail", args=[person.pk])
    worker_card = _relationships_card(worker_client.get(url).content.decode())
    assert "End<span" in worker_card

    # Finance may not manage relationships: the same family, without the End links
    finance_card = _relationships_card(client_for("finance_officer").get(url).content.decode())
    assert "Mary Whitmore" in finance_card
    assert "End<span" not in finance_card

    person_update(actor=worker, person=person, first_name="Jay")
    card = _relationships_card(worker_client.get(url).content.decode())
    assert "People related to Jay Whitmore" in card


def test_the_section_key_changes_with_the_day(
    person: Person, family: dict[str, Person], worker: User
) -> None:
    from clients.person_summary import relationship_rows
    from clients.views.person import relationships_section_key

    rows = [{"id": row.pk} for row in relationship_rows(person, user=worker)]
    today = datetime.date(2026, 3, 13)

    key = relationships_section_key(person, rows, today=today, can_manage=True)

    assert key == relationships_section_key(person, rows, today=today, can_manage=True)
    assert key != relationships_section_key(
        person, rows, today=today + datetime.timedelta(days=1), can_manage=True
    )
    assert key != relationships_section_key(person, rows, today=today, can_manage=False)
    assert key != relationships_section_key(person, rows[1:], today=today, can_manage=True)


# ---------------------------------------------------------------------------
# The summary's one statement reads what the querysets it replaced read
# ---------------------------------------------------------------------------


def test_the_summary_lists_the_notes_notes_visible_to_gives(worker: User, person: Person) -> None:
    from clients.person_summary import person_summary
    from clients.services.notes import notes_visible_to

    colleague = UserFactory(username="colleague")
    now = timezone.now()
    for number in range(14):
        CaseNoteFactory(
            person=person,
            author=colleague if number % 3 else worker,
            subject=f"Note {number}",
            event_at=now - datetime.timedelta(hours=number),
            status="draft" if number % 4 == 0 else "final",
            finalised_at=None if number % 4 == 0 else now,
        )
    amended = CaseNote.objects.filter(person=person, status="final").first()
    assert amended is not None
    CaseNoteFactory(person=person, author=worker, amends=amended, event_at=now, finalised_at=now)

    summary = person_summary(
        user=worker,
        person=person,
        today=timezone.localdate(),
        with_notes=True,
        with_chronology=False,
    )

    expected = list(notes_visible_to(user=worker, person=person)[:11])
    assert summary.notes is not None
    assert [note.pk for note in summary.notes] == [note.pk for note in expected]
    assert [note.is_amended for note in summary.notes] == [note.is_amended for note in expected]
    assert [str(note.author) for note in summary.notes] == [str(n.author) for n in expected]
    assert [note.event_at for note in summary.notes] == [note.event_at for note in expected]
    assert summary.chronology is None


def test_the_banner_shows_the_latest_open_allocation_and_current_alerts(
    worker_client: Client, worker: User, person: Person, team_a: Team
) -> None:
    today = timezone.localdate()
    AlertFactory(person=person, description="Dog at the property")
    AlertFactory(
        person=person,
        description="Old warning",
        start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=1),
    )
    # A later involvement that is not an allocation does not take the banner
    iro = InvolvementRoleFactory(
        code="iro", name="Independent reviewing officer", is_allocation=False
    )
    InvolvementFactory(
        person=person, worker=None, team=team_a, role=iro, start_date=datetime.date(2025, 6, 1)
    )

    page = worker_client.get(reverse("clients:person-detail", args=[person.pk])).content.decode()
    start = page.index('id="person-banner"')
    banner = page[start : page.index("</section>", start)]

    assert "Dog at the property" in banner
    assert "Old warning" not in banner
    assert f"Allocated to <strong>{worker.get_full_name()}, {team_a.name}</strong>" in banner
