"""Work in progress: episodes of a workflow on a person or a group, and their steps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workflows.models.definitions import FormVersion, StepType, Transition, Workflow


class Episode(models.Model):
    """One run of a workflow for a person or a group, from entry to closure."""

    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="episodes")
    person = models.ForeignKey(
        "clients.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="episodes"
    )
    group = models.ForeignKey(
        "clients.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="episodes"
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["person", "closed_on"], name="episode_person_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, group__isnull=True)
                | Q(person__isnull=True, group__isnull=False),
                name="episode_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow} from {self.opened_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class StepQuerySet(models.QuerySet["Step"]):
    def open(self) -> StepQuerySet:
        return self.filter(status__in=Step.OPEN_STATUSES)


class Step(models.Model):
    """A piece of work on a person or a group, recorded on a pinned form version."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Incoming"
        IN_PROGRESS = "in_progress", "In progress"
        AWAITING_AUTHORISATION = "awaiting_authorisation", "Awaiting authorisation"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.AWAITING_AUTHORISATION)

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="steps")
    step_type = models.ForeignKey(StepType, on_delete=models.PROTECT, related_name="steps")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="steps")
    # Denormalised from the episode so trays and person pages filter one table.
    person = models.ForeignKey(
        "clients.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    group = models.ForeignKey(
        "clients.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PLANNED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_steps",
    )
    team = models.ForeignKey(
        "casemgmt.Team", on_delete=models.PROTECT, related_name="steps", help_text="Whose tray."
    )
    answers = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every saved change.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    event_date = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pending_actions = models.JSONField(
        default=list,
        blank=True,
        help_text="Next actions chosen at completion, started once a manager authorises.",
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_reason = models.CharField(max_length=300, blank=True)

    objects = StepQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("authorise_step", "Can authorise or return submitted work"),
            ("allocate_step", "Can allocate work from a team tray"),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_date"],
                condition=Q(status__in=["planned", "in_progress", "awaiting_authorisation"]),
                name="step_open_by_assignee",
            ),
            # The team tray: sorted by due date by default, counted without the table.
            models.Index(
                fields=["team", "due_date", "created_at", "id"],
                condition=Q(status="planned", assignee__isnull=True),
                include=["step_type", "person", "group"],
                name="step_unallocated_by_team",
            ),
            models.Index(
                fields=["team", "submitted_at"],
                condition=Q(status="awaiting_authorisation"),
                name="step_awaiting_by_team",
            ),
            models.Index(fields=["person", "created_at"], name="step_person"),
            models.Index(fields=["episode"], name="step_episode"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, group__isnull=True)
                | Q(person__isnull=True, group__isnull=False),
                name="step_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.step_type} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


class StepLink(models.Model):
    """Step `to_step` was started as a next action of `from_step`: the case progress map."""

    from_step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="links_out")
    to_step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="links_in")
    transition = models.ForeignKey(
        Transition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_step", "to_step"], name="steplink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_step_id} to {self.to_step_id}"


class StepDraft(models.Model):
    """What a worker has typed but not yet saved, kept as they type (autosave)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    base_version = models.PositiveIntegerField(help_text="The step version the draft started from.")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "user"], name="stepdraft_one_per_user")
        ]

    def __str__(self) -> str:
        return f"Draft of step {self.step_id} by user {self.user_id}"


class StepDecision(models.Model):
    """A manager's authorisation decision on a step: approved, or returned with comments."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comments = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on step {self.step_id}"
