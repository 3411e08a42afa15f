"""`python -m bench.upload_memory`: a 500 MB upload against gunicorn, and the server's memory.

Starts the app with gunicorn (bench/loadgen.py's launcher) on a free port against a small
database of its own (casemgmt_bench_upload, created and migrated if missing, with one
practitioner and one person), signs in with loadgen's sign-in (password, then the second
factor where the app asks for one), and sends a generated 500 MB CSV to the person's
upload page in one streaming request. A thread samples the gunicorn worker's resident
memory (/proc/<pid>/status) the whole time; the result is the peak growth over the
worker's memory before the upload, against the issue's budget of < 100 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import loadgen
from bench.config import bench_database, configure
from bench.results import RESULTS_DIR, Result

DATABASE_NAME = "casemgmt_bench_upload"
USERNAME = "bench.uploader"
PASSWORD = "bench-upload-password-not-secret"  # noqa: S105 (a loopback benchmark database)
BUDGET_MB = 100.0
DEFAULT_SIZE_MB = 500
BOUNDARY = "----casemgmt-bench-upload-boundary"
LINE = b"2026-02-03,Home visit,Seen at home with his mother and sister; no concerns noted,ok\n"
SEND_CHUNK = 1024 * 1024


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class RssSampler(threading.Thread):
    """Samples a process's resident memory every few milliseconds; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.is_set():
            try:
                self.peak = max(self.peak, _rss_bytes(self.pid))
                self.samples += 1
            except OSError:
                return
            time.sleep(self.interval)

    def stop(self) -> None:
        self._finished.set()
        self.join(timeout=5)


def _prepare_database(log: Any) -> tuple[str, int, int]:
    """The bench upload database, migrated, with its practitioner and person; (url, person id, category id)."""
    from bench.generate import ensure_database, migrate

    database = bench_database(DATABASE_NAME)
    ensure_database(database, recreate=False, log=log)
    configure(database)
    migrate(log)
    from django.contrib.auth.models import Group

    from casemgmt.models import Code, User
    from casemgmt.roles import Role
    from clients.models import Person

    user, _ = User.objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Bench", "last_name": "Uploader"}
    )
    user.set_password(PASSWORD)
    user.is_active = True
    user.save()
    user.groups.add(Group.objects.get(name=Role.PRACTITIONER))
    person = Person.objects.filter(first_name="Upload", last_name="Benchmark").first()
    if person is None:
        person = Person.objects.create(first_name="Upload", last_name="Benchmark", sex="U")
    category = Code.objects.get(code_list__key="document-categories", code="other")
    if hasattr(loadgen, "ensure_authenticators"):
        loadgen.ensure_authenticators([USERNAME])
    return database.url, person.pk, category.pk


def _worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = loadgen._children(master)
        if children:
            return children[0]
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def _csrf_token(port: int, cookie: str, path: str) -> tuple[str, str]:
    connection = http.client.HTTPConnection(loadgen.HOST, port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    jar = dict(part.split("=", 1) for part in cookie.split("; "))
    jar.update(loadgen._cookies(response))
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not match:
        raise RuntimeError(f"the upload page answered {response.status}")
    return match.group(1), "; ".join(f"{name}={value}" for name, value in jar.items())


def _body_parts(fields: dict[str, str], size: int) -> tuple[bytes, bytes]:
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head, tail


def _file_chunks(size: int, digest: Any) -> Iterator[bytes]:
    block = LINE * (SEND_CHUNK // len(LINE))
    sent = 0
    while sent < size:
        piece = block[: size - sent]
        digest.update(piece)
        sent += len(piece)
        yield piece


def bench_upload_memory(*, size_mb: int = DEFAULT_SIZE_MB, log: Any = print) -> Result:
    """Upload a `size_mb` MB file to gunicorn in one streaming request; measure the worker's RSS."""
    database_url, person_id, category_id = _prepare_database(log)
    size = size_mb * 1024 * 1024
    media = Path(tempfile.mkdtemp(prefix="casemgmt-bench-media-"))
    previous = {name: os.environ.get(name) for name in ("MEDIA_ROOT", "FILE_UPLOAD_TEMP_DIR")}
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ["FILE_UPLOAD_TEMP_DIR"] = str(media)
    try:
        with loadgen.gunicorn(
            database_url=database_url,
            workers=1,
            log_path=RESULTS_DIR / "upload_memory.gunicorn.log",
        ) as (port, master):
            worker = _worker_pid(master)
            cookie = loadgen.login(port, USERNAME, PASSWORD)
            path = f"/people/{person_id}/documents/upload/"
            token, cookie = _csrf_token(port, cookie, path)
            # Warm: the upload page once more, so the worker has imported what it needs.
            token, cookie = _csrf_token(port, cookie, path)
            baseline = _rss_bytes(worker)
            head, tail = _body_parts(
                {
                    "csrfmiddlewaretoken": token,
                    "title": "Upload benchmark",
                    "category": str(category_id),
                    "document_date_day": "3",
                    "document_date_month": "2",
                    "document_date_year": "2026",
                    "confidentiality": "normal",
                },
                size,
            )
            digest = hashlib.sha256()
            sampler = RssSampler(worker)
            sampler.start()
            started = time.perf_counter()
            connection = http.client.HTTPConnection(loadgen.HOST, port, timeout=600)
            connection.putrequest("POST", path)
            connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
            connection.putheader("Content-Length", str(len(head) + size + len(tail)))
            connection.putheader("Cookie", cookie)
            connection.putheader("X-CSRFToken", token)
            connection.putheader("Referer", f"http://{loadgen.HOST}:{port}{path}")
            connection.endheaders()
            connection.send(head)
            for chunk in _file_chunks(size, digest):
                connection.send(chunk)
            connection.send(tail)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            sampler.stop()
            if response.status != 302:
                raise RuntimeError(f"the upload answered {response.status}, not a redirect")
            stored = _stored_sha256(media)
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(media, ignore_errors=True)
    growth_mb = (sampler.peak - baseline) / (1024 * 1024)
    log(
        f"upload: {size_mb} MB in {elapsed:.1f} s; worker RSS {baseline / 2**20:.0f} MB before,"
        f" peak {sampler.peak / 2**20:.0f} MB ({growth_mb:+.1f} MB; budget < {BUDGET_MB:g} MB)"
    )
    return Result(
        metric="upload_memory",
        p50_ms=None,
        p95_ms=None,
        p99_ms=None,
        count=1,
        dataset={"database": DATABASE_NAME, "file_mb": size_mb},
        budget_ms=None,
        passed=growth_mb < BUDGET_MB and stored == digest.hexdigest(),
        extra={
            "rss_before_mb": round(baseline / 2**20, 1),
            "rss_peak_mb": round(sampler.peak / 2**20, 1),
            "rss_growth_mb": round(growth_mb, 1),
            "budget_growth_mb": BUDGET_MB,
            "upload_seconds": round(elapsed, 1),
            "rss_samples": sampler.samples,
            "sha256_matches": stored == digest.hexdigest(),
        },
    )


def _stored_sha256(media: Path) -> str:
    """The SHA-256 the app recorded for the uploaded file (from the bench database)."""
    from documents.models import DocumentVersion

    version = DocumentVersion.objects.order_by("-id").first()
    if version is None:
        raise RuntimeError("the upload stored nothing")
    stored_path = media / "documents" / str(version.file.name)
    if not stored_path.exists():
        raise RuntimeError(f"the stored file is missing from {stored_path}")
    return version.sha256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upload_memory", description=__doc__)
    parser.add_argument("--size-mb", type=int, default=DEFAULT_SIZE_MB, help="file size in MB")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    arguments = parser.parse_args(argv)
    result = bench_upload_memory(size_mb=arguments.size_mb)
    if arguments.json:
        from dataclasses import asdict

        print(json.dumps(asdict(result), indent=2))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
