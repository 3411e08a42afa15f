"""Information governance: what a member of staff viewed, and the flagged access queue.

No persona here is an information governance officer, so the queue is refused to all of
them: tests/governance/test_pages.py covers the officer's side.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from governance.models import AccessFlag
from tests.matrix.base import Case, Context

# A team manager sees what the staff of the teams they manage viewed; a senior manager
# sees it for everyone. The allocated worker is in the team manager's team, the other-team
# worker is not.
TEAM_STAFF_ACCESS_READERS = frozenset({"team_manager", "senior_manager"})
ANY_STAFF_ACCESS_READERS = frozenset({"senior_manager"})
REVIEWERS: frozenset[str] = frozenset()


def _member(persona: str) -> Any:
    return lambda ctx: {"user_id": ctx.users[persona].pk}


def _flag(ctx: Context) -> dict[str, Any]:
    # Made directly, not by the check: the matrix counts audit events around the request.
    window_end = timezone.now().replace(minute=0, second=0, microsecond=0)
    flag = AccessFlag.objects.create(
        user=ctx.users["allocated_worker"],
        rule=AccessFlag.Rule.SURNAME_AND_POSTCODE,
        window_start=window_end - datetime.timedelta(hours=1),
        window_end=window_end,
        person_ids=[ctx.person.pk],
        count=1,
    )
    return {"flag_id": flag.pk}


def _review(ctx: Context) -> dict[str, str]:
    return {"outcome": "legitimate", "notes": "Checked with the manager: duty cover."}


CASES = [
    Case("governance:user-access", TEAM_STAFF_ACCESS_READERS, kwargs=_member("allocated_worker")),
    Case(
        "governance:user-access",
        ANY_STAFF_ACCESS_READERS,
        kwargs=_member("other_team_worker"),
        label="other team",
    ),
    Case(
        "governance:user-access",
        TEAM_STAFF_ACCESS_READERS,
        kwargs=_member("allocated_worker"),
        query="?date_from_day=1&date_from_month=1&date_from_year=2025",
        label="filtered",
    ),
    Case("governance:flag-list", REVIEWERS, kwargs=lambda ctx: {}, denied_status=403),
    Case(
        "governance:flag-list",
        REVIEWERS,
        kwargs=lambda ctx: {},
        query="?status=open&rule=many_uninvolved",
        denied_status=403,
        label="filtered",
    ),
    Case("governance:flag-detail", REVIEWERS, kwargs=_flag),
    Case(
        "governance:flag-detail",
        REVIEWERS,
        method="post",
        kwargs=_flag,
        data=_review,
        ok_status=frozenset({302}),
    ),
]
