"""Where the bench database lives, and how this process talks to it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/casemgmt"
DEFAULT_DATABASE = "casemgmt_bench"
FULL_SCALE_PEOPLE = 1_000_000


@dataclass(frozen=True)
class BenchDatabase:
    name: str
    url: str  # the Django DATABASE_URL form
    conninfo: str  # what psycopg.connect() takes
    maintenance_conninfo: str  # the server's `postgres` database, for CREATE/DROP DATABASE


def default_database_name(people: int) -> str:
    """The full-scale dataset has the plain name; smaller trial sets never overwrite it."""
    if people == FULL_SCALE_PEOPLE:
        return DEFAULT_DATABASE
    return f"{DEFAULT_DATABASE}_{people}"


def bench_database(name: str, server_url: str | None = None) -> BenchDatabase:
    """The bench database `name` on the server named by DATABASE_URL (else the default)."""
    base = urlsplit(server_url or os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL)
    url = urlunsplit((base.scheme, base.netloc, f"/{name}", base.query, ""))
    maintenance = urlunsplit(("postgresql", base.netloc, "/postgres", base.query, ""))
    conninfo = urlunsplit(("postgresql", base.netloc, f"/{name}", base.query, ""))
    return BenchDatabase(name=name, url=url, conninfo=conninfo, maintenance_conninfo=maintenance)


def configure(database: BenchDatabase) -> None:
    """Point Django at the bench database and set it up (once per process)."""
    os.environ["DATABASE_URL"] = database.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
