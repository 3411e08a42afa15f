"""`Authorization: Bearer <token>` on the API, for integrations.

A token request is not a session request: it carries no session (any session cookie
sent with it is ignored, so it can neither extend a staff session nor be refused for a
session's missing second factor), it creates none, and CSRF does not apply to it (DRF
checks CSRF only for session-authenticated requests, which stay protected).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from casemgmt.api import authenticate_header
from casemgmt.api_tokens.services import TokenRefused, api_token_for, api_token_used
from casemgmt.models import ApiScope, ApiToken, User

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def bearer_credentials(request: HttpRequest) -> str | None:
    """The text after `Bearer ` in the Authorization header; None if there is no such header."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


class TokenAuthentication(authentication.BaseAuthentication):
    """An API token acting as its service account; any other request is left to the session."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        credentials = bearer_credentials(request._request)
        if credentials is None:
            return None
        try:
            token = api_token_for(credentials)
        except TokenRefused as refusal:
            logger.warning(
                "API token refused from %s: %s",
                request._request.META.get("REMOTE_ADDR"),
                refusal,
            )
            raise exceptions.AuthenticationFailed(str(refusal)) from refusal
        api_token_used(token, ip_address=request._request.META.get("REMOTE_ADDR") or None)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return authenticate_header(request)


class BearerScheme(OpenApiAuthenticationExtension):
    """Documents API tokens as the bearer security scheme in the OpenAPI schema."""

    target_class = "casemgmt.api_tokens.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        scopes = "; ".join(
            f"`{scope.value}` ({scope.label.split(': ', 1)[1]})" for scope in ApiScope
        )
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "cm_<key id>_<secret>",
            "description": (
                "An API token for an integration, made by a system administrator and shown "
                "once. It acts as a service account, so it can do no more than that account's "
                "roles allow, and only what its scopes allow: "
                f"{scopes}. Each operation names the scope it needs in `x-token-scope`."
            ),
        }


class BearerRequestsHaveNoSessionMiddleware:
    """An API call with a bearer token is not part of a browser session: drop the cookie.

    Runs before SessionMiddleware, so the session, sign-in, timeout and second-factor
    middleware all see a request with no session, and nothing is saved for it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX) and bearer_credentials(request) is not None:
            request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
        return self.get_response(request)
