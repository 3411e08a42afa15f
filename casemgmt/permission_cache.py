"""Each user's capabilities, kept in the cache between requests.

Django's ModelBackend reads a user's permissions with two queries on every request (their
own grants and their roles' grants). They change only when an administrator changes a
role, a user's roles or a user's grants, so `CachedModelBackend` keeps the set in the
cache under a generation token, and every such change replaces the token: the next request
of every user reads their permissions afresh. The token is replaced at once and again when
the transaction commits, so a request that read the old rows while the change was being
made cannot keep them under the new token.

Changes that bypass the ORM's signals (raw SQL, a restore) are caught by the entries'
expiry (PERMISSION_CACHE_SECONDS), by a migration run, and by the creation of any user.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

PERMISSION_CACHE_SECONDS = 300
_GENERATION_SECONDS = 24 * 60 * 60


def _database_name() -> str:
    # One cache can serve several databases (test runs side by side, the benchmarks),
    # whose users share ids.
    return str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])


def _generation_key() -> str:
    return f"permissions:generation:{_database_name()}"


def _generation() -> str:
    key = _generation_key()
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, _GENERATION_SECONDS)
        token = cache.get(key)
    return str(token)


def permissions_changed(**_: Any) -> None:
    """Forget every user's cached permissions (now, and once the transaction commits)."""

    def replace() -> None:
        cache.set(_generation_key(), uuid.uuid4().hex, _GENERATION_SECONDS)

    replace()
    transaction.on_commit(replace)


def permissions_key(user: Any) -> str:
    """Where `user`'s permission set is kept in the cache, for the current generation."""
    superuser = int(bool(user.is_superuser))
    return f"permissions:{_database_name()}:{_generation()}:{user.pk}:{superuser}"


class CachedModelBackend(ModelBackend):
    """ModelBackend whose answer to "what may this user do?" survives the request."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        key = permissions_key(user_obj)
        cached = cache.get(key)
        if cached is None:
            cached = frozenset(super().get_all_permissions(user_obj, obj))
            cache.set(key, cached, PERMISSION_CACHE_SECONDS)
        user_obj._perm_cache = set(cached)
        return user_obj._perm_cache


def connect_signals() -> None:
    """Replace the generation whenever anything a permission set is made of changes."""
    user_model = settings.AUTH_USER_MODEL
    for through in (
        Group.permissions.through,
        _user_model().groups.through,
        _user_model().user_permissions.through,
    ):
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"permission_cache.{through.__name__}"
        )
    for model in (Group, Permission, ContentType):
        name = model.__name__
        post_save.connect(permissions_changed, sender=model, dispatch_uid=f"pc.save.{name}")
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"pc.delete.{name}")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="pc.save.user")
    post_migrate.connect(permissions_changed, dispatch_uid="pc.migrate")


def _user_model() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()


def _m2m_changed(action: str, **_: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        permissions_changed()


def _user_saved(created: bool, **_: Any) -> None:
    # A new user may take an id that a restored or recreated database gave someone else.
    if created:
        permissions_changed()
