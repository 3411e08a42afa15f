"""The load test: gunicorn on loopback, signed-in workers, a fixed request rate for a fixed time.

The generator is open-loop: request i is due at start + i/rate whatever happened to
the ones before it, so a slow server shows up as latency (measured from when the
request was due) rather than as a politely lower rate. It stops by itself after the
duration, with a hard deadline for stragglers, and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.results import Result, percentile

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
LOAD_BUDGET_MS = 150.0
REQUEST_TIMEOUT = 10.0
NOT_SENT = "not sent by the deadline"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(
    *, database_url: str, workers: int, log_path: Path, threads: int = 1
) -> Iterator[tuple[int, int]]:
    """Run `gunicorn casemgmt.wsgi` against the bench database; yield (port, pid); stop it."""
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "casemgmt.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "30",
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        try:
            _wait_until_up(port, process)
            yield port, process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see its log")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz/ within 60 s")


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: dict[str, str] = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        jar.update({name: morsel.value for name, morsel in parsed.items()})
    return jar


def login(port: int, username: str, password: str) -> str:
    """Sign in through the login form (with its CSRF token); return the Cookie header."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    jar = _cookies(response)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not match or "csrftoken" not in jar:
        raise RuntimeError(f"the login page answered {response.status} without a CSRF token")
    body = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)}
    )
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    connection.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
        },
    )
    response = connection.getresponse()
    response.read()
    jar.update(_cookies(response))
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"signing in as {username} failed ({response.status})")
    _second_factor(port, username, jar)
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def ensure_authenticators(usernames: list[str]) -> None:
    """Give each bench user an authenticator this process can read (datasets made before MFA)."""
    from casemgmt.mfa.services import BENCH_DEVICE_NAME, script_device_ensure
    from casemgmt.models import User

    for user in User.objects.filter(username__in=usernames):
        script_device_ensure(user=user, name=BENCH_DEVICE_NAME)


def _second_factor(port: int, username: str, jar: dict[str, str]) -> None:
    """The sign-in's second stage: the code page, with the code the user's authenticator shows."""
    from casemgmt.mfa.services import confirmed_authenticator, next_code
    from casemgmt.models import User

    device = confirmed_authenticator(User.objects.get(username=username))
    if device is None:
        raise RuntimeError(f"{username} has no authenticator (ensure_authenticators first)")
    cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    connection.request("GET", "/account/verify/", headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    jar.update(_cookies(response))
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not match:
        raise RuntimeError(f"the code page answered {response.status} for {username}")
    body = urlencode(
        {"code": next_code(device), "next": "/", "csrfmiddlewaretoken": match.group(1)}
    )
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    connection.request(
        "POST",
        "/account/verify/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
        },
    )
    response = connection.getresponse()
    response.read()
    jar.update(_cookies(response))
    if response.status != 302 or response.getheader("Location") != "/":
        raise RuntimeError(f"{username}'s sign-in code was refused ({response.status})")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _machine_busy_seconds() -> float:
    """CPU seconds spent on anything but idling, over all cores, since boot (Linux /proc)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


@dataclass
class Outcome:
    kind: str
    due: float
    started: float
    finished: float
    status: int
    error: str = ""


def drive(
    *,
    port: int,
    cookies: list[str],
    requests: list[tuple[str, str]],
    rate: float,
    clients: int = 32,
) -> tuple[list[Outcome], float]:
    """Send `requests` ((kind, path)) at `rate` per second; return outcomes and elapsed time."""
    work: queue.Queue[tuple[int, float, str, str] | None] = queue.Queue()
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = threading.Event()  # past the deadline: what is still queued is never sent

    def client_loop(number: int) -> None:
        cookie = cookies[number % len(cookies)]
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        while True:
            item = work.get()
            if item is None:
                return
            _, due, kind, path = item
            started = time.perf_counter()
            if stop.is_set():
                with lock:
                    outcomes.append(Outcome(kind, due, started, started, 0, NOT_SENT))
                continue
            status, error = 0, ""
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                body = response.read()
                status = response.status
                if status != 200:
                    error = f"{status} for {path}"
                elif not body:
                    error = f"empty body for {path}"
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as failure:
                error = f"{type(failure).__name__}: {failure} for {path}"
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            finished = time.perf_counter()
            with lock:
                outcomes.append(Outcome(kind, due, started, finished, status, error))

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    for number, (kind, path) in enumerate(requests):
        due = start + number / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        work.put((number, due, kind, path))
    for _ in threads:
        work.put(None)
    deadline = time.perf_counter() + REQUEST_TIMEOUT + 20
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()))
    stop.set()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 1)
    with lock:
        finished = list(outcomes)
    served = [o.finished for o in finished if not o.error]
    elapsed = (max(served) if served else time.perf_counter()) - start
    return finished, elapsed


def bench_load(
    *,
    dataset: dict[str, Any],
    database_url: str,
    usernames: list[str],
    password: str,
    person_ids: list[int],
    heaviest_id: int,
    search_queries: list[dict[str, str]],
    rate: float,
    duration: float,
    workers: int,
    log_path: Path,
    threads: int = 1,
    log: Any = print,
) -> Result:
    total = int(rate * duration)
    requests: list[tuple[str, str]] = []
    for number in range(total):
        if number % 2 == 0:
            query = search_queries[(number // 2) % len(search_queries)]
            requests.append(("search", f"/people/?{urlencode(query)}"))
        elif number % 20 == 1:
            requests.append(("person_heaviest", f"/people/{heaviest_id}/"))
        else:
            person = person_ids[(number // 2) % len(person_ids)]
            requests.append(("person", f"/people/{person}/"))
    ensure_authenticators(usernames)
    with gunicorn(
        database_url=database_url, workers=workers, threads=threads, log_path=log_path
    ) as (port, pid):
        cookies = [login(port, username, password) for username in usernames]
        # Warm each worker's connection and caches, as a server in use would be.
        drive(port=port, cookies=cookies, requests=requests[: workers * 10], rate=rate)
        log(
            f"load: {total} requests at {rate:g}/s over {duration:g} s against {workers} workers"
            f" of {threads} thread{'s' if threads > 1 else ''}"
        )
        # Where the machine's CPU went during the run (PostgreSQL and anything else running
        # are what is left of the machine's total).
        server = [pid, *_children(pid)]
        gunicorn_before, machine_before = _cpu_seconds(server), _machine_busy_seconds()
        generator_before = time.process_time()
        outcomes, elapsed = drive(port=port, cookies=cookies, requests=requests, rate=rate)
        cores = {
            "gunicorn": round((_cpu_seconds(server) - gunicorn_before) / elapsed, 2),
            "load generator": round((time.process_time() - generator_before) / elapsed, 2),
            "whole machine": round((_machine_busy_seconds() - machine_before) / elapsed, 2),
        }
    # Every request sent counts, failed ones included; ones never sent count only as errors.
    latencies = [(o.finished - o.due) * 1000 for o in outcomes if o.error != NOT_SENT]
    errors = [o for o in outcomes if o.error]
    lost = total - len(outcomes)
    by_kind: dict[str, str] = {}
    for kind in sorted({o.kind for o in outcomes}):
        kind_latencies = [
            (o.finished - o.due) * 1000 for o in outcomes if o.kind == kind and o.error != NOT_SENT
        ]
        by_kind[kind] = (
            f"n={len(kind_latencies)} p50={percentile(kind_latencies, 0.5):.1f}"
            f" p95={percentile(kind_latencies, 0.95):.1f} ms"
        )
    achieved = (len(outcomes) - len(errors)) / elapsed if elapsed > 0 else 0.0
    result = Result.from_timings(
        "load.mixed_50rps" if rate == 50 else f"load.mixed_{rate:g}rps",
        latencies,
        dataset=dataset,
        budget_ms=LOAD_BUDGET_MS,
        extra={
            "target_rate": rate,
            "achieved_rate": round(achieved, 2),
            "duration_s": round(elapsed, 1),
            "errors": len(errors) + lost,
            "error_budget": 0,
            "error_examples": [o.error for o in errors[:5]],
            "gunicorn_workers": workers,
            "gunicorn_threads": threads,
            "cores_used": cores,
            "by_kind": by_kind,
            "latency_measured_from": "when each request was due (open loop), on loopback",
        },
    )
    result.passed = bool(result.passed and not errors and not lost and achieved >= rate * 0.98)
    log(
        f"load: achieved {achieved:.1f}/s, p50 {result.p50_ms} ms, p95 {result.p95_ms} ms,"
        f" {len(errors) + lost} errors"
    )
    return result
