"""The issue's done-when, in a real browser: find a child by a misspelt name, record, chart."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from casemgmt.models import AuditEvent, User
from clients.models import CaseNote, ChronologyEntry, Person

pytestmark = pytest.mark.browser

SUBJECT = "Strategy discussion with the police and Northgate Primary School"
BODY = (
    "Jayden told his teacher that his dad came to the house on Saturday night and shouted at "
    "his mum. Police, school and health agreed a single-agency section 47 enquiry."
)


def test_practitioner_finds_a_child_by_a_misspelt_name_and_charts_a_significant_note(
    page: Page,
    demo_council: dict[str, User],
    sign_in_with_form: Callable[..., None],
    result_links: Callable[[Page], list[tuple[str, str]]],
    browser_errors: list[str],
) -> None:
    jayden = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    person_path = reverse("clients:person-detail", kwargs={"person_id": jayden.pk})

    # Given a practitioner who signs in through the login form
    page.goto(reverse("clients:search"))
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    sign_in_with_form(page, "practitioner")
    expect(page).to_have_url(re.compile(re.escape(reverse("clients:search")) + "$"))

    # When she searches with a misspelt name
    page.get_by_label("Name", exact=True).fill("Jaydn Whitmor")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_be_visible()  # htmx swaps the results in

    # Then the child she means is the first result
    results = result_links(page)
    assert results, "the search found nobody"
    assert results[0][1] == person_path, f"first result was {results[0]}, not Jayden: {results}"
    assert "Jayden" in results[0][0]

    # When she opens his record
    page.locator(f'main a[href="{person_path}"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(person_path) + "$"))
    expect(page.locator("#person-banner")).to_contain_text("Jayden Whitmore")

    # and adds a case note marked as a significant event, finalising it
    page.get_by_role("link", name="Add a case note").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a case note")
    page.get_by_label("Type of note").select_option(label="Multi-agency discussion")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Note", exact=True).fill(BODY)
    page.get_by_label("This is a significant event").check()
    page.get_by_role("button", name="Save and finalise").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case note finalised")

    # Then it is on his chronology
    page.locator("nav[aria-label='Person record']").get_by_role("link", name="Chronology").click()
    expect(page).to_have_url(re.compile(r"/chronology/$"))
    expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()

    # and the database agrees: one final, significant note, charted once, written by her.
    note = CaseNote.objects.get(person=jayden, subject=SUBJECT)
    assert note.status == CaseNote.Status.FINAL
    assert note.is_significant
    assert note.author.username == "practitioner"
    assert (
        ChronologyEntry.objects.filter(
            person=jayden, source_type="clients.casenote", source_id=str(note.pk)
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(
        person_id=jayden.pk, kind=AuditEvent.Kind.ACCESS, actor__username="practitioner"
    ).exists()
    assert browser_errors == []
