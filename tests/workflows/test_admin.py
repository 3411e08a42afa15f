"""The workflow configuration in the Django admin: drafts, publishing, read-only published versions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client

from casemgmt.models import AuditEvent, User
from clients.models import Person
from tests.conftest import PERSONAS
from tests.workflows.builders import SmallWorkflow, small_workflow
from workflows import facts
from workflows.forms_engine import validate_answers
from workflows.models import Form, FormField, FormSection, FormVersion, Step, StepType
from workflows.services import AnswersInvalid, step_save, step_start

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 12, 1)
FACT = "admintest.contact"


@pytest.fixture
def flow(users: dict[str, User]) -> SmallWorkflow:
    return small_workflow()


@pytest.fixture
def admin_client(client_for: Callable[[str], Client]) -> Client:
    return client_for("admin")


@pytest.fixture
def contact_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        facts._REGISTRY,
        FACT,
        facts.FactSpec(
            name=FACT,
            label="Contact (test)",
            fields={"contact_date": "date"},
            required=frozenset({"contact_date"}),
            write=lambda **kwargs: None,
        ),
    )


def _messages(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _action(client: Client, model: str, action: str, ids: list[int]) -> HttpResponse:
    response: HttpResponse = client.post(
        f"/admin/workflows/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in ids]},
        follow=True,
    )
    assert response.status_code == 200
    return response


def _form_data(response: HttpResponse) -> dict[str, Any]:
    """What the admin change page would post back unchanged: its form and inline formsets."""
    data: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)

    def add(form: Any) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            put(form.add_prefix(name), value)
            if field.show_hidden_initial:  # as the page's hidden "initial-" inputs do
                put(form.add_initial_prefix(name), value)

    context = response.context
    add(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


# -- who reaches it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/workflows/workflow/",
        "/admin/workflows/steptype/",
        "/admin/workflows/form/",
        "/admin/workflows/formversion/",
        "/admin/workflows/formsection/",
        "/admin/workflows/formfield/",
    ],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_system_administrators_configure_workflows(
    path: str, persona: str, client_for: Callable[[str], Client], flow: SmallWorkflow
) -> None:
    response = client_for(persona).get(path)

    if persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_every_change_page_opens(admin_client: Client, flow: SmallWorkflow) -> None:
    version = flow.assessment.form.latest_published()
    assert version is not None
    section = version.sections.get()
    field = section.fields.get(key="people_seen")
    for path in [
        "/admin/",
        f"/admin/workflows/workflow/{flow.workflow.pk}/change/",
        f"/admin/workflows/steptype/{flow.contact.pk}/change/",
        f"/admin/workflows/form/{version.form_id}/change/",
        f"/admin/workflows/formversion/{version.pk}/change/",
        f"/admin/workflows/formsection/{section.pk}/change/",
        f"/admin/workflows/formfield/{field.pk}/change/",
        "/admin/workflows/formversion/add/",
        "/admin/workflows/formfield/add/",
        "/admin/workflows/steptype/add/",
    ]:
        assert admin_client.get(path).status_code == 200, path


def test_sections_and_questions_are_reached_through_their_version(
    admin_client: Client, flow: SmallWorkflow
) -> None:
    index = admin_client.get("/admin/").content.decode()

    assert "/admin/workflows/formversion/" in index
    assert "/admin/workflows/formsection/" not in index
    assert "/admin/workflows/formfield/" not in index


# -- published versions never change -----------------------------------------------------------


def test_a_published_version_is_read_only(admin_client: Client, flow: SmallWorkflow) -> None:
    version = flow.contact.form.latest_published()
    assert version is not None
    section = version.sections.get()
    field = section.fields.get(key="decision")

    page = admin_client.get(f"/admin/workflows/formversion/{version.pk}/change/")
    field_page = admin_client.get(f"/admin/workflows/formfield/{field.pk}/change/")
    posted = admin_client.post(
        f"/admin/workflows/formfield/{field.pk}/change/",
        {"label": "Changed", "key": "decision", "kind": "text", "order": "0"},
    )
    section_post = admin_client.post(
        f"/admin/workflows/formsection/{section.pk}/change/",
        {"key": "main", "title": "Changed", "order": "0"},
    )
    deleted = admin_client.post(f"/admin/workflows/formfield/{field.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert field_page.status_code == 200
    assert b'name="_save"' not in field_page.content
    assert (posted.status_code, section_post.status_code, deleted.status_code) == (403, 403, 403)
    field.refresh_from_db()
    assert field.label == "Decision"
    assert FormSection.objects.get(pk=section.pk).title == "Details"


def test_a_question_cannot_be_added_to_a_published_version(
    admin_client: Client, flow: SmallWorkflow
) -> None:
    version = flow.contact.form.latest_published()
    assert version is not None
    section = version.sections.get()

    response = admin_client.post(
        "/admin/workflows/formfield/add/",
        {"section": section.pk, "key": "extra", "label": "Extra", "kind": "text", "order": "9"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not FormField.objects.filter(key="extra").exists()


# -- drafting and publishing ---------------------------------------------------------------------


def test_a_new_draft_copies_the_latest_published_version(
    admin_client: Client, flow: SmallWorkflow
) -> None:
    form = flow.assessment.form

    response = _action(admin_client, "form", "create_draft", [form.pk])

    draft = form.versions.get(number=2)
    assert draft.status == FormVersion.Status.DRAFT
    assert _messages(response) == [
        f'Assessment version 2 is a new draft: <a href="/admin/workflows/formversion/{draft.pk}'
        '/change/">change its questions</a>, then publish it.'
    ]
    copied = {
        (row.key, row.kind, row.parent.key if row.parent else None, row.is_required)
        for row in FormField.objects.filter(section__version=draft).select_related("parent")
    }
    assert copied == {
        ("summary", "long_text", None, True),
        ("hours", "number", None, False),
        ("cost", "money", None, False),
        ("people_seen", "repeating_group", None, False),
        ("name", "text", "people_seen", True),
        ("seen_alone", "yes_no", "people_seen", False),
    }
    # The copy's children hang from the copy's group, not the published one.
    group = FormField.objects.get(section__version=draft, key="people_seen")
    assert set(group.children.values_list("key", flat=True)) == {"name", "seen_alone"}
    assert AuditEvent.objects.filter(
        action="form_version_drafted", object_id=str(draft.pk)
    ).exists()

    listing = admin_client.get("/admin/workflows/form/?q=assessment").content.decode()
    assert '<td class="field-latest_published_number">v1</td>' in listing
    assert '<td class="field-draft_number">v2</td>' in listing

    # A second draft is refused while this one is open.
    again = _action(admin_client, "formversion", "create_draft", [draft.pk])
    assert _messages(again) == [
        "Assessment already has a draft, version 2: change or publish that one"
    ]
    assert form.versions.count() == 2


def test_publishing_a_draft_that_makes_no_sense_says_why(
    admin_client: Client, flow: SmallWorkflow
) -> None:
    draft = FormVersion.objects.create(form=flow.plan.form, number=2)
    section = FormSection.objects.create(version=draft, key="main", title="Plan")
    FormField.objects.create(section=section, key="category", label="Category", kind="choice")

    response = _action(admin_client, "formversion", "publish", [draft.pk])

    assert _messages(response) == [
        "Plan v2 was not published: Plan > category: a choice needs choices or a code list"
    ]
    draft.refresh_from_db()
    assert draft.status == FormVersion.Status.DRAFT


def test_a_new_version_from_the_add_page_is_the_next_empty_draft(
    admin_client: Client, flow: SmallWorkflow
) -> None:
    form = flow.plan.form

    sections = {"sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0"}
    response = admin_client.post(
        "/admin/workflows/formversion/add/", {"form": form.pk, "notes": "Redo", **sections}
    )
    refused = admin_client.post(
        "/admin/workflows/formversion/add/", {"form": form.pk, "notes": "", **sections}
    )

    assert response.status_code == 302
    draft = form.versions.get(number=2)
    assert (draft.status, draft.notes, draft.sections.count()) == ("draft", "Redo", 0)
    assert refused.status_code == 200
    assert "Plan already has a draft, version 2: change that one." in refused.content.decode()


def test_a_question_is_checked_where_it_is_written(
    admin_client: Client, flow: SmallWorkflow
) -> None:
    _action(admin_client, "form", "create_draft", [flow.contact.form_id])
    section = FormSection.objects.get(version__form=flow.contact.form, version__number=2)

    response = admin_client.post(
        "/admin/workflows/formfield/add/",
        {
            "section": section.pk,
            "key": "Contact-Date",
            "label": "Again",
            "kind": "text",
            "order": "5",
            "choices": '[["a", "A"]]',
            "show_if": '{"field": "decision", "equals": "maybe"}',
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {
        "key": ["Use lower-case letters, digits and underscores, starting with a letter."],
        "choices": ["Only choice questions have choices."],
        "show_if": ["equals: the text 'maybe' is not one of the choices of 'decision'"],
    }


def test_an_emptied_json_box_means_none(admin_client: Client, flow: SmallWorkflow) -> None:
    _action(admin_client, "form", "create_draft", [flow.plan.form_id])
    section = FormSection.objects.get(version__form=flow.plan.form, version__number=2)

    response = admin_client.post(
        "/admin/workflows/formfield/add/",
        {
            "section": section.pk,
            "key": "review_date",
            "label": "Review",
            "kind": "date",
            "order": "1",
            "choices": "",
            "show_if": "",
        },
    )

    assert response.status_code == 302
    field = FormField.objects.get(section=section, key="review_date")
    assert (field.choices, field.show_if) == ([], {})


def test_the_admin_adds_a_question_that_new_steps_see_while_open_work_keeps_its_version(
    admin_client: Client, flow: SmallWorkflow, users: dict[str, User], person: Person
) -> None:
    worker = users["allocated_worker"]
    form = flow.contact.form
    # Given a contact started on version 1
    open_step = step_start(actor=worker, step_type=flow.contact, person=person, start=START)
    v1 = open_step.form_version
    assert v1.number == 1

    # When the administrator drafts version 2, adds a question to it and publishes it
    _action(admin_client, "form", "create_draft", [form.pk])
    v2 = form.versions.get(number=2)
    section = v2.sections.get()
    added = admin_client.post(
        "/admin/workflows/formfield/add/",
        {
            "section": section.pk,
            "order": "10",
            "key": "referrer_name",
            "label": "Who made the contact",
            "kind": "text",
            "is_required": "on",
            "choices": "[]",
            "show_if": "{}",
        },
    )
    assert added.status_code == 302, added.content.decode()
    published = _action(admin_client, "formversion", "publish", [v2.pk])
    assert _messages(published)[-1:] == [
        "Contact v2 is published: steps started from now on use it; open steps keep the "
        "version they started with."
    ]

    # Then the open step keeps version 1, without the question
    open_step = Step.objects.get(pk=open_step.pk)
    assert open_step.form_version_id == v1.pk
    v1.refresh_from_db()
    assert "referrer_name" not in [f["key"] for f in v1.schema["sections"][0]["fields"]]
    with pytest.raises(AnswersInvalid) as refused:
        step_save(
            actor=worker,
            step=open_step,
            answers={"contact_date": "2026-12-01", "referrer_name": "Ms Smith"},
            expected_version=open_step.version,
        )
    assert refused.value.errors == {
        "referrer_name": ["'referrer_name' is not a question on this form"]
    }
    saved = step_save(
        actor=worker,
        step=open_step,
        answers={"contact_date": "2026-12-01"},
        expected_version=open_step.version,
    )
    assert saved.form_version_id == v1.pk

    # and a step started now records on version 2 and checks the new question.
    new_step = step_start(actor=worker, step_type=flow.contact, person=person, start=START)
    v2.refresh_from_db()
    assert new_step.form_version_id == v2.pk
    question = next(f for f in v2.schema["sections"][0]["fields"] if f["key"] == "referrer_name")
    assert question == {
        "key": "referrer_name",
        "label": "Who made the contact",
        "kind": "text",
        "required": True,
    }
    _, errors = validate_answers(
        v2.schema, {"contact_date": "2026-12-01", "decision": "assess"}, complete=True
    )
    assert errors == {"referrer_name": ["Enter who made the contact"]}
    new_step = step_save(
        actor=worker,
        step=new_step,
        answers={"contact_date": "2026-12-01", "referrer_name": "Ms Smith"},
        expected_version=new_step.version,
    )
    assert new_step.answers["referrer_name"] == "Ms Smith"


# -- step types --------------------------------------------------------------------------------------


def test_fact_mappings_are_checked_against_the_form_on_save(
    admin_client: Client, flow: SmallWorkflow, contact_fact: None
) -> None:
    url = f"/admin/workflows/steptype/{flow.contact.pk}/change/"
    data = _form_data(admin_client.get(url))

    data["fact_mappings"] = (
        f'[{{"fact": "{FACT}", "values": {{"contact_date": "answers.contact_dte"}}}}]'
    )
    refused = admin_client.post(url, data)
    data["fact_mappings"] = (
        f'[{{"fact": "{FACT}", "values": {{"contact_date": "answers.contact_date"}}}}]'
    )
    data["transitions-1-condition"] = ""  # emptied: no further action is offered whenever
    accepted = admin_client.post(url, data)

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "fact_mappings": [
            f"fact mapping 1 ({FACT}.contact_date): the form has no question 'contact_dte'"
        ]
    }
    assert accepted.status_code == 302
    flow.contact.refresh_from_db()
    assert flow.contact.fact_mappings == [
        {"fact": FACT, "values": {"contact_date": "answers.contact_date"}}
    ]
    flow.no_further_action.refresh_from_db()
    assert flow.no_further_action.condition == {}


def test_next_action_conditions_are_checked_against_the_form(
    admin_client: Client, flow: SmallWorkflow
) -> None:
    url = f"/admin/workflows/steptype/{flow.contact.pk}/change/"
    data = _form_data(admin_client.get(url))
    data["transitions-0-condition"] = '{"field": "decison", "equals": "assess"}'

    response = admin_client.post(url, data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors == {"condition": ["field: the form has no question 'decison'"]}
    assert StepType.objects.get(pk=flow.contact.pk).transitions.get(
        to_step_type=flow.assessment
    ).condition == {"field": "decision", "equals": "assess"}


def test_a_step_type_needs_a_published_form(admin_client: Client, flow: SmallWorkflow) -> None:
    url = f"/admin/workflows/steptype/{flow.contact.pk}/change/"
    data = _form_data(admin_client.get(url))
    data["form"] = str(Form.objects.create(code="empty", name="Empty").pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "form": ["This form has no published version yet: publish one before using it."]
    }
