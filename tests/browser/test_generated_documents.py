"""A practitioner makes the child and family assessment report from a completed step and opens it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from playwright.sync_api import Page, expect

from casemgmt.celery import app as celery_app
from casemgmt.models import AuditEvent, User
from clients.models import Person
from documents.models import Document, GeneratedDocument
from tests.browser.conftest import Accessibility
from tests.documents.test_generated import ink, pdf_to_pngs
from tests.documents.test_generated_builders import completed_step, load_packs_and_templates

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def document_folder(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def documents_worker(live_server: Any) -> Iterator[None]:
    """A Celery worker taking jobs from the documents queue (through the test Redis)."""
    with start_worker(
        celery_app, perform_ping_check=False, shutdown_timeout=30, queues=["documents"]
    ):
        yield


def test_practitioner_generates_the_assessment_report_and_opens_the_pdf(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
    document_folder: Path,
    documents_worker: None,
    browser_errors: list[str],
) -> None:
    # Given the shipped packs and templates, and a completed assessment of the practitioner's child
    load_packs_and_templates()
    practitioner = demo_council["practitioner"]
    child = Person.objects.filter(first_name="Jayden", last_name="Whitmore").first()
    assert child is not None
    step = completed_step(child, practitioner, "child-and-family-assessment", seed=11)
    sign_in(practitioner)

    # When she opens the step and chooses to generate a document
    page.goto(reverse("step-detail", args=[step.pk]))
    expect(page.get_by_role("button", name="Print as PDF")).to_be_visible()
    page.get_by_role("link", name="Generate a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Generate a document")
    accessibility.check(page, "generate-document")

    # and presses Generate without choosing: told to choose
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what to make.")
    accessibility.check(page, "generate-document-error")

    # and chooses the child and family assessment report
    page.get_by_label("Child and family assessment report").check()
    page.get_by_role("button", name="Generate").click()

    # Then the job's page shows its progress until the document is ready
    expect(page).to_have_url(re.compile(r"/documents/generating/"))
    expect(page.get_by_text("The document is ready")).to_be_visible(timeout=60_000)
    accessibility.check(page, "generation-progress")
    generated = GeneratedDocument.objects.get()
    assert generated.template_version is not None
    assert generated.template_version.template.code == "child-and-family-assessment-report"

    # And she opens the PDF through the audited preview
    before = AuditEvent.objects.filter(person_id=child.pk, action="preview").count()
    href = page.get_by_role("link", name=re.compile("^Preview the PDF")).get_attribute("href")
    assert href is not None
    preview = page.request.get(href)
    assert preview.status == 200
    assert preview.headers["content-type"] == "application/pdf"
    pdf = preview.body()
    assert pdf.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(person_id=child.pk, action="preview").count() == before + 1

    # which, rendered to PNG, has content on every page
    pages = pdf_to_pngs(pdf, ARTIFACTS, "generated-assessment-report")
    assert len(pages) >= 2
    assert ink(pages[0]) > 0.02
    for png in pages[1:]:
        assert ink(png) > 0.002

    # and the document page shows it as one of the child's documents
    page.get_by_role("link", name=re.compile("Open the document")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Child and family assessment report: Child and family assessment"
    )
    accessibility.check(page, "generated-document-detail")
    assert Document.objects.filter(person=child).count() == 1

    accessibility.assert_no_serious_problems()
    assert [error for error in browser_errors if "status of 400" not in error] == []
