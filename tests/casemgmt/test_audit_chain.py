"""The hash chain over the audit trail: sealed in order, verified, and tampering found."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from casemgmt.audit import record_access
from casemgmt.audit_chain import GENESIS, audit_seal, audit_verify
from casemgmt.models import AuditEvent, AuditSeal, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LATER = timezone.now() + datetime.timedelta(hours=1)


def _events(actor: User, count: int) -> list[AuditEvent]:
    return [
        record_access(actor=actor, action="view", person_id=1000 + n, summary=f"view {n}")
        for n in range(count)
    ]


def _behind_the_database(sql: str, params: list[object]) -> None:
    """What a superuser could do by switching the append-only triggers off."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def test_settled_events_are_sealed_in_order_and_the_chain_verifies() -> None:
    events = _events(UserFactory(), 5)

    assert audit_seal(now=LATER) == 5
    assert audit_seal(now=LATER) == 0
    seals = list(AuditSeal.objects.order_by("position"))
    assert [s.event_id for s in seals] == [e.pk for e in events]
    assert seals[0].previous_hash == GENESIS
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(seals))
    result = audit_verify(now=LATER)
    assert (result.intact, result.checked) == (True, 5)


def test_events_still_settling_wait_for_the_next_round() -> None:
    _events(UserFactory(), 2)
    assert audit_seal() == 0
    assert audit_seal(now=LATER) == 2


def test_an_event_changed_or_deleted_behind_the_database_breaks_the_chain() -> None:
    _first, second, third = _events(UserFactory(), 3)
    audit_seal(now=LATER)

    _behind_the_database(
        "UPDATE casemgmt_auditevent SET summary = 'nothing to see' WHERE id = %s", [second.pk]
    )
    _behind_the_database("DELETE FROM casemgmt_auditevent WHERE id = %s", [third.pk])

    result = audit_verify(now=LATER)
    assert result.problems == [
        f"seal 2: audit event {second.pk} has been changed",
        f"seal 3: audit event {third.pk} has been deleted",
    ]
    with pytest.raises(CommandError, match="The audit chain is broken: 2 problem"):
        call_command("audit_verify")


def test_unsealed_old_events_are_reported() -> None:
    _events(UserFactory(), 1)
    result = audit_verify(now=LATER)
    assert result.unsealed_settled == 1
    assert not result.intact


def test_seals_are_append_only() -> None:
    _events(UserFactory(), 1)
    audit_seal(now=LATER)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditSeal.objects.update(hash="0" * 64)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditSeal.objects.all().delete()
