"""The statutory processes end to end in a real browser, on the shipped packs.

A practitioner records each step on its form, chooses the next action, and a manager
authorises where the pack asks for it. The answers are made from each step's own form
(`workflows.answers`, steered to the path taken) and typed into the page question by
question, as a worker would.
"""

from __future__ import annotations

import random
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from casemgmt.models import User
from clients.models import Person
from workflows.answers import fill, satisfy
from workflows.forms_engine import iter_fields
from workflows.models import Step, StepLink, StepType

pytestmark = pytest.mark.browser


def _type_answers(page: Page, schema: dict[str, Any], answers: dict[str, Any]) -> None:
    for field in iter_fields(schema):
        value = answers.get(field["key"])
        if value is None:
            continue
        _type_one(page, field, value, f"q.{field['key']}")


def _type_one(page: Page, field: dict[str, Any], value: Any, name: str) -> None:
    kind = field["kind"]
    if kind in ("text", "long_text", "number", "money"):
        page.locator(f'[name="{name}"]').fill(str(value))
    elif kind == "date":
        year, month, day = value.split("-")
        page.locator(f'[name="{name}.day"]').fill(day)
        page.locator(f'[name="{name}.month"]').fill(month)
        page.locator(f'[name="{name}.year"]').fill(year)
    elif kind == "yes_no":
        page.locator(f'[name="{name}"][value="{"yes" if value else "no"}"]').check()
    elif kind == "choice":
        control = page.locator(f'[name="{name}"]')
        if control.first.evaluate("node => node.tagName") == "SELECT":
            control.select_option(value)
        else:
            page.locator(f'[name="{name}"][value="{value}"]').check()
    elif kind == "multiple_choice":
        for code in value:
            page.locator(f'[name="{name}"][value="{code}"]').check()
    elif kind == "repeating_group":
        first = field["fields"][0]["key"]
        if page.locator(f'[name^="{name}.0.{first}"]').count() == 0:
            page.locator(f'[name="action"][value="add:{field["key"]}"]').click()
        for child in field["fields"]:
            child_value = value[0].get(child["key"])
            if child_value is not None:
                _type_one(page, child, child_value, f"{name}.0.{child['key']}")


def _record_and_choose(
    page: Page, step: Step, next_label: str, steer: dict[str, Any], rng: random.Random
) -> None:
    """Type the step's answers, save, and choose `next_label` as the next action."""
    transition = step.step_type.transitions.get(label=next_label)
    schema = step.form_version.schema
    overrides = satisfy(transition.condition, steer)
    if step.step_type.event_date_field:
        overrides.setdefault(step.step_type.event_date_field, timezone.localdate().isoformat())
    answers = fill(schema, rng, on=timezone.localdate(), overrides=overrides)
    page.goto(reverse("step-detail", kwargs={"step_id": step.pk}))
    _type_answers(page, schema, answers)
    page.get_by_role("button", name="Save and choose next actions").click()
    # The form's own answers can carry the same words as a next action ("Referral to
    # children's social care"): wait for the completion page and look only in its list.
    expect(page).to_have_url(re.compile(r"/complete/$"))
    option = page.locator("#next-actions").get_by_label(next_label, exact=True)
    option.check()
    expect(option).to_be_checked()
    button = "Send for authorisation" if step.step_type.requires_authorisation else "Complete"
    page.get_by_role("button", name=button).click()
    expect(page).not_to_have_url(re.compile(r"/complete/$"))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def _authorise(browser: Browser, base_url: str, manager: User, step: Step) -> None:
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(base_url=base_url)
    client = Client()
    client.force_login(manager)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page = context.new_page()
    page.goto(reverse("work-authorisations"))
    page.get_by_role("link", name=re.compile(step.step_type.name)).first.click()
    page.goto(reverse("step-authorise", kwargs={"step_id": step.pk}))
    page.locator("#decision").check()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    context.close()
    step.refresh_from_db()
    assert step.status == Step.Status.COMPLETED


def _next(step: Step) -> Step:
    return StepLink.objects.select_related("to_step").get(from_step=step).to_step


def test_an_adult_from_a_contact_through_assessment_and_support_plan_to_a_review(
    page: Page,
    browser: Browser,
    context: BrowserContext,
    live_server: Any,
    demo_council: dict[str, User],
    sign_in: Any,
) -> None:
    call_command("load_packs", stdout=StringIO())
    worker, manager = demo_council["adults"], demo_council["stephen.clarke"]
    adult = (
        Person.objects.filter(
            involvements__worker=worker,
            involvements__end_date__isnull=True,
            date_of_birth__lt=timezone.localdate().replace(year=timezone.localdate().year - 18),
        )
        .order_by("id")
        .first()
    )
    assert adult is not None
    rng = random.Random(7)
    sign_in(worker)

    # The worker starts a contact from the person's page
    page.goto(reverse("clients:person-detail", args=[adult.pk]))
    page.get_by_role("link", name=re.compile("Start work")).click()
    contact_type = StepType.objects.get(code="adult-contact")
    page.locator(f'input[value="{contact_type.pk}"]').check()
    page.get_by_role("button", name="Start").click()
    contact = Step.objects.get(person=adult, step_type=contact_type)

    _record_and_choose(
        page,
        contact,
        "Care Act needs assessment",
        {"client_type": "service_user", "outcome": "progress_assessment"},
        rng,
    )
    assessment = _next(contact)
    assert assessment.status == Step.Status.PLANNED

    _record_and_choose(
        page,
        assessment,
        "Care and support plan",
        {"eligible_needs": True, "outcome": "progress_support_planning"},
        rng,
    )
    assessment.refresh_from_db()
    assert assessment.status == Step.Status.AWAITING_AUTHORISATION
    _authorise(browser, live_server.url, manager, assessment)

    plan = _next(assessment)
    _record_and_choose(page, plan, "Review", {}, rng)
    _authorise(browser, live_server.url, manager, plan)

    review = _next(plan)
    assert review.step_type.code == "adult-review"
    assert review.due_date is not None
    page.goto(reverse("person-progress-map", args=[adult.pk]))
    for name in ("Contact", "Care Act needs assessment", "Care and support plan", "Review"):
        expect(page.get_by_role("link", name=re.compile(name)).first).to_be_visible()


def test_a_child_from_a_contact_through_assessment_s47_and_conference_to_a_cp_plan(
    page: Page,
    browser: Browser,
    context: BrowserContext,
    live_server: Any,
    demo_council: dict[str, User],
    sign_in: Any,
) -> None:
    from workflows.models.facts_children import (
        ChildProtectionConference,
        CPPlan,
        Referral,
        S47Enquiry,
    )

    call_command("load_packs", stdout=StringIO())
    worker, manager = demo_council["practitioner"], demo_council["manager"]
    child = Person.objects.get(first_name="Jayden", last_name="Whitmore")
    rng = random.Random(11)
    sign_in(worker)

    page.goto(reverse("clients:person-detail", args=[child.pk]))
    page.get_by_role("link", name=re.compile("Start work")).click()
    contact_type = StepType.objects.get(code="child-contact")
    page.locator(f'input[value="{contact_type.pk}"]').check()
    page.get_by_role("button", name="Start").click()
    contact = Step.objects.get(person=child, step_type=contact_type)

    _record_and_choose(
        page,
        contact,
        "Referral to children's social care",
        {"decision": "referral", "significant_harm_suspected": False},
        rng,
    )
    referral = _next(contact)
    _record_and_choose(
        page,
        referral,
        "Child and family assessment",
        {"decision": "assessment", "significant_harm": False},
        rng,
    )
    assessment = _next(referral)
    assert assessment.due_date is not None  # 45 working days from the referral
    _record_and_choose(
        page,
        assessment,
        "Strategy discussion",
        {"significant_harm": True, "outcome": "section_47", "factors": ["2B", "3A"]},
        rng,
    )
    _authorise(browser, live_server.url, manager, assessment)

    strategy = _next(assessment)
    _record_and_choose(page, strategy, "Section 47 enquiry", {"s47_required": True}, rng)
    s47 = _next(strategy)
    _record_and_choose(page, s47, "Initial child protection conference", {"outcome": "icpc"}, rng)
    _authorise(browser, live_server.url, manager, s47)

    conference = _next(s47)
    _record_and_choose(
        page,
        conference,
        "Child protection plan",
        {"plan_needed": True, "category_of_abuse": "NEG"},
        rng,
    )
    plan = _next(conference)
    assert plan.step_type.code == "child-protection-plan"
    assert Referral.objects.filter(person=child, closure_date__isnull=True).exists()
    assert S47Enquiry.objects.filter(person=child).exists()
    assert ChildProtectionConference.objects.filter(person=child).exists()
    cp_plan = CPPlan.objects.get(person=child)
    assert (cp_plan.initial_category, cp_plan.end_date) == ("NEG", None)
