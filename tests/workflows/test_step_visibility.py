"""Which steps a user's trays may show: exactly those on people they may open."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casemgmt import roles
from casemgmt.models import Team, User
from clients.models import Person, RecordAccessGrant
from clients.selectors import person_list_visible_to
from tests.factories import GroupFactory, GroupMembershipFactory, PersonFactory
from tests.workflows.tray_factories import make_step, tray_workflow
from workflows import tray_sql
from workflows.models import Step

pytestmark = pytest.mark.django_db


def _level(level: str, **grant: Any) -> Person:
    person = PersonFactory()
    Person.objects.filter(pk=person.pk).update(access_level=level)
    if grant:
        RecordAccessGrant.objects.create(person=person, reason="Working with the family.", **grant)
    return person


def _shown_in_trays(user: User) -> set[int]:
    """The steps the trays' SQL shows the user (whose role must show them people at all)."""
    if not (user.is_active and user.has_perm(roles.VIEW_PERSON)):
        return set()
    table = Step._meta.db_table
    sql = f'SELECT step.id FROM "{table}" step WHERE {tray_sql.visible("step")}'  # noqa: S608
    params = tray_sql.parameters(user.pk, today=timezone.localdate())
    return {step_id for (step_id,) in tray_sql.fetch(sql, params)}


def test_the_trays_rule_is_the_selectors_rule(
    users: dict[str, User], team_a: Team, team_b: Team
) -> None:
    # Given steps on people of every kind (granted by name, by team, expired, merged away)
    # and on groups whose only member is one of them
    flow = tray_workflow()
    expired = timezone.now() - datetime.timedelta(minutes=1)
    survivor = PersonFactory()
    merged = PersonFactory()
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    people = [
        PersonFactory(),
        survivor,
        merged,
        _level("restricted"),
        _level("restricted", user=users["allocated_worker"]),
        _level("restricted", team=team_a),
        _level("restricted", team=team_b),
        _level("restricted", user=users["allocated_worker"], expires_at=expired),
        _level("sealed", user=users["allocated_worker"]),
        _level("sealed", team=team_a),
    ]
    expected_people: dict[str, set[int]] = {}
    steps = {}
    for person in people:
        steps[make_step(flow.contact, team=team_a, person=person).pk] = {person.pk}
        group = GroupFactory()
        GroupMembershipFactory(group=group, person=person)
        steps[make_step(flow.contact, team=team_a, group=group).pk] = {person.pk}

    for name, user in users.items():
        # When the trays' filter and the people selector each say what the user may see
        shown = _shown_in_trays(user)
        visible = set(person_list_visible_to(user=user).values_list("pk", flat=True))
        expected_people[name] = visible
        expected = {step for step, on in steps.items() if on & visible}
        # Then they agree for every persona
        assert shown == expected, name
    # (and the scene does hide something from someone, and show something to everyone)
    assert any(len(seen) < len(people) for seen in expected_people.values())
