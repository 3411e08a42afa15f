"""Small workflow definitions built in code, for tests that must not depend on the shipped packs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group as Role

from casemgmt.roles import Role as RoleName
from workflows.forms_engine import publish_version
from workflows.models import (
    Form,
    FormField,
    FormSection,
    FormVersion,
    StepType,
    Transition,
    Workflow,
)


def form_with(code: str, fields: list[dict[str, Any]], *, name: str = "") -> FormVersion:
    """A published form of one section holding `fields` (dicts of FormField values)."""
    form = Form.objects.create(code=code, name=name or code.replace("-", " ").capitalize())
    version = FormVersion.objects.create(form=form, number=1)
    section = FormSection.objects.create(version=version, key="main", title="Details")
    for order, values in enumerate(fields):
        values = dict(values)
        children = values.pop("children", [])
        parent = FormField.objects.create(section=section, order=order, **values)
        for child_order, child in enumerate(children):
            FormField.objects.create(section=section, parent=parent, order=child_order, **child)
    return publish_version(version)


@dataclass
class SmallWorkflow:
    workflow: Workflow
    contact: StepType
    assessment: StepType
    plan: StepType
    to_assessment: Transition
    to_plan: Transition
    no_further_action: Transition


def small_workflow() -> SmallWorkflow:
    """Contact -> assessment (45 working days from the contact, authorised) -> plan, or NFA."""
    workflow = Workflow.objects.create(code="small", name="Small process", service="children")
    contact_form = form_with(
        "contact",
        [
            {
                "key": "contact_date",
                "label": "Date of contact",
                "kind": "date",
                "is_required": True,
            },
            {
                "key": "decision",
                "label": "Decision",
                "kind": "choice",
                "is_required": True,
                "choices": [["assess", "Assess"], ["nfa", "No further action"]],
            },
            {
                "key": "nfa_reason",
                "label": "Reason for no further action",
                "kind": "long_text",
                "is_required": True,
                "show_if": {"field": "decision", "equals": "nfa"},
            },
        ],
    )
    assessment_form = form_with(
        "assessment",
        [
            {"key": "summary", "label": "Summary", "kind": "long_text", "is_required": True},
            {"key": "hours", "label": "Hours of support", "kind": "number", "min_value": 0},
            {"key": "cost", "label": "Weekly cost", "kind": "money"},
            {
                "key": "people_seen",
                "label": "People seen",
                "kind": "repeating_group",
                "children": [
                    {"key": "name", "label": "Name", "kind": "text", "is_required": True},
                    {"key": "seen_alone", "label": "Seen alone", "kind": "yes_no"},
                ],
            },
        ],
    )
    plan_form = form_with(
        "plan", [{"key": "plan_start", "label": "Start date", "kind": "date", "is_required": True}]
    )
    contact = StepType.objects.create(
        workflow=workflow,
        code="contact",
        name="Contact",
        form=contact_form.form,
        is_entry_point=True,
        event_date_field="contact_date",
        timescale_amount=1,
        chronology_category="Contact",
    )
    assessment = StepType.objects.create(
        workflow=workflow,
        code="assessment",
        name="Assessment",
        form=assessment_form.form,
        default_assignee=StepType.Assignee.TEAM_TRAY,
        timescale_amount=45,
        timescale_from="step:contact",
        requires_authorisation=True,
        authoriser_role=Role.objects.get(name=RoleName.TEAM_MANAGER),
    )
    plan = StepType.objects.create(
        workflow=workflow,
        code="plan",
        name="Plan",
        form=plan_form.form,
        timescale_amount=3,
        timescale_unit=StepType.TimescaleUnit.MONTHS,
        timescale_from="previous",
    )
    plan.start_roles.add(Role.objects.get(name=RoleName.TEAM_MANAGER))
    to_assessment = Transition.objects.create(
        from_step_type=contact,
        to_step_type=assessment,
        label="Assessment",
        condition={"field": "decision", "equals": "assess"},
    )
    nfa = Transition.objects.create(
        from_step_type=contact,
        to_step_type=None,
        label="No further action",
        closure_reason="RC8",
        condition={"field": "decision", "equals": "nfa"},
        order=1,
    )
    to_plan = Transition.objects.create(from_step_type=assessment, to_step_type=plan, label="Plan")
    return SmallWorkflow(workflow, contact, assessment, plan, to_assessment, to_plan, nfa)
