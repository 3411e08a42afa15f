"""A home-visit workflow with a form using every kind of question, for the step pages' tests.

Built straight into the database (no services), so a permission-matrix case can make it
without writing audit events. Calling `visit_flow()` twice returns the same rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group as Role
from django.utils import timezone

from casemgmt.models import Code, CodeList, Team, User
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
    StepType,
    Transition,
    Workflow,
)

AGENCIES = [
    ("police", "Police"),
    ("school", "School"),
    ("gp", "GP"),
    ("health-visitor", "Health visitor"),
    ("hospital", "Hospital"),
    ("housing", "Housing"),
    ("probation", "Probation"),
    ("youth-offending", "Youth offending team"),
    ("camhs", "CAMHS"),
    ("drug-alcohol", "Drug and alcohol service"),
    ("voluntary", "Voluntary sector"),
    ("other-la", "Another council"),
]

VISIT_SECTIONS: list[dict[str, Any]] = [
    {
        "key": "visit",
        "title": "The visit",
        "description": "What happened when you visited.",
        "fields": [
            {"key": "visit_date", "label": "Date of visit", "kind": "date", "is_required": True},
            {
                "key": "seen_alone",
                "label": "Child seen alone",
                "kind": "yes_no",
                "is_required": True,
            },
            {
                "key": "not_seen_reason",
                "label": "Why the child was not seen alone",
                "kind": "long_text",
                "is_required": True,
                "max_length": 1000,
                "show_if": {"field": "seen_alone", "equals": False},
            },
            {"key": "summary", "label": "Summary", "kind": "long_text"},
            {
                "key": "visitors",
                "label": "Number of visitors",
                "kind": "number",
                "min_value": 0,
                "max_value": 20,
            },
            {"key": "travel_cost", "label": "Travel cost", "kind": "money"},
            {
                "key": "place",
                "label": "Where the visit took place",
                "kind": "text",
                "max_length": 100,
            },
        ],
    },
    {
        "key": "concerns",
        "title": "Concerns",
        "description": "",
        "fields": [
            {
                "key": "concern_level",
                "label": "Level of concern",
                "kind": "choice",
                "is_required": True,
                "choices": [["low", "Low"], ["medium", "Medium"], ["high", "High"]],
            },
            {
                "key": "agency",
                "label": "Agency involved",
                "kind": "choice",
                "code_list": "agencies",
            },
            {
                "key": "factors",
                "label": "Factors",
                "kind": "multiple_choice",
                "choices": [
                    ["domestic-abuse", "Domestic abuse"],
                    ["mental-health", "Mental health"],
                    ["substance-misuse", "Substance misuse"],
                ],
            },
            {"key": "lead_contact", "label": "Lead contact", "kind": "person"},
            {"key": "documents", "label": "Documents", "kind": "attachment"},
            {
                "key": "people_present",
                "label": "People present",
                "kind": "repeating_group",
                "children": [
                    {"key": "name", "label": "Name", "kind": "text", "is_required": True},
                    {
                        "key": "relationship",
                        "label": "Relationship",
                        "kind": "choice",
                        "choices": [
                            ["parent", "Parent"],
                            ["sibling", "Sibling"],
                            ["other", "Other"],
                        ],
                    },
                    {"key": "born", "label": "Date of birth", "kind": "date"},
                ],
            },
            {
                "key": "outcome",
                "label": "Outcome",
                "kind": "choice",
                "is_required": True,
                "choices": [["nfa", "No further action"], ["assess", "Assessment"]],
            },
        ],
    },
]


def build_form(code: str, sections: list[dict[str, Any]], *, name: str = "") -> FormVersion:
    """A published form with these sections (dicts of FormSection values, fields inside)."""
    form = Form.objects.create(code=code, name=name or code.replace("-", " ").capitalize())
    version = FormVersion.objects.create(form=form, number=1)
    for section_order, section_values in enumerate(sections):
        section = FormSection.objects.create(
            version=version,
            key=section_values["key"],
            title=section_values["title"],
            description=section_values.get("description", ""),
            order=section_order,
        )
        for order, values in enumerate(section_values["fields"]):
            values = dict(values)
            children = values.pop("children", [])
            code_list = values.pop("code_list", None)
            if code_list:
                values["code_list"] = CodeList.objects.get(key=code_list)
            parent = FormField.objects.create(section=section, order=order, **values)
            for child_order, child in enumerate(children):
                FormField.objects.create(section=section, parent=parent, order=child_order, **child)
    return publish_version(version)


@dataclass
class VisitFlow:
    workflow: Workflow
    visit: StepType
    assessment: StepType
    review: StepType
    strategy: StepType
    family_meeting: StepType
    to_assessment: Transition
    to_review: Transition
    to_strategy: Transition
    no_further_action: Transition


def visit_flow(*, default_team: Team | None = None) -> VisitFlow:
    """Home visit (authorised) -> assessment if the outcome says so, a review, a strategy
    discussion only senior managers may start, or no further action; and a family meeting
    recorded on a group."""
    existing = Workflow.objects.filter(code="home-visits").first()
    if existing is not None:
        return _existing(existing)
    codes, _ = CodeList.objects.get_or_create(key="agencies", defaults={"name": "Agencies"})
    for order, (code, label) in enumerate(AGENCIES):
        Code.objects.get_or_create(
            code_list=codes, code=code, defaults={"label": label, "sort_order": order}
        )
    workflow = Workflow.objects.create(code="home-visits", name="Home visits", service="children")
    visit_form = build_form("home-visit", VISIT_SECTIONS, name="Home visit")
    short_form = build_form(
        "short-record",
        [
            {
                "key": "main",
                "title": "Details",
                "fields": [{"key": "notes", "label": "Notes", "kind": "long_text"}],
            }
        ],
        name="Short record",
    )
    visit = StepType.objects.create(
        workflow=workflow,
        code="home-visit",
        name="Home visit",
        form=visit_form.form,
        is_entry_point=True,
        default_team=default_team,
        timescale_amount=5,
        event_date_field="visit_date",
        requires_authorisation=True,
        chronology_category="Visit",
    )
    assessment = StepType.objects.create(
        workflow=workflow,
        code="visit-assessment",
        name="Assessment",
        form=short_form.form,
        default_assignee=StepType.Assignee.TEAM_TRAY,
        order=1,
    )
    review = StepType.objects.create(
        workflow=workflow, code="visit-review", name="Review", form=short_form.form, order=2
    )
    strategy = StepType.objects.create(
        workflow=workflow,
        code="visit-strategy",
        name="Strategy discussion",
        form=short_form.form,
        order=3,
    )
    strategy.start_roles.add(Role.objects.get(name=RoleName.SENIOR_MANAGER))
    family_meeting = StepType.objects.create(
        workflow=workflow,
        code="family-meeting",
        name="Family meeting",
        form=short_form.form,
        subject=StepType.Subject.GROUP,
        is_entry_point=True,
        default_team=default_team,
        order=4,
    )
    to_assessment = Transition.objects.create(
        from_step_type=visit,
        to_step_type=assessment,
        label="Start an assessment",
        condition={"field": "outcome", "equals": "assess"},
    )
    to_review = Transition.objects.create(
        from_step_type=visit, to_step_type=review, label="Review in a month", order=1
    )
    to_strategy = Transition.objects.create(
        from_step_type=visit, to_step_type=strategy, label="Strategy discussion", order=2
    )
    nfa = Transition.objects.create(
        from_step_type=visit,
        to_step_type=None,
        label="No further action",
        closure_reason="RC8",
        condition={"field": "outcome", "equals": "nfa"},
        order=3,
    )
    return VisitFlow(
        workflow,
        visit,
        assessment,
        review,
        strategy,
        family_meeting,
        to_assessment,
        to_review,
        to_strategy,
        nfa,
    )


def _existing(workflow: Workflow) -> VisitFlow:
    types = {t.code: t for t in workflow.step_types.all()}
    visit = types["home-visit"]
    transitions = {t.label: t for t in visit.transitions.all()}
    return VisitFlow(
        workflow,
        visit,
        types["visit-assessment"],
        types["visit-review"],
        types["visit-strategy"],
        types["family-meeting"],
        transitions["Start an assessment"],
        transitions["Review in a month"],
        transitions["Strategy discussion"],
        transitions["No further action"],
    )


def make_step(
    step_type: StepType,
    *,
    team: Team,
    person: Person | None = None,
    group: Group | None = None,
    assignee: User | None = None,
    status: str = Step.Status.IN_PROGRESS,
    answers: dict[str, Any] | None = None,
    version: int = 1,
    **extra: Any,
) -> Step:
    """A step (and its episode) written straight to the database, as if work had got this far."""
    episode = Episode.objects.create(
        workflow=step_type.workflow,
        person=person,
        group=group,
        opened_on=datetime.date(2026, 3, 2),
    )
    version_row = step_type.form.latest_published()
    assert version_row is not None
    return Step.objects.create(
        episode=episode,
        step_type=step_type,
        form_version=version_row,
        person=person,
        group=group,
        status=status,
        assignee=assignee,
        team=team,
        answers=answers or {},
        version=version,
        started_on=datetime.date(2026, 3, 2),
        due_date=datetime.date(2026, 3, 9),
        created_at=timezone.now(),
        **extra,
    )


COMPLETE_ANSWERS: dict[str, Any] = {
    "visit_date": "2026-03-02",
    "seen_alone": True,
    "concern_level": "medium",
    "outcome": "assess",
}
