"""`python -m bench.pdfs`: how long a generated PDF takes, and how many two worker processes make.

What is timed is what the `documents.generate` job does between reading the step and
storing the file: merging the answers in the Jinja2 sandbox (the "print as PDF" template
inside the council layout) and WeasyPrint turning the HTML into a PDF. The answers are
made up, sized so that the PDF has 2 pages and 10 pages (pages counted with pypdf). Budgets (issue 4): a 2-page PDF p95 <= 0.5 s, a 10-page PDF
p95 <= 1.5 s, and >= 4 two-page PDFs a second with two worker processes.

No database is needed: Django is set up with the project settings only for its config.
The machine's load average is recorded with each result (the machine may be shared).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import multiprocessing
import os
import sys
import time
from dataclasses import asdict
from typing import Any

from bench.results import Result, percentile

BUDGET_2_PAGES_MS = 500.0
BUDGET_10_PAGES_MS = 1500.0
BUDGET_THROUGHPUT_PER_S = 4.0
PHRASE = (
    "Seen at home with mother; the home was warm and tidy. School reports attendance of 82% "
    "this term and concerns about lateness. Agreed actions with timescales; the family "
    "understand and agree the plan."
)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemgmt.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-for-any-deployed-server")
    import django

    django.setup()


def _context(rows: int) -> dict[str, Any]:
    """A made-up step with `rows` long answers (and a table of visits), as the job builds it."""
    from documents.templating import sample_context

    context = sample_context()
    sections: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    for number in range(rows):
        row: dict[str, Any] = {
            "key": f"q{number}",
            "label": f"Question {number + 1} about the child's needs",
            "text": PHRASE,
            "item_list": [],
            "table_head": [],
            "table_rows": [],
            "entries": [],
            "is_long": True,
            "answered": True,
        }
        fields[row["key"]] = row
        if number % 6 == 0:
            sections.append({"title": f"Section {len(sections) + 1}", "rows": []})
        sections[-1]["rows"].append(row)
    visits: dict[str, Any] = {
        "key": "visits",
        "label": "Visits and meetings",
        "text": "",
        "item_list": [],
        "table_head": ["Date", "Kind of visit", "Who was present", "Summary"],
        "table_rows": [
            ["3 February 2026", "Home visit", "Mother, child", PHRASE] for _ in range(3)
        ],
        "entries": [],
        "is_long": False,
        "answered": True,
    }
    sections[0]["rows"].append(visits)
    context.update(sections=sections, fields=fields, answers={k: PHRASE for k in fields})
    return context


def _html(rows: int) -> str:
    from markupsafe import Markup

    from documents.generation import PRINT_ALL_PATH, read_layout
    from documents.templating import render_body

    context = _context(rows)
    body = render_body(PRINT_ALL_PATH.read_text(encoding="utf-8"), context)
    context.update(
        body=Markup(body),  # noqa: S704 (rendered by the autoescaping sandbox)
        kind="report",
        recipient={"name": "", "address_lines": []},
        service="Children's social care",
    )
    return render_body(read_layout(), context)


def make_pdf(rows: int) -> bytes:
    """Merge and render one document of `rows` answers: what the job does per PDF."""
    from documents.pdf import render_pdf

    return render_pdf(_html(rows))


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def rows_for_pages(pages: int) -> int:
    """The most answers that still make a PDF of `pages` pages (a bisection, ~8 PDFs)."""
    low, high = 1, 8
    while page_count(make_pdf(high)) <= pages:
        low, high = high, high * 2
        if high > 2000:
            raise RuntimeError("the PDF does not grow with its answers")
    while high - low > 1:  # page_count(low) <= pages < page_count(high)
        middle = (low + high) // 2
        if page_count(make_pdf(middle)) <= pages:
            low = middle
        else:
            high = middle
    if page_count(make_pdf(low)) != pages:
        raise RuntimeError(f"no number of answers makes exactly {pages} pages")
    return low


def _load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"load_1m": round(one, 2), "load_5m": round(five, 2), "load_15m": round(fifteen, 2)}


def time_pdfs(pages: int, *, runs: int, budget_ms: float) -> Result:
    rows = rows_for_pages(pages)
    make_pdf(rows)  # warm: fonts and the layout loaded once per worker process
    timings: list[float] = []
    cpu: list[float] = []
    sizes: list[int] = []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        pdf = make_pdf(rows)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        sizes.append(len(pdf))
    return Result.from_timings(
        f"pdf_{pages}_pages",
        timings,
        dataset={"pages": page_count(make_pdf(rows)), "answers": rows},
        budget_ms=budget_ms,
        # CPU time is what the machine's other work does not change: a guide when it is busy.
        extra={"pdf_bytes": sizes[0], "cpu_p50_ms": round(percentile(cpu, 0.5), 2), **_load()},
    )


def _worker(arguments: tuple[int, int]) -> int:
    rows, count = arguments
    _setup_django()
    make_pdf(rows)  # warm, as a long-running Celery worker is
    for _ in range(count):
        make_pdf(rows)
    return count


def throughput(*, processes: int, per_process: int) -> Result:
    rows = rows_for_pages(2)
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        # Start and warm the processes first, so the measurement is of steady work.
        pool.map(_worker, [(rows, 0)] * processes)
        started = time.perf_counter()
        made = sum(pool.map(_worker, [(rows, per_process)] * processes))
        elapsed = time.perf_counter() - started
    rate = made / elapsed
    return Result(
        metric="pdf_2_pages_throughput",
        p50_ms=None,
        p95_ms=None,
        p99_ms=None,
        count=made,
        dataset={"pages": 2, "answers": rows, "processes": processes},
        budget_ms=None,
        passed=rate >= BUDGET_THROUGHPUT_PER_S,
        extra={
            "per_second": round(rate, 2),
            "budget_per_second": BUDGET_THROUGHPUT_PER_S,
            "elapsed_s": round(elapsed, 2),
            "measured_at": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            **_load(),
        },
    )


def bench_pdfs(*, runs: int = 30, processes: int = 2, per_process: int = 20) -> list[Result]:
    _setup_django()
    return [
        time_pdfs(2, runs=runs, budget_ms=BUDGET_2_PAGES_MS),
        time_pdfs(10, runs=max(5, runs // 2), budget_ms=BUDGET_10_PAGES_MS),
        throughput(processes=processes, per_process=per_process),
    ]


def _line(result: Result) -> str:
    verdict = {True: "PASS", False: "FAIL", None: "-"}[result.passed]
    if result.metric.endswith("throughput"):
        return (
            f"{result.metric}: {result.extra['per_second']}/s with "
            f"{result.dataset['processes']} processes (budget >= "
            f"{result.extra['budget_per_second']}/s) {verdict}; load {result.extra['load_1m']}"
        )
    return (
        f"{result.metric}: p50 {result.p50_ms} ms, p95 {result.p95_ms} ms over {result.count} "
        f"(budget p95 <= {result.budget_ms} ms) {verdict}; {result.dataset['pages']} pages; "
        f"CPU p50 {result.extra['cpu_p50_ms']} ms; load {result.extra['load_1m']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdfs", description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed PDFs of each size")
    parser.add_argument("--processes", type=int, default=2, help="worker processes")
    parser.add_argument("--per-process", type=int, default=20, help="PDFs per worker process")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    arguments = parser.parse_args(argv)
    results = bench_pdfs(
        runs=arguments.runs, processes=arguments.processes, per_process=arguments.per_process
    )
    if arguments.json:
        print(json.dumps([asdict(result) for result in results], indent=2))
    else:
        for result in results:
            print(_line(result))
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
