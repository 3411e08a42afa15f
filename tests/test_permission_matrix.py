"""Who can do what on every page and endpoint: persona x URL, and no URL left out."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casemgmt.models import AuditEvent, User
from clients.models import Person
from tests import matrix
from tests.conftest import PERSONAS
from tests.matrix.base import Case, Context

# Patterns that are not the application's own pages: Django's admin (guarded by
# is_staff, tested in tests/casemgmt/test_admin.py), and public plumbing.
PUBLIC = {"login", "logout", "healthz"}
IGNORED_NAMESPACES = {"admin"}


def _all_cases() -> list[Case]:
    cases: list[Case] = []
    for module_info in pkgutil.iter_modules(matrix.__path__):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"tests.matrix.{module_info.name}")
        cases.extend(module.CASES)
    return cases


CASES = _all_cases()


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in IGNORED_NAMESPACES:
                continue
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix() -> None:
    covered = {case.url_name for case in CASES}
    missing = sorted(set(_url_names()) - covered - PUBLIC)
    assert missing == [], f"Add these URLs to a module in tests/matrix/: {missing}"


def test_matrix_names_only_real_urls() -> None:
    unknown = sorted({case.url_name for case in CASES} - set(_url_names()))
    assert unknown == []


def _request(client: Client, case: Case, ctx: Context) -> object:
    url = reverse(case.url_name, kwargs=case.kwargs(ctx)) + case.query
    method = getattr(client, case.method)
    body = case.data(ctx) if case.data else None
    if case.is_api and body is not None:
        return method(url, data=json.dumps(body), content_type="application/json")
    if body is not None:
        return method(url, data=body)
    return method(url)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_persona_on_url(
    case: Case,
    persona: str,
    person: Person,
    users: dict[str, User],
    client_for: Callable[[str], Client],
) -> None:
    # Given a signed-in persona (or nobody) and a person record
    ctx = Context(person=person, users=users, persona=persona)
    client = client_for(persona)
    events_before = AuditEvent.objects.count()

    # When they request the URL
    response = _request(client, case, ctx)

    # Then they get what their role allows
    status = response.status_code  # type: ignore[attr-defined]
    if persona in case.allowed:
        assert status in case.ok_status, f"{persona} should be allowed: got {status}"
        return
    if persona in {"anonymous", "inactive_user"}:
        if case.is_api:
            assert status in {401, 403}
        else:
            assert status == 302
            assert response["Location"].startswith(reverse("login"))  # type: ignore[index]
    else:
        expected = 403 if persona in case.refused else case.denied_status
        assert status == expected, f"{persona} should be refused: got {status}"
    # and a refusal leaks nothing and changes nothing.
    assert AuditEvent.objects.count() == events_before
    content = getattr(response, "content", b"")
    assert person.last_name.encode() not in content
