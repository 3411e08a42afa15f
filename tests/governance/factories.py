"""Factories and helpers for the governance tests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import factory
from django.utils import timezone

from casemgmt.models import AuditEvent, User
from governance.models import AccessFlag, StaffHomeAddress
from tests.factories import UserFactory

# 2 June 2025 10:00 to 11:00 in London (British Summer Time, so 09:00 to 10:00 UTC).
WINDOW_START = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
WINDOW_END = WINDOW_START + datetime.timedelta(hours=1)
WINDOW_DAY = datetime.date(2025, 6, 2)


class StaffHomeAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffHomeAddress

    user = factory.SubFactory(UserFactory)
    postcode = "SW1A 1AA"


class AccessFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessFlag

    user = factory.SubFactory(UserFactory)
    rule = AccessFlag.Rule.MANY_UNINVOLVED
    window_start = WINDOW_START
    window_end = WINDOW_END
    person_ids = factory.LazyFunction(list)
    count = factory.LazyAttribute(lambda flag: len(flag.person_ids))
    created_at = factory.LazyFunction(timezone.now)


def opened(
    user: User,
    person_ids: Iterable[int],
    *,
    at: datetime.datetime | None = None,
    kind: str = AuditEvent.Kind.ACCESS,
    summary: str = "Viewed person record",
    reason: str = "",
) -> list[AuditEvent]:
    """Access events as the pages write them: `user` opened each person at `at`."""
    when = at or WINDOW_START + datetime.timedelta(minutes=30)
    return [
        AuditEvent.objects.create(
            occurred_at=when,
            kind=kind,
            action="view",
            actor=user,
            actor_username=user.username,
            person_id=person_id,
            object_type="person",
            object_id=str(person_id),
            summary=summary,
            reason=reason,
        )
        for person_id in person_ids
    ]
