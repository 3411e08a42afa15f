"""Users' permissions are kept in the cache between requests, and forgotten when they change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from casemgmt import permission_cache, roles
from casemgmt.models import User
from casemgmt.roles import Role
from clients import permissions
from clients.models import Person

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    """The user as the next request loads them (nothing remembered on the object)."""
    return User.objects.get(pk=user.pk)


def _permission(capability: str) -> Permission:
    app_label, codename = capability.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_a_warm_request_reads_no_permissions_from_the_database(
    worker: User, django_assert_num_queries: Callable[..., Any]
) -> None:
    # Given the worker's permissions were read once
    assert permissions.can(_fresh(worker), roles.ADD_CASE_NOTE)

    # When the next request asks again, Then the answer comes from the cache
    user = _fresh(worker)
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert permissions.can(user, roles.ADD_CASE_NOTE)
        assert not permissions.can(user, roles.MERGE_PERSON)


def test_taking_a_capability_from_a_role_takes_effect_on_the_next_request(
    worker_client: Client, worker: User, person: Person
) -> None:
    url = reverse("clients:person-detail", args=[person.pk])
    add_note = reverse("clients:note-create", args=[person.pk])
    assert add_note in worker_client.get(url).content.decode()

    # When an administrator takes "add case note" from practitioners
    Group.objects.get(name=Role.PRACTITIONER).permissions.remove(_permission(roles.ADD_CASE_NOTE))

    # Then the worker's next page no longer offers it
    assert add_note not in worker_client.get(url).content.decode()
    assert not permissions.can(_fresh(worker), roles.ADD_CASE_NOTE)


def test_removing_a_role_from_a_user_takes_effect_on_the_next_request(
    worker_client: Client, worker: User, person: Person
) -> None:
    url = reverse("clients:person-detail", args=[person.pk])
    assert worker_client.get(url).status_code == 200

    worker.groups.clear()

    assert worker_client.get(url).status_code == 404


def test_giving_a_role_or_a_grant_takes_effect_on_the_next_request(worker: User) -> None:
    assert not permissions.can(_fresh(worker), roles.MERGE_PERSON)
    assert not permissions.can(_fresh(worker), roles.MANAGE_INVOLVEMENTS)

    worker.user_permissions.add(_permission(roles.MERGE_PERSON))
    assert permissions.can(_fresh(worker), roles.MERGE_PERSON)

    worker.groups.add(Group.objects.get(name=Role.TEAM_MANAGER))
    assert permissions.can(_fresh(worker), roles.MANAGE_INVOLVEMENTS)


def test_a_new_superuser_is_not_answered_from_their_old_entry(worker: User) -> None:
    assert not permissions.can(_fresh(worker), roles.MERGE_PERSON)

    User.objects.filter(pk=worker.pk).update(is_superuser=True)  # no signal on purpose

    assert permissions.can(_fresh(worker), roles.MERGE_PERSON)
    assert roles.MERGE_PERSON in _fresh(worker).get_all_permissions()


def test_an_inactive_user_has_no_permissions_whatever_the_cache_holds(worker: User) -> None:
    assert permissions.can(_fresh(worker), roles.VIEW_PERSON)

    User.objects.filter(pk=worker.pk).update(is_active=False)

    assert not permissions.can(_fresh(worker), roles.VIEW_PERSON)
    assert _fresh(worker).get_all_permissions() == set()


def test_the_generation_is_replaced_again_when_the_change_commits(
    worker: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        worker.groups.clear()
    during = permission_cache._generation()

    # A request that read the old rows before the commit cached them under `during`...
    for callback in callbacks:
        callback()

    # ...and after the commit they are read afresh under another generation.
    assert permission_cache._generation() != during


def test_users_of_another_database_sharing_the_cache_are_kept_apart(
    worker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given another database (another test run, the benchmarks) sharing this cache, whose
    # user with the same id may merge duplicates
    name = connection.settings_dict["NAME"]
    monkeypatch.setitem(connection.settings_dict, "NAME", f"{name}_elsewhere")
    cache.set(permission_cache.permissions_key(worker), frozenset({roles.MERGE_PERSON}))
    monkeypatch.setitem(connection.settings_dict, "NAME", name)

    # When this database's user asks, Then the other database's answer is not used
    assert not permissions.can(_fresh(worker), roles.MERGE_PERSON)


@pytest.mark.parametrize(
    "capability",
    [
        roles.VIEW_PERSON,
        roles.ADD_PERSON,
        roles.CHANGE_PERSON,
        roles.MERGE_PERSON,
        roles.VIEW_ACCESS_LOG,
        roles.VIEW_CASE_NOTES,
        roles.MANAGE_INVOLVEMENTS,
        roles.RUN_MAINTENANCE_JOBS,
    ],
)
def test_can_answers_as_has_perm_does_for_every_persona(
    users: dict[str, User], capability: str
) -> None:
    for user in users.values():
        assert permissions.can(_fresh(user), capability) == _fresh(user).has_perm(capability)
