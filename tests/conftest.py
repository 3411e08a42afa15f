"""Named personas and shared fixtures. Every test database has the default roles (post_migrate)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from casemgmt.models import Team, User
from casemgmt.roles import Role
from clients.models import Person
from tests.factories import (
    InvolvementFactory,
    PersonFactory,
    ServiceAreaFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

PERSONAS = [
    "allocated_worker",
    "other_team_worker",
    "team_manager",
    "senior_manager",
    "finance_officer",
    "business_support",
    "admin",
    "inactive_user",
    "anonymous",
]


@pytest.fixture
def children_area(db: None) -> Team:
    return ServiceAreaFactory(name="Children's services", code="childrens")


@pytest.fixture
def team_a(children_area: Team) -> Team:
    return TeamFactory(name="Assessment team north", code="assessment-north", parent=children_area)


@pytest.fixture
def team_b(children_area: Team) -> Team:
    return TeamFactory(
        name="Disabled children's team", code="disabled-children", parent=children_area
    )


def _staff(
    username: str, role: str, team: Team | None, *, manager: bool = False, **extra: object
) -> User:
    user = UserFactory(username=username, roles=[role], **extra)
    if team is not None:
        TeamMembershipFactory(user=user, team=team, is_manager=manager)
    return user


@pytest.fixture
def users(team_a: Team, team_b: Team) -> dict[str, User]:
    """One user per persona (the anonymous visitor has none)."""
    return {
        "allocated_worker": _staff("alice.worker", Role.PRACTITIONER, team_a),
        "other_team_worker": _staff("oscar.other", Role.PRACTITIONER, team_b),
        "team_manager": _staff("tina.manager", Role.TEAM_MANAGER, team_a, manager=True),
        "senior_manager": _staff("sam.senior", Role.SENIOR_MANAGER, None),
        "finance_officer": _staff("fran.finance", Role.FINANCE_OFFICER, None),
        "business_support": _staff("bea.support", Role.BUSINESS_SUPPORT, team_a),
        "admin": _staff("adam.admin", Role.SYSTEM_ADMINISTRATOR, None, is_staff=True),
        "inactive_user": _staff("ivan.inactive", Role.PRACTITIONER, team_a, is_active=False),
    }


@pytest.fixture
def person(users: dict[str, User], team_a: Team) -> Person:
    """A child allocated to the allocated worker in team A."""
    child = PersonFactory(
        first_name="Jayden", last_name="Whitmore", date_of_birth=datetime.date(2015, 3, 14), sex="M"
    )
    InvolvementFactory(person=child, worker=users["allocated_worker"], team=team_a)
    return child


@pytest.fixture
def client_for(users: dict[str, User]) -> Callable[[str], Client]:
    """A test client signed in as the named persona (anonymous: not signed in)."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(users[persona])
        return client

    return make


@pytest.fixture
def worker(users: dict[str, User]) -> User:
    return users["allocated_worker"]


@pytest.fixture
def worker_client(client_for: Callable[[str], Client]) -> Client:
    return client_for("allocated_worker")


@pytest.fixture(autouse=True)
def _every_person_view_is_audited_once(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wherever a test's client reads a page or endpoint about one person, check the audit.

    A successful GET of any URL with a `person_id` writes exactly one access event for
    that person, tied to the request by its X-Request-ID.
    """
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    from django.test.client import Client as DjangoClient
    from django.urls import Resolver404, resolve

    from casemgmt.models import AuditEvent

    original = DjangoClient.request

    def checked(self: DjangoClient, **request_kwargs: object) -> object:
        response = original(self, **request_kwargs)
        if request_kwargs.get("REQUEST_METHOD") != "GET" or response.status_code != 200:
            return response
        try:
            match = resolve(str(request_kwargs.get("PATH_INFO", "")))
        except Resolver404:
            return response
        person_id = match.kwargs.get("person_id")
        request_id = response.get("X-Request-ID")
        if person_id is None or not request_id:
            return response
        events = list(
            AuditEvent.objects.filter(
                kind=AuditEvent.Kind.ACCESS, request_id=request_id
            ).values_list("person_id", flat=True)
        )
        assert events == [person_id], (
            f"GET {request_kwargs.get('PATH_INFO')} wrote access events for {events}; "
            f"every view of person {person_id} must write exactly one."
        )
        return response

    monkeypatch.setattr(DjangoClient, "request", checked)


@pytest.fixture(autouse=True)
def _forced_logins_are_mfa_verified(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test client's `force_login` signs in past the second factor too.

    The user gets a confirmed authenticator if they have none, and the session records
    it as the device they verified with, as the code page does after a right code.
    """
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    from django.test.client import Client as DjangoClient
    from django_otp import DEVICE_ID_SESSION_KEY

    from casemgmt.mfa.middleware import remember_device
    from casemgmt.mfa.services import script_device_ensure

    original = DjangoClient.force_login

    def force_login(self: DjangoClient, user: User, backend: str | None = None) -> None:
        original(self, user, backend)
        device = script_device_ensure(user=user, name="test")
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        remember_device(device)  # as after the code page: the next request reads no device

    monkeypatch.setattr(DjangoClient, "force_login", force_login)
