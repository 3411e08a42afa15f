"""`python -m bench.casefile`: the case file export of the heaviest bench person, timed.

Against the bench database (`casemgmt_bench`, migrated first), takes the heaviest person
(bench_meta `heaviest_person_id`, 3,000+ case notes) and tops their record up to 200
workflow steps (copies of the steps they have, or of any step of the bench) and 100
documents (small generated PDFs and PNG images, stored through the documents services,
so the files are real and checked like uploads). Then runs the export job in this process,
as a documents worker would, sampling this process's resident memory throughout, and
reports the time (budget 120 s), the peak memory growth, the pages and the sizes, with
the machine's load average (the machine is shared). The export's two documents are
removed afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.config import DEFAULT_DATABASE, bench_database, configure
from bench.results import RESULTS_DIR, Result, machine

BUDGET_SECONDS = 120.0
STEPS_WANTED = 200
DOCUMENTS_WANTED = 100
EXPORTER = "bench.casefile.manager"


def _log(message: str) -> None:
    print(f"[casefile] {message}", flush=True)


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class RssSampler(threading.Thread):
    """This process's resident memory every 50 ms; keeps the peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.is_set():
            self.peak = max(self.peak, _rss_bytes())
            time.sleep(0.05)

    def stop(self) -> None:
        self._finished.set()
        self.join(timeout=5)
        self.peak = max(self.peak, _rss_bytes())


def _exporter() -> Any:
    from django.contrib.auth.models import Group

    from casemgmt.models import User
    from casemgmt.roles import Role

    user, _ = User.objects.get_or_create(
        username=EXPORTER, defaults={"first_name": "Bench", "last_name": "Manager"}
    )
    user.groups.add(Group.objects.get(name=Role.TEAM_MANAGER))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


def _top_up_steps(person: Any, actor: Any) -> int:
    """Copies of the person's steps (or any bench step) until they have STEPS_WANTED."""
    from django.utils import timezone

    from workflows.models import Episode, Step

    have = Step.objects.filter(person=person).count()
    if have >= STEPS_WANTED:
        return 0
    templates = list(Step.objects.filter(person=person).select_related("episode")[:50]) or list(
        Step.objects.filter(person__isnull=False).select_related("episode")[:50]
    )
    if not templates:
        raise RuntimeError("the bench database has no workflow steps to copy")
    rng = random.Random(person.pk)
    made = 0
    for number in range(STEPS_WANTED - have):
        template = templates[number % len(templates)]
        episode = Episode.objects.create(
            workflow_id=template.episode.workflow_id,
            person=person,
            opened_on=template.episode.opened_on,
        )
        status = rng.choice([Step.Status.COMPLETED] * 4 + [Step.Status.IN_PROGRESS])
        Step.objects.create(
            episode=episode,
            step_type_id=template.step_type_id,
            form_version_id=template.form_version_id,
            person=person,
            status=status,
            team_id=template.team_id,
            assignee_id=template.assignee_id,
            answers=template.answers,
            created_by=actor,
            created_at=timezone.now(),
            started_on=template.started_on or timezone.localdate(),
            due_date=template.due_date,
            completed_at=timezone.now() if status == Step.Status.COMPLETED else None,
            completed_by=actor if status == Step.Status.COMPLETED else None,
        )
        made += 1
    return made


def _png(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (rng.randrange(256), rng.randrange(256), 200))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(640), rng.randrange(480)
        draw.rectangle((x, y, x + 60, y + 40), fill=(rng.randrange(256), 80, rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _letter(number: int, person: Any) -> bytes:
    from django.utils.html import escape

    from documents.pdf import render_pdf

    paragraphs = "".join(
        f"<p>Paragraph {n} of letter {number}: we write about the support arranged for"
        f" {escape(person.full_name)} and the next review.</p>"
        for n in range(12)
    )
    return render_pdf(f"<h1>Letter {number}</h1>{paragraphs}")


def _top_up_documents(person: Any, actor: Any) -> int:
    """Generated PDFs and images stored through the documents services until there are 100."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from casemgmt.models import Code
    from documents import casefile, services
    from documents.models import CATEGORY_LIST_KEY
    from documents.uploads import inspect_upload

    have = casefile.exported_documents(person).count()
    category = Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="letter")
    photograph = Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="photograph")
    made = 0
    for number in range(have, DOCUMENTS_WANTED):
        if number % 2:
            name, content, kind = f"photo-{number}.png", _png(number), "image/png"
        else:
            name, content, kind = f"letter-{number}.pdf", _letter(number, person), "application/pdf"
        incoming = inspect_upload(SimpleUploadedFile(name, content, content_type=kind))
        services.document_create_many(
            actor=actor,
            person=person,
            files=[incoming],
            title=f"Bench {name}",
            category=photograph if number % 2 else category,
            document_date=timezone.localdate(),
            confidentiality="normal",
        )
        made += 1
    return made


def _remove(document_ids: list[int]) -> None:
    """Delete the export's documents and files (a benchmark leaves the record as it found it)."""
    from documents.models import Document, DocumentVersion, document_storage

    storage = document_storage()
    for document in Document.objects.filter(pk__in=document_ids):
        versions = list(DocumentVersion.objects.filter(document=document))
        Document.objects.filter(pk=document.pk).update(current_version=None)
        for version in versions:
            storage.delete(str(version.file.name))
            version.delete()
        document.delete()


def bench_casefile(*, database_name: str, keep: bool) -> Result:
    database = bench_database(database_name)
    configure(database)
    from bench.generate import migrate, read_meta
    from casemgmt import jobs
    from casemgmt.models import Job
    from clients.models import Person
    from documents import casefile

    migrate(_log)
    meta = read_meta(database.conninfo)
    person = Person.objects.get(pk=int(meta["heaviest_person_id"]))
    actor = _exporter()
    _log(
        f"heaviest person {person.pk}: topping up to {STEPS_WANTED} steps, {DOCUMENTS_WANTED} documents"
    )
    _log(f"  steps added: {_top_up_steps(person, actor)}")
    _log(f"  documents added: {_top_up_documents(person, actor)}")
    counts = casefile.record_counts(person)
    _log(f"  record: {counts}")

    job = Job.objects.create(
        kind=casefile.JOB_KIND,
        title="Bench case file export",
        params={"person_id": person.pk, "purpose": "review", "reason": "Benchmark"},
        created_by=actor,
    )
    load_before = os.getloadavg()
    sampler = RssSampler()
    baseline = _rss_bytes()
    sampler.start()
    started = time.monotonic()
    jobs.job_run(str(job.pk))
    elapsed = time.monotonic() - started
    sampler.stop()
    load_after = os.getloadavg()
    job.refresh_from_db()
    if job.status != Job.Status.SUCCEEDED:
        raise RuntimeError(f"the export failed: {job.error}")
    documents = casefile.export_documents(job)
    sizes = {
        d.current_version.content_type: d.current_version.size
        for d in documents
        if d.current_version
    }
    growth_mb = (sampler.peak - baseline) / 2**20
    _log(
        f"export: {elapsed:.1f} s (budget {BUDGET_SECONDS:g} s), {job.result['pages']} pages,"
        f" {job.result['attachments']} attachments; PDF {sizes.get('application/pdf', 0) / 2**20:.1f} MB,"
        f" ZIP {sizes.get('application/zip', 0) / 2**20:.1f} MB; RSS {baseline / 2**20:.0f} MB before,"
        f" peak {sampler.peak / 2**20:.0f} MB ({growth_mb:+.0f} MB);"
        f" load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    if not keep:
        _remove([d.pk for d in documents])
    return Result.from_timings(
        "casefile_export.heaviest",
        [elapsed * 1000],
        dataset={"database": database_name, "person_id": person.pk, **asdict(counts)},
        budget_ms=BUDGET_SECONDS * 1000,
        extra={
            "pages": job.result["pages"],
            "attachments": job.result["attachments"],
            "parts": len(job.state.get("plan", [])),
            "pdf_bytes": sizes.get("application/pdf"),
            "zip_bytes": sizes.get("application/zip"),
            "rss_before_mb": round(baseline / 2**20, 1),
            "rss_peak_mb": round(sampler.peak / 2**20, 1),
            "rss_growth_mb": round(growth_mb, 1),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "machine": machine(),
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.casefile", description=__doc__)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="bench database name")
    parser.add_argument("--keep", action="store_true", help="keep the exported documents")
    arguments = parser.parse_args(argv)
    result = bench_casefile(database_name=arguments.database, keep=arguments.keep)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "casefile.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    print(json.dumps(asdict(result), indent=2))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
