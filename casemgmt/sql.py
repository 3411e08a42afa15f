"""Hand-written statements on the hottest pages, prepared once per database connection.

A few pages run a statement whose SQL is written once per process (the person summary,
the work trays, the audit insert). For the largest, PostgreSQL spent longer planning the
statement than running it. Run through `cursor()` here, such a statement is sent with its
parameters bound on the server, so psycopg prepares it after a few runs and PostgreSQL
reuses its plan for the rest of the connection's life (connections are kept for
`DATABASE_CONN_MAX_AGE` seconds).

Every other query stays as Django sends it: parameters bound on the client, never
prepared. Behind a pooler in transaction mode (PgBouncer), where a connection's prepared
statements cannot be relied on, set `DATABASE_PREPARE_THRESHOLD=off`: the statements here
then run unprepared, with the same results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorWrapper

Parameters = Mapping[str, Any] | Sequence[Any]


def cursor() -> CursorWrapper:
    """A cursor binding parameters on the server, so repeated statements are prepared.

    It is Django's own cursor wrapper, so queries run through it are counted and logged
    like any other, and belong to the current transaction.
    """
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    # (django-stubs type this class and the two wrappers below more narrowly than Django.)
    raw: Any = cast(Any, ServerBindingCursor)(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def fetch_all(sql: str, params: Parameters) -> list[tuple[Any, ...]]:
    with cursor() as prepared:
        prepared.execute(sql, params)
        return prepared.fetchall()


def fetch_one_dict(sql: str, params: Parameters) -> dict[str, Any]:
    """The statement's single row, by column name."""
    with cursor() as prepared:
        prepared.execute(sql, params)
        names = [column.name for column in prepared.description]
        return dict(zip(names, prepared.fetchone(), strict=True))
