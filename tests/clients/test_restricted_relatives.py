"""A relative whose record the reader may not open is nobody on a relative's page either."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casemgmt import roles
from casemgmt.models import Team, User
from clients.models import Person, RecordAccessGrant, RelationshipType
from clients.permissions import access_person
from clients.person_summary import openable
from clients.selectors import person_list_visible_to
from clients.services.relationships import relationship_create
from tests.factories import GroupFactory, GroupMembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _level(person: Person, level: str, **grant: Any) -> Person:
    Person.objects.filter(pk=person.pk).update(access_level=level)
    person.access_level = level
    if grant:
        RecordAccessGrant.objects.create(person=person, reason="Working with the family.", **grant)
    return person


@pytest.fixture
def mother(person: Person, users: dict[str, User]) -> Person:
    """Jayden's mother, a record of her own, with a household they share."""
    mum = PersonFactory(first_name="Chantelle", last_name="Okonkwo-Whitmore")
    relationship_create(
        actor=users["team_manager"],
        person=person,
        other=mum,
        relationship_type=RelationshipType.objects.get(code="parent"),
    )
    household = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=household, person=person)
    GroupMembershipFactory(group=household, person=mum)
    return mum


def _pages(client: Client, person: Person) -> list[str]:
    return [
        client.get(reverse(name, args=[person.pk])).content.decode()
        for name in ("clients:person-detail", "clients:relationships")
    ]


def test_a_restricted_relative_is_left_out_of_the_childs_pages(
    mother: Person, person: Person, client_for: Callable[[str], Client]
) -> None:
    # Given the mother's record is restricted to someone else
    _level(mother, "restricted")

    # When the child's worker opens the child's summary and relationships pages
    for page in _pages(client_for("allocated_worker"), person):
        # Then the mother is nowhere: not in the relationships, the genogram or the household
        assert "Okonkwo-Whitmore" not in page
        assert "Chantelle" not in page


def test_a_granted_relative_is_shown(
    mother: Person, person: Person, client_for: Callable[[str], Client], users: dict[str, User]
) -> None:
    # Given the mother's record is sealed, and opened to the child's worker by name
    _level(mother, "sealed", user=users["allocated_worker"])

    # Then that worker sees her on the child's pages, and a colleague in another team does not
    for page in _pages(client_for("allocated_worker"), person):
        assert "Okonkwo-Whitmore" in page
    for page in _pages(client_for("other_team_worker"), person):
        assert "Okonkwo-Whitmore" not in page


def _people_of_every_kind(users: dict[str, User], team_a: Team, team_b: Team) -> dict[str, Person]:
    """Records of every kind, with user, team and expired grants, and one merged away."""
    now = timezone.now()
    survivor = PersonFactory()
    merged = PersonFactory()
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    return {
        "survivor": survivor,
        "merged": merged,
        "ordinary": PersonFactory(),
        "restricted, nobody": _level(PersonFactory(), "restricted"),
        "restricted, by name": _level(
            PersonFactory(), "restricted", user=users["allocated_worker"]
        ),
        "restricted, team A": _level(PersonFactory(), "restricted", team=team_a),
        "restricted, team B": _level(PersonFactory(), "restricted", team=team_b),
        "restricted, expired": _level(
            PersonFactory(),
            "restricted",
            user=users["allocated_worker"],
            expires_at=now - datetime.timedelta(minutes=1),
        ),
        "sealed, by name": _level(PersonFactory(), "sealed", user=users["allocated_worker"]),
        "sealed, team A only": _level(PersonFactory(), "sealed", team=team_a),
    }


def test_the_summary_rule_is_the_selectors_rule(
    users: dict[str, User], team_a: Team, team_b: Team
) -> None:
    # Given records of every kind, with user, team, expired and former-team grants
    now = timezone.now()
    people = _people_of_every_kind(users, team_a, team_b)
    ids = [person.pk for person in people.values()]
    for name, user in users.items():
        if not (user.is_active and user.has_perm(roles.VIEW_PERSON)):
            continue  # the SQL does not check the role: the page that runs it already has
        # When the person summary's SQL and the selector each say who the user may open
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT candidate.id FROM clients_person candidate"  # noqa: S608 (constant SQL)
                f" WHERE candidate.id = ANY(%(ids)s) AND {openable('candidate.id')}",
                {"ids": ids, "user": user.pk, "now": now, "today": timezone.localdate()},
            )
            by_sql = {row[0] for row in cursor.fetchall()}
        by_selector = set(
            person_list_visible_to(user=user, include_merged=True)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        # Then they agree for every persona
        assert by_sql == by_selector, name


@pytest.mark.parametrize("include_merged", [False, True])
def test_access_person_is_the_selectors_rule(
    users: dict[str, User], team_a: Team, team_b: Team, include_merged: bool
) -> None:
    # Given records of every kind, and one id that is nobody's
    people = _people_of_every_kind(users, team_a, team_b)
    ids = [person.pk for person in people.values()] + [max(p.pk for p in people.values()) + 1]
    for name, user in users.items():
        # When each record is opened through access_person, and asked of the selector
        opened = set()
        for person_id in ids:
            with contextlib.suppress(Http404):
                opened.add(access_person(user, person_id, include_merged=include_merged).pk)
        by_selector = set(
            person_list_visible_to(user=user, include_merged=include_merged)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        # Then they agree for every persona (inactive users and roles without people too)
        assert opened == by_selector, name
    # (and the scene hides something from someone, and shows something to someone)
    assert people["merged"].pk not in opened or include_merged


def test_access_person_reads_every_field() -> None:
    # Given a person with every kind of value
    person = PersonFactory(date_of_birth=datetime.date(2015, 3, 14), nhs_number="9434765919")
    # When they are read through access_person by a superuser
    admin = User.objects.create_superuser("root-reader", password="x" * 20)
    read = access_person(admin, person.pk)
    # Then it is the same row as the ORM reads
    expected = Person.objects.get(pk=person.pk)
    for field in Person._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
