"""Generated documents: the job, versioning, idempotency, the shipped templates and their PDFs."""

from __future__ import annotations

import contextlib
import datetime
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image

from casemgmt import jobs
from casemgmt.celery import app as celery_app
from casemgmt.models import AuditEvent, Code, Job, User
from clients.models import Person
from documents.generation import (
    GENERATE,
    generation_start,
    store_generated,
    template_save,
)
from documents.models import (
    CATEGORY_LIST_KEY,
    Document,
    DocumentTemplate,
    DocumentTemplateVersion,
    DocumentVersion,
    GeneratedDocument,
)
from documents.pdf import _safe_url_fetcher, render_pdf
from documents.templating import step_context
from tests.documents.conftest import stored_files
from tests.documents.test_generated_builders import completed_step, load_packs_and_templates
from tests.factories import AddressFactory
from workflows.models import Step

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "generated-pdfs"

SHIPPED = [
    ("child-and-family-assessment-report", "child-and-family-assessment"),
    ("assessment-outcome-letter-to-family", "child-and-family-assessment"),
    ("child-protection-plan", "child-protection-plan"),
    ("care-act-assessment", "adult-needs-assessment"),
    ("support-plan", "adult-support-plan"),
    ("care-package-confirmation-letter", "adult-support-plan"),
]


@pytest.fixture
def packs(db: None) -> None:
    load_packs_and_templates()


def _run(job: Job) -> Job:
    with contextlib.suppress(Exception):  # the job row records a failure; tests look at it
        jobs.job_run(str(job.pk))
    job.refresh_from_db()
    return job


def _start(
    worker: User,
    person: Person,
    step: Step,
    template: DocumentTemplate | None,
    capture: Any,
) -> Job:
    with capture(execute=False):
        return generation_start(actor=worker, step=step, person=person, template=template)


def pdf_to_pngs(pdf: bytes, folder: Path, stem: str) -> list[Path]:
    """Each page as a PNG (pdftoppm), in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{stem}-*.png"):
        old.unlink()
    source = folder / f"{stem}.pdf"
    source.write_bytes(pdf)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is needed (scripts/ensure_chromium.sh installs poppler-utils)"
    subprocess.run(  # noqa: S603 (a fixed program on a file this test wrote)
        [pdftoppm, "-r", "50", "-png", str(source), str(folder / stem)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return sorted(folder.glob(f"{stem}-*.png"))


def ink(png: Path) -> float:
    """The share of the page that is not white."""
    image = Image.open(png).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


# -- the shipped templates --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "step_type"), [*SHIPPED, ("", "child-protection-plan")])
def test_each_shipped_template_makes_a_pdf_that_looks_like_a_document(
    packs: None,
    person: Person,
    worker: User,
    code: str,
    step_type: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Given a completed step of the template's kind, for a person with an address
    AddressFactory(person=person, line_1="14 Beech Grove", town="Demoton", postcode="DM4 7QT")
    step = completed_step(person, worker, step_type, seed=3)
    template = DocumentTemplate.objects.get(code=code) if code else None

    # When the document is generated
    job = _run(_start(worker, person, step, template, django_capture_on_commit_callbacks))

    # Then it is a PDF of the person, whose pages (as PNGs) all carry text
    assert job.status == Job.Status.SUCCEEDED, job.error
    version = DocumentVersion.objects.get(pk=job.result["version_id"])
    pdf = version.file.read()
    assert pdf.startswith(b"%PDF-")
    pages = pdf_to_pngs(pdf, ARTIFACTS, code or "all-answers")
    assert pages
    assert ink(pages[0]) > 0.02, f"{pages[0].name} looks blank"
    for page in pages[1:]:
        assert ink(page) > 0.002, f"{page.name} looks blank"
    # The template's own merge fields came through (in the PDF's text)
    text = subprocess.run(  # noqa: S603
        [
            shutil.which("pdftotext") or "pdftotext",
            str(ARTIFACTS / f"{code or 'all-answers'}.pdf"),
            "-",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode()
    assert "OFFICIAL-SENSITIVE" in text
    assert "Page 1 of" in text
    assert "Whitmore" in text
    if template is not None and template.kind == DocumentTemplate.Kind.LETTER:
        assert "14 Beech Grove" in text  # the address window
        assert "DM4 7QT" in text


@pytest.mark.django_db
def test_loading_the_shipped_templates_twice_changes_nothing_and_keeps_council_edits(
    packs: None, worker: User
) -> None:
    assert DocumentTemplate.objects.count() == len(SHIPPED)
    assert set(DocumentTemplate.objects.values_list("version", flat=True)) == {1}
    report = DocumentTemplate.objects.get(code="child-and-family-assessment-report")
    assert list(report.step_types.values_list("code", flat=True)) == ["child-and-family-assessment"]

    # A council edits one; loading again leaves it (and every other) alone
    report.body += "<p>Local footer</p>"
    template_save(actor=worker, template=report)
    load_packs_and_templates()
    report.refresh_from_db()
    assert report.version == 2
    assert report.body.endswith("<p>Local footer</p>")
    assert DocumentTemplateVersion.objects.count() == len(SHIPPED) + 1


# -- the job: storing, versioning, auditing ----------------------------------------------------


@pytest.mark.django_db
def test_generating_again_for_the_same_step_adds_a_version_and_records_the_template_version(
    packs: None, person: Person, worker: User, django_capture_on_commit_callbacks: Any
) -> None:
    step = completed_step(person, worker)
    template = DocumentTemplate.objects.get(code="child-and-family-assessment-report")

    first = _run(_start(worker, person, step, template, django_capture_on_commit_callbacks))
    template.body = template.body.replace("Child and family assessment</h1>", "C&F assessment</h1>")
    template_save(actor=worker, template=template)
    second = _run(_start(worker, person, step, template, django_capture_on_commit_callbacks))

    # One document, two versions; each generation names the template version it used
    assert first.status == second.status == Job.Status.SUCCEEDED
    document = Document.objects.get(person=person)
    assert document.title == "Child and family assessment report: Child and family assessment"
    assert document.category.code == "assessment"
    assert document.step_id == step.pk
    assert document.confidentiality == Document.Confidentiality.SENSITIVE
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert document.current_version_id == second.result["version_id"]
    used = list(
        GeneratedDocument.objects.order_by("generated_at").values_list(
            "template_version__number", flat=True
        )
    )
    assert used == [1, 2]
    # The generation itself is audited: asked for (access) and stored (change)
    changes = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.CHANGE, person_id=person.pk, object_type="documents.document"
    )
    assert changes.count() == 2
    assert "Generated document" in changes.first().summary  # type: ignore[union-attr]
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ACCESS, action="generate", person_id=person.pk
        ).count()
        == 2
    )
    # "Print as PDF" of the same step is a document of its own
    _run(_start(worker, person, step, None, django_capture_on_commit_callbacks))
    assert Document.objects.filter(person=person).count() == 2


@pytest.mark.django_db
def test_a_worker_killed_after_storing_is_retried_without_a_duplicate(
    packs: None,
    person: Person,
    worker: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    document_folder: Path,
) -> None:
    step = completed_step(person, worker)
    job = _start(worker, person, step, None, django_capture_on_commit_callbacks)

    # The first attempt stores the PDF, then dies before the job is marked finished
    original = jobs.JobReporter.progress

    def dies_when_stored(self: jobs.JobReporter, done: int, total: int, state: Any = None) -> None:
        if done == total and self.job.attempts == 1:
            raise SystemExit("worker killed")
        original(self, done, total, state)

    monkeypatch.setattr(jobs.JobReporter, "progress", dies_when_stored)
    with pytest.raises(SystemExit):
        jobs.job_run(str(job.pk))
    assert GeneratedDocument.objects.filter(job_id=job.pk).count() == 1
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.QUEUED
    )  # as requeue_stalled_jobs finds it

    # The retry finds its own output
    job = _run(job)
    assert job.status == Job.Status.SUCCEEDED
    assert DocumentVersion.objects.count() == 1
    assert len(stored_files(document_folder)) == 1

    # And two runs storing for the same job id at once: the second gets the first's row
    generated = GeneratedDocument.objects.get()
    again = store_generated(
        job_id=job.pk,
        author=worker,
        person=person,
        step=step,
        template=None,
        template_version=None,
        title="x",
        category=Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="report"),
        pdf=b"%PDF-1.7 not stored",
    )
    assert again.pk == generated.pk
    assert len(stored_files(document_folder)) == 1


@pytest.mark.django_db
def test_a_template_error_fails_the_job_saying_where_and_stores_nothing(
    packs: None,
    person: Person,
    worker: User,
    django_capture_on_commit_callbacks: Any,
    document_folder: Path,
) -> None:
    step = completed_step(person, worker)
    broken = DocumentTemplate(
        name="Broken",
        code="broken",
        category=Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="letter"),
        body="<p>Fine</p>\n<p>{{ answers.no_such_question }}</p>",
    )
    template_save(actor=worker, template=broken)

    job = _run(_start(worker, person, step, broken, django_capture_on_commit_callbacks))

    assert job.status == Job.Status.FAILED  # at once: a retry would fail the same way
    assert "Line 2" in job.error
    assert "no_such_question" in job.error
    assert not Document.objects.exists()
    assert stored_files(document_folder) == []


@pytest.mark.django_db
def test_only_completed_steps_of_the_person_can_be_generated(
    packs: None, person: Person, worker: User
) -> None:
    open_step = completed_step(person, worker, status=Step.Status.IN_PROGRESS)
    with pytest.raises(ValidationError, match="completed"):
        generation_start(actor=worker, step=open_step, person=person, template=None)
    other = completed_step(
        Person.objects.create(first_name="Other", last_name="Child"), worker, seed=2
    )
    with pytest.raises(ValidationError, match="not about this person"):
        generation_start(actor=worker, step=other, person=person, template=None)
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_generation_runs_on_a_real_worker_on_the_documents_queue(
    client_for: Any, person: Person, worker: User
) -> None:
    load_packs_and_templates()
    step = completed_step(person, worker)
    client = client_for("allocated_worker")
    with start_worker(
        celery_app, perform_ping_check=False, shutdown_timeout=30, queues=["documents"]
    ):
        response = client.post(
            reverse("documents:step-generate", args=[person.pk, step.pk]),
            {"template": "child-and-family-assessment-report"},
        )
        job = Job.objects.get(kind=GENERATE)
        assert response.status_code == 302
        for _ in range(300):
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.1)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert Document.objects.filter(person=person).count() == 1


# -- what a template can reach ------------------------------------------------------------------


def _plain_only(value: Any, where: str = "context") -> None:
    plain = (str, int, float, bool, type(None), datetime.date)
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), where
            _plain_only(item, f"{where}.{key}")
    elif isinstance(value, list):
        for number, item in enumerate(value):
            _plain_only(item, f"{where}[{number}]")
    else:
        assert isinstance(value, plain), f"{where} is a {type(value).__name__}"


@pytest.mark.django_db
def test_the_context_is_plain_data_with_labels_and_choice_labels(
    packs: None, person: Person, worker: User
) -> None:
    step = completed_step(person, worker, overrides={"outcome": "cin_plan", "child_seen": True})
    context = step_context(step, person, author=worker)
    _plain_only(context)
    assert context["answers"]["outcome"] == "Child in need plan"
    assert context["answers"]["child_seen"] == "Yes"
    assert context["fields"]["outcome"]["label"] == "Outcome of the assessment"
    assert context["person"]["name"] == "Jayden Whitmore"
    assert context["council"]["name"]


def test_the_pdf_renderer_fetches_nothing_from_the_network_or_outside_static() -> None:
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError, match="refused"):
            _safe_url_fetcher(url)
    pdf = render_pdf('<p>Hello</p><img src="file:///etc/passwd"><img src="http://10.0.0.1/">')
    assert pdf.startswith(b"%PDF-")


# -- the pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_offers_the_templates_of_the_step_type_and_starts_the_job(
    packs: None, person: Person, worker: User, worker_client: Client
) -> None:
    step = completed_step(person, worker)
    url = reverse("documents:step-generate", args=[person.pk, step.pk])

    page = worker_client.get(url)

    assert page.status_code == 200
    content = page.content.decode()
    assert "every section and answer" in content
    assert "Child and family assessment report" in content
    assert "Assessment outcome letter to the family" in content
    assert "Care Act assessment" not in content  # another step type's template

    response = worker_client.post(url, {"template": "assessment-outcome-letter-to-family"})
    job = Job.objects.get(kind=GENERATE)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "documents:generation-progress", args=[person.pk, job.pk]
    )
    progress = worker_client.get(response["Location"])
    assert progress.status_code == 200
    assert "Queued" in progress.content.decode()
    partial = worker_client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'id="generation-progress"' in partial.content.decode()

    _run(job)
    done = worker_client.get(response["Location"]).content.decode()
    assert "The document is ready" in done
    assert job.result["preview_url"] in done
    preview = worker_client.get(job.result["preview_url"])
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose what to make."),
        ({"template": ""}, "Choose what to make."),
        ({"template": "no-such-template"}, "Choose one of the documents listed."),
        ({"template": "care-act-assessment"}, "Choose one of the documents listed."),
        ({"template": "x" * 100_000}, "Choose one of the documents listed."),
        ({"template": "<script>alert(1)</script>"}, "Choose one of the documents listed."),
        ({"template": "child-and-family-assessment-report\x00"}, "Choose one of the documents"),
    ],
)
def test_wrong_choices_are_refused_with_a_message_and_start_nothing(
    packs: None,
    person: Person,
    worker: User,
    worker_client: Client,
    data: dict[str, str],
    message: str,
) -> None:
    step = completed_step(person, worker)
    response = worker_client.post(
        reverse("documents:step-generate", args=[person.pk, step.pk]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_step_not_completed_says_so_and_generates_nothing(
    packs: None, person: Person, worker: User, worker_client: Client
) -> None:
    step = completed_step(person, worker, status=Step.Status.IN_PROGRESS)
    url = reverse("documents:step-generate", args=[person.pk, step.pk])
    assert worker_client.get(url).status_code == 409
    response = worker_client.post(url, {"template": "all-answers"})
    assert response.status_code == 409
    assert "only be made from completed steps" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_people_steps_and_jobs_out_of_reach_are_not_found(
    packs: None,
    person: Person,
    worker: User,
    client_for: Any,
    users: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    step = completed_step(person, worker)
    stranger = Person.objects.create(first_name="Una", last_name="Known")
    stranger_step = completed_step(stranger, worker, seed=5)
    url = reverse("documents:step-generate", args=[person.pk, step.pk])
    # Someone who may see the person but not record on them (so not make their documents)
    assert client_for("finance_officer").get(url).status_code == 404
    assert client_for("finance_officer").post(url, {"template": "all-answers"}).status_code == 404
    # Someone who may not see the person at all (a restricted record, not granted to them)
    Person.objects.filter(pk=person.pk).update(access_level=Person.AccessLevel.RESTRICTED)
    assert client_for("other_team_worker").get(url).status_code == 404
    assert client_for("other_team_worker").post(url, {"template": "all-answers"}).status_code == 404
    Person.objects.filter(pk=person.pk).update(access_level=Person.AccessLevel.ORDINARY)
    # Another person's step under this person's address
    mixed = reverse("documents:step-generate", args=[person.pk, stranger_step.pk])
    assert client_for("allocated_worker").get(mixed).status_code == 404
    # Unknown ids
    assert (
        client_for("allocated_worker")
        .get(reverse("documents:step-generate", args=[person.pk, 999_999]))
        .status_code
        == 404
    )
    # Someone else's job, and a job under another person's address
    job = _start(worker, person, step, None, django_capture_on_commit_callbacks)
    progress = reverse("documents:generation-progress", args=[person.pk, job.pk])
    assert client_for("team_manager").get(progress).status_code == 404
    assert (
        client_for("allocated_worker")
        .get(reverse("documents:generation-progress", args=[stranger.pk, job.pk]))
        .status_code
        == 404
    )
    assert not Job.objects.exclude(pk=job.pk).exists()


@pytest.mark.django_db
def test_the_step_page_offers_print_as_pdf_only_for_completed_steps(
    packs: None, person: Person, worker: User, worker_client: Client
) -> None:
    done = completed_step(person, worker)
    open_step = completed_step(person, worker, status=Step.Status.IN_PROGRESS, seed=2)
    page = worker_client.get(reverse("step-detail", args=[done.pk])).content.decode()
    assert "Print as PDF" in page
    assert reverse("documents:step-generate", args=[person.pk, done.pk]) in page
    assert (
        "Print as PDF"
        not in worker_client.get(reverse("step-detail", args=[open_step.pk])).content.decode()
    )
