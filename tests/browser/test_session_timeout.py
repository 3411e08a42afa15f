"""The session timeout warning in a real browser: it appears, "Stay signed in" keeps the
session, activity in another tab counts, and a session that runs out with a typed step
form leaves what was typed on the page. axe-core on the dialog."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from casemgmt.models import TeamMembership, User, UserSession
from clients.models import Person
from tests.browser.conftest import Accessibility
from tests.workflows.step_page_builders import make_step, visit_flow
from workflows.models import Step

pytestmark = pytest.mark.browser

# Short enough for a test: the warning shows 6 seconds before a 12-second idle timeout.
IDLE_SECONDS = 12
WARNING_SECONDS = 6


@pytest.fixture
def short_timeouts(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = IDLE_SECONDS
    settings.SESSION_TIMEOUT_WARNING = WARNING_SECONDS
    settings.SESSION_ACTIVITY_WRITE_INTERVAL = 0


def _visit_for(user: User) -> Step:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    team = TeamMembership.objects.filter(user=user).select_related("team").first().team  # type: ignore[union-attr]
    return make_step(visit_flow().visit, person=jayden, team=team, assignee=user)


def _status(page: Page) -> int:
    return int(
        page.evaluate(
            "fetch('/account/session/status/', {headers: {'X-Session-Activity': 'passive'}})"
            ".then(response => response.status)"
        )
    )


def _focus_is_in_dialog(page: Page) -> bool:
    return bool(
        page.evaluate("document.getElementById('session-timeout').contains(document.activeElement)")
    )


def _problems(errors: list[str]) -> list[str]:
    # Refused requests after the session ended are expected; script errors and 500s are not.
    return [e for e in errors if e.startswith("page error") or e.startswith("HTTP 5")]


@pytest.mark.usefixtures("short_timeouts")
def test_the_warning_keeps_the_session_and_a_lapsed_session_keeps_the_typed_form(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
    browser_errors: list[str],
) -> None:
    practitioner = demo_council["practitioner"]
    step = _visit_for(practitioner)
    url = reverse("step-detail", kwargs={"step_id": step.pk})
    sign_in(practitioner)

    # Given a worker on a step's page who does nothing
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Home visit")

    # Then shortly before the idle timeout a dialog warns them, with focus on its first button
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(warning).to_contain_text("we will sign you out in")
    expect(warning.get_by_role("button", name="Sign out")).to_be_visible()
    # and focus stays inside it
    for _ in range(4):
        page.keyboard.press("Tab")
        assert _focus_is_in_dialog(page)
    page.keyboard.press("Shift+Tab")
    assert _focus_is_in_dialog(page)
    accessibility.check(page, "session-timeout-warning")

    # When they choose to stay signed in
    stay.click()

    # Then the dialog closes
    expect(warning).to_be_hidden()

    # When they type into the form and then leave it
    page.get_by_label("Summary (optional)").fill("Jayden showed me his room.")
    page.get_by_label("Where the visit took place (optional)").fill("Kitchen table")

    # Then the session carries on past the time it had when they stayed signed in
    page.wait_for_timeout(IDLE_SECONDS * 1000 + 1000)
    assert _status(page) == 200

    # Then, when the time runs out, the page says the session has ended and stays put
    ended = page.get_by_role("alertdialog", name="You have been signed out")
    expect(ended).to_be_visible(timeout=(3 * IDLE_SECONDS + 5) * 1000)
    expect(ended).to_contain_text("What you typed is still on this page")
    expect(ended.get_by_role("link", name="Sign in again in a new tab")).to_be_visible()
    assert page.url.endswith(url)
    accessibility.check(page, "session-timeout-ended")
    ended.get_by_role("button", name="Go back to the page").click()
    expect(ended).to_be_hidden()
    # and nothing typed is lost
    expect(page.get_by_label("Summary (optional)")).to_have_value("Jayden showed me his room.")
    expect(page.get_by_label("Where the visit took place (optional)")).to_have_value(
        "Kitchen table"
    )
    # and the server did sign the session out
    assert _status(page) == 401
    assert UserSession.objects.get(user=practitioner).ended_reason == "idle"
    # and saving now does not leave the page for the sign-in page
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alertdialog", name="You have been signed out")).to_be_visible()
    assert page.url.endswith(url)
    accessibility.assert_no_serious_problems()
    assert _problems(browser_errors) == []


@pytest.mark.usefixtures("short_timeouts")
def test_a_page_with_nothing_typed_goes_to_the_sign_in_page(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    browser_errors: list[str],
) -> None:
    sign_in(demo_council["practitioner"])
    page.goto(reverse("session-list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sessions")

    # When the worker does nothing until the time runs out
    expect(page).to_have_url(re.compile(r"/login/\?next=%2Faccount%2Fsessions%2F$"), timeout=25_000)

    # Then the sign-in page says why
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"You were signed out after {IDLE_SECONDS} seconds without activity"
    )
    assert _problems(browser_errors) == []


@pytest.mark.usefixtures("short_timeouts")
def test_activity_in_another_tab_counts(
    page: Page,
    context: BrowserContext,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
) -> None:
    sign_in(demo_council["practitioner"])
    page.goto(reverse("session-list"))
    other = context.new_page()
    other.goto(reverse("session-list"))

    # Given a worker busy in the other tab while this one sits still
    for _ in range(2 * IDLE_SECONDS):
        other.mouse.wheel(0, 10)
        other.keyboard.press("Shift")
        page.wait_for_timeout(500)
        # Then this tab never warns (nor signs out)
        assert not page.get_by_role("alertdialog").is_visible()

    assert page.url.endswith(reverse("session-list"))
    assert _status(page) == 200

    # When "Stay signed in" is pressed in one tab, the other's warning closes too
    other.close()
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
    third = context.new_page()
    third.goto(reverse("session-list"))
    expect(warning).to_be_hidden(timeout=5000)


def test_your_sessions_page(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
    browser_errors: list[str],
) -> None:
    practitioner = demo_council["practitioner"]
    elsewhere = Client()
    elsewhere.force_login(practitioner)
    sign_in(practitioner)

    page.goto(reverse("session-list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sessions")
    expect(page.get_by_text("This device")).to_be_visible()
    accessibility.check(page, "session-list")

    page.get_by_role("button", name=re.compile(r"^Sign out Unknown browser")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "That session is signed out."
    )
    expect(page.get_by_text("You are not signed in anywhere else.")).to_be_visible()
    accessibility.check(page, "session-list-ended")
    assert elsewhere.get(reverse("session-list")).status_code == 302
    accessibility.assert_no_serious_problems()
    assert _problems(browser_errors) == []


def test_the_absolute_limit_is_warned_of_and_cannot_be_extended(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    settings: Any,
    accessibility: Accessibility,
    browser_errors: list[str],
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 600
    settings.SESSION_ABSOLUTE_TIMEOUT = 10
    settings.SESSION_TIMEOUT_WARNING = 6
    sign_in(demo_council["practitioner"])
    page.goto(reverse("session-list"))

    # The warning says the session is at its longest: there is no "Stay signed in"
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning).to_contain_text("the longest a session can last")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_hidden()
    close = warning.get_by_role("button", name="Go back to the page")
    expect(close).to_be_focused()
    accessibility.check(page, "session-timeout-absolute")
    close.click()
    expect(warning).to_be_hidden()

    # When the time is up, with nothing typed, the sign-in page says why
    expect(page).to_have_url(re.compile(r"/login/\?next="), timeout=15_000)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out after 10 seconds"
    )
    accessibility.assert_no_serious_problems()
    assert _problems(browser_errors) == []
