"""Your sessions, the timeout warning's endpoints, and an administrator ending a user's sessions."""

from tests.matrix.base import ALL_STAFF, Case, Context


def _worker(ctx: Context) -> dict[str, object]:
    return {"user_id": ctx.users["allocated_worker"].pk}


CASES = [
    Case("session-list", allowed=ALL_STAFF, kwargs=lambda ctx: {}),
    Case(
        "session-end",
        allowed=ALL_STAFF,
        method="post",
        kwargs=lambda ctx: {},
        data=lambda ctx: {"scope": "others"},
        ok_status=frozenset({302}),
    ),
    # Called by static/js/session-timeout.js: JSON, and 401 (not a redirect) when signed out.
    Case("session-status", allowed=ALL_STAFF, kwargs=lambda ctx: {}, is_api=True),
    Case(
        "session-keep-alive", allowed=ALL_STAFF, method="post", kwargs=lambda ctx: {}, is_api=True
    ),
    Case(
        "user-sessions-end",
        allowed=frozenset({"admin"}),
        method="post",
        kwargs=_worker,
        ok_status=frozenset({302}),
        denied_status=403,
    ),
]
