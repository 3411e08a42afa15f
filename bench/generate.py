"""Build the scale dataset: 1,000,000 people, their families, addresses and case histories.

Stages run in order, each in one transaction that also records its completion in
`bench_meta`, so a run that is stopped part way carries on where it stopped and a
finished dataset is never built twice. Bulk rows go in with COPY.

    python -m bench --only generate            # build (or finish building) the dataset
    python -m bench --people 20000 --only generate   # a small trial set in its own database
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

import psycopg

from bench import bulk
from bench.bulk import copy_rows
from bench.cases import load_cases
from bench.config import BenchDatabase
from bench.people import load_addresses, load_people, load_relationships
from bench.staff import BENCH_PASSWORD, BENCH_USERS, create_staff, load_staff
from bench.world import plan_world

FORMAT_VERSION = 2  # bump when the generator changes what it builds: datasets are rebuilt
__all__ = ["BENCH_PASSWORD", "BENCH_USERS", "generate", "read_meta", "refresh_search_keys"]

Log = Callable[[str], None]


# --- the database and its bookkeeping ----------------------------------------------------


def ensure_database(database: BenchDatabase, *, recreate: bool, log: Log) -> None:
    with psycopg.connect(database.maintenance_conninfo, autocommit=True) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database.name])
        exists = cursor.fetchone() is not None
        if exists and recreate:
            from django.db import connections

            connections.close_all()  # this process's own connection goes with the database
            log(f"dropping database {database.name}")
            cursor.execute(f'DROP DATABASE "{database.name}" WITH (FORCE)')
            exists = False
        if not exists:
            log(f"creating database {database.name}")
            cursor.execute(f'CREATE DATABASE "{database.name}"')


def migrate(log: Log) -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrations applied ({time.monotonic() - started:.1f} s)")


def _ensure_meta(connection: psycopg.Connection[Any]) -> None:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)"
    )
    connection.commit()


def read_meta(conninfo: str) -> dict[str, Any]:
    with psycopg.connect(conninfo) as connection:
        _ensure_meta(connection)
        rows = connection.execute("SELECT key, value FROM bench_meta").fetchall()
    return dict(rows)


def _set_meta(cursor: psycopg.Cursor[Any], key: str, value: Any) -> None:
    bulk.meta_set(cursor, key, value)


def dataset_complete(database: BenchDatabase, people: int, seed: int) -> bool:
    try:
        meta = read_meta(database.conninfo)
    except psycopg.OperationalError:
        return False
    params = meta.get("params") or {}
    return bool(
        meta.get("complete")
        and params.get("people") == people
        and params.get("seed") == seed
        and params.get("version") == FORMAT_VERSION
    )


# --- running the stages ----------------------------------------------------------------

_STAGE_TABLES = {
    "people": [
        "clients_person",
        "clients_personname",
        "clients_personidentifier",
        "clients_persondisability",
    ],
    "addresses": ["clients_address"],
    "relationships": ["clients_relationship"],
    "cases": [
        "clients_casenote",
        "clients_chronologyentry",
        "clients_involvement",
        "clients_alert",
        "clients_group",
        "clients_groupmembership",
    ],
}


def _run_stage(
    database: BenchDatabase,
    stage: str,
    load: Callable[[psycopg.Cursor[Any]], dict[str, Any]],
    log: Log,
) -> dict[str, Any]:
    started = time.monotonic()
    with psycopg.connect(database.conninfo) as connection:
        cursor = connection.cursor()
        cursor.execute("SET synchronous_commit = off")
        tables = _STAGE_TABLES[stage]
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            row = cursor.fetchone()
            if row and row[0]:
                raise RuntimeError(
                    f"{table} already has rows but stage {stage!r} never finished; "
                    "start again with --regenerate."
                )
        dropped = bulk.drop_secondary(cursor, tables)
        counts = load(cursor)
        seconds = time.monotonic() - started
        _set_meta(cursor, f"stage:{stage}", {"seconds": round(seconds, 1), "counts": counts})
        connection.commit()
    log(f"stage {stage}: {counts} ({seconds:.0f} s, {dropped} indexes/constraints deferred)")
    return counts


def _finish(database: BenchDatabase, log: Log) -> None:
    started = time.monotonic()
    restored = bulk.restore_secondary(database.conninfo, log=log)
    log(f"restored {restored} indexes and constraints ({time.monotonic() - started:.0f} s)")
    tables = [table for stage_tables in _STAGE_TABLES.values() for table in stage_tables]
    with psycopg.connect(database.conninfo, autocommit=True) as connection:
        cursor = connection.cursor()
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 1))"
            )
        vacuum_started = time.monotonic()
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        log(f"vacuumed and analysed ({time.monotonic() - vacuum_started:.0f} s)")


def generate(
    database: BenchDatabase,
    *,
    people: int,
    seed: int,
    recreate: bool = False,
    log: Log = print,
) -> dict[str, Any]:
    """Build the dataset in `database` unless it is already complete; return its metadata."""
    overall = time.monotonic()
    ensure_database(database, recreate=recreate, log=log)
    migrate(log)
    meta = read_meta(database.conninfo)
    params = {"people": people, "seed": seed, "version": FORMAT_VERSION}
    old = meta.get("params") or params
    if old != params and {**old, "version": FORMAT_VERSION} == params:
        log(f"{database.name} was built by an older generator (v{old.get('version')}): rebuilding")
        ensure_database(database, recreate=True, log=log)
        migrate(log)
        meta = read_meta(database.conninfo)
    elif old != params:
        raise RuntimeError(
            f"Database {database.name} holds a different dataset ({meta['params']}); "
            "use --regenerate to rebuild it, or --database to choose another."
        )
    if meta.get("complete"):
        log(f"dataset in {database.name} is complete; not generating")
        return meta
    as_of_text = meta.get("as_of") or datetime.date.today().isoformat()  # noqa: DTZ011
    with psycopg.connect(database.conninfo) as connection:
        cursor = connection.cursor()
        _set_meta(cursor, "params", params)
        _set_meta(cursor, "as_of", as_of_text)
        _set_meta(
            cursor,
            "started_at",
            meta.get("started_at") or datetime.datetime.now(tz=datetime.UTC).isoformat(),
        )
        connection.commit()

    if not meta.get("stage:staff"):
        create_staff(people, seed, log)
        with psycopg.connect(database.conninfo) as connection:
            _set_meta(connection.cursor(), "stage:staff", {"done": True})
            connection.commit()
    staff = load_staff(database.conninfo)

    planning = time.monotonic()
    world = plan_world(people=people, seed=seed, as_of=datetime.date.fromisoformat(as_of_text))
    log(
        f"planned {world.people} people in {len(world.units)} households "
        f"({time.monotonic() - planning:.0f} s)"
    )
    loaders: dict[str, Callable[[psycopg.Cursor[Any]], dict[str, Any]]] = {
        "people": lambda cursor: load_people(cursor, world, seed),
        "addresses": lambda cursor: load_addresses(cursor, world),
        "relationships": lambda cursor: load_relationships(cursor, world),
        "cases": lambda cursor: load_cases(cursor, world, staff, seed, log),
    }
    for stage, load in loaders.items():
        if read_meta(database.conninfo).get(f"stage:{stage}"):
            log(f"stage {stage}: already done")
            continue
        _run_stage(database, stage, load, log)

    _finish(database, log)
    counts: dict[str, Any] = {}
    final_meta = read_meta(database.conninfo)
    for stage in _STAGE_TABLES:
        counts.update(final_meta.get(f"stage:{stage}", {}).get("counts", {}))
    with psycopg.connect(database.conninfo) as connection:
        row = connection.execute("SELECT count(*) FROM casemgmt_user").fetchone()
        counts["staff"] = row[0] if row else 0
    elapsed = time.monotonic() - overall
    with psycopg.connect(database.conninfo) as connection:
        cursor = connection.cursor()
        _set_meta(cursor, "heaviest_person_id", world.heavy + 1)
        _set_meta(cursor, "bench_users", BENCH_USERS)
        _set_meta(cursor, "counts", counts)
        _set_meta(cursor, "generation_seconds", round(elapsed, 1))
        _set_meta(cursor, "resumed", bool(meta.get("stage:staff")))
        _set_meta(cursor, "complete", True)
        connection.commit()
    log(f"dataset complete in {elapsed / 60:.1f} minutes: {counts}")
    return read_meta(database.conninfo)


def refresh_search_keys(database: BenchDatabase, *, log: Log) -> int:
    """Recompute stored search keys if `clients.names` has changed since the dataset was built.

    A sample decides; when any key differs, every person and other name is recomputed
    with the app's own functions and only the rows that changed are updated.
    """
    from clients.names import NameKeys, fold, name_keys

    fields = list(NameKeys._fields)
    with psycopg.connect(database.conninfo) as connection:
        sample = connection.execute(
            f"SELECT id, first_name, last_name, {', '.join(fields)}"
            " FROM clients_person TABLESAMPLE SYSTEM (1) LIMIT 5000"
        ).fetchall()
        names = connection.execute(
            "SELECT id, first_name, last_name, search_name"
            " FROM clients_personname TABLESAMPLE SYSTEM (5) LIMIT 2000"
        ).fetchall()
    stale_people = any(tuple(row[3:]) != tuple(name_keys(row[1], row[2])) for row in sample)
    stale_names = any(row[3] != f"{fold(row[1])} {fold(row[2])}".strip() for row in names)
    if not (stale_people or stale_names):
        return 0
    started = time.monotonic()
    log("search keys differ from what clients.names computes now: recomputing them")
    with psycopg.connect(database.conninfo) as connection:
        cursor = connection.cursor()
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "CREATE TEMPORARY TABLE fresh_keys (id bigint PRIMARY KEY, "
            + ", ".join(f"{field} text" for field in fields)
            + ")"
        )
        reader = connection.cursor(name="people_names")
        reader.itersize = 20000
        reader.execute("SELECT id, first_name, last_name FROM clients_person")
        with copy_rows(cursor, "fresh_keys", ["id", *fields]) as rows:
            for person_id, first, last in reader:
                rows.add(str(person_id), *(bulk.text(key) for key in name_keys(first, last)))
        reader.close()
        assignments = ", ".join(f"{field} = fresh.{field}" for field in fields)
        differs = " OR ".join(f"person.{field} IS DISTINCT FROM fresh.{field}" for field in fields)
        cursor.execute(
            f"UPDATE clients_person AS person SET {assignments} FROM fresh_keys AS fresh"
            f" WHERE person.id = fresh.id AND ({differs})"
        )
        changed = cursor.rowcount
        cursor.execute("SELECT id, first_name, last_name, search_name FROM clients_personname")
        updates = [
            (f"{fold(first)} {fold(last)}".strip(), name_id)
            for name_id, first, last, current in cursor.fetchall()
            if current != f"{fold(first)} {fold(last)}".strip()
        ]
        cursor.executemany("UPDATE clients_personname SET search_name = %s WHERE id = %s", updates)
        connection.commit()
    with psycopg.connect(database.conninfo, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE) clients_person")
        connection.execute("VACUUM (ANALYZE) clients_personname")
    log(
        f"recomputed search keys: {changed} people and {len(updates)} other names changed"
        f" ({time.monotonic() - started:.0f} s)"
    )
    return changed
