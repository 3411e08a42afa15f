"""Headless Chromium (Debian's, driven by Playwright) against a live server, and axe-core.

Every test here uses `live_server`, so it runs on a transactional database that is
flushed afterwards; `demo_council` loads a small demo council into it first.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from casemgmt.mfa.services import confirmed_authenticator, next_code
from casemgmt.models import User
from clients import demo

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
AXE_SOURCES = (
    Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js",
    Path(settings.BASE_DIR) / "static" / "vendor" / "axe" / "axe.min.js",
)
# The demo council's people are enough for search to have near misses to rank past.
DEMO_PEOPLE = 60
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can tell a failure happened."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def launch_chromium(playwright: Any) -> Browser:
    """Debian's Chromium, headless: the one setup shared by the tests and scripts/screenshots.py."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (scripts/ensure_chromium.sh).")
    # Playwright's sync API runs an event loop in this thread; Django would then refuse
    # the tests' own database calls (SynchronousOnlyOperation) although nothing here is async.
    # Only for this package's tests: the variable must not leak into other tests (a
    # `check --deploy` subprocess rejects it) and the loop must not outlive them.
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


@pytest.fixture
def demo_council(live_server: Any) -> dict[str, User]:
    """A small demo council in the live server's database; the staff by username."""
    call_command("seed_demo", people=DEMO_PEOPLE, force=True, stdout=StringIO())
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def browser_errors() -> list[str]:
    """JavaScript errors and failed requests the page reported (filled by `page`)."""
    return []


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(
    context: BrowserContext, request: pytest.FixtureRequest, browser_errors: list[str]
) -> Iterator[Page]:
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            browser_errors.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: browser_errors.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: (
            browser_errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 500 or ("/static/" in response.url and response.status >= 400)
            else None
        ),
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        save_page(page, request.node.nodeid)
    page.close()


def save_page(page: Page, name: str) -> Path:
    """A screenshot and the HTML of the page, in test-artifacts/browser/, for a human to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
    path = ARTIFACTS / f"{stem}.png"
    page.screenshot(path=str(path), full_page=True)
    (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    return path


@pytest.fixture
def sign_in(context: BrowserContext, live_server: Any) -> Callable[[User], None]:
    """Give the browser a signed-in session for a user, without going through the form."""

    def sign_in(user: User) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return sign_in


def _sign_in_with_form(page: Page, username: str, password: str | None = None) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or demo.demo_password())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if urlsplit(page.url).path != reverse("mfa-verify"):
        return  # the password was refused (or MFA is off)
    # The second stage, with the code the user's authenticator app shows now.
    device = confirmed_authenticator(User.objects.get(username=username))
    page.get_by_label("Security code").fill(next_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


@pytest.fixture
def sign_in_with_form() -> Callable[..., None]:
    """Sign in the way a worker does: the login form on the page the browser is showing."""
    return _sign_in_with_form


def axe_source() -> str:
    for path in AXE_SOURCES:
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("axe-core is missing: run scripts/build_frontend.sh (npm ci).")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it is now."""
    # Evaluated rather than added as a <script>, so a Content Security Policy cannot block it.
    page.evaluate(axe_source())
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return list(results)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


class Accessibility:
    """Runs axe-core on each page a test visits and reports every page's problems together."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, page: Page, name: str) -> None:
        violations = axe_violations(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"axe-{name}.json").write_text(
            json.dumps(violations, indent=2), encoding="utf-8"
        )
        self.checked.append(name)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            save_page(page, f"{self.node_id}-{name}")
            self.problems.append(f"The {name} page ({page.url}):\n{describe_violations(blocking)}")

    def assert_no_serious_problems(self) -> None:
        assert self.checked, "no page was checked"
        assert not self.problems, "axe-core found serious or critical problems:\n" + "\n\n".join(
            self.problems
        )


@pytest.fixture
def accessibility(request: pytest.FixtureRequest) -> Accessibility:
    return Accessibility(request.node.nodeid)


def _result_links(page: Page) -> list[tuple[str, str]]:
    """(text, href) of the links to person records in the main content, in page order."""
    links = page.locator("main a[href]").evaluate_all(
        "links => links.map(link => [link.textContent.trim(), link.getAttribute('href')])"
    )
    pattern = re.compile(r"^/people/\d+/$")
    return [(" ".join(text.split()), href) for text, href in links if pattern.match(href)]


@pytest.fixture
def result_links() -> Callable[[Page], list[tuple[str, str]]]:
    return _result_links
