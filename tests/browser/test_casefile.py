"""A team manager exports a child's case file: asks for it, follows its progress, downloads it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from casemgmt import jobs
from casemgmt.models import AuditEvent, Job, User
from clients.models import Person
from documents import casefile
from tests.browser.conftest import Accessibility

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


def test_manager_exports_a_case_file_and_downloads_it(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
    browser_errors: list[str],
    document_folder: Path,
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    manager = demo_council["manager"]
    sign_in(manager)

    # Given a team manager on a child's record
    page.goto(reverse("clients:person-detail", kwargs={"person_id": jayden.pk}))

    # When he opens the export from the Documents section
    page.get_by_role("link", name=re.compile("^Export the case file")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export the case file")
    accessibility.check(page, "casefile-request")

    # And sends it without saying why: the errors say what is missing, the reason is kept
    page.get_by_label("Reason", exact=True).fill("SAR <b>2026</b>/014")
    page.get_by_role("button", name="Export the case file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select why you are exporting the case file."
    )
    expect(page.get_by_label("Reason", exact=True)).to_have_value("SAR <b>2026</b>/014")
    accessibility.check(page, "casefile-request-errors")

    # Then, with the purpose chosen, the export starts and its progress shows
    page.get_by_label("Subject access request").check()
    page.get_by_role("button", name="Export the case file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case file export")
    expect(page.locator("#job-progress-bar")).to_be_visible()
    accessibility.check(page, "casefile-status")

    # When a documents worker runs it, the page follows it to the end
    job = Job.objects.get(kind=casefile.JOB_KIND, created_by=manager)
    jobs.job_run(str(job.pk))
    expect(page.locator("#job-progress")).to_contain_text("100% complete", timeout=15_000)
    page.get_by_role("link", name="Download").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("The export is ready")
    accessibility.check(page, "casefile-ready")

    # And the PDF bundle downloads, recorded in the person's access log
    before = AuditEvent.objects.filter(action="download", person_id=jayden.pk).count()
    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name=re.compile(r"^Download Case file export .*PDF bundle")
        ).click()
    path = download_info.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="download", person_id=jayden.pk).count() == before + 1

    accessibility.assert_no_serious_problems()
    # The refused form answers 400 (Chromium logs it); nothing else went wrong
    assert [error for error in browser_errors if "status of 400" not in error] == []
