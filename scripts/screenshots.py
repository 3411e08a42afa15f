"""Screenshots of the main pages of a running casemgmt, for a person to look at.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000

Signs in with the demo logins (`manage.py seed_demo`), walks the practitioner's day
(search with a misspelt name, the person, notes, a new note, the chronology) and saves
full-page PNGs in test-artifacts/screenshots/. Uses Debian's Chromium, headless, the
same way the browser tests do. Exits non-zero if any page could not be reached.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
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
DEFAULT_PASSWORD = "demo-council-2026"  # noqa: S105  (the demo council's development default)
PERSON_LINK = re.compile(r"^/people/\d+/$")


class Shooter:
    def __init__(self, page: Page, out: Path, width: int) -> None:
        self.page = page
        self.out = out
        self.width = width
        self.saved: list[Path] = []
        self.failures: list[str] = []

    def shot(self, name: str) -> None:
        path = self.out / f"{len(self.saved) + 1:02d}-{name}-{self.width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"  {shown}  ({self.page.url})")

    def step(self, name: str, action: Callable[[], None]) -> bool:
        """Do `action`, then screenshot; on failure screenshot anyway and carry on."""
        try:
            action()
        except (PlaywrightError, AssertionError, LookupError) as error:
            self.failures.append(f"{name}: {str(error).splitlines()[0]}")
            self.shot(f"{name}-FAILED")
            return False
        self.shot(name)
        return True


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if "/login/" in page.url:
        raise AssertionError(f"could not sign in as {username}: is the demo council loaded?")


def first_person_link(page: Page) -> str:
    links = page.locator("main a[href]").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    for href in links:
        if PERSON_LINK.match(href):
            return str(href)
    raise LookupError("no person in the search results")


def walk(
    page: Page, shooter: Shooter, base: str, password: str, name: str, person_id: int | None
) -> None:
    shooter.step("login", lambda: page.goto(f"{base}/login/"))
    shooter.step("search", lambda: sign_in(page, base, "practitioner", password))

    def search() -> None:
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_role("button", name="Search").click()
        page.locator("#results-heading").wait_for()  # htmx swaps the results in
        first_person_link(page)

    found = shooter.step("search-results", search)
    person = ""
    if found:
        person = first_person_link(page)
    elif person_id:
        person = f"/people/{person_id}/"  # search is broken: carry on from a known person
    if not person:
        shooter.failures.append("no person to show: the rest was skipped")
        return
    shooter.step("person", lambda: page.goto(f"{base}{person}"))
    shooter.step("notes", lambda: page.goto(f"{base}{person}notes/"))
    shooter.step("note-form", lambda: page.goto(f"{base}{person}notes/new/"))

    def empty_note() -> None:
        page.get_by_label("Day").fill("")
        page.get_by_role("button", name="Save as draft").click()
        page.locator(".govuk-error-summary").wait_for()

    shooter.step("note-form-errors", empty_note)
    shooter.step("chronology", lambda: page.goto(f"{base}{person}chronology/"))
    shooter.step("relationships", lambda: page.goto(f"{base}{person}relationships/"))

    def access_log() -> None:
        page.context.clear_cookies()
        sign_in(page, base, "manager", password)
        page.goto(f"{base}{person}access-log/")

    shooter.step("access-log", access_log)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="where casemgmt is running, e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "test-artifacts" / "screenshots"))
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD)
    parser.add_argument("--name", default="Jaydn Whitmor", help="the misspelt name to search for")
    parser.add_argument(
        "--person-id", type=int, help="the person to show if search finds nobody (or is broken)"
    )
    parser.add_argument(
        "--widths", default="1280,390", help="viewport widths, comma-separated (desktop, phone)"
    )
    args = parser.parse_args()
    base = args.url.rstrip("/")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for width in (int(w) for w in args.widths.split(",")):
            context = browser.new_context(
                viewport={"width": width, "height": 900},
                locale="en-GB",
                timezone_id="Europe/London",
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            shooter = Shooter(page, out, width)
            print(f"Width {width}px:")
            walk(page, shooter, base, args.password, args.name, args.person_id)
            failures += [f"{width}px {failure}" for failure in shooter.failures]
            context.close()
        browser.close()
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
