"""The persona x URL permission matrix: the shape of a case.

Each module in tests/matrix/ (other than this one) defines `CASES: list[Case]`. The
test in tests/test_permission_matrix.py runs every case for every persona, and fails
if any URL pattern of the project is not covered by at least one case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casemgmt.models import User
from clients.models import Person

ALL_STAFF = frozenset(
    {
        "allocated_worker",
        "other_team_worker",
        "team_manager",
        "senior_manager",
        "finance_officer",
        "business_support",
        "admin",
    }
)
CASE_WORKERS = frozenset(
    {"allocated_worker", "other_team_worker", "team_manager", "senior_manager", "business_support"}
)
PEOPLE_VIEWERS = CASE_WORKERS | {"finance_officer", "admin"}
MANAGERS = frozenset({"team_manager", "senior_manager"})


@dataclass
class Context:
    """What a case may use to build its URL and its request body."""

    person: Person
    users: dict[str, User]
    persona: str


@dataclass
class Case:
    url_name: str  # the URL pattern's name, e.g. "clients:person-detail"
    allowed: frozenset[str]  # personas that may do this
    method: str = "get"
    # Builds the URL kwargs (creating any rows the URL needs); default: the person's id.
    kwargs: Callable[[Context], dict[str, Any]] = field(
        default=lambda ctx: {"person_id": ctx.person.pk}
    )
    data: Callable[[Context], Any] | None = None  # POST body (form data, or JSON for the API)
    is_api: bool = False
    ok_status: frozenset[int] = frozenset({200})
    # What a signed-in user without the right gets: 404 where a record is involved
    # (its existence must not leak), 403 for pages that name no record.
    denied_status: int = 404
    # Signed-in personas who may see the record but not do this to it: a 403 that says
    # why (and, like any refusal, shows nothing of the record and changes nothing).
    refused: frozenset[str] = frozenset()
    query: str = ""  # appended to the URL, e.g. "?name=smith"
    label: str = ""  # tells apart two cases of one URL name
    # On a restricted or sealed record (tests/test_permission_matrix.py runs every case for
    # each kind of record), a case about the record is allowed to the personas of `allowed`
    # who were granted the record, and refused (403) to those of `refused` who were. Where
    # that rule does not fit, these say it per kind ("restricted", "sealed").
    allowed_by_kind: dict[str, frozenset[str]] = field(default_factory=dict)
    refused_by_kind: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}{' ' + self.label if self.label else ''}"
