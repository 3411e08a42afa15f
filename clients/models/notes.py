from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models.people import Person


class NoteType(models.Model):
    """Home visit, telephone call, supervision, management oversight... configured in the admin."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseNote(models.Model):
    """A record of something that happened. Editable while draft; finalised notes never change.

    A correction to a finalised note is a new note that `amends` it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="case_notes")
    type = models.ForeignKey(NoteType, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    event_at = models.DateTimeField(help_text="When the thing recorded happened.")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_significant = models.BooleanField(default=False)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.DRAFT)
    finalised_at = models.DateTimeField(null=True, blank=True)
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped by each draft save.")

    class Meta:
        ordering = ["-event_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-event_at", "-id"], name="casenote_person_event")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", finalised_at__isnull=True)
                | Q(status="final", finalised_at__isnull=False),
                name="casenote_final_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
