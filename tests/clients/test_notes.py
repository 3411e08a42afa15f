"""Case notes: the draft → final → amended lifecycle, the pages, and bad input."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from clients.models import CaseNote, ChronologyEntry, NoteType, Person
from clients.services import notes as note_services
from clients.services.chronology import chronology_record
from tests.factories import CaseNoteFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")

EVENT_AT = datetime.datetime(2025, 2, 3, 10, 30, tzinfo=LONDON)


@pytest.fixture
def home_visit() -> NoteType:
    return NoteType.objects.get(code="home-visit")


@pytest.fixture
def telephone() -> NoteType:
    return NoteType.objects.get(code="telephone-call")


def _create(worker: User, person: Person, note_type: NoteType, **overrides: Any) -> CaseNote:
    values: dict[str, Any] = {
        "type": note_type,
        "subject": "Home visit",
        "body": "Jayden seen alone in his room.",
        "event_at": EVENT_AT,
        "is_significant": False,
        "finalise": False,
    }
    values.update(overrides)
    return note_services.note_create(actor=worker, person=person, **values)


def _form(note_type: NoteType, **overrides: str) -> dict[str, str]:
    data = {
        "type": str(note_type.pk),
        "event_date_day": "3",
        "event_date_month": "2",
        "event_date_year": "2025",
        "event_time": "10:30",
        "subject": "Home visit",
        "body": "Jayden seen alone in his room.",
        "action": "draft",
    }
    data.update(overrides)
    return data


def _changes(person: Person) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(person_id=person.pk, kind=AuditEvent.Kind.CHANGE).order_by("id")
    )


def _accesses(person: Person) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(person_id=person.pk, kind=AuditEvent.Kind.ACCESS).order_by("id")
    )


# ---------------------------------------------------------------------------
# Services: the lifecycle, with exact rows
# ---------------------------------------------------------------------------


def test_a_draft_is_written_with_its_event_date_apart_from_the_recorded_date(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    # When a worker writes a draft about a visit last February
    note = _create(worker, person, home_visit)

    # Then the row holds exactly what was written, recorded now, as a draft
    note.refresh_from_db()
    assert (note.person_id, note.type_id, note.author_id) == (person.pk, home_visit.pk, worker.pk)
    assert (note.subject, note.body) == ("Home visit", "Jayden seen alone in his room.")
    assert note.event_at == EVENT_AT
    assert note.recorded_at > EVENT_AT
    assert (note.status, note.finalised_at, note.version, note.amends_id) == (
        "draft",
        None,
        1,
        None,
    )
    # and one change event with the new values, and nothing on the chronology.
    [event] = _changes(person)
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "create",
        worker.pk,
        "clients.casenote",
        str(note.pk),
    )
    assert event.changes["subject"] == [None, "Home visit"]
    assert event.changes["status"] == [None, "draft"]
    assert event.changes["event_at"] == [None, EVENT_AT.isoformat()]
    assert ChronologyEntry.objects.count() == 0


def test_a_draft_is_changed_by_its_author_with_old_and_new_values_audited(
    worker: User, person: Person, home_visit: NoteType, telephone: NoteType
) -> None:
    note = _create(worker, person, home_visit)

    updated = note_services.note_update(
        actor=worker,
        note=note,
        version=1,
        type=telephone,
        subject="Telephone call",
        body="Spoke to mother.",
        event_at=EVENT_AT,
        is_significant=False,
    )

    updated.refresh_from_db()
    assert (updated.subject, updated.body, updated.type_id, updated.version) == (
        "Telephone call",
        "Spoke to mother.",
        telephone.pk,
        2,
    )
    assert updated.status == "draft"
    event = _changes(person)[-1]
    assert event.action == "update"
    assert event.changes == {
        "type": [home_visit.pk, telephone.pk],
        "subject": ["Home visit", "Telephone call"],
        "body": ["Jayden seen alone in his room.", "Spoke to mother."],
        "version": [1, 2],
    }


def test_finalising_makes_the_note_final_and_a_significant_one_joins_the_chronology_once(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    note = _create(worker, person, home_visit, is_significant=True, subject="Disclosure at school")
    assert ChronologyEntry.objects.count() == 0  # a draft is not yet on the chronology

    final = note_services.note_finalise(actor=worker, note=note, version=1)

    final.refresh_from_db()
    assert final.status == "final"
    assert final.finalised_at is not None
    [entry] = ChronologyEntry.objects.all()
    assert (entry.person_id, entry.event_date, entry.category, entry.summary) == (
        person.pk,
        datetime.date(2025, 2, 3),
        "Home visit",
        "Disclosure at school",
    )
    assert (entry.source, entry.source_type, entry.source_id, entry.created_by_id) == (
        "case_note",
        "clients.casenote",
        str(note.pk),
        worker.pk,
    )
    assert [event.action for event in _changes(person)] == ["create", "finalise", "create"]
    assert _changes(person)[1].changes["status"] == ["draft", "final"]
    # Recording the same note again changes nothing (idempotent per source row).
    again = chronology_record(
        person=person,
        event_date=datetime.date(2025, 2, 3),
        category="Home visit",
        summary="Disclosure at school",
        source=ChronologyEntry.Source.CASE_NOTE,
        source_type="clients.casenote",
        source_id=note.pk,
    )
    assert again.pk == entry.pk
    assert ChronologyEntry.objects.count() == 1


def test_a_note_written_straight_to_final_and_significant_is_on_the_chronology(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    note = _create(worker, person, home_visit, is_significant=True, finalise=True)

    assert note.status == "final"
    assert ChronologyEntry.objects.filter(source_id=str(note.pk)).count() == 1


def test_an_event_late_in_the_evening_goes_on_the_chronology_on_its_local_date(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    # 23:30 in London in summer is 22:30 UTC: the chronology date is the London date.
    late = datetime.datetime(2024, 7, 1, 23, 30, tzinfo=LONDON)
    _create(worker, person, home_visit, event_at=late, is_significant=True, finalise=True)

    assert ChronologyEntry.objects.get().event_date == datetime.date(2024, 7, 1)


def test_a_final_note_cannot_be_changed_or_finalised_again(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    note = _create(worker, person, home_visit, finalise=True)
    events_before = AuditEvent.objects.count()

    with pytest.raises(note_services.NoteNotEditable) as refused:
        note_services.note_update(
            actor=worker,
            note=note,
            version=1,
            type=home_visit,
            subject="Changed",
            body="Changed",
            event_at=EVENT_AT,
        )
    assert "finalised" in refused.value.messages[0]
    with pytest.raises(note_services.NoteNotEditable):
        note_services.note_finalise(actor=worker, note=note)

    note.refresh_from_db()
    assert (note.subject, note.version) == ("Home visit", 1)
    assert AuditEvent.objects.count() == events_before


def test_only_the_author_can_change_a_draft(
    worker: User, users: dict[str, User], person: Person, home_visit: NoteType
) -> None:
    note = _create(worker, person, home_visit)

    with pytest.raises(note_services.NoteNotEditable, match="Only the author"):
        note_services.note_update(
            actor=users["team_manager"],
            note=note,
            version=1,
            type=home_visit,
            subject="Mine now",
            body="x",
            event_at=EVENT_AT,
        )
    with pytest.raises(note_services.NoteNotEditable, match="Only the author"):
        note_services.note_finalise(actor=users["team_manager"], note=note)
    note.refresh_from_db()
    assert (note.subject, note.status) == ("Home visit", "draft")


def test_saving_a_draft_loaded_before_another_save_is_refused_and_tells_what_is_saved(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    note = _create(worker, person, home_visit)
    note_services.note_update(
        actor=worker,
        note=note,
        version=1,
        type=home_visit,
        subject="Saved in the first tab",
        body="First",
        event_at=EVENT_AT,
    )

    with pytest.raises(note_services.NoteEditConflict) as conflict:
        note_services.note_update(
            actor=worker,
            note=note,
            version=1,
            type=home_visit,
            subject="Typed in the second tab",
            body="Second",
            event_at=EVENT_AT,
        )

    assert conflict.value.saved.subject == "Saved in the first tab"
    assert conflict.value.saved.version == 2
    note.refresh_from_db()
    assert (note.subject, note.version) == ("Saved in the first tab", 2)


def test_an_amendment_is_a_new_final_note_and_the_original_is_untouched(
    worker: User, users: dict[str, User], person: Person, home_visit: NoteType
) -> None:
    original = _create(
        worker, person, home_visit, finalise=True, is_significant=True, subject="Visit on 3 Feb"
    )
    original.refresh_from_db()
    before = {
        field: getattr(original, field)
        for field in (
            "subject",
            "body",
            "event_at",
            "status",
            "finalised_at",
            "version",
            "type_id",
            "author_id",
        )
    }
    [first_entry] = ChronologyEntry.objects.all()
    manager = users["team_manager"]

    amendment = note_services.note_amend(
        actor=manager,
        original=original,
        type=home_visit,
        subject="Visit on 4 Feb",
        body="The visit was on the 4th, not the 3rd.",
        event_at=EVENT_AT + datetime.timedelta(days=1),
        is_significant=True,
    )

    amendment.refresh_from_db()
    original.refresh_from_db()
    assert {field: getattr(original, field) for field in before} == before
    assert (amendment.amends_id, amendment.status, amendment.author_id) == (
        original.pk,
        "final",
        manager.pk,
    )
    assert amendment.finalised_at is not None
    assert list(original.amendments.all()) == [amendment]  # type: ignore[attr-defined]
    # The chronology now shows the corrected event; the old entry is hidden, not deleted.
    first_entry.refresh_from_db()
    assert first_entry.is_hidden
    assert first_entry.hidden_reason == "Replaced by an amended case note."
    visible = ChronologyEntry.objects.filter(is_hidden=False).get()
    assert (visible.summary, visible.event_date, visible.source_id) == (
        "Visit on 4 Feb",
        datetime.date(2025, 2, 4),
        str(amendment.pk),
    )
    amend_event = AuditEvent.objects.get(action="amend")
    assert amend_event.changes["amends"] == [None, original.pk]
    assert amend_event.object_id == str(amendment.pk)


def test_an_amended_note_cannot_be_amended_again_and_a_draft_cannot_be_amended(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    original = _create(worker, person, home_visit, finalise=True)
    values = {"type": home_visit, "subject": "Fixed", "body": "Fixed", "event_at": EVENT_AT}
    note_services.note_amend(actor=worker, original=original, **values)

    with pytest.raises(note_services.NoteNotEditable, match="already been amended"):
        note_services.note_amend(actor=worker, original=original, **values)
    draft = _create(worker, person, home_visit)
    with pytest.raises(note_services.NoteNotEditable, match="draft can be edited"):
        note_services.note_amend(actor=worker, original=draft, **values)
    assert CaseNote.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subject": ""}, "subject", "Enter a subject."),
        ({"subject": "x" * 201}, "subject", "Subject must be 200 characters or fewer"),
        ({"subject": "Two\nlines"}, "subject", "Subject must be on one line."),
        ({"subject": "Null\x00byte"}, "subject", "control character"),
        ({"subject": "evil \u202etxt.exe"}, "subject", "text-direction"),
        ({"body": "  "}, "body", "Enter what happened."),
        ({"body": "x" * 50_001}, "body", "Note must be 50000 characters or fewer"),
        ({"body": "bad\x00"}, "body", "control character"),
        ({"event_at": None}, "event_at", "Enter the date it happened."),
        (
            {"event_at": timezone.now() + datetime.timedelta(hours=1)},
            "event_at",
            "must be today or in the past",
        ),
        (
            {"event_at": datetime.datetime(1850, 1, 1, tzinfo=LONDON)},
            "event_at",
            "after 1 January 1900",
        ),
        ({"type": None}, "type", "Choose the type of note."),
    ],
)
def test_bad_values_are_refused_by_the_service_with_the_field_named(
    worker: User,
    person: Person,
    home_visit: NoteType,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        _create(worker, person, home_visit, **overrides)

    assert message in " ".join(refused.value.message_dict[field])
    assert CaseNote.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_emoji_and_other_scripts_are_kept_exactly(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    body = "Jayden drew 🏠👩‍👦 and said «merci». Mam: “Dw i\u2019n iawn” — ذهب إلى المدرسة"
    note = _create(worker, person, home_visit, subject="Direct work 🎨", body=body)

    note.refresh_from_db()
    assert (note.subject, note.body) == ("Direct work 🎨", body)


def test_a_retired_note_type_is_refused_on_new_notes_but_kept_on_a_draft_that_has_it(
    worker: User, person: Person, home_visit: NoteType
) -> None:
    note = _create(worker, person, home_visit)
    NoteType.objects.filter(pk=home_visit.pk).update(is_active=False)
    home_visit.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        _create(worker, person, home_visit)
    assert refused.value.message_dict["type"] == [
        "This type of note is no longer used; choose another."
    ]
    saved = note_services.note_update(
        actor=worker,
        note=note,
        version=1,
        type=home_visit,
        subject="Still a home visit",
        body="x",
        event_at=EVENT_AT,
    )
    assert saved.type_id == home_visit.pk


# ---------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------


def test_the_list_shows_final_notes_and_only_my_own_drafts_newest_event_first(
    worker: User,
    users: dict[str, User],
    person: Person,
    worker_client: Client,
    home_visit: NoteType,
    django_assert_max_num_queries: Any,
) -> None:
    older = CaseNoteFactory(
        person=person, subject="Older final", event_at=EVENT_AT - datetime.timedelta(days=30)
    )
    newer = CaseNoteFactory(person=person, subject="Newer final", event_at=EVENT_AT)
    CaseNoteFactory(
        person=person,
        subject="My draft",
        author=worker,
        status="draft",
        finalised_at=None,
        event_at=EVENT_AT - datetime.timedelta(days=1),
    )
    CaseNoteFactory(
        person=person,
        subject="Someone else's draft",
        author=users["team_manager"],
        status="draft",
        finalised_at=None,
    )
    CaseNoteFactory(subject="Another person's note")

    # session, user, 2 x permissions, person, count, access event, alerts, allocation,
    # note types, authors, notes; and the suite's own audit check.
    with django_assert_max_num_queries(11):
        response = worker_client.get(reverse("clients:note-list", args=[person.pk]))

    assert response.status_code == 200
    shown = [note.subject for note in response.context["page"]]
    assert shown == ["Newer final", "My draft", "Older final"]
    body = response.content.decode()
    assert "Someone else&#x27;s draft" not in body
    assert "Another person" not in body
    assert f'href="/people/{person.pk}/notes/{newer.pk}/"' in body
    assert f'href="/people/{person.pk}/notes/{older.pk}/"' in body
    [access] = _accesses(person)
    assert (access.action, access.summary, access.actor_id) == (
        "view",
        "Viewed case notes",
        worker.pk,
    )


def test_the_list_query_count_does_not_grow_with_the_number_of_notes(
    worker: User,
    person: Person,
    worker_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    for day in range(60):
        CaseNoteFactory(person=person, event_at=EVENT_AT - datetime.timedelta(days=day))

    with django_assert_max_num_queries(11):
        response = worker_client.get(reverse("clients:note-list", args=[person.pk]) + "?page=2")

    assert response.status_code == 200
    assert len(response.context["page"]) == 25
    assert response.context["page"].number == 2
    assert 'aria-label="Page 3"' in response.content.decode()


def test_the_list_filters_by_type_significance_author_and_date(
    worker: User,
    users: dict[str, User],
    person: Person,
    worker_client: Client,
    home_visit: NoteType,
    telephone: NoteType,
) -> None:
    manager = users["team_manager"]
    CaseNoteFactory(person=person, subject="Visit", type=home_visit, event_at=EVENT_AT)
    CaseNoteFactory(
        person=person,
        subject="Call",
        type=telephone,
        author=manager,
        is_significant=True,
        event_at=EVENT_AT - datetime.timedelta(days=40),
    )
    url = reverse("clients:note-list", args=[person.pk])

    def subjects(query: str) -> list[str]:
        response = worker_client.get(url + query)
        assert response.status_code == 200
        return [note.subject for note in response.context["page"]]

    assert subjects(f"?type={telephone.pk}") == ["Call"]
    assert subjects("?significant=on") == ["Call"]
    assert subjects(f"?author={manager.pk}") == ["Call"]
    assert subjects("?" + _dates(date_from="2025-01-01")) == ["Visit"]
    assert subjects("?" + _dates(date_to="2025-01-01")) == ["Call"]
    assert subjects("?" + _dates(date_from="2024-12-01", date_to="2024-12-31")) == ["Call"]
    # The day itself is included at both ends.
    assert subjects("?" + _dates(date_from="2025-02-03", date_to="2025-02-03")) == ["Visit"]


def _dates(**dates: str) -> str:
    """A query string for the date filters, each date ("2025-01-31") typed into its 3 boxes."""
    parts = []
    for name, value in dates.items():
        year, month, day = value.split("-")
        parts += [f"{name}_day={day}", f"{name}_month={month}", f"{name}_year={year}"]
    return "&".join(parts)


def test_the_date_filters_are_gov_uk_date_inputs(person: Person, worker_client: Client) -> None:
    response = worker_client.get(reverse("clients:note-list", args=[person.pk]))

    body = response.content.decode()
    assert 'type="date"' not in body
    for name in ("date_from", "date_to"):
        for part in ("day", "month", "year"):
            assert f'name="{name}_{part}" type="text" inputmode="numeric"' in body
    assert body.count("For example, 27 3 2026") == 2
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">From<span' in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "date_from_day=30&date_from_month=2&date_from_year=2025",
            "date_from",
            "The “from” date must be a real date.",
        ),
        (
            "date_from_day=1&date_from_year=2025",
            "date_from",
            "The “from” date must include a month.",
        ),
        ("date_to_month=3", "date_to", "The “to” date must include a day and a year."),
        (
            "date_from_day=1&date_from_month=1&date_from_year=25",
            "date_from",
            "Year must include 4 numbers.",
        ),
        (
            "date_from_day=not&date_from_month=a&date_from_year=date",
            "date_from",
            "The “from” date must be a real date.",
        ),
        (
            "date_to_day=%00&date_to_month=1&date_to_year=2025",
            "date_to",
            "The “to” date must be a real date.",
        ),
        (
            "date_to_day=%E2%80%AE1&date_to_month=1&date_to_year=2025",
            "date_to",
            "The “to” date must be a real date.",
        ),
        (
            "date_to_day=%F0%9F%98%80&date_to_month=1&date_to_year=2025",
            "date_to",
            "The “to” date must be a real date.",
        ),
        (
            f"date_to_day={'9' * 10_000}&date_to_month=1&date_to_year=2025",
            "date_to",
            "The “to” date must be a real date.",
        ),
        (
            _dates(date_from="2025-02-01", date_to="2025-01-01"),
            "date_to",
            "The “to” date must be the same as or after the “from” date.",
        ),
    ],
)
def test_a_bad_date_filter_is_explained_kept_and_ignored(
    person: Person, worker_client: Client, query: str, field: str, message: str
) -> None:
    CaseNoteFactory(person=person, subject="Visit", event_at=EVENT_AT)

    response = worker_client.get(reverse("clients:note-list", args=[person.pk]) + "?" + query)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#id_{field}_0">' in body  # the summary links to the day box
    assert f'id="id_{field}-error"' in body
    assert body.count("govuk-date-input__input govuk-input--width") == 6
    # What was typed is still in the boxes; the bad filter is left out, the list still shown.
    first_box = query.split("&")[0].split("=", 1)[1]
    if first_box and "%" not in first_box:
        assert f'value="{first_box}"' in body
    assert [note.subject for note in response.context["page"]] == ["Visit"]


@pytest.mark.parametrize(
    "query",
    [
        "?type=999999999999999999999",
        "?type=%00",
        "?author=abc",
    ],
)
def test_bad_filters_get_a_message_and_never_a_500(
    person: Person, worker_client: Client, query: str
) -> None:
    CaseNoteFactory(person=person, subject="Visit")

    response = worker_client.get(reverse("clients:note-list", args=[person.pk]) + query)

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("query", ["?page=%00", "?page=99999", "?date_from=2025-01-01"])
def test_an_unreadable_page_number_or_old_style_date_is_ignored(
    person: Person, worker_client: Client, query: str
) -> None:
    CaseNoteFactory(person=person, subject="Visit")

    response = worker_client.get(reverse("clients:note-list", args=[person.pk]) + query)

    assert response.status_code == 200
    assert [note.subject for note in response.context["page"]] == ["Visit"]
    assert "There is a problem" not in response.content.decode()


def test_writing_a_draft_and_a_final_note_through_the_form(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    url = reverse("clients:note-create", args=[person.pk])

    response = worker_client.post(url, _form(home_visit, subject="Draft one"))
    draft = CaseNote.objects.get(subject="Draft one")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:note-detail", args=[person.pk, draft.pk])
    assert draft.status == "draft"
    assert timezone.localtime(draft.event_at) == EVENT_AT

    worker_client.post(
        url,
        _form(home_visit, subject="Final one", action="finalise", is_significant="on"),
    )
    final = CaseNote.objects.get(subject="Final one")
    assert (final.status, final.is_significant) == ("final", True)
    assert ChronologyEntry.objects.get().summary == "Final one"
    # The chronology page shows it (the end-to-end path a practitioner takes).
    chronology = worker_client.get(reverse("clients:chronology", args=[person.pk]))
    assert "Final one" in chronology.content.decode()


def test_the_time_is_optional_and_accepts_twelve_hour_times(
    person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    url = reverse("clients:note-create", args=[person.pk])

    worker_client.post(url, _form(home_visit, subject="No time", event_time=""))
    worker_client.post(url, _form(home_visit, subject="Afternoon", event_time="2.15pm"))

    no_time = timezone.localtime(CaseNote.objects.get(subject="No time").event_at)
    afternoon = timezone.localtime(CaseNote.objects.get(subject="Afternoon").event_at)
    assert (no_time.date(), no_time.hour, no_time.minute) == (datetime.date(2025, 2, 3), 12, 0)
    assert (afternoon.hour, afternoon.minute) == (14, 15)


TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"type": ""}, "type", "Choose the type of note."),
        ({"type": "999999"}, "type", "Choose the type of note from the list."),
        ({"type": "\x00"}, "type", "Null characters are not allowed."),
        (
            {"event_date_day": "", "event_date_month": "", "event_date_year": ""},
            "event_date",
            "Enter the date it happened.",
        ),
        ({"event_date_month": ""}, "event_date", "The date it happened must include a month."),
        ({"event_date_day": "31", "event_date_month": "2"}, "event_date", "must be a real date"),
        ({"event_date_year": "25"}, "event_date", "Year must include 4 numbers."),
        ({"event_date_day": "\x00"}, "event_date", "must be a real date"),
        (
            {
                "event_date_day": str(TOMORROW.day),
                "event_date_month": str(TOMORROW.month),
                "event_date_year": str(TOMORROW.year),
            },
            "event_date",
            "The date it happened must be today or in the past.",
        ),
        ({"event_time": "25:00"}, "event_time", "Enter a real time"),
        ({"event_time": "teatime"}, "event_time", "Enter the time like 14:30"),
        ({"subject": ""}, "subject", "Enter a subject."),
        ({"subject": "s" * 10_000}, "subject", "Subject must be 200 characters or fewer"),
        ({"subject": "Visit\x00"}, "subject", "Subject contains a control character"),
        ({"subject": "Visit \u202eereh"}, "subject", "hidden text-direction characters"),
        ({"body": ""}, "body", "Enter what happened."),
        ({"body": "b" * 60_000}, "body", "Note must be 50000 characters or fewer"),
        ({"body": "Seen\x00"}, "body", "Note contains a control character"),
        ({"body": "Seen \u202e"}, "body", "hidden text-direction characters"),
    ],
)
def test_bad_input_on_the_note_form_is_explained_and_nothing_is_lost_or_saved(
    person: Person,
    worker_client: Client,
    home_visit: NoteType,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = _form(home_visit, **overrides)
    changes_before = AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count()

    response = worker_client.post(reverse("clients:note-create", args=[person.pk]), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'href="#id_{field}' in body  # the summary links to the field
    assert 'class="govuk-error-message"' in body
    # What else was typed is still there.
    for name in ("subject", "body", "event_time"):
        if name != field and name not in overrides:
            assert data[name] in body
    assert CaseNote.objects.count() == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count() == changes_before
    assert len(_accesses(person)) == 1  # the page shown again is one look


def test_emoji_in_the_body_is_accepted_by_the_form(
    person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    response = worker_client.post(
        reverse("clients:note-create", args=[person.pk]),
        _form(home_visit, body="Happy today 😀👍🏽", subject="Direct work ✏️"),
    )

    assert response.status_code == 302
    assert CaseNote.objects.get().body == "Happy today 😀👍🏽"


def test_every_page_showing_a_note_writes_exactly_one_access_event(
    worker: User, person: Person, worker_client: Client
) -> None:
    final = CaseNoteFactory(person=person, author=worker)
    draft = CaseNoteFactory(person=person, author=worker, status="draft", finalised_at=None)
    pages = [
        ("clients:note-list", [person.pk], "Viewed case notes"),
        ("clients:note-detail", [person.pk, final.pk], f"Viewed case note {final.pk}"),
        ("clients:note-create", [person.pk], "Viewed new case note form"),
        ("clients:note-edit", [person.pk, draft.pk], f"Viewed case note {draft.pk}"),
        ("clients:note-finalise", [person.pk, draft.pk], f"Viewed case note {draft.pk}"),
        ("clients:note-amend", [person.pk, final.pk], f"Viewed case note {final.pk}"),
    ]
    for name, args, summary in pages:
        before = AuditEvent.objects.count()

        response = worker_client.get(reverse(name, args=args))

        assert response.status_code == 200, name
        [event] = AuditEvent.objects.order_by("id")[before:]
        assert (event.kind, event.action, event.person_id, event.summary) == (
            "access",
            "view",
            person.pk,
            summary,
        ), name
        assert event.ip_address == "127.0.0.1"


def test_the_detail_page_shows_the_note_and_its_amendment_both_ways(
    worker: User, users: dict[str, User], person: Person, worker_client: Client
) -> None:
    original = CaseNoteFactory(person=person, subject="Original", body="Line one\nLine two")
    amendment = CaseNoteFactory(
        person=person, subject="Corrected", amends=original, author=users["team_manager"]
    )

    first = worker_client.get(reverse("clients:note-detail", args=[person.pk, original.pk]))
    second = worker_client.get(reverse("clients:note-detail", args=[person.pk, amendment.pk]))

    first_body = first.content.decode()
    assert "Line one\nLine two" in first_body
    assert "This note has been corrected." in first_body
    assert f"/notes/{amendment.pk}/" in first_body
    assert "Amend this note" not in first_body  # amended already: amend the newer one
    second_body = second.content.decode()
    assert "This note corrects" in second_body
    assert f"/notes/{original.pk}/" in second_body
    assert "Amend this note" in second_body


def test_someone_elses_draft_is_not_found(
    users: dict[str, User], person: Person, worker_client: Client
) -> None:
    draft = CaseNoteFactory(
        person=person, author=users["team_manager"], status="draft", finalised_at=None
    )

    for name in ("clients:note-detail", "clients:note-edit", "clients:note-finalise"):
        response = worker_client.get(reverse(name, args=[person.pk, draft.pk]))
        assert response.status_code == 404
    assert AuditEvent.objects.count() == 0


def test_a_note_of_another_person_is_not_found_under_this_person(
    worker: User, person: Person, worker_client: Client
) -> None:
    elsewhere = CaseNoteFactory(author=worker)

    response = worker_client.get(reverse("clients:note-detail", args=[person.pk, elsewhere.pk]))

    assert response.status_code == 404


def test_editing_a_final_note_is_refused_with_a_clear_message(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    final = CaseNoteFactory(person=person, author=worker, subject="Final words")
    url = reverse("clients:note-edit", args=[person.pk, final.pk])

    response = worker_client.get(url)
    posted = worker_client.post(url, _form(home_visit, subject="Rewritten", version="1"))

    assert response.status_code == 403
    assert "This note cannot be changed" in response.content.decode()
    assert "To correct it, add an amendment" in response.content.decode()
    assert posted.status_code == 403
    assert "This note has been finalised" in posted.content.decode()
    for page in (response, posted):
        assert reverse("clients:note-amend", args=[person.pk, final.pk]) in page.content.decode()
    final.refresh_from_db()
    assert final.subject == "Final words"
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).exists()


def test_editing_my_draft_saves_it(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    draft = _create(worker, person, home_visit)
    url = reverse("clients:note-edit", args=[person.pk, draft.pk])

    form_page = worker_client.get(url)
    assert 'name="version" value="1"' in form_page.content.decode()
    assert 'value="Home visit"' in form_page.content.decode()
    response = worker_client.post(url, _form(home_visit, subject="Better subject", version="1"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.subject, draft.version, draft.status) == ("Better subject", 2, "draft")


def test_two_tabs_editing_one_draft_the_second_save_is_told_sees_both_and_loses_nothing(
    worker: User, person: Person, client_for: Any, home_visit: NoteType
) -> None:
    # Given the author has the same draft open in two tabs
    draft = _create(worker, person, home_visit, body="Original text")
    url = reverse("clients:note-edit", args=[person.pk, draft.pk])
    first_tab, second_tab = client_for("allocated_worker"), client_for("allocated_worker")
    first_tab.get(url)
    second_tab.get(url)

    # When the first tab saves, then the second
    saved = first_tab.post(url, _form(home_visit, body="Saved from the first tab", version="1"))
    assert saved.status_code == 302
    clash = second_tab.post(
        url, _form(home_visit, body="Typed in the second tab", subject="Tab two", version="1")
    )

    # Then the second save is refused, showing both versions and keeping what was typed
    assert clash.status_code == 200
    body = clash.content.decode()
    assert "saved somewhere else" in body
    assert "What is saved now" in body
    assert "Saved from the first tab" in body
    assert "Typed in the second tab" in body
    assert 'value="Tab two"' in body
    assert 'name="version" value="2"' in body
    draft.refresh_from_db()
    assert (draft.body, draft.version) == ("Saved from the first tab", 2)

    # and saving again, having seen both, keeps the second tab's text.
    again = second_tab.post(
        url, _form(home_visit, body="Typed in the second tab", subject="Tab two", version="2")
    )
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.body, draft.subject, draft.version) == ("Typed in the second tab", "Tab two", 3)


def test_a_draft_finalised_in_another_tab_keeps_what_was_typed_in_this_one(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    draft = _create(worker, person, home_visit)
    note_services.note_finalise(actor=worker, note=draft)
    # The edit page was opened before it was finalised; the post arrives after.
    url = reverse("clients:note-edit", args=[person.pk, draft.pk])

    response = worker_client.post(url, _form(home_visit, body="My late change", version="1"))

    assert response.status_code == 403
    body = response.content.decode()
    assert "This note has been finalised, so your changes have not been saved." in body
    assert "My late change" in body
    assert reverse("clients:note-amend", args=[person.pk, draft.pk]) in body
    draft.refresh_from_db()
    assert draft.body == "Jayden seen alone in his room."


def test_save_and_finalise_from_the_edit_page(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    draft = _create(worker, person, home_visit)
    url = reverse("clients:note-edit", args=[person.pk, draft.pk])

    worker_client.post(
        url, _form(home_visit, version="1", action="finalise", is_significant="on", subject="S")
    )

    draft.refresh_from_db()
    assert (draft.status, draft.subject, draft.version) == ("final", "S", 2)
    assert ChronologyEntry.objects.get().source_id == str(draft.pk)
    assert [event.action for event in _changes(person)] == ["create", "finalise", "create"]


def test_finalising_asks_first_then_makes_the_note_final(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    draft = _create(worker, person, home_visit, subject="Ready")
    url = reverse("clients:note-finalise", args=[person.pk, draft.pk])

    confirm = worker_client.get(url)
    assert "Finalise “Ready”?" in confirm.content.decode()
    assert CaseNote.objects.get().status == "draft"
    response = worker_client.post(url, {"version": "1"})

    assert response.status_code == 302
    assert CaseNote.objects.get().status == "final"
    again = worker_client.post(url, {"version": "1"})
    assert again.status_code == 302  # already final: back to the note, nothing changes
    assert [event.action for event in _changes(person)] == ["create", "finalise"]


def test_finalising_a_draft_that_changed_since_the_confirm_page_asks_again(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    draft = _create(worker, person, home_visit, subject="Old words")
    note_services.note_update(
        actor=worker,
        note=draft,
        version=1,
        type=home_visit,
        subject="New words",
        body="x",
        event_at=EVENT_AT,
    )

    response = worker_client.post(
        reverse("clients:note-finalise", args=[person.pk, draft.pk]), {"version": "1"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "changed after you opened this page" in body
    assert "New words" in body
    assert 'name="version" value="2"' in body
    assert CaseNote.objects.get().status == "draft"


def test_amending_through_the_form(
    worker: User, users: dict[str, User], person: Person, client_for: Any, home_visit: NoteType
) -> None:
    original = CaseNoteFactory(
        person=person, author=worker, type=home_visit, subject="Wrong date", body="Visited."
    )
    manager_client = client_for("team_manager")
    url = reverse("clients:note-amend", args=[person.pk, original.pk])

    form_page = manager_client.get(url)
    assert 'value="Wrong date"' in form_page.content.decode()  # starts from the original
    response = manager_client.post(url, _form(home_visit, subject="Right date", body="Visited."))

    amendment = CaseNote.objects.get(amends=original)
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:note-detail", args=[person.pk, amendment.pk])
    assert (amendment.author_id, amendment.status) == (users["team_manager"].pk, "final")
    original.refresh_from_db()
    assert original.subject == "Wrong date"
    # Amending the same original again sends the worker to the note instead.
    second = manager_client.get(url)
    assert second.status_code == 302
    assert CaseNote.objects.count() == 2


def test_bad_input_on_the_amend_form_saves_nothing(
    worker: User, person: Person, worker_client: Client, home_visit: NoteType
) -> None:
    original = CaseNoteFactory(person=person, author=worker)

    response = worker_client.post(
        reverse("clients:note-amend", args=[person.pk, original.pk]),
        _form(home_visit, subject="x" * 10_000, body="Kept \U0001f600"),
    )

    assert response.status_code == 200
    assert "Subject must be 200 characters or fewer" in response.content.decode()
    assert "Kept \U0001f600" in response.content.decode()
    assert CaseNote.objects.count() == 1


def test_amending_a_draft_goes_to_the_edit_page(
    worker: User, person: Person, worker_client: Client
) -> None:
    draft = CaseNoteFactory(person=person, author=worker, status="draft", finalised_at=None)

    response = worker_client.get(reverse("clients:note-amend", args=[person.pk, draft.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:note-edit", args=[person.pk, draft.pk])


def test_finance_cannot_see_notes(person: Person, client_for: Any) -> None:
    note = CaseNoteFactory(person=person)
    finance = client_for("finance_officer")

    assert finance.get(reverse("clients:note-list", args=[person.pk])).status_code == 404
    assert finance.get(reverse("clients:note-detail", args=[person.pk, note.pk])).status_code == 404
    assert AuditEvent.objects.count() == 0
