"""A person's access log: who looked at, exported or changed the record, and from where."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import AuditEvent, User
from clients.models import Person
from tests.factories import CaseNoteFactory, PersonFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _event(person_id: int, actor: User, **values: Any) -> AuditEvent:
    defaults: dict[str, Any] = {
        "occurred_at": datetime.datetime(2025, 3, 1, 9, 0, tzinfo=LONDON),
        "kind": AuditEvent.Kind.ACCESS,
        "action": "view",
        "actor": actor,
        "actor_username": actor.username,
        "person_id": person_id,
        "object_type": "person",
        "object_id": str(person_id),
        "summary": "Viewed person record",
        "ip_address": "10.20.30.40",
    }
    defaults.update(values)
    return AuditEvent.objects.create(**defaults)


@pytest.fixture
def manager_client(client_for: Any) -> Client:
    return client_for("team_manager")


def test_a_manager_sees_who_looked_and_changed_what_when_and_from_where(
    worker: User,
    users: dict[str, User],
    person: Person,
    manager_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _event(person.pk, worker, summary="Viewed case notes")
    _event(
        person.pk,
        worker,
        kind=AuditEvent.Kind.CHANGE,
        action="update",
        object_type="clients.person",
        summary="Changed person details",
        changes={"last_name": ["Whitmore", "Whitmore-Jones"]},
        occurred_at=datetime.datetime(2025, 3, 2, 14, 5, tzinfo=LONDON),
        ip_address="192.0.2.7",
    )
    _event(PersonFactory().pk, worker, summary="Someone else entirely")

    # session, user, 2 x permissions, person, merged ids, access event, usernames,
    # count, events, alerts, allocation; and the suite's own audit check.
    with django_assert_max_num_queries(11):
        response = manager_client.get(reverse("clients:access-log", args=[person.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    events = [event for event, _ in response.context["rows"]]
    # Newest first: the manager's own look, then the change, then the view.
    assert [event.summary for event in events] == [
        "Viewed access log",
        "Changed person details",
        "Viewed case notes",
    ]
    assert events[0].actor_id == users["team_manager"].pk
    assert "Someone else entirely" not in body
    assert "192.0.2.7" in body
    assert "10.20.30.40" in body
    assert "Whitmore → Whitmore-Jones" in body
    assert "2 Mar 2025 14:05:00" in body
    assert worker.get_full_name() in body


def test_opening_the_access_log_is_itself_one_access_event(
    users: dict[str, User], person: Person, manager_client: Client
) -> None:
    manager_client.get(reverse("clients:access-log", args=[person.pk]))

    [event] = AuditEvent.objects.all()
    assert (event.kind, event.action, event.person_id, event.actor_id, event.summary) == (
        "access",
        "view",
        person.pk,
        users["team_manager"].pk,
        "Viewed access log",
    )


def _dates(**dates: str) -> str:
    """A query string for the date filters, each date ("2025-01-31") typed into its 3 boxes."""
    parts = []
    for name, value in dates.items():
        year, month, day = value.split("-")
        parts += [f"{name}_day={day}", f"{name}_month={month}", f"{name}_year={year}"]
    return "&".join(parts)


def test_the_log_filters_by_user_kind_and_date(
    worker: User, users: dict[str, User], person: Person, manager_client: Client
) -> None:
    other = users["other_team_worker"]
    _event(person.pk, worker, summary="A", occurred_at=datetime.datetime(2025, 1, 5, tzinfo=LONDON))
    _event(
        person.pk,
        other,
        summary="B",
        kind=AuditEvent.Kind.CHANGE,
        action="update",
        occurred_at=datetime.datetime(2025, 2, 5, 23, 30, tzinfo=LONDON),
    )
    _event(person.pk, other, summary="C", occurred_at=datetime.datetime(2025, 3, 5, tzinfo=LONDON))
    url = reverse("clients:access-log", args=[person.pk])

    def summaries(query: str) -> list[str]:
        response = manager_client.get(url + query)
        assert response.status_code == 200
        return [event.summary for event, _ in response.context["rows"]]

    assert summaries(f"?user={other.username}") == ["C", "B"]
    assert summaries("?kind=change") == ["B"]
    # Dates are London days, including the last minutes of the "to" day.
    assert summaries("?" + _dates(date_from="2025-02-01", date_to="2025-02-05")) == ["B"]
    assert summaries(f"?user={worker.username}&" + _dates(date_to="2025-01-31")) == ["A"]
    page = manager_client.get(url).content.decode()
    assert f'<option value="{other.username}">' in page


def test_the_log_includes_records_merged_into_this_one(
    worker: User, person: Person, manager_client: Client
) -> None:
    duplicate = PersonFactory(merged_into=person)
    older_duplicate = PersonFactory(merged_into=duplicate)
    _event(duplicate.pk, worker, summary="Looked at the duplicate")
    _event(older_duplicate.pk, worker, summary="Looked at an older duplicate")

    response = manager_client.get(reverse("clients:access-log", args=[person.pk]))

    body = response.content.decode()
    assert "Looked at the duplicate" in body
    assert "Looked at an older duplicate" in body
    assert f"on merged record {duplicate.pk}" in body
    assert sorted(response.context["merged_ids"]) == sorted([duplicate.pk, older_duplicate.pk])


def test_the_log_is_paginated_by_fifty(
    worker: User, person: Person, manager_client: Client
) -> None:
    for minute in range(60):
        _event(
            person.pk,
            worker,
            occurred_at=datetime.datetime(2025, 3, 1, 9, minute, tzinfo=LONDON),
        )

    first = manager_client.get(reverse("clients:access-log", args=[person.pk]))
    second = manager_client.get(reverse("clients:access-log", args=[person.pk]) + "?page=2")

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 12  # 60 + the two looks at the log


def test_views_and_exports_by_workers_show_in_the_log(
    worker: User, person: Person, worker_client: Client, manager_client: Client
) -> None:
    note = CaseNoteFactory(person=person)
    worker_client.get(reverse("clients:note-detail", args=[person.pk, note.pk]))
    worker_client.get(reverse("clients:chronology-export", args=[person.pk]))

    response = manager_client.get(reverse("clients:access-log", args=[person.pk]))

    summaries = [event.summary for event, _ in response.context["rows"]]
    assert summaries == [
        "Viewed access log",
        "Exported chronology (CSV)",
        f"Viewed case note {note.pk}",
    ]
    assert [event.actor_username for event, _ in response.context["rows"]][1:] == [
        worker.username,
        worker.username,
    ]


@pytest.mark.parametrize("persona", ["allocated_worker", "business_support", "finance_officer"])
def test_people_who_are_not_managers_cannot_open_it(
    person: Person, client_for: Any, persona: str
) -> None:
    response = client_for(persona).get(reverse("clients:access-log", args=[person.pk]))

    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    [
        "?user=%00",
        "?user=" + "u" * 10_000,
        "?kind=everything",
        "?date_from_day=1&date_from_month=13&date_from_year=2025",
        "?date_from_month=3",
        "?date_from_day=%00&date_from_month=1&date_from_year=2025",
        "?date_to_day=%F0%9F%98%80&date_to_month=1&date_to_year=2025",
        "?" + _dates(date_from="2025-03-01", date_to="2025-01-01"),
        "?page=-1",
    ],
)
def test_bad_filters_are_reported_and_never_a_500(
    worker: User, person: Person, manager_client: Client, query: str
) -> None:
    _event(person.pk, worker, summary="Still listed")

    response = manager_client.get(reverse("clients:access-log", args=[person.pk]) + query)

    assert response.status_code == 200
    assert "Still listed" in response.content.decode()
    if "page" not in query:
        assert "There is a problem" in response.content.decode()


def test_a_bad_date_is_explained_on_its_field_with_what_was_typed(
    person: Person, manager_client: Client
) -> None:
    query = "?date_to_day=31&date_to_month=2&date_to_year=2025"

    response = manager_client.get(reverse("clients:access-log", args=[person.pk]) + query)

    assert response.context["form"].errors["date_to"] == ["The “to” date must be a real date."]
    body = response.content.decode()
    assert '<p id="id_date_to-error" class="govuk-error-message">' in body
    assert 'aria-describedby="id_date_to-hint id_date_to-error"' in body
    assert 'name="date_to_day" type="text" inputmode="numeric" value="31"' in body
    assert 'name="date_to_month" type="text" inputmode="numeric" value="2"' in body
