"""A step's form in a real browser: autosave, restoring after a reload or a lapsed session,
conditional questions, and axe-core on the step and completion pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from casemgmt.models import TeamMembership, User
from clients.models import Person
from tests.browser.conftest import Accessibility
from tests.workflows.step_page_builders import COMPLETE_ANSWERS, make_step, visit_flow
from workflows.models import Step, StepDraft

pytestmark = pytest.mark.browser


def _visit_for(user: User, **extra: Any) -> Step:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    team = TeamMembership.objects.filter(user=user).select_related("team").first().team  # type: ignore[union-attr]
    return make_step(visit_flow().visit, person=jayden, team=team, assignee=user, **extra)


def _eventually(page: Page, check: Callable[[], Any], seconds: float = 10) -> Any:
    """What `check` returns once it returns something, waiting in the page meanwhile."""
    for _ in range(int(seconds * 4)):
        found = check()
        if found:
            return found
        page.wait_for_timeout(250)
    raise AssertionError("gave up waiting")


def _problems(errors: list[str]) -> list[str]:
    # A refused autosave is reported by the browser as a failed request; that is expected.
    return [e for e in errors if e.startswith("page error") or e.startswith("HTTP 5")]


def test_what_was_typed_survives_a_reload_and_a_lapsed_session(
    page: Page,
    context: BrowserContext,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    sign_in_with_form: Callable[..., None],
    browser_errors: list[str],
) -> None:
    practitioner = demo_council["practitioner"]
    step = _visit_for(practitioner)
    url = reverse("step-detail", kwargs={"step_id": step.pk})
    sign_in(practitioner)

    # Given a worker typing into the form
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Home visit")
    page.get_by_label("Where the visit took place (optional)").fill("Kitchen table")
    page.locator("#f-visit_date\\.day").fill("31")
    page.locator("#f-visit_date\\.month").fill("2")
    page.locator("#f-visit_date\\.year").fill("2026")

    # When autosave has run (two seconds after typing stops)
    expect(page.locator("#autosave-status")).to_have_text(
        re.compile(r"Saved at \d\d:\d\d"), timeout=8000
    )
    draft = _eventually(
        page,
        lambda: StepDraft.objects.filter(
            step=step, user=practitioner, answers__visit_date__year="2026"
        ).first(),
    )
    assert draft.answers["place"] == "Kitchen table"
    assert draft.answers["visit_date"] == {"day": "31", "month": "2", "year": "2026"}

    # and the page is reloaded
    page.reload()

    # Then the form shows what is saved, and offers what was typed
    expect(page.get_by_label("Where the visit took place (optional)")).to_have_value("")
    restore = page.get_by_role("link", name=re.compile(r"Restore what you typed at \d\d:\d\d"))
    expect(restore).to_be_visible()
    restore.click()
    expect(page.get_by_label("Where the visit took place (optional)")).to_have_value(
        "Kitchen table"
    )
    expect(page.locator("#f-visit_date\\.day")).to_have_value("31")

    # When the worker types more and leaves before autosave runs
    page.get_by_label("Where the visit took place (optional)").fill("Kitchen table, with mum")
    page.goto(url)

    # Then what was typed is offered and restored: this device's copy, or, when the
    # page's farewell autosave (sendBeacon) reached the server first, the server's draft
    offer = page.locator("#local-copy-offer")
    server_offer = page.get_by_role("link", name=re.compile(r"Restore what you typed at"))
    # (the device copy's banner is in the page while hidden, so only a shown one counts)
    expect(page.locator("#local-copy-offer:visible").or_(server_offer).first).to_be_visible()
    if offer.is_visible():
        offer.get_by_role("button", name=re.compile("Restore what you typed at")).click()
    else:
        server_offer.click()
    expect(page.get_by_label("Where the visit took place (optional)")).to_have_value(
        "Kitchen table, with mum"
    )

    # When the session ends on the server while the worker is typing
    session_key = next(
        c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    SessionStore(session_key).delete()
    page.get_by_label("Summary (optional)").fill("Jayden showed me his room.")
    page.get_by_label("Summary (optional)").blur()

    # Then they are told, and nothing is lost
    banner = page.locator("#session-ended")
    expect(banner).to_be_visible(timeout=8000)
    expect(banner).to_contain_text("Your session has ended; what you typed is kept on this device")

    # When they sign in again in another tab (a new session and a new token), then press Save
    other = context.new_page()
    other.goto(reverse("login"))
    sign_in_with_form(other, "practitioner")
    expect(other).not_to_have_url(re.compile("/login/"))
    other.close()
    page.locator("#f-visit_date\\.day").fill("28")
    page.get_by_role("button", name="Save", exact=True).click()

    # Then everything typed in the first tab is saved
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Home visit saved.")
    step.refresh_from_db()
    assert step.answers["place"] == "Kitchen table, with mum"
    assert step.answers["summary"] == "Jayden showed me his room."
    assert step.answers["visit_date"] == "2026-02-28"
    # and this device no longer offers its copy
    page.reload()
    expect(page.locator("#local-copy-offer")).to_be_hidden()
    assert _problems(browser_errors) == []


def test_questions_shown_only_when_their_condition_holds(
    page: Page, demo_council: dict[str, User], sign_in: Callable[[User], None]
) -> None:
    practitioner = demo_council["practitioner"]
    step = _visit_for(practitioner)
    sign_in(practitioner)
    page.goto(reverse("step-detail", kwargs={"step_id": step.pk}))

    reason = page.get_by_label("Why the child was not seen alone")
    expect(reason).to_be_hidden()
    page.get_by_role("group", name="Child seen alone").get_by_label("No").check()
    expect(reason).to_be_visible()
    page.get_by_role("group", name="Child seen alone").get_by_label("Yes").check()
    expect(reason).to_be_hidden()

    # Enter in a box saves the form (not the first "Add" or "Remove" button in it)
    page.get_by_label("Where the visit took place (optional)").fill("Home")
    page.get_by_label("Where the visit took place (optional)").press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Home visit saved.")
    step.refresh_from_db()
    assert step.answers == {"seen_alone": True, "place": "Home"}


def test_step_pages_have_no_serious_accessibility_problems(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    accessibility: Accessibility,
    browser_errors: list[str],
) -> None:
    practitioner = demo_council["practitioner"]
    step = _visit_for(practitioner, answers=dict(COMPLETE_ANSWERS))
    sign_in(practitioner)
    url = reverse("step-detail", kwargs={"step_id": step.pk})
    # GOV.UK Frontend reports a component it cannot start with console.log, not an error.
    component_errors: list[str] = []
    page.on(
        "console",
        lambda message: component_errors.append(message.text) if "Error" in message.text else None,
    )

    page.goto(url)
    expect(page.locator("#step-form")).to_be_visible()
    accessibility.check(page, "step-form")

    # With an entry added and answers that need correcting
    page.get_by_role("button", name=re.compile("Add an entry")).click()
    expect(page.locator("#f-people_present\\.0\\.name")).to_be_focused()
    page.locator("#f-visit_date\\.day").fill("31")
    page.locator("#f-visit_date\\.month").fill("2")
    page.get_by_label("Number of visitors (optional)").fill("lots")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date of visit must be a real date"
    )
    accessibility.check(page, "step-form-errors")

    page.goto(reverse("step-complete", kwargs={"step_id": step.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete Home visit")
    page.get_by_label("Review in a month", exact=True).check()
    expect(page.get_by_label("Who should do it? (Review in a month)")).to_be_visible()
    accessibility.check(page, "step-complete")

    page.get_by_role("button", name="Send for authorisation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "sent to a manager for authorisation"
    )
    accessibility.check(page, "step-read-only")

    accessibility.assert_no_serious_problems()
    assert _problems(browser_errors) == []
    assert component_errors == []


def test_signing_out_forgets_the_copies_kept_on_this_device(
    page: Page,
    demo_council: dict[str, User],
    sign_in: Callable[[User], None],
    browser_errors: list[str],
) -> None:
    practitioner = demo_council["practitioner"]
    step = _visit_for(practitioner)
    sign_in(practitioner)
    page.goto(reverse("step-detail", kwargs={"step_id": step.pk}))
    page.get_by_label("Where the visit took place (optional)").fill("Kitchen table")
    page.get_by_label("Where the visit took place (optional)").blur()
    kept = "Object.keys(localStorage).filter(k => k.startsWith('casemgmt:step:')).length"
    _eventually(page, lambda: page.evaluate(kept))

    page.get_by_role("button", name=re.compile("Sign out")).click()

    expect(page).to_have_url(re.compile("/login/"))
    assert page.evaluate(kept) == 0
    assert _problems(browser_errors) == []
