"""Your account in a browser: reached from the header on a phone, changing the password with
its show/hide buttons, and axe-core on each page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from casemgmt.mfa.services import confirmed_authenticator, next_code
from casemgmt.models import User
from clients import demo
from tests.browser.conftest import Accessibility

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "otter kettle lantern meadow"


@pytest.fixture
def phone_page(browser: Browser, live_server: Any) -> Iterator[Callable[[User], Page]]:
    contexts = []

    def open_as(user: User) -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport=PHONE, locale="en-GB", timezone_id="Europe/London"
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


def _fits_the_screen(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_your_account_from_the_header_on_a_phone_and_a_new_password(
    demo_council: dict[str, User],
    phone_page: Callable[[User], Page],
    accessibility: Accessibility,
) -> None:
    # Given a practitioner on a phone
    user = demo_council["practitioner"]
    page = phone_page(user)
    page.goto(reverse("clients:search"))

    # When she opens the menu and chooses Your account
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Your account").click()

    # Then she sees who she is here, and the page fits the phone
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator("main")).to_contain_text("Practitioner")
    expect(page.get_by_role("region", name="Your teams")).to_contain_text("Assessment team north")
    assert _fits_the_screen(page)
    accessibility.check(page, "account-phone")

    # When she chooses to change her password, she confirms it is her first
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password").fill(demo.demo_password())
    page.get_by_label("Security code").fill(next_code(confirmed_authenticator(user)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert _fits_the_screen(page)
    accessibility.check(page, "account-password")

    # A password that breaks the rules is refused with the reason on the field
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This password is too short")
    expect(page.get_by_label("New password", exact=True)).to_have_value("")
    accessibility.check(page, "account-password-errors")

    # The show button shows what she types, and hides it again
    field = page.get_by_label("New password", exact=True)
    field.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Show password").first.click()
    expect(field).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide password").first.click()
    expect(field).to_have_attribute("type", "password")
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()

    # Then she is back on Your account, told it is done, and the new password is hers
    expect(page).to_have_url(re.compile(re.escape(reverse("account")) + "$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password is changed")
    accessibility.check(page, "account-changed")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    accessibility.assert_no_serious_problems()


def test_your_account_on_a_desktop_is_marked_in_the_header(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
) -> None:
    sign_in(demo_council["manager"])
    page.goto(reverse("session-list"))
    link = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your account")
    expect(link).to_have_attribute("aria-current", "true")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator("main")).to_contain_text("Team manager")
    accessibility.check(page, "account")
    accessibility.assert_no_serious_problems()
