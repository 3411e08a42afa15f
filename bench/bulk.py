"""PostgreSQL COPY helpers, and taking a table's indexes and constraints off for a bulk load.

Loading a million rows into a table with a GiST trigram index costs far more than
building the index once afterwards, and deferred foreign-key checks on millions of
rows cost more than one validating join. So each load stage drops the secondary
indexes, unique and foreign-key constraints of the tables it fills, in the same
transaction as the load, and records their definitions in `bench_meta`; the last
stage puts every one of them back exactly as the migrations made them.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_ISO_DATES: dict[int, str] = {}


def text(value: str) -> str:
    """A string in COPY's text format."""
    return value.translate(_ESCAPES)


def date(ordinal: int | None) -> str:
    if ordinal is None:
        return NULL
    iso = _ISO_DATES.get(ordinal)
    if iso is None:
        iso = _ISO_DATES[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
    return iso


def timestamp(ordinal: int, seconds: int) -> str:
    """A UTC timestamp: a date ordinal and the seconds into that day."""
    hours, rest = divmod(seconds, 3600)
    return f"{date(ordinal)} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}+00"


def columns(names: str) -> list[str]:
    """A table's column list, written as one string."""
    return names.split()


def flag(value: bool) -> str:
    return "t" if value else "f"


def ref(value: int | None) -> str:
    return NULL if value is None else str(value)


class Rows:
    """Buffers lines and hands them to COPY in large writes."""

    def __init__(self, copy: psycopg.Copy) -> None:
        self.copy = copy
        self.buffer: list[str] = []
        self.count = 0

    def add(self, *fields: str) -> None:
        self.buffer.append("\t".join(fields) + "\n")
        self.count += 1
        if len(self.buffer) >= 4000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer.clear()


@contextmanager
def copy_rows(cursor: psycopg.Cursor[Any], table: str, columns: Sequence[str]) -> Iterator[Rows]:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        rows = Rows(copy)
        yield rows
        rows.flush()


# --- taking indexes and constraints off, and putting them back -------------------------


def meta_get(cursor: psycopg.Cursor[Any], key: str) -> Any:
    cursor.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
    row = cursor.fetchone()
    return None if row is None else row[0]


def meta_set(cursor: psycopg.Cursor[Any], key: str, value: Any) -> None:
    cursor.execute(
        "INSERT INTO bench_meta (key, value) VALUES (%s, %s::jsonb)"
        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [key, json.dumps(value)],
    )


def drop_secondary(cursor: psycopg.Cursor[Any], tables: Sequence[str]) -> int:
    """Drop the tables' foreign keys, unique constraints and secondary indexes; remember them."""
    saved: list[dict[str, str]] = meta_get(cursor, "dropped") or []
    before = len(saved)
    for table in tables:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS ("
            "   SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid"
            "   AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))"
            " ORDER BY 1",
            [table],
        )
        indexes = cursor.fetchall()
        for name, kind, definition in constraints:
            saved.append(
                {
                    "table": table,
                    "name": name,
                    "kind": "fk" if kind == "f" else "unique",
                    "definition": definition,
                }
            )
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, definition in indexes:
            saved.append({"table": table, "name": name, "kind": "index", "definition": definition})
            cursor.execute(f"DROP INDEX {name}")
    meta_set(cursor, "dropped", saved)
    return len(saved) - before


def _index_statements(item: dict[str, str]) -> list[str]:
    if item["kind"] == "index":
        definition = re.sub(
            r"^CREATE (UNIQUE )?INDEX ", r"CREATE \1INDEX IF NOT EXISTS ", item["definition"]
        )
        return [definition]
    # UNIQUE (a, b): build the index first, then attach it as the constraint.
    columns = item["definition"].removeprefix("UNIQUE ")
    return [f'CREATE UNIQUE INDEX IF NOT EXISTS "{item["name"]}" ON {item["table"]} {columns}']


def restore_secondary(conninfo: str, *, workers: int = 2, log: Any = print) -> int:
    """Rebuild everything `drop_secondary` took off: indexes in parallel, then constraints."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        saved: list[dict[str, str]] = meta_get(connection.cursor(), "dropped") or []
    if not saved:
        return 0

    def build(item: dict[str, str]) -> None:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            cursor = connection.cursor()
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 1")
            started = datetime.datetime.now(tz=datetime.UTC)
            for statement in _index_statements(item):
                cursor.execute(statement)
            seconds = (datetime.datetime.now(tz=datetime.UTC) - started).total_seconds()
            log(f"  index {item['name']} on {item['table']}: {seconds:.1f} s")

    index_like = [item for item in saved if item["kind"] in ("index", "unique")]
    # Biggest tables first so the two workers finish together.
    index_like.sort(key=lambda item: item["table"] not in ("clients_casenote", "clients_person"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(build, index_like))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        cursor = connection.cursor()
        for item in saved:
            if item["kind"] == "index":
                continue
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
                [item["name"], item["table"]],
            )
            if cursor.fetchone():
                continue
            if item["kind"] == "unique":
                cursor.execute(
                    f'ALTER TABLE {item["table"]} ADD CONSTRAINT "{item["name"]}"'
                    f' UNIQUE USING INDEX "{item["name"]}"'
                )
            else:
                started = datetime.datetime.now(tz=datetime.UTC)
                cursor.execute(
                    f'ALTER TABLE {item["table"]} ADD CONSTRAINT "{item["name"]}"'
                    f" {item['definition']}"
                )
                seconds = (datetime.datetime.now(tz=datetime.UTC) - started).total_seconds()
                if seconds > 1:
                    log(f"  foreign key {item['name']}: {seconds:.1f} s")
        meta_set(cursor, "dropped", [])
    return len(saved)
