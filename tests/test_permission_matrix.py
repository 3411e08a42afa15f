"""Who can do what on every page and endpoint: persona x URL x kind of record, no URL left out.

Every case runs for each kind of record the matrix's person can have:

- ordinary: no grants; each case's own `allowed` and `refused` hold.
- restricted: a grant to the allocated worker only, by name. Team A has no grant, so its
  manager and business support are denied like everyone else (404), except that on the
  person's page a persona who may break the glass (team manager, senior manager) is asked
  for a reason instead (403, showing nothing of the record, writing nothing).
- sealed: a grant to the allocated worker only, by name; nobody may break the glass.

On a restricted or sealed record a case about the record (its URL names a person, a step
or a group) is allowed to the personas of `allowed` who were granted the record (unless
the case says otherwise in `allowed_by_kind`), and pages that name no record must not show
the person to anyone not granted. Anonymous visitors and inactive users are sent to sign
in whatever the record, so they run against the ordinary record only; pages that name no
record show a sealed person exactly as they show a restricted one, so they run against the
restricted record only.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casemgmt.models import AuditEvent, User
from clients.models import Person, RecordAccessGrant
from tests import matrix
from tests.conftest import PERSONAS
from tests.matrix.base import Case, Context

# Patterns that are not the application's own pages: Django's admin (guarded by
# is_staff, tested in tests/casemgmt/test_admin.py), and public plumbing.
PUBLIC = {"login", "logout", "healthz"}
IGNORED_NAMESPACES = {"admin"}

RECORD_KINDS = ("ordinary", "restricted", "sealed")
# Who the restricted and sealed records are granted to (by name), in the fixture below.
GRANTED = frozenset({"allocated_worker"})
# Who may break the glass (casemgmt.roles.BREAK_GLASS), and the pages that offer it.
BREAK_GLASS_PERSONAS = frozenset({"team_manager", "senior_manager"})
BREAK_GLASS_PAGES = {"GET clients:person-detail"}
# A URL naming one of these is about the matrix's person (the cases build them on it).
RECORD_PARAMETERS = {"person_id", "step_id", "group_id"}
SIGNED_OUT = {"anonymous", "inactive_user"}
STATIC_PAGES = {"api-schema"}


def _all_cases() -> list[Case]:
    cases: list[Case] = []
    for module_info in pkgutil.iter_modules(matrix.__path__):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"tests.matrix.{module_info.name}")
        cases.extend(module.CASES)
    return cases


CASES = _all_cases()


def _url_patterns(
    resolver: URLResolver | None = None,
    namespace: str = "",
    parameters: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, frozenset[str]]]:
    """(name, the names of its URL's parameters) for every named pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        own = frozenset(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in IGNORED_NAMESPACES:
                continue
            yield from _url_patterns(pattern, inner, parameters | own)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", parameters | own


def _url_names() -> Iterator[str]:
    for name, _ in _url_patterns():
        yield name


def _is_about_the_record(case: Case) -> bool:
    parameters: set[str] = set()
    for name, names in _url_patterns():
        if name == case.url_name:
            parameters |= names
    return bool(parameters & RECORD_PARAMETERS)


def test_every_url_is_in_the_matrix() -> None:
    covered = {case.url_name for case in CASES}
    missing = sorted(set(_url_names()) - covered - PUBLIC)
    assert missing == [], f"Add these URLs to a module in tests/matrix/: {missing}"


def test_matrix_names_only_real_urls() -> None:
    unknown = sorted({case.url_name for case in CASES} - set(_url_names()))
    assert unknown == []


def _runs() -> Iterator[Any]:
    for case in CASES:
        about_record = _is_about_the_record(case)
        for kind in RECORD_KINDS:
            if kind == "sealed" and not about_record:
                continue
            for persona in PERSONAS:
                if kind != "ordinary" and persona in SIGNED_OUT:
                    continue
                yield pytest.param(
                    case, persona, kind, about_record, id=f"{case.id}-{persona}-{kind}"
                )


def _request(client: Client, case: Case, ctx: Context) -> object:
    url = reverse(case.url_name, kwargs=case.kwargs(ctx)) + case.query
    method = getattr(client, case.method)
    body = case.data(ctx) if case.data else None
    if case.is_api and body is not None:
        return method(url, data=json.dumps(body), content_type="application/json")
    if body is not None:
        return method(url, data=body)
    return method(url)


def _give_record_kind(person: Person, users: dict[str, User], kind: str) -> None:
    if kind == "ordinary":
        return
    Person.objects.filter(pk=person.pk).update(access_level=kind)
    person.access_level = kind
    RecordAccessGrant.objects.create(
        person=person,
        user=users["allocated_worker"],
        reason="The allocated worker keeps working with the child.",
        granted_by=users["senior_manager"],
    )


def _expected(case: Case, kind: str, about_record: bool) -> tuple[frozenset[str], frozenset[str]]:
    """(allowed, refused) for this kind of record."""
    if kind == "ordinary" or not about_record:
        return case.allowed, case.refused
    allowed = case.allowed_by_kind.get(kind, case.allowed & GRANTED)
    refused = case.refused_by_kind.get(kind, case.refused & GRANTED)
    if kind == "restricted" and case.id in BREAK_GLASS_PAGES:
        refused = refused | (BREAK_GLASS_PERSONAS & case.allowed)
    return allowed, refused


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona", "kind", "about_record"), list(_runs()))
def test_persona_on_url(
    case: Case,
    persona: str,
    kind: str,
    about_record: bool,
    person: Person,
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    # Given a signed-in persona (or nobody) and a person record of this kind
    _give_record_kind(person, users, kind)
    ctx = Context(person=person, users=users, persona=persona)
    client = client_for(persona)
    events_before = AuditEvent.objects.count()
    allowed, refused = _expected(case, kind, about_record)

    # When they request the URL
    response = _request(client, case, ctx)

    # Then they get what their role, and the record's grants, allow
    status = response.status_code  # type: ignore[attr-defined]
    content = getattr(response, "content", b"")
    if persona in allowed:
        assert status in case.ok_status, f"{persona} should be allowed: got {status}"
        if kind != "ordinary" and not about_record and persona not in GRANTED:
            # A page that names no record shows nothing of a record they may not open (the
            # API schema's examples name a made-up Jayden Whitmore of their own).
            assert f"/people/{person.pk}/".encode() not in content
            if case.url_name not in STATIC_PAGES:
                assert person.first_name.encode() not in content
        return
    if persona in SIGNED_OUT:
        if case.is_api:
            assert status in {401, 403}
        else:
            assert status == 302
            assert response["Location"].startswith(reverse("login"))  # type: ignore[index]
    else:
        expected = 403 if persona in refused else case.denied_status
        assert status == expected, f"{persona} should be refused: got {status}"
    # and a refusal leaks nothing and changes nothing.
    assert AuditEvent.objects.count() == events_before
    assert person.last_name.encode() not in content
