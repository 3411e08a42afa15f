"""The person page, its details, relationships, involvements, alerts and groups."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casemgmt.models import Team
from clients.models import AlertType, InvolvementRole, RelationshipType
from tests.factories import (
    AlertFactory,
    InvolvementFactory,
    PersonFactory,
    RelationshipFactory,
)
from tests.matrix.base import CASE_WORKERS, MANAGERS, PEOPLE_VIEWERS, Case, Context

# Who may change what, from casemgmt/roles.py (system administrators configure, they do not change records).
CHANGE_PERSON = CASE_WORKERS
RELATIONSHIPS = frozenset(
    {"allocated_worker", "other_team_worker", "team_manager", "senior_manager"}
)
INVOLVEMENTS = MANAGERS | {"business_support"}
ALERTS = CASE_WORKERS
GROUPS = CASE_WORKERS
SAVED = frozenset({302})


def _date(prefix: str) -> dict[str, str]:
    today = timezone.localdate()
    return {
        f"{prefix}_day": str(today.day),
        f"{prefix}_month": str(today.month),
        f"{prefix}_year": str(today.year),
    }


def _person_details(ctx: Context) -> dict[str, Any]:
    return {"first_name": ctx.person.first_name, "last_name": ctx.person.last_name, "sex": "M"}


def _address(ctx: Context) -> dict[str, Any]:
    return {"kind": "home", "line_1": "12 Mill Lane", "postcode": "LS6 2QT", **_date("start_date")}


def _name(ctx: Context) -> dict[str, Any]:
    return {"kind": "former", "first_name": "Jayden", "last_name": "Kowalski"}


def _relationship(ctx: Context) -> dict[str, Any]:
    mother = PersonFactory(sex="F")
    return {
        "other": str(mother.pk),
        "relationship_type": str(RelationshipType.objects.get(code="parent").pk),
    }


def _with_relationship(ctx: Context) -> dict[str, Any]:
    relationship = RelationshipFactory(person=ctx.person, other=PersonFactory())
    return {"person_id": ctx.person.pk, "relationship_id": relationship.pk}


def _involvement(ctx: Context) -> dict[str, Any]:
    return {
        "role": str(InvolvementRole.objects.get(code="occupational-therapist").pk),
        "team": str(Team.objects.filter(kind=Team.Kind.TEAM).order_by("pk").first().pk),  # type: ignore[union-attr]
        "worker": str(ctx.users["other_team_worker"].pk),
        **_date("start_date"),
    }


def _with_involvement(ctx: Context) -> dict[str, Any]:
    involvement = InvolvementFactory(person=ctx.person, start_date=timezone.localdate())
    return {"person_id": ctx.person.pk, "involvement_id": involvement.pk}


def _alert(ctx: Context) -> dict[str, Any]:
    return {
        "alert_type": str(AlertType.objects.get(code="lone-working").pk),
        "description": "Visit in pairs.",
        **_date("start_date"),
    }


def _with_alert(ctx: Context) -> dict[str, Any]:
    alert = AlertFactory(person=ctx.person, start_date=timezone.localdate())
    return {"person_id": ctx.person.pk, "alert_id": alert.pk}


def _group(ctx: Context) -> dict[str, Any]:
    return {"choice": "new", "kind": "household", "name": "Whitmore household", "role": "child"}


def _end(ctx: Context) -> dict[str, Any]:
    return {**_date("end_date"), "reason": "Closed"}


def _get_and_post(
    url_name: str,
    allowed: frozenset[str],
    data: Any,
    kwargs: Any = None,
) -> list[Case]:
    extra = {"kwargs": kwargs} if kwargs else {}
    return [
        Case(url_name, allowed=allowed, **extra),
        Case(url_name, allowed=allowed, method="post", data=data, ok_status=SAVED, **extra),
    ]


CASES = [
    Case("clients:person-detail", allowed=PEOPLE_VIEWERS),
    Case("clients:relationships", allowed=PEOPLE_VIEWERS),
    Case(
        "clients:relationship-add",
        allowed=RELATIONSHIPS,
        query="?q=whitmore",
        label="searching",
    ),
    *_get_and_post("clients:person-edit", CHANGE_PERSON, _person_details),
    *_get_and_post("clients:address-add", CHANGE_PERSON, _address),
    *_get_and_post("clients:name-add", CHANGE_PERSON, _name),
    *_get_and_post("clients:relationship-add", RELATIONSHIPS, _relationship),
    *_get_and_post("clients:relationship-end", RELATIONSHIPS, _end, _with_relationship),
    *_get_and_post("clients:involvement-add", INVOLVEMENTS, _involvement),
    *_get_and_post("clients:involvement-end", INVOLVEMENTS, _end, _with_involvement),
    *_get_and_post("clients:alert-add", ALERTS, _alert),
    *_get_and_post("clients:alert-end", ALERTS, _end, _with_alert),
    *_get_and_post("clients:group-add", GROUPS, _group),
]
