"""The hash chain over the audit trail: sealing new events in order, and verifying the chain.

Events are written by many transactions at once, so they are not chained as they are
written (that would serialise every request on one lock). A scheduled task seals them a
little later, in id order, once every transaction that could still commit a lower id
has had time to finish; verification recomputes every hash.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from casemgmt.models import AuditEvent, AuditSeal

GENESIS = "0" * 64
# Events younger than this may still have lower-id neighbours in open transactions.
SETTLE = datetime.timedelta(minutes=2)
# How far behind the newest seal to look for an event whose transaction committed late.
LOOKBACK_IDS = 10_000
BATCH = 5_000
_LOCK_ID = 0x6175646974  # "audit"

CONTENT_FIELDS = (
    "id",
    "occurred_at",
    "kind",
    "action",
    "actor_id",
    "actor_username",
    "person_id",
    "object_type",
    "object_id",
    "summary",
    "changes",
    "reason",
    "ip_address",
    "user_agent",
    "path",
    "request_id",
)


def canonical(row: dict[str, Any]) -> bytes:
    """An event's content as bytes that do not depend on the database's formatting."""
    values = dict(row)
    occurred: datetime.datetime = values["occurred_at"]
    values["occurred_at"] = occurred.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str).encode()


def link_hash(previous_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(row)).hexdigest()


def audit_seal(*, now: datetime.datetime | None = None, settle: datetime.timedelta = SETTLE) -> int:
    """Append seals for settled events not yet sealed; returns how many were sealed."""
    cutoff = (now or timezone.now()) - settle
    sealed = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_ID])
                if not cursor.fetchone()[0]:
                    return sealed  # another sealer is at work
            last = AuditSeal.objects.order_by("-position").first()
            floor = max((last.event_id if last else 0) - LOOKBACK_IDS, 0)
            rows = list(
                AuditEvent.objects.filter(pk__gt=floor, occurred_at__lt=cutoff)
                .exclude(pk__in=AuditSeal.objects.filter(event_id__gt=floor).values("event_id"))
                .order_by("pk")
                .values(*CONTENT_FIELDS)[:BATCH]
            )
            if not rows:
                return sealed
            position = last.position if last else 0
            previous = last.hash if last else GENESIS
            stamp = timezone.now()
            seals = []
            for row in rows:
                position += 1
                digest = link_hash(previous, row)
                seals.append(
                    AuditSeal(
                        position=position,
                        event_id=row["id"],
                        previous_hash=previous,
                        hash=digest,
                        sealed_at=stamp,
                    )
                )
                previous = digest
            AuditSeal.objects.bulk_create(seals)
            sealed += len(seals)


@dataclass
class Verification:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    unsealed_settled: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


def _seals() -> Iterator[AuditSeal]:
    position = 0
    while True:
        batch = list(AuditSeal.objects.filter(position__gt=position).order_by("position")[:BATCH])
        if not batch:
            return
        yield from batch
        position = batch[-1].position


def audit_verify(*, now: datetime.datetime | None = None) -> Verification:
    """Recompute the chain from the start and report every place it is broken."""
    result = Verification()
    previous = GENESIS
    expected_position = 1
    pending: list[AuditSeal] = []

    def check(batch: list[AuditSeal]) -> None:
        nonlocal previous
        events = {
            row["id"]: row
            for row in AuditEvent.objects.filter(pk__in=[s.event_id for s in batch]).values(
                *CONTENT_FIELDS
            )
        }
        for seal in batch:
            result.checked += 1
            if seal.previous_hash != previous:
                result.problems.append(
                    f"seal {seal.position}: does not follow the seal before it (chain rewritten)"
                )
            row = events.get(seal.event_id)
            if row is None:
                result.problems.append(
                    f"seal {seal.position}: audit event {seal.event_id} has been deleted"
                )
            elif link_hash(seal.previous_hash, row) != seal.hash:
                result.problems.append(
                    f"seal {seal.position}: audit event {seal.event_id} has been changed"
                )
            previous = seal.hash

    for seal in _seals():
        if seal.position != expected_position:
            result.problems.append(f"seals {expected_position} to {seal.position - 1} are missing")
        expected_position = seal.position + 1
        pending.append(seal)
        if len(pending) == BATCH:
            check(pending)
            pending = []
    if pending:
        check(pending)
    cutoff = (now or timezone.now()) - SETTLE * 5
    result.unsealed_settled = (
        AuditEvent.objects.filter(occurred_at__lt=cutoff)
        .exclude(pk__in=AuditSeal.objects.values("event_id"))
        .count()
    )
    if result.unsealed_settled:
        result.problems.append(
            f"{result.unsealed_settled} audit events older than {int(SETTLE.total_seconds() * 5 / 60)}"
            " minutes are not sealed (is the scheduled sealing running?)"
        )
    return result
