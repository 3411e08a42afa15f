"""The OpenAPI schema's operations: what every call may be answered with, and token scopes."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ComponentRegistry

from casemgmt.api import ErrorOutput
from casemgmt.api_tokens.scopes import required_scope

# What any operation may be answered with, whatever it declares for itself.
_EVERY_OPERATION_MAY_ANSWER = {
    "401": "Not signed in, or the API token is missing, malformed, unknown, expired or revoked.",
    "403": "Refused: your role does not allow it, or the API token lacks the scope it needs.",
    "429": "Too many requests from this token or user: wait for the seconds in Retry-After.",
}


class AutoSchema(openapi.AutoSchema):
    """Each operation also documents the answers every call can get, and its token scope."""

    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorOutput(), "response")
        responses: dict[str, Any] = operation["responses"]
        for code, description in _EVERY_OPERATION_MAY_ANSWER.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": error.ref}},
                },
            )
        responses["429"].setdefault("headers", {})["Retry-After"] = {
            "schema": {"type": "integer", "minimum": 1},
            "description": "Seconds to wait before calling again.",
            "required": True,
        }
        operation["responses"] = dict(sorted(responses.items()))
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                # DRF reads a query string as form input: an optional parameter sent empty
                # (`?due=`) is taken as not sent, as a browser's form would mean it.
                parameter["allowEmptyValue"] = True
        scope = required_scope(self.view, self.method)
        if scope is None:
            note = "Not available to API tokens."
        else:
            operation["x-token-scope"] = scope
            note = f"With an API token, needs the scope `{scope}`."
        description = operation.get("description", "")
        operation["description"] = f"{description}\n\n{note}" if description else note
        return operation
