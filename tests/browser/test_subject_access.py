"""An information governance officer reviews a child's case file for a subject access request:
selects words in a note to redact them, decides on an item, and every page passes axe-core."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from casemgmt import jobs
from casemgmt.models import User
from clients.models import Person
from subject_access import gathering, review, services
from subject_access.models import Redaction, ReviewItem
from tests.browser.conftest import Accessibility

pytestmark = pytest.mark.browser

SELECT_FIRST_WORD = """
(field) => {
  const node = [...field.childNodes].find((child) => child.nodeType === Node.TEXT_NODE && /[A-Za-z]{4,}/.test(child.data));
  const match = /[A-Za-z]{4,}/.exec(node.data);
  const range = document.createRange();
  range.setStart(node, match.index);
  range.setEnd(node, match.index + match[0].length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  field.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
  return [match[0], match.index];
}
"""


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


def test_an_officer_reviews_and_redacts_a_case_file(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
    browser_errors: list[str],
    document_folder: Path,
) -> None:
    # Given a subject access request from Jayden, his file gathered and sent for review
    officer = demo_council["governance"]
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    received = timezone.localdate() - datetime.timedelta(days=5)
    sar = services.request_create(
        actor=officer,
        received_on=received,
        channel="letter",
        requester_name="Jayden Whitmore",
        requester_role="self",
        authority="",
        requester_address="3 Mill Lane, Leeds",
        requester_email="",
        requester_phone="",
        subject_name="Jayden Whitmore",
        subject_date_of_birth=jayden.date_of_birth,
        subject_details="",
        scope="Everything you hold about me.",
        owner=None,
    )
    services.identity_record(actor=officer, sar=sar, verified_on=received, method="known", notes="")
    subject = services.subject_add(actor=officer, sar=sar, person=jayden)
    services.work_start(actor=officer, sar=sar)
    job = gathering.gather_start(actor=officer, sar=sar, subject=subject)
    jobs.job_run(str(job.pk))
    review.review_send(actor=officer, sar=sar)
    sign_in(officer)

    # The list and the request's page
    page.goto(reverse("subject_access:request-list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access requests")
    accessibility.check(page, "sar-list")
    page.get_by_role("link", name=sar.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sar.reference)
    accessibility.check(page, "sar-detail")

    # When the officer opens the review of Jayden's case notes
    page.get_by_role("link", name=re.compile("^Review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Review the case file of Jayden Whitmore"
    )
    page.get_by_label("Section", exact=True).select_option("notes")
    page.get_by_role("button", name="Show these items").click()
    accessibility.check(page, "sar-review")

    # And selects a word in the first note's text
    article = (
        page.locator("article[data-item]").filter(has=page.locator('[data-field="body"]')).first
    )
    field = article.locator('[data-field="body"]')
    word, start = field.evaluate(SELECT_FIRST_WORD)

    # Then the note's redaction form holds exactly those words and where they are
    form = article.locator("[data-redaction-form]")
    expect(form.get_by_label("Words to redact")).to_have_value(word)
    expect(form.locator("[data-selection-start]")).to_have_value(str(start))
    expect(form.locator("[data-selection-hint]")).to_be_visible()
    accessibility.check(page, "sar-review-selection")

    # When the reason is chosen and the redaction made
    form.get_by_label("Reason").select_option("third_party")
    form.get_by_role("button", name=re.compile("^Redact")).click()

    # Then it is listed on the note, struck through in its text, and kept at that place
    item_id = int(str(article.get_attribute("id")).removeprefix("item-"))
    redaction = Redaction.objects.get(item_id=item_id)
    assert (redaction.field_key, redaction.start, redaction.text) == ("body", start, word)
    note = page.locator(f"#item-{item_id}")
    expect(note.locator("del.app-redacted")).to_have_text(word)
    expect(note).to_contain_text("Third-party information")

    # And a decision sent with no choice says so on the item, keeping the page's filter
    note.get_by_role("button", name=re.compile("^Save the decision")).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose whether to release or withhold this item."
    )
    expect(page.get_by_label("Section", exact=True)).to_have_value("notes")
    accessibility.check(page, "sar-review-errors")

    # And a decision to withhold with its exemption is saved
    note = page.locator(f"#item-{item_id}")
    note.get_by_label("Withhold", exact=True).check()
    note.get_by_label("Exemption (when withholding)").select_option("crime")
    note.get_by_role("button", name=re.compile("^Save the decision")).click()
    expect(page.locator(f"#item-{item_id}")).to_contain_text("Withheld")
    assert ReviewItem.objects.get(pk=item_id).exemption == "crime"
    accessibility.check(page, "sar-review-decided")

    accessibility.assert_no_serious_problems()
    # The refused decision answers 400 (Chromium logs it); nothing else went wrong
    assert [error for error in browser_errors if "status of 400" not in error] == []
