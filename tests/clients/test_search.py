"""Finding people: typos, sound-alikes, other names, dates of birth, identifiers, postcodes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import Person, PersonIdentifier, PersonName
from clients.names import fold
from clients.search import (
    SearchCriteria,
    format_postcode,
    likely_duplicates,
    merged_person_ids,
    search_people,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("clients:search")


def names(results: object) -> list[str]:
    return [match.person.full_name for match in results]  # type: ignore[attr-defined]


def other_name(person: Person, first: str, last: str, kind: str = "former") -> PersonName:
    return PersonName.objects.create(
        person=person,
        kind=kind,
        first_name=first,
        last_name=last,
        search_name=f"{fold(first)} {fold(last)}",
    )


@pytest.fixture
def crowd() -> list[Person]:
    """People whose names look a little like Jayden Whitmore's."""
    return [
        PersonFactory(
            first_name="Jayden", last_name="White", date_of_birth=datetime.date(2014, 1, 2)
        ),
        PersonFactory(
            first_name="Jade", last_name="Whitman", date_of_birth=datetime.date(1990, 6, 7)
        ),
        PersonFactory(
            first_name="Hayden", last_name="Whitmore", date_of_birth=datetime.date(1988, 2, 3)
        ),
        PersonFactory(
            first_name="Jaden", last_name="Whittle", date_of_birth=datetime.date(2016, 8, 9)
        ),
        PersonFactory(
            first_name="Mary", last_name="Smith", date_of_birth=datetime.date(1975, 4, 5)
        ),
    ]


# --- names ------------------------------------------------------------------------------


def test_a_misspelt_name_finds_the_person_first(
    worker: User, person: Person, crowd: list[Person]
) -> None:
    # Given Jayden Whitmore and people with names like his
    # When a worker searches with two letters missing
    results = search_people(user=worker, criteria=SearchCriteria(name="Jaydn Whitmor"))

    # Then Jayden Whitmore comes first
    assert names(results)[0] == "Jayden Whitmore"
    assert results.matches[0].person == person


def test_the_exact_name_ranks_above_sound_alikes_and_near_spellings(
    worker: User, person: Person, crowd: list[Person]
) -> None:
    results = search_people(user=worker, criteria=SearchCriteria(name="Jayden Whitmore"))

    assert names(results)[:2] == ["Jayden Whitmore", "Hayden Whitmore"]
    assert results.matches[0].score > results.matches[1].score


def test_steven_finds_stephen(worker: User) -> None:
    # Given Stephen Smith, and a Stella Smith who shares letters but not the sound
    stephen = PersonFactory(first_name="Stephen", last_name="Smith")
    PersonFactory(first_name="Stella", last_name="Smith")

    # When a worker types Steven
    results = search_people(user=worker, criteria=SearchCriteria(name="Steven Smith"))

    # Then Stephen is the best match
    assert results.matches[0].person == stephen


def test_smyth_finds_smith(worker: User) -> None:
    smith = PersonFactory(first_name="John", last_name="Smith")
    PersonFactory(first_name="John", last_name="Small")

    results = search_people(user=worker, criteria=SearchCriteria(name="John Smyth"))

    assert results.matches[0].person == smith


def test_last_name_first_with_a_comma(worker: User, person: Person) -> None:
    results = search_people(user=worker, criteria=SearchCriteria(name="Whitmore, Jayden"))

    assert names(results) == ["Jayden Whitmore"]


def test_last_name_alone(worker: User, person: Person, crowd: list[Person]) -> None:
    results = search_people(user=worker, criteria=SearchCriteria(name="whitmore"))

    assert set(names(results)[:2]) == {"Jayden Whitmore", "Hayden Whitmore"}
    assert "Mary Smith" not in names(results)


def test_accents_and_punctuation_do_not_matter(worker: User) -> None:
    zoe = PersonFactory(first_name="Zoë", last_name="O'Brien")

    results = search_people(user=worker, criteria=SearchCriteria(name="zoe obrien"))

    assert results.matches[0].person == zoe


def test_a_former_name_finds_the_person_and_says_so(worker: User, person: Person) -> None:
    # Given Jayden was born Jayden Kowalski
    other_name(person, "Jayden", "Kowalski", kind=PersonName.Kind.BIRTH)

    # When a worker searches by that name, misspelt
    results = search_people(user=worker, criteria=SearchCriteria(name="Jayden Kowalsky"))

    # Then he is found, with the name that matched
    assert results.total == 1
    match = results.matches[0]
    assert match.person == person
    assert match.matched_name == "Jayden Kowalski"
    assert match.matched_name_kind == "Name at birth"


def test_a_former_name_with_a_date_of_birth(worker: User, person: Person) -> None:
    other_name(person, "Jayden", "Kowalski")

    results = search_people(
        user=worker, criteria=SearchCriteria(name="Jayden Kowalski", date_of_birth="14/03/2015")
    )

    assert [(m.person, m.matched_name, m.matched_name_kind) for m in results] == [
        (person, "Jayden Kowalski", "Former name")
    ]


def test_merged_records_are_never_found(worker: User, person: Person) -> None:
    duplicate = PersonFactory(first_name="Jayden", last_name="Whitmore", merged_into=person)

    results = search_people(user=worker, criteria=SearchCriteria(name="Jayden Whitmore"))

    assert [m.person for m in results] == [person]
    assert duplicate not in [m.person for m in results]


def test_someone_without_the_right_to_see_people_finds_no_one(person: Person) -> None:
    nobody = User.objects.create_user("no.roles", password="x-long-password-1")

    results = search_people(user=nobody, criteria=SearchCriteria(name="Jayden Whitmore"))

    assert results.total == 0


# --- dates of birth ---------------------------------------------------------------------


@pytest.fixture
def whitmores() -> list[Person]:
    return [
        PersonFactory(
            first_name="Amy", last_name="Whitmore", date_of_birth=datetime.date(2015, 3, 1)
        ),
        PersonFactory(
            first_name="Ben", last_name="Whitmore", date_of_birth=datetime.date(2015, 7, 14)
        ),
        PersonFactory(
            first_name="Cara", last_name="Whitmore", date_of_birth=datetime.date(1984, 3, 14)
        ),
        PersonFactory(first_name="Dan", last_name="Whitmore", date_of_birth=None),
    ]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        (None, None, 2015, ["Amy Whitmore", "Ben Whitmore", "Jayden Whitmore"]),
        (None, 3, 2015, ["Amy Whitmore", "Jayden Whitmore"]),
        (14, 3, 2015, ["Jayden Whitmore"]),
        (14, 3, None, ["Cara Whitmore", "Jayden Whitmore"]),
        (14, None, 2015, ["Ben Whitmore", "Jayden Whitmore"]),
    ],
)
def test_a_partial_date_of_birth_narrows_the_search(
    worker: User,
    person: Person,
    whitmores: list[Person],
    day: int | None,
    month: int | None,
    year: int | None,
    expected: list[str],
) -> None:
    criteria = SearchCriteria(name="Whitmore", dob_day=day, dob_month=month, dob_year=year)

    results = search_people(user=worker, criteria=criteria)

    assert sorted(names(results)) == expected


def test_a_date_of_birth_alone(worker: User, person: Person, whitmores: list[Person]) -> None:
    results = search_people(user=worker, criteria=SearchCriteria(dob_year=2015, dob_month=3))

    assert names(results) == ["Amy Whitmore", "Jayden Whitmore"]


def test_date_of_birth_as_one_value(worker: User, person: Person, whitmores: list[Person]) -> None:
    for value in ("14/03/2015", "2015-03-14", datetime.date(2015, 3, 14)):
        results = search_people(
            user=worker, criteria=SearchCriteria(name="Jaydn Whitmor", date_of_birth=value)
        )
        assert names(results) == ["Jayden Whitmore"], value


def test_with_the_date_of_birth_a_misspelt_name_still_finds_the_person(
    worker: User, person: Person
) -> None:
    # Given someone else born the same day
    PersonFactory(first_name="Oliver", last_name="Brown", date_of_birth=person.date_of_birth)

    results = search_people(
        user=worker,
        criteria=SearchCriteria(name="Jaydne Whitmroe", dob_day=14, dob_month=3, dob_year=2015),
    )

    assert names(results) == ["Jayden Whitmore"]


# --- identifiers and postcodes ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["943 476 5919", "9434765919", "r933000123450", "AB 12 34 56 C", "LEGACY-00042"],
)
def test_an_identifier_finds_the_person(worker: User, person: Person, typed: str) -> None:
    Person.objects.filter(pk=person.pk).update(
        nhs_number="9434765919", upn="R933000123450", ni_number="AB123456C"
    )
    PersonIdentifier.objects.create(person=person, system="Legacy system", value="LEGACY-00042")
    PersonFactory(first_name="Jayden", last_name="Whitmore")

    results = search_people(user=worker, criteria=SearchCriteria(identifier=typed))

    assert [m.person.pk for m in results] == [person.pk]


def test_the_person_id_is_an_identifier(worker: User, person: Person) -> None:
    results = search_people(user=worker, criteria=SearchCriteria(identifier=str(person.pk)))

    assert [m.person.pk for m in results] == [person.pk]


def test_identifier_and_name_together(worker: User, person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919")

    found = search_people(
        user=worker, criteria=SearchCriteria(name="Jaydn Whitmor", identifier="9434765919")
    )
    not_found = search_people(
        user=worker, criteria=SearchCriteria(name="Mary Smith", identifier="9434765919")
    )

    assert names(found) == ["Jayden Whitmore"]
    assert names(not_found) == []


@pytest.mark.parametrize(("typed", "found"), [("ls6 2qt", True), ("LS6", True), ("LS62", False)])
def test_a_postcode_finds_who_lives_there(
    worker: User, person: Person, typed: str, found: bool
) -> None:
    Person.objects.filter(pk=person.pk).update(current_postcode="LS62QT")
    PersonFactory(first_name="Amy", last_name="Bell", current_postcode="LS162QT")

    results = search_people(user=worker, criteria=SearchCriteria(postcode=typed))

    assert names(results) == (["Jayden Whitmore"] if found else [])


def test_format_postcode() -> None:
    assert format_postcode("LS62QT") == "LS6 2QT"
    assert format_postcode("") == ""


# --- pages ------------------------------------------------------------------------------


def test_results_come_twenty_to_a_page(worker: User) -> None:
    for number in range(45):
        PersonFactory(
            first_name=f"Child{'abcdefghijklmnopqrstuvwxyz'[number % 26]}", last_name="Quenby"
        )

    first = search_people(user=worker, criteria=SearchCriteria(name="Quenby"))
    third = search_people(user=worker, criteria=SearchCriteria(name="Quenby", page=3))
    beyond = search_people(user=worker, criteria=SearchCriteria(name="Quenby", page=99))

    assert (first.total, len(first), first.page_count, first.page) == (45, 20, 3, 1)
    assert (len(third), third.page, third.first_index, third.last_index) == (5, 3, 41, 45)
    assert beyond.page == 3
    assert first.page_numbers() == [1, 2, 3]
    pages = {
        m.person.pk
        for page in (1, 2, 3)
        for m in search_people(user=worker, criteria=SearchCriteria(name="Quenby", page=page))
    }
    assert len(pages) == 45


def test_page_numbers_skip_with_an_ellipsis(worker: User) -> None:
    for _ in range(200):
        PersonFactory(last_name="Quenby")

    results = search_people(user=worker, criteria=SearchCriteria(name="Quenby", page=5))

    assert results.page_numbers() == [1, None, 4, 5, 6, None, 10]


# --- checking what was typed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "field", "message"),
    [
        (
            SearchCriteria(),
            "__all__",
            "Enter a name, a date of birth, an identifier or a postcode to search.",
        ),
        (SearchCriteria(name="J"), "name", "Enter at least 2 letters of the name."),
        (
            SearchCriteria(name="Jayden 2"),
            "name",
            "A name cannot contain numbers. To search by NHS number or another ID, use Identifier.",
        ),
        (
            SearchCriteria(name="😀😀"),
            "name",
            "Name can only include letters, spaces, hyphens, apostrophes and full stops.",
        ),
        (SearchCriteria(name="محمد"), "name", "Enter the name using the letters A to Z."),
        (
            SearchCriteria(name="Jay\x00den"),
            "name",
            "Name contains a control character that cannot be stored.",
        ),
        (
            SearchCriteria(name="Jay\u202eden"),
            "name",
            "Name contains hidden text-direction characters; please type it again.",
        ),
        (
            SearchCriteria(name="x" * 10_000),
            "name",
            "Name must be 100 characters or fewer (you entered 10000).",
        ),
        (
            SearchCriteria(name="Jay", dob_month=13),
            "date_of_birth",
            "Month of birth must be between 1 and 12.",
        ),
        (
            SearchCriteria(name="Jay", dob_day=30, dob_month=2, dob_year=2016),
            "date_of_birth",
            "Date of birth must be a real date.",
        ),
        (
            SearchCriteria(name="Jay", dob_year=15),
            "date_of_birth",
            "Year of birth must include 4 numbers.",
        ),
        (
            SearchCriteria(name="Jay", date_of_birth="next tuesday"),
            "date_of_birth",
            "Enter a date of birth like 14/03/2015, a month and year like 03/2015, or a year like 2015.",
        ),
        (
            SearchCriteria(dob_day=14, dob_month=3),
            "date_of_birth",
            "Add the year of birth, or search with a name, identifier or postcode as well.",
        ),
        (
            SearchCriteria(identifier="9434765918"),
            "identifier",
            "This is not a valid NHS number: check you have typed it correctly.",
        ),
        (
            SearchCriteria(identifier="A933000123450"),
            "identifier",
            "This is not a valid UPN: the check letter does not match.",
        ),
        (
            SearchCriteria(identifier="<script>"),
            "identifier",
            "Identifier can only include letters, numbers, spaces, hyphens, slashes and full stops.",
        ),
        (
            SearchCriteria(postcode="NOTAPOSTCODE"),
            "postcode",
            "Enter a full postcode, like SW1A 1AA, or its first half, like SW1A.",
        ),
    ],
)
def test_criteria_that_cannot_be_searched_say_why(
    worker: User, criteria: SearchCriteria, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        search_people(user=worker, criteria=criteria)

    assert caught.value.message_dict == {field: [message]}


def test_a_future_date_of_birth_is_refused(worker: User) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as caught:
        search_people(user=worker, criteria=SearchCriteria(name="Jay", date_of_birth=tomorrow))

    assert caught.value.message_dict == {
        "date_of_birth": ["Date of birth must be today or in the past."]
    }


# --- the page ---------------------------------------------------------------------------


def test_the_empty_page_searches_for_nothing(worker_client: Client, person: Person) -> None:
    response = worker_client.get(SEARCH)

    assert response.status_code == 200
    assert b"Find a person" in response.content
    assert b"Jayden" not in response.content
    assert AuditEvent.objects.filter(action="search").count() == 0


def test_the_page_shows_ranked_results_and_writes_one_audit_event(
    worker_client: Client, worker: User, person: Person, crowd: list[Person]
) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919", current_postcode="LS62QT")
    events_before = AuditEvent.objects.count()

    response = worker_client.get(SEARCH, {"name": "Jaydn Whitmor"})

    assert response.status_code == 200
    html = response.content.decode()
    first_link = f'href="{reverse("clients:person-detail", args=[person.pk])}"'
    assert html.index(first_link) < html.index("Jayden White<")
    assert "943 476 5919" in html
    assert "LS6 2QT" in html
    assert "14 Mar 2015" in html
    # One search event, for the search (no person id), not one per person shown
    new_events = list(
        AuditEvent.objects.order_by("id")[events_before:].values(
            "kind", "action", "person_id", "actor_id", "summary"
        )
    )
    assert new_events == [
        {
            "kind": "access",
            "action": "search",
            "person_id": None,
            "actor_id": worker.pk,
            "summary": f'Searched for name "Jaydn Whitmor" ({response.context["results"].total} found)',
        }
    ]


def test_the_results_table_scrolls_in_its_own_box_and_says_which_name_matched(
    worker_client: Client, person: Person
) -> None:
    other_name(person, "Jayden", "Kowalski", kind=PersonName.Kind.BIRTH)

    response = worker_client.get(SEARCH, {"name": "Jayden Kowalsky"})

    html = response.content.decode()
    assert (
        '<div class="app-table-scroll" role="region" aria-label="Search results" tabindex="0">'
    ) in html
    assert "govuk-table--small-text-until-tablet" in html
    link = f'<a class="govuk-link" href="{reverse("clients:person-detail", args=[person.pk])}">'
    after_link = html[html.index(link) :]
    assert after_link.index("Found by another name: Jayden Kowalski (name at birth)") < (
        after_link.index("</td>")
    )
    assert "Other name matched" not in html


def test_each_results_page_is_one_search_event(worker_client: Client) -> None:
    for _ in range(25):
        PersonFactory(last_name="Quenby")

    worker_client.get(SEARCH, {"name": "Quenby"})
    second = worker_client.get(SEARCH, {"name": "Quenby", "page": "2"})

    assert AuditEvent.objects.filter(action="search").count() == 2
    assert len(second.context["results"]) == 5
    assert b'aria-current="page">2</a>' in second.content
    assert b"name=Quenby&amp;page=1" in second.content


def test_no_results_says_what_to_try(worker_client: Client) -> None:
    response = worker_client.get(SEARCH, {"name": "Nobody Atall"})

    assert response.status_code == 200
    assert b"No one matches this search." in response.content
    assert b"check the spelling" in response.content
    assert reverse("clients:person-create").encode() in response.content
    assert AuditEvent.objects.filter(action="search").count() == 1


@pytest.mark.parametrize(
    ("query", "field_id", "message"),
    [
        (
            {"name": "x" * 10_000},
            "id_name",
            "Name must be 200 characters or fewer (you entered 10000).",
        ),
        (
            {"name": "Jay\x00den"},
            "id_name",
            "Name contains a control character that cannot be stored.",
        ),
        (
            {"name": "Jay\u202eden"},
            "id_name",
            "Name contains hidden text-direction characters; please type it again.",
        ),
        (
            {"name": "Jayden 😀"},
            "id_name",
            "Name can only include letters, spaces, hyphens, apostrophes and full stops.",
        ),
        (
            {"name": "Jayden", "dob_day": "1", "dob_month": "13", "dob_year": "2015"},
            "id_dob_0",
            "Month of birth must be between 1 and 12.",
        ),
        ({"name": "Jayden", "dob_day": "ab"}, "id_dob_0", "Day of birth must be a number."),
        (
            {"name": "Jayden", "identifier": "943 476 5918"},
            "id_identifier",
            "This is not a valid NHS number: check you have typed it correctly.",
        ),
        (
            {"name": "Jayden", "postcode": "NOTAPOSTCODE"},
            "id_postcode",
            "Enter a full postcode, like SW1A 1AA, or its first half, like SW1A.",
        ),
        (
            {"name": "", "identifier": ""},
            "id_name",
            "Enter a name, a date of birth, an identifier or a postcode to search.",
        ),
    ],
)
def test_bad_input_gets_a_message_on_its_field_and_keeps_what_was_typed(
    worker_client: Client, person: Person, query: dict[str, str], field_id: str, message: str
) -> None:
    response = worker_client.get(SEARCH, query)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Find a person" in html
    assert f'<a href="#{field_id}">{message}</a>' in html.replace("&#x27;", "'")
    assert "govuk-error-message" in html
    for value in query.values():
        if value and "\x00" not in value:
            assert f'value="{value}"' in html
    assert AuditEvent.objects.filter(action="search").count() == 0


def test_a_future_date_of_birth_on_the_page(worker_client: Client) -> None:
    next_year = str(timezone.localdate().year + 1)

    response = worker_client.get(
        SEARCH, {"name": "Jayden", "dob_day": "1", "dob_month": "1", "dob_year": next_year}
    )

    assert response.status_code == 200
    assert b"Date of birth must be today or in the past." in response.content
    assert f'value="{next_year}"'.encode() in response.content


def test_htmx_gets_just_the_search_area(worker_client: Client, person: Person) -> None:
    response = worker_client.get(SEARCH, {"name": "Jayden Whitmore"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-area">')
    assert "<html" not in html
    assert "Jayden Whitmore" in html
    assert "HX-Request" in response["Vary"]


def test_the_search_page_query_count_is_pinned(
    worker_client: Client,
    person: Person,
    crowd: list[Person],
    django_assert_max_num_queries: object,
) -> None:
    for number in range(30):
        PersonFactory(first_name="Jayden", last_name=f"Whitmore{'abcdefghij'[number % 10]}")

    # user, permissions (2, read once and then cached); savepoint, trigram thresholds,
    # current names, other names, release; the page of people; the audit event
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        response = worker_client.get(SEARCH, {"name": "Jaydn Whitmor"})

    assert response.status_code == 200
    assert len(response.context["results"]) == 20


# --- likely duplicates and merged ids ---------------------------------------------------


def test_likely_duplicates_of_someone_about_to_be_added(worker: User, person: Person) -> None:
    # Given the same child typed with a one-digit slip in the year, a namesake born decades
    # apart, and someone with no date of birth recorded
    slip = PersonFactory(
        first_name="Jayden", last_name="Whitmore", date_of_birth=datetime.date(2016, 3, 14)
    )
    PersonFactory(
        first_name="Jayden", last_name="Whitmore", date_of_birth=datetime.date(1961, 9, 30)
    )
    unknown = PersonFactory(first_name="Jaden", last_name="Whitmore", date_of_birth=None)

    found = likely_duplicates(
        user=worker,
        first_name="Jayden",
        last_name="Whitmore",
        date_of_birth=datetime.date(2015, 3, 14),
    )

    assert [m.person for m in found] == [person, slip, unknown]
    assert found[0].reasons == ["Same name", "Same date of birth"]
    assert found[1].reasons == ["Same name", "Date of birth one slip away"]
    assert found[2].reasons == ["Similar name", "No date of birth to compare"]


def test_likely_duplicates_by_nhs_number_whatever_the_name(worker: User, person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(nhs_number="9434765919")

    found = likely_duplicates(
        user=worker,
        first_name="Mary",
        last_name="Jones",
        date_of_birth=datetime.date(1970, 1, 1),
        nhs_number="9434765919",
    )

    assert [(m.person, m.reasons[0]) for m in found] == [(person, "Same NHS number")]


def test_likely_duplicates_find_a_surname_change_at_the_same_address(
    worker: User, person: Person
) -> None:
    Person.objects.filter(pk=person.pk).update(current_postcode="LS62QT")

    found = likely_duplicates(
        user=worker,
        first_name="Jayden",
        last_name="Whitmoor",
        date_of_birth=None,
        postcode="LS6 2QT",
    )

    assert [m.person for m in found] == [person]
    assert found[0].reasons == ["Similar name", "No date of birth to compare", "Same postcode"]


def test_merged_person_ids_follow_every_merge(person: Person) -> None:
    first = PersonFactory(merged_into=person)
    second = PersonFactory(merged_into=person)
    earlier = PersonFactory(merged_into=first)

    assert merged_person_ids(person) == [*sorted([first.pk, second.pk]), earlier.pk]
    assert merged_person_ids(earlier) == []
