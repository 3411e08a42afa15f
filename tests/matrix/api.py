"""The people API: who may search, read, add and change people through /api/v1/.

The same reach as the pages. Signed-out callers (and inactive accounts, which Django
treats as signed out) get 401; a search or create that names no record is refused
with 403; a record you may not read or change is a 404.
"""

from tests.matrix.base import CASE_WORKERS, PEOPLE_VIEWERS, Case

PEOPLE_EDITORS = CASE_WORKERS

CASES = [
    Case(
        "api-people",
        allowed=PEOPLE_VIEWERS,
        kwargs=lambda ctx: {},
        query="?name=Whitmore",
        is_api=True,
        denied_status=403,
        label="search",
    ),
    Case(
        "api-people",
        allowed=PEOPLE_EDITORS,
        method="post",
        kwargs=lambda ctx: {},
        data=lambda ctx: {"first_name": "Amara", "last_name": "Okafor", "sex": "F"},
        is_api=True,
        ok_status=frozenset({201}),
        denied_status=403,
        label="create",
    ),
    Case("api-person", allowed=PEOPLE_VIEWERS, is_api=True, label="detail"),
    Case(
        "api-person",
        allowed=PEOPLE_EDITORS,
        method="patch",
        data=lambda ctx: {"preferred_name": "Jay", "interpreter_required": True},
        is_api=True,
        label="update",
    ),
]
