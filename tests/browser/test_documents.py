"""A practitioner uploads a PDF to a child's record, finds it, previews and downloads it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from casemgmt.models import AuditEvent, User
from clients.models import Person
from documents.models import Document
from tests.browser.conftest import Accessibility
from tests.documents import samples

pytestmark = pytest.mark.browser


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


def test_practitioner_uploads_previews_and_downloads_a_pdf(
    page: Page,
    demo_council: dict[str, User],
    sign_in_with_form: Callable[..., None],
    accessibility: Accessibility,
    browser_errors: list[str],
    document_folder: Path,
    tmp_path: Path,
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    person_path = reverse("clients:person-detail", kwargs={"person_id": jayden.pk})
    pdf = tmp_path / "Child and family assessment.pdf"
    pdf.write_bytes(samples.pdf("Child and family assessment"))
    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(samples.WINDOWS_EXE)

    # Given a practitioner on a child's record
    page.goto(person_path)
    sign_in_with_form(page, "practitioner")
    expect(page.locator("#documents-heading")).to_have_text("Documents")

    # When she opens the upload page from the Documents section
    page.get_by_role("link", name=re.compile("^Upload documents")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload documents")
    expect(page.locator(".app-document-drop__zone")).to_be_visible()  # the drop zone is added
    accessibility.check(page, "document-upload")

    # and sends a disguised program, it is refused with the reason, and what she typed stays
    page.get_by_label("Files").set_input_files(str(disguised))
    page.get_by_label("Title (optional)").fill("Assessment")
    page.get_by_label("Category").select_option(label="Assessment")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "report.pdf cannot be uploaded because it is a program or script"
    )
    expect(page.get_by_label("Title (optional)")).to_have_value("Assessment")
    accessibility.check(page, "document-upload-error")
    assert Document.objects.count() == 0

    # When she chooses the real PDF and uploads it
    page.get_by_label("Files").set_input_files(str(pdf))
    expect(page.locator(".app-document-drop__status")).to_contain_text("1 file chosen")
    page.get_by_role("button", name="Upload").click()

    # Then it is in the list, and in the Documents section of the record
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("uploaded")
    expect(page.get_by_role("link", name="Assessment")).to_be_visible()
    accessibility.check(page, "document-list")
    page.goto(person_path)
    section = page.locator("section[aria-labelledby='documents-heading']")
    expect(section).to_contain_text("Assessment")
    section.get_by_role("link", name="Assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment")
    accessibility.check(page, "document-detail")
    document = Document.objects.get()
    assert document.current_version is not None

    # When she previews it: shown inline, sandboxed, and the access is recorded once
    before = AuditEvent.objects.filter(person_id=jayden.pk, action="preview").count()
    preview_href = page.get_by_role("link", name=re.compile("^Preview")).get_attribute("href")
    assert preview_href is not None
    preview = page.request.get(preview_href)
    assert preview.status == 200
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"].startswith("inline;")
    assert preview.headers["content-security-policy"].startswith("sandbox")
    assert preview.body() == pdf.read_bytes()
    assert AuditEvent.objects.filter(person_id=jayden.pk, action="preview").count() == before + 1

    # and downloads it: the same bytes, under its own name
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download")).first.click()
    download = download_info.value
    assert download.suggested_filename == "Child and family assessment.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == pdf.read_bytes()
    assert AuditEvent.objects.filter(person_id=jayden.pk, action="download").count() == 1

    accessibility.assert_no_serious_problems()
    # The refused upload's page is answered 400 (Chromium logs that); nothing else went wrong.
    assert [error for error in browser_errors if "status of 400" not in error] == []
