"""Who may open a record: the access page, removing a grant, breaking the glass; notifications.

The access page is for the managers of the record's allocated team (team A's manager) and
senior managers (information governance too, which is no persona here). On a restricted or
sealed record the team manager, who was not granted it, cannot reach it; a senior manager
manages any record's access, granted or not.

Breaking the glass: on a record the persona may open anyway, the page sends them to it
(302) and changes nothing. On a restricted record, the managers who were not granted it
are asked for a reason (403, nothing shown) and, giving one, get in (302).
"""

from __future__ import annotations

from typing import Any

from clients.models import Person, RecordAccessGrant
from tests.factories import UserFactory
from tests.matrix.base import ALL_STAFF, MANAGERS, PEOPLE_VIEWERS, Case, Context

MANAGERS_OF_ACCESS = MANAGERS
SENIOR_ONLY = frozenset({"senior_manager"})
BREAKERS = frozenset({"team_manager", "senior_manager"})
GRANTED = frozenset({"allocated_worker"})
REDIRECT = frozenset({302})
REASON = "The family asked for the record to be protected."

# What a level change asks for: a level the record does not have yet.
_NEXT_LEVEL = {
    Person.AccessLevel.ORDINARY: Person.AccessLevel.RESTRICTED,
    Person.AccessLevel.RESTRICTED: Person.AccessLevel.SEALED,
    Person.AccessLevel.SEALED: Person.AccessLevel.RESTRICTED,
}


def _level(ctx: Context) -> dict[str, str]:
    return {
        "action": "level",
        "level-access_level": _NEXT_LEVEL[Person.AccessLevel(ctx.person.access_level)],
        "level-reason": REASON,
    }


def _grant(ctx: Context) -> dict[str, str]:
    return {
        "action": "grant",
        "grant-username": ctx.users["other_team_worker"].username,
        "grant-reason": "Covering the allocated worker's leave this month.",
    }


def _with_grant(ctx: Context) -> dict[str, Any]:
    # To a colleague who is no persona, so that no persona's reach changes.
    grant = RecordAccessGrant.objects.create(
        person=ctx.person,
        user=UserFactory(username="gill.granted"),
        reason="Seconded to the case for a month.",
    )
    return {"person_id": ctx.person.pk, "grant_id": grant.pk}


def _no_kwargs(ctx: Context) -> dict[str, Any]:
    return {}


CASES = [
    Case(
        "clients:record-access",
        MANAGERS_OF_ACCESS,
        allowed_by_kind={"restricted": SENIOR_ONLY, "sealed": SENIOR_ONLY},
    ),
    Case(
        "clients:record-access",
        MANAGERS_OF_ACCESS,
        method="post",
        data=_level,
        ok_status=REDIRECT,
        label="level",
        allowed_by_kind={"restricted": SENIOR_ONLY, "sealed": SENIOR_ONLY},
    ),
    Case(
        "clients:record-access",
        MANAGERS_OF_ACCESS,
        method="post",
        data=_grant,
        ok_status=REDIRECT,
        label="grant",
        allowed_by_kind={"restricted": SENIOR_ONLY, "sealed": SENIOR_ONLY},
    ),
    Case(
        "clients:record-access-remove",
        MANAGERS_OF_ACCESS,
        kwargs=_with_grant,
        allowed_by_kind={"restricted": SENIOR_ONLY, "sealed": SENIOR_ONLY},
    ),
    Case(
        "clients:record-access-remove",
        MANAGERS_OF_ACCESS,
        method="post",
        kwargs=_with_grant,
        data=lambda ctx: {"reason": "The secondment has ended."},
        ok_status=REDIRECT,
        allowed_by_kind={"restricted": SENIOR_ONLY, "sealed": SENIOR_ONLY},
    ),
    Case(
        "clients:break-glass",
        PEOPLE_VIEWERS,
        ok_status=REDIRECT,
        refused_by_kind={"restricted": BREAKERS},
    ),
    Case(
        "clients:break-glass",
        PEOPLE_VIEWERS,
        method="post",
        data=lambda ctx: {"reason": "Police at the door asking about the child's safety."},
        ok_status=REDIRECT,
        allowed_by_kind={"restricted": GRANTED | BREAKERS},
    ),
    Case("notifications", ALL_STAFF, kwargs=_no_kwargs, denied_status=403),
    Case(
        "notifications",
        ALL_STAFF,
        method="post",
        kwargs=_no_kwargs,
        data=lambda ctx: {"notification": "all"},
        ok_status=REDIRECT,
        denied_status=403,
    ),
]
