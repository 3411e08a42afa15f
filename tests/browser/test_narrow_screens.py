"""On a phone (390 px wide): no page scrolls sideways, wide tables scroll in their own box,
the date filters are GOV.UK date inputs, and axe-core finds nothing serious there either."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from casemgmt.models import User
from clients.models import Person
from tests.browser.conftest import Accessibility, axe_violations, describe_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Callable[[User], Page]]:
    """A page in a phone-sized browser, signed in as the given user."""
    contexts = []

    def open_as(user: User) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()


def sideways_overflow(page: Page) -> int:
    """How many pixels the page itself scrolls sideways (0 when it fits the screen)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_no_page_scrolls_sideways_on_a_phone(
    demo_council: dict[str, User],
    phone: Callable[[User], Page],
    accessibility: Accessibility,
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    pages = {
        "search-results": reverse("clients:search") + "?name=Whitmore",
        "person": reverse("clients:person-detail", kwargs={"person_id": jayden.pk}),
        "notes": reverse("clients:note-list", kwargs={"person_id": jayden.pk}),
        "chronology": reverse("clients:chronology", kwargs={"person_id": jayden.pk}),
        "relationships": reverse("clients:relationships", kwargs={"person_id": jayden.pk}),
    }
    overflowing = {}

    page = phone(demo_council["practitioner"])
    for name, url in pages.items():
        page.goto(url)
        if overflowing_by := sideways_overflow(page):
            overflowing[name] = overflowing_by
        accessibility.check(page, f"phone-{name}")
    page = phone(demo_council["manager"])
    page.goto(reverse("clients:access-log", kwargs={"person_id": jayden.pk}))
    if overflowing_by := sideways_overflow(page):
        overflowing["access-log"] = overflowing_by
    accessibility.check(page, "phone-access-log")

    assert overflowing == {}, f"pages wider than the phone (pixels): {overflowing}"
    accessibility.assert_no_serious_problems()


def test_a_wide_table_scrolls_inside_its_box_and_can_be_scrolled_by_keyboard(
    demo_council: dict[str, User], phone: Callable[[User], Page]
) -> None:
    page = phone(demo_council["practitioner"])
    page.goto(reverse("clients:search") + "?name=Whitmore")

    box = page.get_by_role("region", name="Search results")
    expect(box).to_be_visible()
    sizes = box.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert sizes[0] > sizes[1], "the results table fits a phone: nothing to scroll"
    box.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Arrow keys scroll smoothly: wait for the box to move rather than look at once.
    page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle())
    assert sideways_overflow(page) == 0


def test_the_person_banner_is_in_a_landmark(
    page: Page, demo_council: dict[str, User], sign_in: Callable[[User], None]
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    sign_in(demo_council["practitioner"])

    page.goto(reverse("clients:person-detail", kwargs={"person_id": jayden.pk}))

    expect(page.get_by_role("region", name="Person", exact=True)).to_contain_text("Jayden Whitmore")
    regions = [v for v in axe_violations(page) if v["id"] == "region"]
    assert regions == [], describe_violations(regions)
    # The skip link still lands on the main content.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main-content$"))


def test_filtering_notes_by_date_with_day_month_and_year_boxes(
    page: Page, demo_council: dict[str, User], sign_in: Callable[[User], None]
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    sign_in(demo_council["practitioner"])
    page.goto(reverse("clients:note-list", kwargs={"person_id": jayden.pk}))
    assert page.locator('input[type="date"]').count() == 0
    every_note = page.locator("main h3 a").count()
    assert every_note > 1
    newest = jayden.case_notes.filter(status="final").order_by("-event_at").first()
    assert newest is not None
    day = timezone.localtime(newest.event_at).date()

    # A whole date: only the notes from that day on are listed
    from_date = page.get_by_role("group", name=re.compile("^From"))
    from_date.get_by_label("Day").fill(str(day.day))
    from_date.get_by_label("Month").fill(str(day.month))
    from_date.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(rf"date_from_day={day.day}&date_from_month={day.month}"))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert 0 < page.locator("main h3 a").count() < every_note

    # Half a date: a message on the field, what was typed kept, and every note listed
    page.get_by_role("link", name="Clear filters").click()
    to_date = page.get_by_role("group", name=re.compile("^To"))
    to_date.get_by_label("Day").fill("31")
    to_date.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The “to” date must include a year."
    )
    to_date = page.get_by_role("group", name=re.compile("^To"))
    expect(to_date.get_by_label("Day")).to_have_value("31")
    expect(to_date.get_by_label("Month")).to_have_value("2")
    assert page.locator("main h3 a").count() == every_note
    # The summary's link goes to the day box.
    page.get_by_role("link", name="The “to” date must include a year.").click()
    expect(to_date.get_by_label("Day")).to_be_focused()
