"""Records retention: the review list and its decisions, destructions and destroyed records are
information governance's (no persona here: tests/retention/ covers the officers); legal holds
are placed and released by senior managers too, on the records they may open."""

from __future__ import annotations

from typing import Any

from casemgmt.models import Job
from retention import erasure
from retention.models import LegalHold, RetentionReview
from tests.matrix.base import Case, Context

REVIEWERS: frozenset[str] = frozenset()
HOLDERS = frozenset({"senior_manager"})
REDIRECT = frozenset({302})
REASON = "The council has been told of a claim about the child's care."


def _no_kwargs(ctx: Context) -> dict[str, Any]:
    return {}


def _review(ctx: Context) -> dict[str, Any]:
    review = RetentionReview.objects.create(person=ctx.person, undetermined_reason="no_rule")
    return {"review_id": review.pk}


def _destruction(ctx: Context) -> dict[str, Any]:
    job = Job.objects.create(
        kind=erasure.JOB_KIND,
        title=f"Destruction of record {ctx.person.pk}",
        params={"person_id": ctx.person.pk, "review_id": 0},
        created_by=ctx.users.get(ctx.persona),
    )
    return {"job_id": job.pk}


def _hold(ctx: Context) -> dict[str, Any]:
    hold = LegalHold.objects.create(
        person=ctx.person, reason=REASON, reference="CL-1", placed_by=ctx.users["senior_manager"]
    )
    return {"person_id": ctx.person.pk, "hold_id": hold.pk}


CASES = [
    Case("retention:review-list", REVIEWERS, kwargs=_no_kwargs, denied_status=403),
    Case(
        "retention:review-list",
        REVIEWERS,
        kwargs=_no_kwargs,
        query="?status=pending&rule=1&page=2",
        denied_status=403,
        label="filtered",
    ),
    Case("retention:review-detail", REVIEWERS, kwargs=_review),
    Case(
        "retention:review-detail",
        REVIEWERS,
        method="post",
        kwargs=_review,
        data=lambda ctx: {
            "action": "decide",
            "decide-decision": "destroy",
            "decide-reason": REASON,
        },
        ok_status=REDIRECT,
    ),
    Case("retention:destruction", REVIEWERS, kwargs=_destruction),
    Case("retention:tombstone-list", REVIEWERS, kwargs=_no_kwargs, denied_status=403),
    Case("retention:hold-list", HOLDERS, kwargs=_no_kwargs, denied_status=403),
    Case(
        "retention:hold-list",
        HOLDERS,
        kwargs=_no_kwargs,
        query="?status=all",
        denied_status=403,
        label="filtered",
    ),
    Case("retention:person", HOLDERS),
    Case("retention:hold-create", HOLDERS),
    Case(
        "retention:hold-create",
        HOLDERS,
        method="post",
        data=lambda ctx: {"reference": "IICSA", "reason": REASON},
        ok_status=REDIRECT,
    ),
    Case("retention:hold-release", HOLDERS, kwargs=_hold),
    Case(
        "retention:hold-release",
        HOLDERS,
        method="post",
        kwargs=_hold,
        data=lambda ctx: {"reason": "The claim has been settled."},
        ok_status=REDIRECT,
    ),
]
