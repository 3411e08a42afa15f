"""Records built with exactly the facts each retention rule reads."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from casemgmt.models import Team
from clients.models import CaseNote, Involvement, Person, Relationship, RelationshipType
from tests.factories import CaseNoteFactory, InvolvementFactory, PersonFactory
from workflows.models import (
    CarePeriod,
    Episode,
    LegalStatus,
    PreviousPermanence,
    Request,
    Workflow,
)

TODAY = datetime.date(2026, 6, 15)


def aware(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def person(**kwargs: Any) -> Person:
    """A person recorded long ago, so the catch-all does not count from today."""
    kwargs.setdefault("created_at", aware(datetime.date(2010, 1, 4)))
    return PersonFactory(**kwargs)


def looked_after(
    child: Person, *, start: datetime.date, end: datetime.date | None = None, reason: str = ""
) -> CarePeriod:
    period = CarePeriod.objects.create(
        person=child,
        start_date=start,
        category_of_need="N1",
        end_date=end,
        reason_ceased=reason or ("E13" if end else ""),
    )
    LegalStatus.objects.create(
        person=child, care_period=period, legal_status="C2", start_date=start, end_date=end
    )
    return period


def adopted(child: Person, *, placed: datetime.date, order: datetime.date) -> CarePeriod:
    return looked_after(child, start=placed, end=order, reason="E11")


def previous_adoption(child: Person, *, order: datetime.date) -> PreviousPermanence:
    return PreviousPermanence.objects.create(person=child, arrangement="P1", order_date=order)


def foster_carer(
    carer: Person, child: Person, *, start: datetime.date, end: datetime.date | None
) -> Relationship:
    """The carer is foster carer to the child (and the child foster child to the carer)."""
    to_carer = Relationship.objects.create(
        person=child,
        other=carer,
        type=RelationshipType.objects.get(code="foster-carer"),
        start_date=start,
        end_date=end,
    )
    Relationship.objects.create(
        person=carer,
        other=child,
        type=RelationshipType.objects.get(code="foster-child"),
        start_date=start,
        end_date=end,
        reciprocal=to_carer,
    )
    return to_carer


def adults_workflow() -> Workflow:
    workflow, _ = Workflow.objects.get_or_create(
        code="retention-adults", defaults={"name": "Adult care", "service": "adults"}
    )
    return workflow


def adult_work(
    adult: Person, *, opened: datetime.date, closed: datetime.date | None = None
) -> Episode:
    return Episode.objects.create(
        workflow=adults_workflow(), person=adult, opened_on=opened, closed_on=closed
    )


def request_for_support(adult: Person, *, on: datetime.date) -> Request:
    return Request.objects.create(
        person=adult, request_date=on, route_of_access="planned_entry", end_date=on
    )


def note(someone: Person, *, on: datetime.date) -> CaseNote:
    return CaseNoteFactory(person=someone, event_at=aware(on))


def involvement(
    someone: Person, *, start: datetime.date, end: datetime.date | None, team: Team | None = None
) -> Involvement:
    extra: dict[str, Any] = {"team": team} if team else {}
    return InvolvementFactory(person=someone, start_date=start, end_date=end, **extra)
