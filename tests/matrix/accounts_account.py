"""Your account and changing your password: for any signed-in member of staff, about no record.

Changing a password needs the password and a code again first (as the second factor's
pages do); the matrix's personas have not given them, so they are sent on (302) and
nothing changes.
"""

from tests.matrix.base import ALL_STAFF, Case

SENT_ON = frozenset({302})


def _no_kwargs(ctx: object) -> dict[str, object]:
    return {}


CASES = [
    Case("account", allowed=ALL_STAFF, kwargs=_no_kwargs),
    Case("account-password", allowed=ALL_STAFF, kwargs=_no_kwargs, ok_status=SENT_ON),
    Case(
        "account-password",
        allowed=ALL_STAFF,
        method="post",
        kwargs=_no_kwargs,
        data=lambda ctx: {
            "new_password": "a new passphrase of words",
            "confirm_password": "a new passphrase of words",
        },
        ok_status=SENT_ON,
        label="without re-authenticating",
    ),
]
