"""The person page shows the person's open work, contributed by workflows through clients.extensions."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import User
from clients.models import Person
from tests.workflows.builders import small_workflow
from workflows.services import step_start

pytestmark = pytest.mark.django_db


def test_open_work_is_on_the_person_page_with_where_to_start_more(
    users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    flow = small_workflow()
    step = step_start(
        actor=users["allocated_worker"],
        step_type=flow.contact,
        person=person,
        start=datetime.date(2026, 11, 2),
    )

    page = client_for("allocated_worker").get(reverse("clients:person-detail", args=[person.pk]))

    html = page.content.decode()
    assert '<h2 class="govuk-summary-card__title" id="work-heading">Work</h2>' in html
    assert reverse("step-detail", args=[step.pk]) in html
    assert reverse("step-start-person", args=[person.pk]) in html
    assert reverse("person-progress-map", args=[person.pk]) in html
    assert "Overdue" in html  # due the next working day, long past


def test_people_without_access_to_work_do_not_see_the_section(
    users: dict[str, User], person: Person, client_for: Callable[[str], Client]
) -> None:
    flow = small_workflow()
    step_start(actor=users["allocated_worker"], step_type=flow.contact, person=person)

    page = client_for("finance_officer").get(reverse("clients:person-detail", args=[person.pk]))

    assert page.status_code == 200
    assert 'id="work-heading"' not in page.content.decode()
