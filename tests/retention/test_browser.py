"""axe-core in headless Chromium on the retention pages, with their errors showing.

Uses the browser tests' fixtures (tests/browser/conftest.py) with a browser of this
module's own, so the setting it needs does not outlive these tests.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from casemgmt import jobs
from casemgmt.models import User
from casemgmt.roles import Role
from retention import services
from retention.models import LegalHold, RetentionReview
from tests.browser.conftest import (  # noqa: F401  (fixtures)
    CHROMIUM,
    Accessibility,
    accessibility,
    browser_errors,
    context,
    launch_chromium,
    page,
    sign_in,
)
from tests.factories import UserFactory
from tests.retention.records import note, person

pytestmark = pytest.mark.browser

D = datetime.date
REASON = "No contact for ten years; nothing open; checked with the team manager."


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (scripts/ensure_chromium.sh).")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _officer(username: str) -> User:
    return UserFactory(username=username, roles=[Role.INFORMATION_GOVERNANCE])


def test_the_retention_pages(
    live_server: Any,
    page: Page,  # noqa: F811 (the imported fixture)
    sign_in: Callable[[User], None],  # noqa: F811
    accessibility: Accessibility,  # noqa: F811
) -> None:
    officer, second = _officer("ida.governance"), _officer("ian.governance")
    due = person(first_name="Dora", last_name="Due", date_of_birth=D(1975, 5, 5))
    note(due, on=D(2012, 2, 2))
    other = person(first_name="Olly", last_name="Other", date_of_birth=None)
    services.review_list_build()
    review = RetentionReview.objects.get(person=due)
    sign_in(officer)

    page.goto(reverse("retention:review-list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention review list")
    accessibility.check(page, "retention-review-list")

    page.goto(reverse("retention:review-detail", kwargs={"review_id": review.pk}))
    accessibility.check(page, "retention-review")
    page.get_by_role("radio", name="Keep the record until a later date").check()
    expect(page.get_by_role("group", name="Keep the record until")).to_be_visible()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_role("radio", name="Keep the record until a later date")).to_be_checked()
    accessibility.check(page, "retention-review-errors")

    page.get_by_role("radio", name="Destroy the record").check()
    page.get_by_role("textbox", name="Reason").fill(REASON)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("another officer")

    page.goto(reverse("retention:tombstone-list"))
    accessibility.check(page, "retention-destroyed-empty")

    # The second officer confirms, and follows the destruction to its end.
    page.context.clear_cookies()
    sign_in(second)
    page.goto(reverse("retention:review-detail", kwargs={"review_id": review.pk}))
    accessibility.check(page, "retention-confirm")
    page.get_by_role("button", name="Destroy the record").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessibility.check(page, "retention-confirm-errors")
    page.get_by_label("I have checked the record").check()
    page.get_by_role("button", name="Destroy the record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Destruction of record")
    accessibility.check(page, "retention-destruction-running")
    review.refresh_from_db()
    assert review.job_id is not None
    jobs.job_run(str(review.job_id))
    expect(page.get_by_text("Record destroyed")).to_be_visible(timeout=15_000)
    accessibility.check(page, "retention-destruction-done")

    page.goto(reverse("retention:tombstone-list"))
    accessibility.check(page, "retention-destroyed")

    # Legal holds
    page.goto(reverse("retention:hold-list"))
    accessibility.check(page, "retention-holds")
    page.get_by_label("Person ID").fill("not a number")
    page.get_by_role("button", name="Find the record").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessibility.check(page, "retention-holds-errors")
    page.get_by_label("Person ID").fill(str(other.pk))
    page.get_by_role("button", name="Find the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention and legal holds")
    accessibility.check(page, "retention-person")
    page.get_by_role("link", name="Place a legal hold").click()
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessibility.check(page, "retention-hold-errors")
    page.get_by_label("Reference").fill("IICSA")
    page.get_by_label("Why must the record be kept?").fill("The inquiry asked for the file.")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator("main")).to_contain_text("IICSA")
    hold = LegalHold.objects.get(person=other)
    page.goto(reverse("retention:hold-release", kwargs={"person_id": other.pk, "hold_id": hold.pk}))
    accessibility.check(page, "retention-hold-release")
    assert timezone.now()

    accessibility.assert_no_serious_problems()
