"""The chronology: the merged timeline, curating it (add, hide, put back) and the CSV export."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import ChronologyEntry, Person
from clients.services import chronology as chronology_services
from tests.factories import CaseNoteFactory, ChronologyEntryFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _entry(person: Person, **values: Any) -> ChronologyEntry:
    return ChronologyEntryFactory(person=person, **values)


def _hidden(person: Person, by: User, **values: Any) -> ChronologyEntry:
    return ChronologyEntryFactory(
        person=person,
        is_hidden=True,
        hidden_reason="Recorded on the wrong child",
        hidden_by=by,
        hidden_at=timezone.now(),
        **values,
    )


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "event_date_day": "14",
        "event_date_month": "3",
        "event_date_year": "2024",
        "category": "Family event",
        "summary": "Maternal grandmother died.",
        "detail": "Told by the school.",
    }
    data.update(overrides)
    return data


def _dates(**dates: str) -> str:
    """A query string for the date filters, each date ("2025-01-31") typed into its 3 boxes."""
    parts = []
    for name, value in dates.items():
        year, month, day = value.split("-")
        parts += [f"{name}_day={day}", f"{name}_month={month}", f"{name}_year={year}"]
    return "&".join(parts)


def _csv(response: Any) -> tuple[str, list[list[str]]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------


def test_hiding_keeps_the_entry_with_who_when_and_why(worker: User, person: Person) -> None:
    entry = _entry(person, summary="Duplicate")

    chronology_services.chronology_entry_hide(
        actor=worker, entry=entry, reason="  Same as the entry of 2 March  "
    )

    entry.refresh_from_db()
    assert (entry.is_hidden, entry.hidden_reason, entry.hidden_by_id) == (
        True,
        "Same as the entry of 2 March",
        worker.pk,
    )
    assert entry.hidden_at is not None
    [event] = AuditEvent.objects.all()
    assert (event.kind, event.action, event.person_id, event.reason) == (
        "change",
        "hide",
        person.pk,
        "Same as the entry of 2 March",
    )
    assert event.changes == {
        "is_hidden": [False, True],
        "hidden_reason": ["", "Same as the entry of 2 March"],
    }


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why this entry should be hidden."),
        ("   ", "Enter why this entry should be hidden."),
        ("r" * 501, "Reason must be 500 characters or fewer"),
        ("dup\x00", "Reason contains a control character"),
        ("dup \u202e", "hidden text-direction characters"),
    ],
)
def test_hiding_needs_a_readable_reason(
    worker: User, person: Person, reason: str, message: str
) -> None:
    entry = _entry(person)

    with pytest.raises(ValidationError) as refused:
        chronology_services.chronology_entry_hide(actor=worker, entry=entry, reason=reason)

    assert message in refused.value.message_dict["reason"][0]
    entry.refresh_from_db()
    assert not entry.is_hidden
    assert AuditEvent.objects.count() == 0


def test_an_entry_cannot_be_hidden_twice(
    worker: User, users: dict[str, User], person: Person
) -> None:
    entry = _hidden(person, users["team_manager"])

    with pytest.raises(ValidationError, match="already been hidden"):
        chronology_services.chronology_entry_hide(actor=worker, entry=entry, reason="Again")

    entry.refresh_from_db()
    assert entry.hidden_by_id == users["team_manager"].pk


def test_putting_an_entry_back_is_audited_with_who_had_hidden_it(
    worker: User, users: dict[str, User], person: Person
) -> None:
    manager = users["team_manager"]
    entry = _hidden(person, manager)

    chronology_services.chronology_entry_unhide(actor=worker, entry=entry)

    entry.refresh_from_db()
    assert (entry.is_hidden, entry.hidden_reason, entry.hidden_by_id, entry.hidden_at) == (
        False,
        "",
        None,
        None,
    )
    [event] = AuditEvent.objects.all()
    assert event.action == "unhide"
    assert event.changes["is_hidden"] == [True, False]
    assert event.changes["hidden_reason"] == ["Recorded on the wrong child", ""]
    assert event.changes["hidden_by"] == [manager.pk, None]
    with pytest.raises(ValidationError, match="already on the chronology"):
        chronology_services.chronology_entry_unhide(actor=worker, entry=entry)


def test_a_manual_entry_cannot_be_in_the_future(worker: User, person: Person) -> None:
    with pytest.raises(ValidationError) as refused:
        chronology_services.chronology_entry_add(
            actor=worker,
            person=person,
            event_date=timezone.localdate() + datetime.timedelta(days=1),
            category="Family event",
            summary="Not yet",
        )

    assert refused.value.message_dict["event_date"] == [
        "The date it happened must be today or in the past."
    ]
    assert ChronologyEntry.objects.count() == 0


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    assert [
        chronology_services.csv_safe(value)
        for value in ("=SUM(A1)", "+44 7700", "-1", "@cmd", "\tx", "\rx", "a=b", "", None, 3)
    ] == ["'=SUM(A1)", "'+44 7700", "'-1", "'@cmd", "'\tx", "'\rx", "a=b", "", "", "3"]


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------


def test_the_chronology_is_newest_first_and_hidden_entries_are_left_out_by_default(
    worker: User,
    users: dict[str, User],
    person: Person,
    worker_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _entry(person, summary="Born", event_date=datetime.date(2015, 3, 14))
    _entry(person, summary="Started school", event_date=datetime.date(2019, 9, 4))
    _hidden(person, users["team_manager"], summary="Wrong child's event")
    _entry(person, summary="Referral", event_date=datetime.date(2024, 1, 2))
    ChronologyEntryFactory(summary="Someone else's event")

    # session, user, 2 x permissions, person, categories, count, entries, access event,
    # alerts, allocation; and the suite's own audit check.
    with django_assert_max_num_queries(10):
        response = worker_client.get(reverse("clients:chronology", args=[person.pk]))

    assert response.status_code == 200
    assert [entry.summary for entry in response.context["page"]] == [
        "Referral",
        "Started school",
        "Born",
    ]
    body = response.content.decode()
    assert "Wrong child" not in body
    assert "Someone else" not in body
    [event] = AuditEvent.objects.all()
    assert (event.kind, event.action, event.summary) == ("access", "view", "Viewed chronology")


def test_show_hidden_marks_them_with_who_hid_them_and_why(
    users: dict[str, User], person: Person, worker_client: Client
) -> None:
    manager = users["team_manager"]
    hidden = _hidden(person, manager, summary="Wrong child's event")

    response = worker_client.get(
        reverse("clients:chronology", args=[person.pk]) + "?show_hidden=on"
    )

    body = response.content.decode()
    assert [entry.pk for entry in response.context["page"]] == [hidden.pk]
    assert "Wrong child&#x27;s event" in body
    assert f"Hidden by {manager.get_full_name()}" in body
    assert "Recorded on the wrong child" in body
    assert reverse("clients:chronology-unhide", args=[person.pk, hidden.pk]) in body


def test_the_chronology_filters_by_date_category_and_source(
    person: Person, worker_client: Client
) -> None:
    _entry(person, summary="A", event_date=datetime.date(2020, 1, 1), category="Health")
    _entry(
        person,
        summary="B",
        event_date=datetime.date(2022, 6, 1),
        category="Home visit",
        source=ChronologyEntry.Source.CASE_NOTE,
    )
    _entry(person, summary="C", event_date=datetime.date(2024, 1, 1), category="Health")
    url = reverse("clients:chronology", args=[person.pk])

    def summaries(query: str) -> list[str]:
        response = worker_client.get(url + query)
        assert response.status_code == 200
        return [entry.summary for entry in response.context["page"]]

    assert summaries("?category=Health") == ["C", "A"]
    assert summaries("?source=case_note") == ["B"]
    assert summaries("?" + _dates(date_from="2021-01-01")) == ["C", "B"]
    assert summaries("?" + _dates(date_to="2022-06-01")) == ["B", "A"]
    assert summaries(
        "?" + _dates(date_from="2021-01-01", date_to="2023-01-01") + "&category=Home+visit"
    ) == ["B"]
    # The category filter lists this person's categories.
    page = worker_client.get(url).content.decode()
    assert '<option value="Health">Health</option>' in page


def test_the_chronology_is_paginated_by_fifty(person: Person, worker_client: Client) -> None:
    for day in range(55):
        _entry(person, event_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=day))

    first = worker_client.get(reverse("clients:chronology", args=[person.pk]))
    second = worker_client.get(reverse("clients:chronology", args=[person.pk]) + "?page=2")

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert "Next" in first.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?date_from_day=31&date_from_month=2&date_from_year=2024",
        "?date_from_day=1&date_from_year=2024",
        "?date_from_day=%00&date_from_month=1&date_from_year=2024",
        "?date_to_day=%E2%80%AE1&date_to_month=1&date_to_year=2024",
        "?date_to_day=1&date_to_month=1&date_to_year=" + "2" * 10_000,
        "?" + _dates(date_from="2024-05-01", date_to="2024-01-01"),
        "?source=nonsense",
        "?category=%00",
        "?category=" + "c" * 10_000,
    ],
)
def test_bad_chronology_filters_are_reported_not_a_500(
    person: Person, worker_client: Client, query: str
) -> None:
    _entry(person, summary="Still shown")

    response = worker_client.get(reverse("clients:chronology", args=[person.pk]) + query)

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Still shown" in body  # the bad filter is ignored, not applied


def test_a_partial_chronology_date_filter_keeps_what_was_typed(
    person: Person, worker_client: Client
) -> None:
    query = "?date_from_day=14&date_from_month=3&category=Health"

    response = worker_client.get(reverse("clients:chronology", args=[person.pk]) + query)

    assert response.status_code == 200
    assert response.context["form"].errors["date_from"] == ["The “from” date must include a year."]
    body = response.content.decode()
    assert 'name="date_from_day" type="text" inputmode="numeric" value="14"' in body
    assert 'name="date_from_month" type="text" inputmode="numeric" value="3"' in body
    assert 'name="date_from_year" type="text" inputmode="numeric" value=""' in body
    assert '<a href="#id_date_from_0">The “from” date must include a year.</a>' in body


def test_the_export_link_keeps_the_date_filters(person: Person, worker_client: Client) -> None:
    query = _dates(date_from="2020-01-01")

    response = worker_client.get(reverse("clients:chronology", args=[person.pk]) + "?" + query)

    export = reverse("clients:chronology-export", args=[person.pk])
    assert f"{export}?{query}".replace("&", "&amp;") in response.content.decode()


def test_a_note_entry_links_to_the_note(
    worker: User, person: Person, worker_client: Client
) -> None:
    note = CaseNoteFactory(person=person, author=worker)
    _entry(
        person,
        source=ChronologyEntry.Source.CASE_NOTE,
        source_type="clients.casenote",
        source_id=str(note.pk),
    )

    body = worker_client.get(reverse("clients:chronology", args=[person.pk])).content.decode()

    assert reverse("clients:note-detail", args=[person.pk, note.pk]) in body


# ---------------------------------------------------------------------------
# Adding, hiding and putting back through the pages
# ---------------------------------------------------------------------------


def test_adding_an_entry(worker: User, person: Person, worker_client: Client) -> None:
    response = worker_client.post(reverse("clients:chronology-add", args=[person.pk]), _form())

    assert response.status_code == 302
    entry = ChronologyEntry.objects.get()
    assert (entry.event_date, entry.category, entry.summary, entry.detail) == (
        datetime.date(2024, 3, 14),
        "Family event",
        "Maternal grandmother died.",
        "Told by the school.",
    )
    assert (entry.source, entry.created_by_id) == ("manual", worker.pk)
    assert AuditEvent.objects.get().action == "create"


TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"event_date_day": "", "event_date_month": "", "event_date_year": ""},
            "event_date",
            "Enter the date it happened.",
        ),
        ({"event_date_year": ""}, "event_date", "must include a year"),
        ({"event_date_month": "13"}, "event_date", "must be a real date"),
        (
            {
                "event_date_day": str(TOMORROW.day),
                "event_date_month": str(TOMORROW.month),
                "event_date_year": str(TOMORROW.year),
            },
            "event_date",
            "must be today or in the past",
        ),
        ({"category": ""}, "category", "Enter a category."),
        ({"category": "c" * 10_000}, "category", "Category must be 60 characters or fewer"),
        ({"summary": ""}, "summary", "Enter what happened."),
        ({"summary": "s" * 10_000}, "summary", "Summary must be 500 characters or fewer"),
        ({"summary": "x\x00"}, "summary", "Summary contains a control character"),
        ({"summary": "x \u202e"}, "summary", "hidden text-direction characters"),
        ({"detail": "d" * 60_000}, "detail", "Detail must be 10000 characters or fewer"),
        ({"detail": "\x00"}, "detail", "Detail contains a control character"),
    ],
)
def test_bad_input_on_the_add_form_is_explained_kept_and_nothing_saved(
    person: Person,
    worker_client: Client,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = _form(**overrides)

    response = worker_client.post(reverse("clients:chronology-add", args=[person.pk]), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    body = response.content.decode()
    assert "There is a problem" in body
    for name in ("category", "summary", "detail"):
        if name not in overrides:
            assert data[name] in body
    assert ChronologyEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


def test_emoji_in_a_manual_entry_is_kept(person: Person, worker_client: Client) -> None:
    worker_client.post(
        reverse("clients:chronology-add", args=[person.pk]),
        _form(summary="Birthday party 🎂", detail="Mam said “diolch” 🙂"),
    )

    entry = ChronologyEntry.objects.get()
    assert (entry.summary, entry.detail) == ("Birthday party 🎂", "Mam said “diolch” 🙂")


def test_hiding_asks_for_a_reason_then_hides(
    worker: User, person: Person, worker_client: Client
) -> None:
    entry = _entry(person, summary="Wrong person")
    url = reverse("clients:chronology-hide", args=[person.pk, entry.pk])

    confirm = worker_client.get(url)
    assert confirm.status_code == 200
    assert "Why are you hiding it?" in confirm.content.decode()
    assert "Wrong person" in confirm.content.decode()
    missing = worker_client.post(url, {"reason": ""})
    assert missing.status_code == 200
    assert "Enter why this entry should be hidden." in missing.content.decode()
    entry.refresh_from_db()
    assert not entry.is_hidden

    done = worker_client.post(url, {"reason": "Belongs to his brother"})

    assert done.status_code == 302
    entry.refresh_from_db()
    assert (entry.is_hidden, entry.hidden_reason, entry.hidden_by_id) == (
        True,
        "Belongs to his brother",
        worker.pk,
    )
    # Hidden by default from then on.
    page = worker_client.get(reverse("clients:chronology", args=[person.pk]))
    assert list(page.context["page"]) == []


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("r" * 10_000, "Reason must be 500 characters or fewer"),
        ("dup\x00", "Reason contains a control character"),
        ("dup \u202e", "hidden text-direction characters"),
    ],
)
def test_bad_reasons_for_hiding_are_explained_and_kept(
    person: Person, worker_client: Client, reason: str, message: str
) -> None:
    entry = _entry(person)

    response = worker_client.post(
        reverse("clients:chronology-hide", args=[person.pk, entry.pk]), {"reason": reason}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert reason[:100] in response.content.decode()
    entry.refresh_from_db()
    assert not entry.is_hidden


def test_hiding_an_entry_of_another_person_is_not_found(
    person: Person, worker_client: Client
) -> None:
    elsewhere = ChronologyEntryFactory()

    response = worker_client.post(
        reverse("clients:chronology-hide", args=[person.pk, elsewhere.pk]), {"reason": "x"}
    )

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert not elsewhere.is_hidden


def test_business_support_can_read_but_not_curate(person: Person, client_for: Any) -> None:
    entry = _entry(person)
    support = client_for("business_support")

    assert support.get(reverse("clients:chronology", args=[person.pk])).status_code == 200
    hide = support.post(
        reverse("clients:chronology-hide", args=[person.pk, entry.pk]), {"reason": "x"}
    )
    assert hide.status_code == 404
    assert (
        "Add an entry"
        not in support.get(reverse("clients:chronology", args=[person.pk])).content.decode()
    )


def test_putting_an_entry_back(
    users: dict[str, User], person: Person, worker_client: Client
) -> None:
    entry = _hidden(person, users["team_manager"])

    response = worker_client.post(reverse("clients:chronology-unhide", args=[person.pk, entry.pk]))

    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.is_hidden


# ---------------------------------------------------------------------------
# The CSV export
# ---------------------------------------------------------------------------


def test_the_export_is_an_exact_injection_safe_csv_with_one_export_event(
    worker: User,
    users: dict[str, User],
    person: Person,
    worker_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    recorded = datetime.datetime(2025, 6, 2, 9, 15, tzinfo=LONDON)
    _entry(
        person,
        event_date=datetime.date(2025, 6, 1),
        category="Health",
        summary='=HYPERLINK("http://evil")',
        detail="Line one\nLine two, with a comma",
        recorded_at=recorded,
        created_by=worker,
    )
    _entry(
        person,
        event_date=datetime.date(2024, 1, 2),
        category="-Family",
        summary="Moved to Nain\u2019s 🏠",
        recorded_at=recorded,
    )
    _hidden(person, users["team_manager"], summary="Hidden one")

    # session, user, 2 x permissions, person, export event, the rows; the suite's audit check.
    with django_assert_max_num_queries(7):
        response = worker_client.get(reverse("clients:chronology-export", args=[person.pk]))
        text, rows = _csv(response)

    today = timezone.localdate().isoformat()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="chronology-person-{person.pk}-{today}.csv"'
    )
    assert text.startswith("\ufeffEvent date,Category,Summary,")
    assert rows == [
        [
            "Event date",
            "Category",
            "Summary",
            "Detail",
            "Source",
            "Recorded at",
            "Added by",
            "Hidden",
            "Hidden by",
            "Hidden reason",
        ],
        [
            "2025-06-01",
            "Health",
            '\'=HYPERLINK("http://evil")',
            "Line one\nLine two, with a comma",
            "Added by a worker",
            "2025-06-02 09:15",
            worker.get_full_name(),
            "No",
            "",
            "",
        ],
        [
            "2024-01-02",
            "'-Family",
            "Moved to Nain\u2019s 🏠",
            "",
            "Added by a worker",
            "2025-06-02 09:15",
            "",
            "No",
            "",
            "",
        ],
    ]
    [event] = AuditEvent.objects.all()
    assert (event.kind, event.action, event.person_id, event.summary, event.actor_id) == (
        "access",
        "export",
        person.pk,
        "Exported chronology (CSV)",
        worker.pk,
    )


def test_the_export_follows_the_filters_and_can_include_hidden_entries(
    users: dict[str, User], person: Person, worker_client: Client
) -> None:
    manager = users["team_manager"]
    _entry(person, summary="Old", event_date=datetime.date(2010, 1, 1))
    _entry(person, summary="New", event_date=datetime.date(2024, 1, 1))
    _hidden(person, manager, summary="Hidden", event_date=datetime.date(2024, 2, 1))
    url = reverse("clients:chronology-export", args=[person.pk])

    _, filtered = _csv(worker_client.get(url + "?" + _dates(date_from="2020-01-01")))
    _, with_hidden = _csv(
        worker_client.get(url + "?" + _dates(date_from="2020-01-01") + "&show_hidden=on")
    )

    assert [row[2] for row in filtered[1:]] == ["New"]
    assert [row[2] for row in with_hidden[1:]] == ["Hidden", "New"]
    hidden_row = with_hidden[1]
    assert hidden_row[7:] == ["Yes", manager.get_full_name(), "Recorded on the wrong child"]


def test_the_chronology_page_links_to_the_export_with_its_filters(
    person: Person, worker_client: Client
) -> None:
    response = worker_client.get(
        reverse("clients:chronology", args=[person.pk]) + "?category=Health&page=1"
    )

    assert (
        reverse("clients:chronology-export", args=[person.pk]) + "?category=Health"
        in response.content.decode()
    )


def test_the_export_of_a_long_chronology_streams_in_few_queries(
    person: Person, worker_client: Client, django_assert_max_num_queries: Any
) -> None:
    ChronologyEntryFactory.create_batch(1_200, person=person)

    with django_assert_max_num_queries(7):
        response = worker_client.get(reverse("clients:chronology-export", args=[person.pk]))
        _, rows = _csv(response)

    assert len(rows) == 1_201
