from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import PERSONAS


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/casemgmt/user/",
        "/admin/casemgmt/team/",
        "/admin/casemgmt/codelist/",
        "/admin/casemgmt/auditevent/",
        "/admin/clients/relationshiptype/",
        "/admin/clients/notetype/",
    ],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_system_administrators_reach_the_admin(
    path: str, persona: str, client_for: Callable[[str], Client]
) -> None:
    response = client_for(persona).get(path)
    if persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_people_are_not_in_the_admin(client_for: Callable[[str], Client]) -> None:
    # Every look at a person's record must go through the audited pages.
    assert client_for("admin").get("/admin/clients/person/").status_code == 404


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_in_the_admin(client_for: Callable[[str], Client]) -> None:
    response = client_for("admin").get("/admin/casemgmt/auditevent/add/")
    assert response.status_code == 403
