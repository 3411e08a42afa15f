"""Process configuration: forms (versioned), step types, transitions and workflows.

All of it is data a council owns: edited in the admin, exported and imported as YAML
configuration packs (`workflows.packs`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group as Role
from django.db import models
from django.db.models import Q


class Workflow(models.Model):
    """A statutory process: step types joined by transitions, entered at its entry points."""

    class Service(models.TextChoices):
        CHILDREN = "children", "Children's services"
        ADULTS = "adults", "Adults' services"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    service = models.CharField(max_length=20, choices=Service.choices)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service", "name"]

    def __str__(self) -> str:
        return self.name


class Form(models.Model):
    """A form a step is recorded on. Its content lives in numbered versions."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def latest_published(self) -> FormVersion | None:
        return self.versions.filter(status=FormVersion.Status.PUBLISHED).order_by("-number").first()


class FormVersion(models.Model):
    """One version of a form. Published versions never change: open steps keep theirs.

    `schema` is the compiled, immutable definition (see `workflows.forms_engine`) written
    when the version is published; the sections and fields rows are what the admin edits
    while the version is a draft.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    schema = models.JSONField(default=dict, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="What changed in this version.")

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="formversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class FormSection(models.Model):
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="formsection_unique_key")
        ]

    def __str__(self) -> str:
        return self.title


class FormField(models.Model):
    """A question. Fields of a repeating group have the group field as `parent`."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        LONG_TEXT = "long_text", "Long text"
        DATE = "date", "Date"
        NUMBER = "number", "Number"
        MONEY = "money", "Money"
        YES_NO = "yes_no", "Yes/no"
        CHOICE = "choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        PERSON = "person", "Person"
        REPEATING_GROUP = "repeating_group", "Repeating group"
        ATTACHMENT = "attachment", "Attachment"

    section = models.ForeignKey(FormSection, on_delete=models.CASCADE, related_name="fields")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    key = models.SlugField(max_length=60, help_text="Answers are stored under this key.")
    label = models.CharField(max_length=300)
    hint = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_required = models.BooleanField(default=False)
    code_list = models.ForeignKey(
        "casemgmt.CodeList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where the choices come from (single and multiple choice).",
    )
    choices = models.JSONField(
        default=list,
        blank=True,
        help_text='Choices written into the form: [["code", "Label"], ...] (when no code list).',
    )
    show_if = models.JSONField(
        default=dict,
        blank=True,
        help_text='Shown only when another answer matches: {"field": "key", "equals": value} '
        'or {"field": "key", "in": [values]}.',
    )
    min_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["section", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "key"], name="formfield_unique_key")
        ]

    def __str__(self) -> str:
        return self.label


class StepType(models.Model):
    """A kind of step in a workflow: its form, timescale, authorisation and facts."""

    class Subject(models.TextChoices):
        PERSON = "person", "A person"
        GROUP = "group", "A family group or household"

    class Assignee(models.TextChoices):
        STARTER = "starter", "The worker who starts it"
        TEAM_TRAY = "team_tray", "A team's tray"
        ALLOCATED_WORKER = "allocated_worker", "The person's allocated worker"

    class TimescaleUnit(models.TextChoices):
        WORKING_DAYS = "working_days", "Working days"
        CALENDAR_DAYS = "calendar_days", "Calendar days"
        MONTHS = "months", "Months"

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="step_types")
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="step_types")
    subject = models.CharField(max_length=20, choices=Subject.choices, default=Subject.PERSON)
    is_entry_point = models.BooleanField(
        default=False, help_text="Can be started on its own (e.g. a new contact)."
    )
    start_roles = models.ManyToManyField(
        Role, blank=True, related_name="+", help_text="Roles that may start it. None: anyone."
    )
    default_assignee = models.CharField(
        max_length=20, choices=Assignee.choices, default=Assignee.STARTER
    )
    default_team = models.ForeignKey(
        "casemgmt.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The tray new steps go to; empty: the team of the worker who created it.",
    )
    timescale_amount = models.PositiveIntegerField(null=True, blank=True)
    timescale_unit = models.CharField(
        max_length=20, choices=TimescaleUnit.choices, default=TimescaleUnit.WORKING_DAYS
    )
    timescale_from = models.CharField(
        max_length=80,
        default="start",
        help_text='"start" (the step\'s start), "previous" (the event date of the step it '
        'came from) or "step:<code>" (the event date of the latest such step in the episode).',
    )
    event_date_field = models.SlugField(
        max_length=60,
        blank=True,
        help_text="The answer holding the date the event happened; empty: the completion date.",
    )
    requires_authorisation = models.BooleanField(default=False)
    authoriser_role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fact_mappings = models.JSONField(
        default=list,
        blank=True,
        help_text="Statutory facts completion writes: "
        '[{"fact": "<name>", "values": {"<field>": "answers.<key>" | "step.<date>" | '
        '{"value": literal}}}]',
    )
    chronology_category = models.CharField(max_length=60, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["workflow", "order", "name"]

    def __str__(self) -> str:
        return self.name


class Transition(models.Model):
    """A next action offered when a step of `from_step_type` completes.

    With no `to_step_type` it is "no further action": the episode closes.
    """

    from_step_type = models.ForeignKey(
        StepType, on_delete=models.CASCADE, related_name="transitions"
    )
    to_step_type = models.ForeignKey(
        StepType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(max_length=150)
    condition = models.JSONField(
        default=dict,
        blank=True,
        help_text='Offered only when an answer matches: {"field": "key", "equals": value} '
        'or {"field": "key", "in": [values]}.',
    )
    closure_reason = models.CharField(
        max_length=60, blank=True, help_text="For no further action: the reason recorded."
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["from_step_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_step_type", "to_step_type"],
                condition=Q(to_step_type__isnull=False),
                name="transition_unique_target",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_no_further_action(self) -> bool:
        return self.to_step_type_id is None

    def applies_to(self, answers: dict[str, Any]) -> bool:
        from workflows.forms_engine import condition_holds

        return condition_holds(self.condition, answers)
