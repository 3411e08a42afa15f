"""`python -m bench`: build the scale dataset once, run the benchmarks, write the results.

python -m bench                          # everything, on the 1,000,000-person dataset
python -m bench --people 20000           # a quick trial on a small dataset of its own
python -m bench --only search,recall     # some benchmarks only (dataset built if needed)
python -m bench --skip-generate --only load --duration 30
python -m bench --only work              # ~2,000,000 steps (built once) and the tray budgets
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bench.config import FULL_SCALE_PEOPLE, bench_database, configure, default_database_name

BENCHMARKS = ("search", "recall", "person", "load", "work")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Generate the scale dataset (once: skipped when the database already holds a"
            " complete one) and run the benchmarks. Results go to"
            " bench/results/latest.json and bench/RESULTS.md."
        ),
    )
    parser.add_argument(
        "--people",
        type=int,
        default=FULL_SCALE_PEOPLE,
        metavar="N",
        help="people in the dataset (default: %(default)s); a tenth of them get case notes",
    )
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="database to build and measure (default: casemgmt_bench, or casemgmt_bench_N"
        " for --people N), on the server named by DATABASE_URL",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--only",
        metavar="LIST",
        help="comma-separated subset of: generate, " + ", ".join(BENCHMARKS),
    )
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="do not build the dataset; fail if it is missing or incomplete",
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="drop the bench database and build it again from scratch",
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=1000,
        help="timed iterations per search benchmark (default: %(default)s)",
    )
    parser.add_argument(
        "--page-iterations",
        type=int,
        default=300,
        help="timed requests of the person page (default: %(default)s)",
    )
    parser.add_argument(
        "--work-iterations",
        type=int,
        default=300,
        help="timed requests per workflows benchmark (default: %(default)s)",
    )
    parser.add_argument(
        "--recall-sample",
        type=int,
        default=1000,
        help="people given a typo in each recall benchmark (default: %(default)s)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=60.0,
        help="seconds of load in the load test (default: %(default)s)",
    )
    parser.add_argument(
        "--rate", type=float, default=50.0, help="requests per second (default: %(default)s)"
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn workers (default: %(default)s)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker; more than 1 uses the gthread worker"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        help="where latest.json and the summary go (default: bench/results and"
        " bench/RESULTS.md at full scale; .local/bench/people-N/ for a smaller dataset)",
    )
    return parser


def _log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 (a local log line)
    print(f"[{stamp}] {message}", flush=True)


def _dataset_summary(meta: dict[str, Any]) -> dict[str, Any]:
    counts = dict(meta.get("counts") or {})
    summary: dict[str, Any] = {"people": counts.pop("people", None)}
    for key in (
        "case_people",
        "case_notes",
        "heaviest_notes",
        "addresses",
        "relationships",
        "other_names",
        "chronology_entries",
        "involvements",
        "alerts",
        "households",
        "nhs",
        "staff",
    ):
        if key in counts:
            summary[key] = counts[key]
    summary["heaviest_person_id"] = meta.get("heaviest_person_id")
    summary["as_of"] = meta.get("as_of")
    if meta.get("generation_seconds") is not None:
        summary["generation_minutes"] = round(meta["generation_seconds"] / 60, 1)
    return summary


def _postgres_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT split_part(version(), ' on ', 1)")
        version = cursor.fetchone()[0]
        settings = []
        for name in ("shared_buffers", "work_mem", "effective_cache_size"):
            cursor.execute(f"SHOW {name}")
            settings.append(f"{name} {cursor.fetchone()[0]}")
    return f"{version} ({', '.join(settings)}), on the same machine"


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    chosen = set((arguments.only or ",".join(("generate", *BENCHMARKS))).split(","))
    unknown = chosen - {"generate", *BENCHMARKS}
    if unknown:
        _parser().error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if arguments.people < 5000:
        _parser().error("--people must be at least 5000 (the heaviest person needs a family)")
    if arguments.skip_generate and arguments.regenerate:
        _parser().error("--skip-generate and --regenerate contradict each other")

    database = bench_database(arguments.database or default_database_name(arguments.people))
    here = Path(__file__).resolve().parent
    if arguments.results_dir is None:
        full_scale = arguments.people == FULL_SCALE_PEOPLE and not arguments.database
        # Trial runs on smaller datasets never overwrite the recorded full-scale figures.
        trial = (
            here.parent / ".local" / "bench" / (arguments.database or f"people-{arguments.people}")
        )
        arguments.results_dir = here / "results" if full_scale else trial
    summary_path = (
        here / "RESULTS.md"
        if arguments.results_dir.resolve() == (here / "results").resolve()
        else arguments.results_dir / "RESULTS.md"
    )
    # Every run starts with an empty cache (sessions, permissions, rendered sections) of
    # its own, so no figure owes anything to what an earlier run left behind; gunicorn
    # inherits the prefix. The keys of earlier runs expire by themselves.
    os.environ["CACHE_KEY_PREFIX"] = f"casemgmt-bench-{uuid.uuid4().hex[:12]}"
    configure(database)
    from bench import generate, results, run

    started = time.monotonic()
    if arguments.skip_generate:
        generate.migrate(_log)
        if not generate.dataset_complete(database, arguments.people, arguments.seed):
            _log(f"{database.name} has no complete dataset of {arguments.people} people")
            return 2
    else:
        generate.generate(
            database,
            people=arguments.people,
            seed=arguments.seed,
            recreate=arguments.regenerate,
            log=_log,
        )
    meta = generate.read_meta(database.conninfo)
    generate.refresh_search_keys(database, log=_log)
    benchmarks = [name for name in BENCHMARKS if name in chosen]
    if not benchmarks:
        return 0

    dataset = _dataset_summary(meta)
    username = meta["bench_users"][0]
    heaviest = int(meta["heaviest_person_id"])
    load_average = os.getloadavg()
    collected: list[results.Result] = []
    if "search" in benchmarks:
        collected += run.bench_search(
            dataset=dataset,
            username=username,
            iterations=arguments.iterations,
            seed=arguments.seed,
            log=_log,
        )
    if "recall" in benchmarks:
        collected += run.bench_recall(
            dataset=dataset,
            username=username,
            sample=arguments.recall_sample,
            seed=arguments.seed,
            log=_log,
        )
    if "person" in benchmarks:
        collected += run.bench_person_page(
            dataset=dataset,
            username=username,
            heaviest_id=heaviest,
            iterations=arguments.page_iterations,
            seed=arguments.seed,
            log=_log,
        )
    if "work" in benchmarks:
        from bench import work

        work_stage = work.generate_work(database, seed=arguments.seed, username=username, log=_log)
        collected += work.bench_work(
            dataset=dataset,
            work=work_stage,
            username=username,
            iterations=arguments.work_iterations,
            seed=arguments.seed,
            log=_log,
        )
    if "load" in benchmarks:
        from bench import loadgen

        collected.append(
            loadgen.bench_load(
                dataset=dataset,
                database_url=database.url,
                usernames=meta["bench_users"],
                password=generate.BENCH_PASSWORD,
                person_ids=run.case_person_ids(arguments.seed, limit=2000),
                heaviest_id=heaviest,
                search_queries=run.search_page_queries(arguments.seed, count=1000),
                rate=arguments.rate,
                duration=arguments.duration,
                workers=arguments.workers,
                threads=arguments.threads,
                log_path=arguments.results_dir / "gunicorn.log",
                log=_log,
            )
        )
    context = {
        "measured_at": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": results.git_commit(),
        "machine": results.machine(),
        "postgres": _postgres_description(),
        "database": database.name,
        "dataset": dataset,
        "load_average_at_start": [round(value, 2) for value in load_average],
        "benchmarks_run": benchmarks,
        "run_seconds": round(time.monotonic() - started, 1),
    }
    written = results.write(
        collected, context=context, directory=arguments.results_dir, summary=summary_path
    )
    _log(f"wrote {arguments.results_dir / 'latest.json'} and {summary_path}")
    failed = [item["metric"] for item in written if item.get("passed") is False]
    for item in written:
        verdict = {True: "pass", False: "FAIL", None: "-"}[item.get("passed")]
        _log(f"  {verdict:4}  {item['metric']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
