"""axe-core in headless Chromium: no serious or critical problems on the pages used most.

Each test visits several pages and reports every page's problems at the end, so one run
shows all that needs fixing (the JSON for each page is kept in test-artifacts/browser/).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from casemgmt.models import User
from clients.models import Person
from tests.browser.conftest import Accessibility

pytestmark = pytest.mark.browser


def test_sign_in_pages(
    page: Page,
    demo_council: dict[str, User],
    sign_in_with_form: Callable[..., None],
    accessibility: Accessibility,
) -> None:
    page.goto(reverse("login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    accessibility.check(page, "login")

    sign_in_with_form(page, "practitioner", "not-the-password")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessibility.check(page, "login-error")

    accessibility.assert_no_serious_problems()


def test_search_pages(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    result_links: Callable[[Page], list[tuple[str, str]]],
    accessibility: Accessibility,
) -> None:
    sign_in(demo_council["practitioner"])
    page.goto(reverse("clients:search"))
    accessibility.check(page, "search")

    page.get_by_label("Name", exact=True).fill("Whitmore")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_be_visible()
    assert result_links(page)
    accessibility.check(page, "search-results")

    accessibility.assert_no_serious_problems()


def test_person_record_pages(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    sign_in(demo_council["practitioner"])

    page.goto(reverse("clients:person-detail", kwargs={"person_id": jayden.pk}))
    expect(page.locator("#person-banner")).to_contain_text("Jayden Whitmore")
    accessibility.check(page, "person")

    page.goto(reverse("clients:note-list", kwargs={"person_id": jayden.pk}))
    accessibility.check(page, "notes")

    page.goto(reverse("clients:note-create", kwargs={"person_id": jayden.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a case note")
    accessibility.check(page, "note-form")
    # Sent back with nothing filled in: the error summary and a message on each field.
    page.get_by_label("Day").fill("")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessibility.check(page, "note-form-errors")

    page.goto(reverse("clients:chronology", kwargs={"person_id": jayden.pk}))
    expect(page.locator(".moj-timeline__item").first).to_be_visible()
    accessibility.check(page, "chronology")

    page.goto(reverse("clients:relationships", kwargs={"person_id": jayden.pk}))
    accessibility.check(page, "relationships")

    accessibility.assert_no_serious_problems()


def test_record_access_pages(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    restricted = Person.objects.get(access_level=Person.AccessLevel.RESTRICTED)
    sign_in(demo_council["senior"])

    page.goto(reverse("clients:record-access", kwargs={"person_id": jayden.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Who may open the record")
    accessibility.check(page, "record-access")
    page.get_by_role("button", name="Give access").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessibility.check(page, "record-access-errors")

    # The senior manager was not granted the restricted record: asked for a reason.
    page.goto(reverse("clients:person-detail", kwargs={"person_id": restricted.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("This record is restricted")
    accessibility.check(page, "break-glass")
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    accessibility.check(page, "break-glass-errors")

    page.goto(reverse("notifications"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    accessibility.check(page, "notifications")

    accessibility.assert_no_serious_problems()
