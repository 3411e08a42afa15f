"""Finding people, adding a person, and merging duplicates."""

from __future__ import annotations

from typing import Any

from tests.factories import PersonFactory
from tests.matrix.base import CASE_WORKERS, MANAGERS, PEOPLE_VIEWERS, Case, Context

# From casemgmt/roles.py; system administrators may merge duplicates but not add people.
ADD_PERSON = CASE_WORKERS
MERGE_PERSON = MANAGERS | {"admin"}


def _new_person(ctx: Context) -> dict[str, Any]:
    return {
        "first_name": "Zebedee",
        "last_name": "Quillfeather",
        "date_of_birth_day": "2",
        "date_of_birth_month": "5",
        "date_of_birth_year": "2011",
        "sex": "M",
    }


def _duplicate(ctx: Context) -> dict[str, Any]:
    other = PersonFactory(
        first_name=ctx.person.first_name,
        last_name="Whitmoore",
        date_of_birth=ctx.person.date_of_birth,
    )
    return {"person_id": ctx.person.pk, "other_id": other.pk}


CASES = [
    Case("clients:search", PEOPLE_VIEWERS, kwargs=lambda ctx: {}, denied_status=403),
    Case(
        "clients:search",
        PEOPLE_VIEWERS,
        kwargs=lambda ctx: {},
        denied_status=403,
        query="?name=Whitmore&dob_year=2015",
        label="with a search",
    ),
    Case("clients:person-create", ADD_PERSON, kwargs=lambda ctx: {}, denied_status=403),
    Case(
        "clients:person-create",
        ADD_PERSON,
        method="post",
        kwargs=lambda ctx: {},
        data=_new_person,
        ok_status=frozenset({302}),
        denied_status=403,
    ),
    Case("clients:person-merge", MERGE_PERSON),
    Case(
        "clients:person-merge",
        MERGE_PERSON,
        query="?name=Whitmore",
        label="with a search",
    ),
    Case("clients:person-merge-confirm", MERGE_PERSON, kwargs=_duplicate),
    Case(
        "clients:person-merge-confirm",
        MERGE_PERSON,
        method="post",
        kwargs=_duplicate,
        data=lambda ctx: {"reason": "Same child: same date of birth, and the school confirmed it."},
        ok_status=frozenset({302}),
    ),
]
