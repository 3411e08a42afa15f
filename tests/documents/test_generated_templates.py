"""Letter and report templates: the sandbox, versioning and the admin (saving, preview)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import AuditEvent, Code, User
from clients.models import Person
from documents.generation import template_save
from documents.models import CATEGORY_LIST_KEY, DocumentTemplate, DocumentTemplateVersion
from documents.templating import (
    MAX_BODY_CHARS,
    TemplateProblem,
    compile_body,
    render_body,
    sample_context,
)
from tests.documents.test_generated_builders import completed_step, load_packs_and_templates
from workflows.models import Step

HOSTILE = [
    "{{ person.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ person.__class__.mro() }}",
    "{{ sections.__class__.__base__ }}",
    "{{ person|attr('__class__') }}",
    "{{ person.date_of_birth.__class__.__init__.__globals__ }}",
    "{{ range.__globals__['__builtins__'] }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(person) }}",
    "{{ answers.__init__ }}",
    "{{ settings.SECRET_KEY }}",
    "{{ config }}",
    "{{ request.user }}",
    "{{ self.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ lipsum.__globals__ }}",
    "{{ person.objects.all() }}",
    "{{ step.delete() }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% extends 'base.html' %}",
    "{% for i in range(100000000) %}{% endfor %}",
    "{% for i in range(60000) %}{% for j in range(60000) %}{% endfor %}{% endfor %}",
    "{{ 'x' * 100000000 }}",
    "{{ [1] * 100000000 }}",
    "{{ 2 ** 100 ** 100 ** 100 ** 100 }}",
    "{{ 9 ** 1000 }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ answers.get.__self__.__class__ }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_templates_are_refused_by_the_sandbox(body: str) -> None:
    with pytest.raises(TemplateProblem) as problem:
        render_body(body, sample_context())
    assert problem.value.describe()
    assert "SECRET" not in problem.value.describe()


def test_a_template_reaches_what_it_is_given_and_escapes_it() -> None:
    context = sample_context()
    context["person"]["name"] = "<script>alert(1)</script>"
    out = render_body("<p>{{ person.name }} {{ person.nhs_number|nhs }}</p>", context)
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt; 943 476 5919</p>"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("<p>one</p>\n<p>{{ person.name </p>", 2, "unexpected"),
        ("<p>\n\n{% for x in sections %}\n</p>", 4, "endfor"),
        ("<p>\n{{ person.no_such_thing }}</p>", 2, "no_such_thing"),
        ("a\nb\nc\n{{ 1 / 0 }}", 4, "division"),
        ("{% if %}", 1, ""),
    ],
)
def test_errors_say_what_and_on_which_line(body: str, line: int, words: str) -> None:
    with pytest.raises(TemplateProblem) as problem:
        render_body(body, sample_context())
    assert problem.value.line == line
    assert words in problem.value.describe()
    assert problem.value.describe().startswith(f"Line {line}: ")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * (MAX_BODY_CHARS + 1), "limit"),
        ("<p>\x00</p>", "NUL"),
    ],
)
def test_empty_oversized_and_binary_bodies_are_refused(body: str, message: str) -> None:
    with pytest.raises(TemplateProblem, match=message):
        compile_body(body)


def test_output_that_would_be_huge_is_stopped() -> None:
    body = "{% for s in range(90000) %}{{ 'y' * 90000 }}{% endfor %}"
    with pytest.raises(TemplateProblem, match="longer than"):
        render_body(body, sample_context())


@pytest.mark.django_db
def test_saving_keeps_every_version_and_refuses_a_body_that_does_not_compile(
    worker: User,
) -> None:
    template = DocumentTemplate(
        name="Letter",
        code="letter",
        kind=DocumentTemplate.Kind.LETTER,
        category=Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="letter"),
        body="<p>Dear {{ person.name }}</p>",
    )
    template_save(actor=worker, template=template)
    template.body = "<p>Dear {{ person.addressee }}</p>"
    template_save(actor=worker, template=template)
    template.description = "Only the description changed"
    template_save(actor=worker, template=template)

    assert template.version == 2
    assert list(template.versions.values_list("number", "body")) == [
        (2, "<p>Dear {{ person.addressee }}</p>"),
        (1, "<p>Dear {{ person.name }}</p>"),
    ]
    template.body = "<p>{% if %}</p>"
    with pytest.raises(Exception, match="Line 1"):
        template_save(actor=worker, template=template)
    template.refresh_from_db()
    assert template.version == 2
    assert DocumentTemplateVersion.objects.count() == 2


# -- the admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(users: dict[str, User]) -> Client:
    admin = users["admin"]
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin)
    return client


def _form(body: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Appointment letter",
        "code": "appointment-letter",
        "kind": "letter",
        "category": str(Code.objects.get(code_list__key=CATEGORY_LIST_KEY, code="letter").pk),
        "description": "",
        "body": body,
        "is_active": "on",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        **extra,
    }


@pytest.mark.django_db
def test_the_admin_refuses_to_save_a_broken_template_and_keeps_what_was_typed(
    admin_client: Client,
) -> None:
    body = "<p>Dear {{ person.name }}</p>\n<p>{% for row in sections %}</p>"
    response = admin_client.post(reverse("admin:documents_documenttemplate_add"), _form(body))
    assert response.status_code == 200
    content = response.content.decode()
    assert "This template cannot be saved: Line 2:" in content
    assert "Dear {{ person.name }}" in content  # what was typed is still there
    assert not DocumentTemplate.objects.exists()

    response = admin_client.post(
        reverse("admin:documents_documenttemplate_add"), _form("<p>Dear {{ person.name }}</p>")
    )
    assert response.status_code == 302
    template = DocumentTemplate.objects.get()
    assert (template.version, template.versions.count()) == (1, 1)
    assert template.updated_by is not None
    change = admin_client.get(
        reverse("admin:documents_documenttemplate_change", args=[template.pk])
    )
    assert change.status_code == 200
    assert (
        reverse("admin:documents_documenttemplate_preview", args=[template.pk])
        in change.content.decode()
    )


@pytest.mark.django_db
def test_the_admin_preview_says_where_the_error_is_and_renders_a_pdf(
    admin_client: Client, person: Person, worker: User
) -> None:
    load_packs_and_templates()
    template = DocumentTemplate.objects.get(code="child-and-family-assessment-report")
    url = reverse("admin:documents_documenttemplate_preview", args=[template.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Child and family assessment" in page.content.decode()

    # An error in an edited body: what and where; nothing saved
    broken = admin_client.post(url, {"body": "<h1>\n{{ answers.healthh }}</h1>", "check": "1"})
    assert broken.status_code == 400
    assert "Line 2: unknown merge field" in broken.content.decode()
    template.refresh_from_db()
    assert template.version == 1

    # Hostile: refused with a reason
    hostile = admin_client.post(url, {"body": "{{ person.__class__ }}", "check": "1"})
    assert hostile.status_code == 400
    assert "unsafe" in hostile.content.decode()

    # Sample data: the shipped template needs the step's own fields, so say which is missing
    sample = admin_client.post(url, {"body": template.body, "check": "1"})
    assert sample.status_code == 400
    assert "unknown merge field" in sample.content.decode()

    # Against a completed step: a PDF, and the look at the person's record is audited
    step = completed_step(person, worker)
    pdf = admin_client.post(url, {"body": template.body, "step": str(step.pk), "pdf": "1"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.ACCESS, action="preview", person_id=person.pk
    ).exists()

    # A step that is not completed, or does not exist: a message on the page
    open_step = completed_step(person, worker, status=Step.Status.IN_PROGRESS, seed=2)
    for step_id, message in (
        (open_step.pk, "Choose a completed step."),
        (987654, "There is no step with that ID"),
    ):
        refused = admin_client.post(
            url, {"body": template.body, "step": str(step_id), "check": "1"}
        )
        assert refused.status_code == 400
        assert message in refused.content.decode()

    # Oversized and missing input
    assert admin_client.post(url, {"body": "x" * (MAX_BODY_CHARS + 1)}).status_code == 400
    assert admin_client.post(url, {}).status_code == 400
    assert admin_client.post(url, {"body": "ok", "step": "-1"}).status_code == 400
    assert admin_client.post(url, {"body": "ok", "step": "9" * 40}).status_code == 400

    # A generic template previews with sample data
    simple = admin_client.post(url, {"body": "<p>{{ person.name }}</p>", "pdf": "1"})
    assert simple.status_code == 200
    assert simple["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_the_admin_preview_is_for_staff_only(client_for: Any) -> None:
    load_packs_and_templates()
    template = DocumentTemplate.objects.get(code="support-plan")
    url = reverse("admin:documents_documenttemplate_preview", args=[template.pk])
    response = client_for("allocated_worker").get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
