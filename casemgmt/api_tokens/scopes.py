"""What each API operation needs of a token: the view's area, read or write by method.

An API view says which area it belongs to with `api_scope = "people"`; a GET, HEAD or
OPTIONS then needs `people:read` and anything else `people:write`. A view that declares
no area is closed to tokens altogether, so a new endpoint is never open to integrations
by accident. Session users are not affected: their roles alone decide.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.request import Request

from casemgmt.models import ApiScope, ApiToken


def required_scope(view: Any, method: str) -> str | None:
    """The scope a token needs to call `view` with `method`; None if tokens may not call it."""
    area = getattr(view, "api_scope", None)
    if area is None:
        return None
    access = "read" if method.upper() in permissions.SAFE_METHODS else "write"
    scope = f"{area}:{access}"
    if scope not in ApiScope.values:
        raise LookupError(f"{type(view).__name__}.api_scope names no scope: {scope!r}.")
    return scope


class InsufficientScope(exceptions.PermissionDenied):
    """403 for a token without the scope, which RFC 6750 also says in WWW-Authenticate."""

    def __init__(self, detail: str, *, scope: str | None) -> None:
        super().__init__(detail)
        self.scope = scope

    @property
    def challenge(self) -> str:
        scope = f', scope="{self.scope}"' if self.scope else ""
        return f'Bearer realm="casemgmt", error="insufficient_scope"{scope}'


class TokenHasScope(permissions.BasePermission):
    """A request made with an API token needs the scope the operation declares."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = required_scope(view, request.method or "GET")
        if needed is None:
            raise InsufficientScope("This operation cannot be used with an API token.", scope=None)
        if needed not in token.scopes:
            held = ", ".join(token.scopes)
            raise InsufficientScope(
                f"This API token does not have the scope {needed}, which this operation "
                f"needs (it has {held}). Ask a system administrator for a token with it.",
                scope=needed,
            )
        return True
