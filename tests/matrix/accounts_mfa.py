"""The second factor's pages: for any signed-in member of staff, about no record.

Every persona in the matrix signs in verified (tests/conftest.py), so the pages that only
make sense part-way through signing in, or without a fresh re-authentication, send
them on (302); the rest show.
"""

from tests.matrix.base import ALL_STAFF, Case

SENT_ON = frozenset({302})


def _no_kwargs(ctx: object) -> dict[str, object]:
    return {}


CASES = [
    Case("mfa-verify", allowed=ALL_STAFF, kwargs=_no_kwargs, ok_status=SENT_ON),
    Case("mfa-setup", allowed=ALL_STAFF, kwargs=_no_kwargs, ok_status=SENT_ON),
    Case("mfa-recovery-codes", allowed=ALL_STAFF, kwargs=_no_kwargs, ok_status=SENT_ON),
    Case("account-security", allowed=ALL_STAFF, kwargs=_no_kwargs),
    Case("mfa-reauthenticate", allowed=ALL_STAFF, kwargs=_no_kwargs),
    Case(
        "mfa-reauthenticate",
        allowed=ALL_STAFF,
        method="post",
        kwargs=_no_kwargs,
        data=lambda ctx: {"password": "", "code": ""},
        label="with nothing typed",
    ),
    Case("mfa-replace", allowed=ALL_STAFF, kwargs=_no_kwargs, ok_status=SENT_ON),
    Case("mfa-recovery-codes-create", allowed=ALL_STAFF, kwargs=_no_kwargs, ok_status=SENT_ON),
    Case(
        "mfa-recovery-codes-create",
        allowed=ALL_STAFF,
        method="post",
        kwargs=_no_kwargs,
        ok_status=SENT_ON,
        label="without re-authenticating",
    ),
]
