"""API plumbing shared by every app: one error shape, honest status codes, never a 500 for bad input.

Errors look like this:

- 400: ``{"errors": {"field": ["reason", ...], ...}}``; problems with the body as a whole
  (not JSON, not an object) are under ``non_field_errors``.
- every other 4xx: ``{"detail": "reason"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import parse_etags  # type: ignore[attr-defined]
from django.views import defaults
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import authentication, exceptions, parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import json

from casemgmt.api_tokens.scopes import InsufficientScope

NON_FIELD_ERRORS = api_settings.NON_FIELD_ERRORS_KEY


def authenticate_header(request: Request) -> str:
    """The challenge of a 401: the bearer scheme to a caller who sent a token, else the session.

    DRF takes it from the first authentication class, whichever one refused the request.
    """
    header = request._request.META.get("HTTP_AUTHORIZATION", "")
    if header.strip().partition(" ")[0].lower() == "bearer":
        return 'Bearer realm="casemgmt", error="invalid_token"'
    return 'Session realm="casemgmt"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The staff web session. A request without one gets 401 and a WWW-Authenticate header.

    DRF's own class has no challenge to offer, so it answers 403 to a visitor who simply
    has not signed in; 401 tells a client to sign in rather than that it is forbidden.
    """

    def authenticate_header(self, request: Request) -> str:
        return authenticate_header(request)


class SessionScheme(OpenApiAuthenticationExtension):
    """Documents the session cookie as the API's security scheme in the OpenAPI schema."""

    target_class = "casemgmt.api.SessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you fetched it."
    default_code = "precondition_failed"


class JSONParser(parsers.JSONParser):
    """JSON, where anything unreadable is a 400 that says why (never a RecursionError 500)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            # Text encodings only: a codec like bz2_codec would inflate a small body.
            "".encode(encoding)
        except (LookupError, UnicodeError) as error:
            raise exceptions.ParseError(
                f"The request body's charset {encoding[:40]!r} is not a text encoding."
            ) from error
        try:
            return json.loads(stream.read().decode(encoding), parse_constant=json.strict_constant)
        except ValueError as error:
            raise exceptions.ParseError(f"The request body is not valid JSON: {error}.") from error
        except RecursionError as error:
            raise exceptions.ParseError(
                "The request body is not valid JSON: it is nested too deeply."
            ) from error


def if_match_passes(request: HttpRequest | Request, current_etag: str) -> bool:
    """True unless the request carries an If-Match header that names none of `current_etag`.

    Strong comparison, as RFC 9110 requires for If-Match: a weak tag never matches.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return True
    etags = parse_etags(header)
    if etags == ["*"]:
        return True
    return current_etag in etags


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: rest_framework.views loads the classes above through the settings.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when DRF reads it.
        exc = RequestTooLarge(
            "The request body is larger than the "
            f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes this API accepts."
        )
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = exceptions.ErrorDetail(
            "Sign in first: the API uses your staff session.", code=exc.default_code
        )
    elif isinstance(exc, exceptions.Throttled) and getattr(exc, "wait", None) is not None:
        seconds = max(1, int(getattr(exc, "wait", 1)))
        exc.detail = exceptions.ErrorDetail(
            f"Too many requests: try again in {seconds} second{'s' if seconds != 1 else ''}.",
            code=exc.default_code,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, InsufficientScope):
        response["WWW-Authenticate"] = exc.challenge
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        # Every 400 names the field at fault; a fault with the whole body (not JSON,
        # not an object) is a non-field error.
        data = response.data
        if not isinstance(exc, exceptions.ValidationError) and isinstance(data, dict):
            data = {NON_FIELD_ERRORS: [data.get("detail", "The request is not valid.")]}
        elif isinstance(data, list):
            data = {NON_FIELD_ERRORS: data}
        response.data = {"errors": data}
    return response


@extend_schema_serializer(component_name="Error")
class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")


@extend_schema_serializer(component_name="ValidationErrors")
class ValidationErrorOutput(serializers.Serializer):
    # A declared field, not Serializer.errors: the metaclass moves it into `fields`.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        help_text=(
            "Field name to a list of reasons. A nested object (like an address) maps its own "
            "fields the same way; `non_field_errors` holds problems with the body as a whole."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, but JSON under /api/, where a client reads `detail` (handler404)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "There is nothing at this address in the API."}, status=404)
    return defaults.page_not_found(request, exception)
