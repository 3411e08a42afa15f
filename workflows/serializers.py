"""What the work API accepts and answers: trays, steps, answers, completion, authorisation.

Input serializers check shape and type only (a JSON object where answers belong, whole
numbers for ids, a known decision) and refuse unknown fields, naming each. Whether the
answers are right for the form is the forms engine's to say, through the services, so a
caller of the API and a worker at the form get the same message for the same mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.utils.urls import replace_query_param

from clients.serializers import CodeField, StrictSerializer, TextField
from workflows.models import Step, StepDecision
from workflows.selectors import PAGE_SIZE, DueFilter, MyWorkTab, TrayPage, TrayRow

MAX_ANSWERS = 1_000  # keys in one body: a form has a few hundred questions at most
MAX_NEXT_ACTIONS = 20
MAX_DEPTH = 12  # a repeating group of objects is three levels deep; allow room, not abuse

SORT_CHOICES = [
    ("due", "Due date, soonest first (no due date last)"),
    ("-due", "Due date, latest first"),
    ("received", "Received, oldest first"),
    ("-received", "Received, newest first"),
    ("name", "Person's last name, A to Z"),
    ("-name", "Person's last name, Z to A"),
    ("type", "Kind of work, A to Z"),
    ("-type", "Kind of work, Z to A"),
]


# ----------------------------------------------------------------------------------------
# Strict fields
# ----------------------------------------------------------------------------------------


class WholeNumberField(serializers.IntegerField):
    """A JSON whole number and nothing else (DRF would take "12", 12.0 and 12.5 as 12)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError(
                f"{self.label} must be a whole number.", code="invalid"
            )
        return int(super().to_internal_value(data))


def _bad_text(text: str) -> bool:
    """Text PostgreSQL cannot keep in JSON: NUL, or half a UTF-16 surrogate pair."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_json(value: Any, *, label: str, depth: int = 0) -> None:
    """Refuse JSON that no answer can be: nested too deep, or holding text that cannot be stored."""
    if depth > MAX_DEPTH:
        raise serializers.ValidationError(f"{label} are nested too deeply.", code="invalid")
    if isinstance(value, str):
        if _bad_text(value):
            raise serializers.ValidationError(
                f"{label} contain characters that are not text (like NUL or a lone surrogate).",
                code="invalid",
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_json(key, label=label, depth=depth + 1)
            check_json(item, label=label, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, label=label, depth=depth + 1)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Question key to its answer, typed as the form's schema says.",
    }
)
class AnswersField(serializers.Field):
    """A JSON object of question keys to typed answers (the form's schema gives the types)."""

    default_error_messages = {
        "invalid": "Answers must be a JSON object of question keys to answers.",
        "too_many": f"Send at most {MAX_ANSWERS} answers at once.",
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("invalid")
        if len(data) > MAX_ANSWERS:
            self.fail("too_many")
        check_json(data, label="Answers")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


# ----------------------------------------------------------------------------------------
# Tray queries
# ----------------------------------------------------------------------------------------


def _page_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        label="Page",
        required=False,
        min_value=1,
        max_value=10_000,
        error_messages={
            "invalid": "Page must be a whole number.",
            "min_value": "Page must be between 1 and 10000.",
            "max_value": "Page must be between 1 and 10000.",
            "max_string_length": "Page must be between 1 and 10000.",
        },
    )


class MyWorkQueryInput(StrictSerializer):
    tab = CodeField(label="Tab", choices=MyWorkTab.choices, required=False)
    sort = CodeField(label="Sort", choices=SORT_CHOICES, required=False)
    page = _page_field()


class TeamTrayQueryInput(StrictSerializer):
    step_type = serializers.IntegerField(
        label="Step type",
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": "Step type must be the id of a step type.",
            "min_value": "Step type must be the id of a step type.",
            "max_value": "Step type must be the id of a step type.",
            "max_string_length": "Step type must be the id of a step type.",
        },
    )
    due = CodeField(label="Due", choices=DueFilter.choices, required=False)
    sort = CodeField(label="Sort", choices=SORT_CHOICES, required=False)
    page = _page_field()


class PageQueryInput(StrictSerializer):
    page = _page_field()


# ----------------------------------------------------------------------------------------
# Tray output
# ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="TrayItem")
class TrayItemOutput(serializers.Serializer):
    """One step in a tray."""

    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The step's version, as its ETag gives it.")
    status = serializers.ChoiceField(choices=Step.Status.choices)
    status_label = serializers.CharField()
    step_type_id = serializers.IntegerField()
    step_type_name = serializers.CharField()
    person_id = serializers.IntegerField(allow_null=True, help_text="Empty for group work.")
    person_name = serializers.CharField()
    group_id = serializers.IntegerField(allow_null=True, help_text="Empty for a person's work.")
    group_name = serializers.CharField()
    assignee_id = serializers.IntegerField(allow_null=True)
    assignee_name = serializers.CharField()
    team_id = serializers.IntegerField()
    team_name = serializers.CharField()
    received_at = serializers.DateTimeField(help_text="When the work arrived in a tray.")
    started_on = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    is_overdue = serializers.BooleanField()
    is_due_soon = serializers.BooleanField(
        help_text="Due today or within the next five working days."
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by_id = serializers.IntegerField(allow_null=True)
    submitted_by_name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The step in this API.")

    def get_url(self, row: TrayRow) -> str:
        return str(self.context["request"].build_absolute_uri(reverse("api-step", args=[row.id])))


class _PageOutput(serializers.Serializer):
    """A page of a tray: the object serialised has the page as `page`."""

    count = serializers.IntegerField(source="page.total", help_text="Items in all.")
    page = serializers.IntegerField(
        source="page.number",
        help_text="This page's number (a page past the last gives the last).",
    )
    page_count = serializers.IntegerField(source="page.num_pages")
    page_size = serializers.SerializerMethodField()
    next = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()
    results = TrayItemOutput(source="page.rows", many=True)

    def get_page_size(self, tray: Any) -> int:
        return PAGE_SIZE

    def get_next(self, tray: Any) -> str | None:
        page: TrayPage = tray.page
        return self._page_url(page.number + 1) if page.has_next else None

    def get_previous(self, tray: Any) -> str | None:
        page: TrayPage = tray.page
        return self._page_url(page.number - 1) if page.has_previous else None

    def _page_url(self, number: int) -> str:
        return str(
            replace_query_param(self.context["request"].build_absolute_uri(), "page", number)
        )


@extend_schema_serializer(component_name="MyWorkCounts")
class MyWorkCountsOutput(serializers.Serializer):
    current = serializers.IntegerField(help_text="Incoming and in progress.")
    due_soon = serializers.IntegerField(help_text="Due within five working days.")
    overdue = serializers.IntegerField()
    awaiting = serializers.IntegerField(help_text="Submitted, waiting for a manager.")


@extend_schema_serializer(component_name="MyWork")
class MyWorkOutput(_PageOutput):
    """A page of the signed-in worker's tray, and the size of each tab."""

    tab = serializers.ChoiceField(choices=MyWorkTab.choices)
    sort = serializers.ChoiceField(choices=SORT_CHOICES)
    counts = MyWorkCountsOutput()


@extend_schema_serializer(component_name="TrayCounts")
class TrayCountsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()


@extend_schema_serializer(component_name="TrayStepType")
class TrayStepTypeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()


@extend_schema_serializer(component_name="TeamTray")
class TeamTrayOutput(_PageOutput):
    """A page of a team's unallocated incoming work, with counts by kind of work."""

    team_id = serializers.IntegerField(source="team.pk")
    team_name = serializers.CharField(source="team.name")
    step_type = serializers.IntegerField(
        source="step_type_id", allow_null=True, help_text="The filter applied, if any."
    )
    due = serializers.ChoiceField(choices=DueFilter.choices, allow_null=True)
    sort = serializers.ChoiceField(choices=SORT_CHOICES)
    counts = TrayCountsOutput(help_text="Of the kind of work chosen, or all of it.")
    step_types = TrayStepTypeOutput(many=True, help_text="Every kind of work in the tray.")


@extend_schema_serializer(component_name="AuthorisationQueue")
class AuthorisationQueueOutput(_PageOutput):
    """A page of work waiting for authorisation in the teams you manage, longest waiting first."""


# ----------------------------------------------------------------------------------------
# A step
# ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Reference")
class ReferenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="StepTypeSummary")
class StepTypeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    requires_authorisation = serializers.BooleanField()


@extend_schema_serializer(component_name="StepForm")
class FormOutput(serializers.Serializer):
    """The form version the step is recorded on (pinned when the step started)."""

    version_id = serializers.IntegerField()
    code = serializers.CharField()
    number = serializers.IntegerField()
    schema = serializers.JSONField(
        help_text="Sections and fields: keys, labels, kinds, required, choices, conditions. "
        "Answers are typed as its description says."
    )


@extend_schema_serializer(component_name="NextActionOffered")
class OfferedActionOutput(serializers.Serializer):
    """A next action offered for the step's current answers."""

    transition = serializers.IntegerField(source="pk", help_text="Send this id to complete.")
    # A declared field, not Field.label: the metaclass moves it into `fields`.
    label = serializers.CharField()  # type: ignore[assignment]
    to_step_type = StepTypeOutput(allow_null=True, help_text="Empty: no further action.")
    is_no_further_action = serializers.BooleanField()


@extend_schema_serializer(component_name="StepDecision")
class DecisionOutput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=StepDecision.Decision.choices)
    comments = serializers.CharField()
    decided_by = serializers.CharField()
    decided_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="NextStep")
class NextStepOutput(serializers.Serializer):
    """A step started as a next action of this one."""

    id = serializers.IntegerField()
    step_type_name = serializers.CharField()
    status = serializers.ChoiceField(choices=Step.Status.choices)
    assignee_name = serializers.CharField()
    team_name = serializers.CharField()


@extend_schema_serializer(component_name="StepAbilities")
class AbilitiesOutput(serializers.Serializer):
    """What the signed-in user may do to the step now."""

    record = serializers.BooleanField(help_text="Save answers and complete.")
    authorise = serializers.BooleanField(help_text="Approve or return.")
    allocate = serializers.BooleanField()


@extend_schema_serializer(component_name="Step")
class StepDetailOutput(serializers.Serializer):
    """A step: what it is, whose it is, its dates, its form and answers, and what may come next."""

    id = serializers.IntegerField()
    version = serializers.IntegerField(
        help_text="Changes with every save. Send it back (or the ETag in If-Match) to save."
    )
    status = serializers.ChoiceField(choices=Step.Status.choices)
    status_label = serializers.CharField()
    step_type = StepTypeOutput()
    workflow = ReferenceOutput()
    episode_id = serializers.IntegerField()
    person = ReferenceOutput(allow_null=True)
    group = ReferenceOutput(allow_null=True)
    assignee = ReferenceOutput(allow_null=True)
    team = ReferenceOutput()
    created_at = serializers.DateTimeField()
    started_on = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    is_overdue = serializers.BooleanField()
    event_date = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    authorised_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    form = FormOutput()
    answers = AnswersField()
    next_actions = OfferedActionOutput(many=True)
    pending_actions = serializers.JSONField(
        help_text="Next actions chosen at completion, started once a manager authorises."
    )
    next_steps = NextStepOutput(many=True)
    decisions = DecisionOutput(many=True, help_text="Authorisation decisions, latest first.")
    abilities = AbilitiesOutput()
    page_url = serializers.CharField(help_text="The step's page in the web app.")


# ----------------------------------------------------------------------------------------
# Changing a step
# ----------------------------------------------------------------------------------------


def _version_field() -> WholeNumberField:
    return WholeNumberField(
        label="Version",
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The step's version you started from. Needed unless If-Match is sent.",
    )


@extend_schema_serializer(component_name="StepAnswers")
class AnswersInput(StrictSerializer):
    """Answers to save. PUT replaces every answer; PATCH changes only the keys sent."""

    answers = AnswersField(help_text="Question key to answer; null clears an answer.")
    version = _version_field()


@extend_schema_serializer(component_name="NextActionChoice")
class NextActionInput(StrictSerializer):
    transition = WholeNumberField(
        label="Transition",
        min_value=1,
        max_value=2**31 - 1,
        help_text="The id of an offered next action.",
    )
    assignee = WholeNumberField(
        label="Assignee",
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The worker to give the new step to; empty: the step type's default.",
    )
    team = WholeNumberField(
        label="Team",
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The team whose tray the new step goes to; empty: the step type's default.",
    )


@extend_schema_serializer(component_name="StepCompletion")
class CompleteInput(StrictSerializer):
    """Final answers and the next actions chosen. Omit answers to complete with those saved."""

    answers = AnswersField(required=False)
    version = _version_field()
    next_actions = serializers.ListField(
        child=NextActionInput(),
        required=False,
        default=list,
        max_length=MAX_NEXT_ACTIONS,
        help_text="The next actions chosen. Leave empty only when none is offered.",
        error_messages={
            "not_a_list": "Next actions must be a list.",
            "max_length": f"Choose at most {MAX_NEXT_ACTIONS} next actions.",
        },
    )


class Decision:
    APPROVE = "approve"
    RETURN = "return"
    choices = ((APPROVE, "Approve: the work completes"), (RETURN, "Return to the worker"))


@extend_schema_serializer(component_name="StepAuthorisation")
class AuthoriseInput(StrictSerializer):
    """A manager's decision on submitted work."""

    decision = CodeField(label="Decision", choices=Decision.choices)
    comments = TextField(
        label="Comments",
        max_length=5000,
        required=False,
        help_text="Needed when returning: what the worker should change.",
    )
    version = _version_field()
