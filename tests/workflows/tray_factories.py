"""A small workflow and steps in any state, for the trays, the progress map and the work API.

Rows are written straight to the database (no services), so building a scene writes no
audit event: the permission matrix counts events to prove a refusal changed nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group as Role
from django.utils import timezone

from casemgmt.models import Team, User
from casemgmt.roles import Role as RoleName
from clients.models import Group, Person
from workflows.forms_engine import publish_version
from workflows.models import (
    Episode,
    Form,
    FormField,
    FormSection,
    FormVersion,
    Step,
    StepLink,
    StepType,
    Transition,
    Workflow,
)


def published_form(code: str, fields: list[dict[str, Any]]) -> FormVersion:
    """A published form of one section holding `fields` (dicts of FormField values)."""
    form = Form.objects.create(code=code, name=code.replace("-", " ").capitalize())
    version = FormVersion.objects.create(form=form, number=1)
    section = FormSection.objects.create(version=version, key="main", title="Details")
    for order, values in enumerate(fields):
        FormField.objects.create(section=section, order=order, **values)
    return publish_version(version)


@dataclass
class TrayWorkflow:
    workflow: Workflow
    contact: StepType
    assessment: StepType
    plan: StepType
    to_assessment: Transition
    no_further_action: Transition
    to_plan: Transition


def tray_workflow(code: str = "trays") -> TrayWorkflow:
    """Contact -> assessment (authorised by a team manager) -> plan; or no further action."""
    workflow = Workflow.objects.create(code=code, name="Early help", service="children")
    contact_form = published_form(
        f"{code}-contact",
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
            {"key": "notes", "label": "Notes", "kind": "long_text"},
        ],
    )
    assessment_form = published_form(
        f"{code}-assessment",
        [
            {"key": "summary", "label": "Summary", "kind": "long_text", "is_required": True},
            {"key": "visits", "label": "Visits", "kind": "number", "min_value": 0},
        ],
    )
    plan_form = published_form(
        f"{code}-plan",
        [{"key": "plan_start", "label": "Start date", "kind": "date", "is_required": True}],
    )
    contact = StepType.objects.create(
        workflow=workflow,
        code=f"{code}-contact",
        name="Contact",
        form=contact_form.form,
        is_entry_point=True,
        event_date_field="contact_date",
        timescale_amount=1,
    )
    assessment = StepType.objects.create(
        workflow=workflow,
        code=f"{code}-assessment",
        name="Assessment",
        form=assessment_form.form,
        default_assignee=StepType.Assignee.TEAM_TRAY,
        timescale_amount=45,
        requires_authorisation=True,
        authoriser_role=Role.objects.get(name=RoleName.TEAM_MANAGER),
    )
    plan = StepType.objects.create(
        workflow=workflow,
        code=f"{code}-plan",
        name="Plan",
        form=plan_form.form,
        default_assignee=StepType.Assignee.TEAM_TRAY,
        timescale_amount=10,
    )
    to_assessment = Transition.objects.create(
        from_step_type=contact,
        to_step_type=assessment,
        label="Assessment",
        condition={"field": "decision", "equals": "assess"},
    )
    no_further_action = Transition.objects.create(
        from_step_type=contact,
        to_step_type=None,
        label="No further action",
        closure_reason="RC8",
        condition={"field": "decision", "equals": "nfa"},
        order=1,
    )
    to_plan = Transition.objects.create(from_step_type=assessment, to_step_type=plan, label="Plan")
    return TrayWorkflow(
        workflow, contact, assessment, plan, to_assessment, no_further_action, to_plan
    )


def make_step(
    step_type: StepType,
    *,
    team: Team,
    person: Person | None = None,
    group: Group | None = None,
    status: str = Step.Status.PLANNED,
    assignee: User | None = None,
    due_date: datetime.date | None = None,
    created_at: datetime.datetime | None = None,
    episode: Episode | None = None,
    answers: dict[str, Any] | None = None,
    submitted_by: User | None = None,
    **extra: Any,
) -> Step:
    """A step in any state, in its own episode unless one is given."""
    created_at = created_at or timezone.now()
    if episode is None:
        episode = Episode.objects.create(
            workflow=step_type.workflow, person=person, group=group, opened_on=created_at.date()
        )
    if status == Step.Status.AWAITING_AUTHORISATION:
        extra.setdefault("submitted_at", created_at)
        submitted_by = submitted_by or assignee
    if status in (Step.Status.IN_PROGRESS, Step.Status.AWAITING_AUTHORISATION):
        extra.setdefault("started_on", created_at.date())
    return Step.objects.create(
        episode=episode,
        step_type=step_type,
        form_version=step_type.form.latest_published(),
        person=person,
        group=group,
        status=status,
        assignee=assignee,
        team=team,
        due_date=due_date,
        created_at=created_at,
        answers=answers or {},
        submitted_by=submitted_by,
        **extra,
    )


def link(from_step: Step, to_step: Step, transition: Transition | None = None) -> StepLink:
    return StepLink.objects.create(from_step=from_step, to_step=to_step, transition=transition)
