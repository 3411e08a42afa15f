from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from casemgmt import audit, request_context
from casemgmt.models import AuditEvent, User
from clients.models import Person
from clients.services.people import person_update


@pytest.mark.django_db
def test_audit_rows_cannot_be_updated_or_deleted(worker: User, person: Person) -> None:
    # Given an access event
    event = audit.record_access(actor=worker, action="view", person_id=person.pk, summary="Viewed")

    # When anyone tries to change or remove it, even with raw SQL
    # Then the database refuses
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="nothing to see")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM casemgmt_auditevent")
    event.refresh_from_db()
    assert event.summary == "Viewed"


@pytest.mark.django_db
def test_change_event_holds_old_and_new_values_in_the_same_transaction(
    worker: User, person: Person
) -> None:
    # Given a person called Jayden Whitmore
    # When a worker corrects the first name
    person_update(actor=worker, person=person, first_name="Jaden")

    # Then one change event records the old and the new value
    event = AuditEvent.objects.get(kind="change", person_id=person.pk)
    assert event.action == "update"
    assert event.actor == worker
    assert event.changes == {"first_name": ["Jayden", "Jaden"]}


@pytest.mark.django_db
def test_a_failed_change_leaves_no_event(worker: User, person: Person) -> None:
    with pytest.raises(ValidationError):
        person_update(actor=worker, person=person, nhs_number="123")
    assert AuditEvent.objects.filter(person_id=person.pk).count() == 0


@pytest.mark.django_db
def test_events_record_where_the_request_came_from(worker: User, person: Person) -> None:
    token = request_context.set_current(
        request_context.RequestContext(
            ip_address="10.1.2.3", user_agent="Firefox", path="/people/1/", request_id="abc"
        )
    )
    try:
        event = audit.record_access(actor=worker, action="view", person_id=person.pk, summary="x")
    finally:
        request_context.reset(token)
    assert (event.ip_address, event.user_agent, event.path, event.request_id) == (
        "10.1.2.3",
        "Firefox",
        "/people/1/",
        "abc",
    )


@pytest.mark.django_db
def test_signed_in_pages_are_never_cached(worker_client: Client) -> None:
    response = worker_client.get("/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert response["X-Request-ID"]
