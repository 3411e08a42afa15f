"""Changing a form: a new draft version copied from the latest published one, and publishing it.

Published versions never change (open steps keep theirs), so a form changes by drafting
its next version, editing the draft's sections and questions, and publishing it: steps
started from then on pin the new version.
"""

from __future__ import annotations

from django.db import transaction

from casemgmt.audit import created, record_change
from casemgmt.models import User
from workflows.forms_engine import FormDefinitionError, publish_version
from workflows.models import Form, FormField, FormSection, FormVersion


def next_version_number(form: Form) -> int:
    newest = form.versions.order_by("-number").values_list("number", flat=True).first()
    return (newest or 0) + 1


def open_draft(form: Form) -> FormVersion | None:
    """The draft newer than every published version, if the form has one."""
    newest = form.versions.order_by("-number").first()
    return newest if newest is not None and not newest.is_published else None


@transaction.atomic
def form_version_create_draft(*, actor: User | None, form: Form) -> FormVersion:
    """A new draft version holding a copy of the latest published version's sections and questions."""
    form = Form.objects.select_for_update().get(pk=form.pk)
    draft = open_draft(form)
    if draft is not None:
        raise FormDefinitionError(
            f"{form.name} already has a draft, version {draft.number}: change or publish that one"
        )
    source = form.latest_published()
    if source is None:
        raise FormDefinitionError(f"{form.name} has no published version to copy")
    draft = FormVersion.objects.create(
        form=form,
        number=next_version_number(form),
        notes=f"Copied from version {source.number}.",
    )
    for section in source.sections.order_by("order", "id"):
        copy = FormSection.objects.create(
            version=draft,
            key=section.key,
            title=section.title,
            description=section.description,
            order=section.order,
        )
        rows = list(section.fields.order_by("order", "id"))
        copies: dict[int, FormField] = {}
        # Parents before their children, so a child's copy can point at its parent's copy.
        for row in sorted(rows, key=lambda row: row.parent_id is not None):
            copies[row.pk] = FormField.objects.create(
                section=copy,
                parent=copies[row.parent_id] if row.parent_id else None,
                key=row.key,
                label=row.label,
                hint=row.hint,
                kind=row.kind,
                is_required=row.is_required,
                code_list_id=row.code_list_id,
                choices=row.choices,
                show_if=row.show_if,
                min_value=row.min_value,
                max_value=row.max_value,
                max_length=row.max_length,
                order=row.order,
            )
    record_change(
        actor=actor,
        action="form_version_drafted",
        instance=draft,
        person_id=None,
        changes={
            **created(draft, ["form", "number", "status"]),
            "copied_from": [None, source.number],
        },
        summary=f"{form.name} version {draft.number} drafted from version {source.number}",
    )
    return draft


@transaction.atomic
def form_version_publish(*, actor: User | None, version: FormVersion) -> FormVersion:
    """Publish a draft; FormDefinitionError says what in it makes no sense."""
    version = FormVersion.objects.select_for_update().select_related("form").get(pk=version.pk)
    publish_version(version)
    record_change(
        actor=actor,
        action="form_version_published",
        instance=version,
        person_id=None,
        changes={"status": [FormVersion.Status.DRAFT, FormVersion.Status.PUBLISHED]},
        summary=f"{version.form.name} version {version.number} published",
    )
    return version
