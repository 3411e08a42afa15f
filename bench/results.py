"""Benchmark results: percentiles, the machine-readable file and the human summary."""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
RESULTS_DIR = ROOT / "results"
ANALYSIS_START = "<!-- analysis:start -->"
ANALYSIS_END = "<!-- analysis:end -->"


def percentile(samples: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Result:
    metric: str
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    count: int
    dataset: dict[str, Any]
    budget_ms: float | None
    passed: bool | None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_timings(
        cls,
        metric: str,
        timings_ms: list[float],
        *,
        dataset: dict[str, Any],
        budget_ms: float | None,
        extra: dict[str, Any] | None = None,
        passed: bool | None = None,
    ) -> Result:
        def ms(fraction: float) -> float | None:
            return round(percentile(timings_ms, fraction), 2) if timings_ms else None

        p95 = ms(0.95)
        if passed is None and budget_ms is not None:
            passed = p95 is not None and p95 <= budget_ms
        return cls(
            metric=metric,
            p50_ms=ms(0.50),
            p95_ms=p95,
            p99_ms=ms(0.99),
            count=len(timings_ms),
            dataset=dataset,
            budget_ms=budget_ms,
            passed=passed,
            extra={
                "mean_ms": round(sum(timings_ms) / len(timings_ms), 2) if timings_ms else None,
                "max_ms": round(max(timings_ms), 2) if timings_ms else None,
                "measured_at": _now(),
                **(extra or {}),
            },
        )


def _now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' (with uncommitted changes)' if dirty else ''}"


def write(
    results: list[Result],
    *,
    context: dict[str, Any],
    directory: Path = RESULTS_DIR,
    summary: Path = ROOT / "RESULTS.md",
) -> list[dict[str, Any]]:
    """Merge these results into latest.json (replacing same-named metrics); rewrite RESULTS.md."""
    directory.mkdir(parents=True, exist_ok=True)
    latest = directory / "latest.json"
    merged: dict[str, dict[str, Any]] = {}
    if latest.exists():
        try:
            previous = json.loads(latest.read_text())
        except json.JSONDecodeError:
            previous = []
        same_dataset = [
            item
            for item in previous
            if item.get("dataset", {}).get("people") == context["dataset"].get("people")
        ]
        merged = {item["metric"]: item for item in same_dataset}
    for result in results:
        merged[result.metric] = asdict(result)
    ordered = sorted(merged.values(), key=lambda item: _ORDER.get(item["metric"], 99))
    latest.write_text(json.dumps(ordered, indent=2) + "\n")
    (directory / "context.json").write_text(json.dumps(context, indent=2) + "\n")
    summary.write_text(_summary(ordered, context, summary))
    return ordered


_ORDER = {
    "search.name_and_dob": 1,
    "search.name_only": 2,
    "search.recall.single_typo_name_and_dob": 3,
    "search.recall.single_typo_unique_name_only": 4,
    "person_page.heaviest": 5,
    "person_page.typical": 6,
    "load.mixed_50rps": 7,
}


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}{unit}"
        if abs(value) >= 100:
            return f"{value:,.1f}{unit}"
        return f"{value:.2f}{unit}" if abs(value) >= 1 else f"{value:.4g}{unit}"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"


def _verdict(item: dict[str, Any]) -> str:
    if item.get("passed") is None:
        return "(no budget)"
    return "**pass**" if item["passed"] else "**FAIL**"


def _budget(item: dict[str, Any]) -> str:
    extra = item.get("extra", {})
    if item.get("budget_ms") is not None:
        text = f"p95 ≤ {item['budget_ms']:g} ms"
        if "query_budget" in extra:
            text += f", ≤ {extra['query_budget']} queries"
        if "error_budget" in extra:
            text += ", 0 errors"
        return text
    if "recall_budget" in extra:
        return f"≥ {extra['recall_budget'] * 100:g}% in top 10"
    return "-"


def _summary(items: list[dict[str, Any]], context: dict[str, Any], path: Path) -> str:
    dataset = context["dataset"]
    machine_info = context["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`); the figures are also in",
        "`bench/results/latest.json`. How to run and what each benchmark does: `bench/README.md`.",
        "",
        f"- Measured: {context['measured_at']} (latest run); commit `{context['git_commit']}`",
        f"- Machine: {machine_info['cpus']} cores ({machine_info['cpu']}),"
        f" {machine_info['memory_gb']} GB RAM, {machine_info['system']}, Python {machine_info['python']}",
        f"- Database: {context.get('postgres', 'PostgreSQL')}",
        f"- Load average when the run started: {context.get('load_average_at_start')}"
        " (1, 5, 15 min; anything well above 0 means other work shared the 2 cores)",
        f"- Dataset `{context['database']}`: built in"
        f" {_fmt(dataset.get('generation_minutes'))} minutes on this machine",
        "",
        "## Dataset",
        "",
        "| rows | count |",
        "| --- | ---: |",
    ]
    for key, label in _DATASET_LABELS:
        if key in dataset:
            lines.append(f"| {label} | {_fmt(dataset[key])} |")
    lines += [
        "",
        "## Results against the budgets",
        "",
        "| benchmark | budget | p50 ms | p95 ms | p99 ms | n | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for item in items:
        extra = item.get("extra", {})
        name = item["metric"]
        if "recall" in extra:
            lines.append(
                f"| {name} | {_budget(item)} | recall {extra['recall'] * 100:.2f}% | | |"
                f" {_fmt(item['count'])} | {_verdict(item)} |"
            )
            continue
        lines.append(
            f"| {name} | {_budget(item)} | {_fmt(item['p50_ms'])} | {_fmt(item['p95_ms'])} |"
            f" {_fmt(item['p99_ms'])} | {_fmt(item['count'])} | {_verdict(item)} |"
        )
    lines += ["", "## Details", ""]
    for item in items:
        extra = {
            key: value
            for key, value in item.get("extra", {}).items()
            if key not in ("misses", "slowest")
        }
        details = ", ".join(f"{key}: {_fmt(value)}" for key, value in extra.items())
        lines.append(f"- `{item['metric']}`: {details}")
        for key in ("misses", "slowest"):
            if item.get("extra", {}).get(key):
                lines.append(f"  - {key}: {item['extra'][key]}")
    lines += ["", "## Analysis", "", ANALYSIS_START]
    lines += _kept_analysis(path)
    lines += [ANALYSIS_END, ""]
    return "\n".join(lines)


_DATASET_LABELS = [
    ("people", "people"),
    ("other_names", "former names and aliases"),
    ("nhs", "people with an NHS number (test range 999 000 0000 to 999 999 9999)"),
    ("addresses", "addresses"),
    ("relationships", "relationships (both directions)"),
    ("case_people", "people with case notes"),
    ("case_notes", "case notes"),
    ("heaviest_notes", "case notes of the heaviest person"),
    ("heaviest_person_id", "heaviest person's id"),
    ("chronology_entries", "chronology entries"),
    ("involvements", "involvements (allocations)"),
    ("alerts", "alerts"),
    ("households", "households"),
    ("staff", "staff users (workers, managers, business support)"),
]


def _kept_analysis(path: Path) -> list[str]:
    """The hand-written analysis of the previous RESULTS.md survives a re-run."""
    if not path.exists():
        return ["(No analysis written yet.)"]
    content = path.read_text()
    if ANALYSIS_START not in content or ANALYSIS_END not in content:
        return ["(No analysis written yet.)"]
    kept = content.split(ANALYSIS_START, 1)[1].split(ANALYSIS_END, 1)[0]
    return kept.strip("\n").splitlines()
