from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models.people import Person


class ChronologyEntry(models.Model):
    """One significant event in a person's life, on their merged chronology.

    Entries come from significant case notes, from workflows (through
    `clients.services.chronology_record`) and from workers adding them by hand.
    Workers curate: an entry can be hidden, with a reason, but never deleted.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by a worker"
        CASE_NOTE = "case_note", "Case note"
        RECORD = "record", "Record change"
        WORKFLOW = "workflow", "Workflow step"
        DOCUMENT = "document", "Document"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="chronology")
    event_date = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    category = models.CharField(max_length=60)
    summary = models.CharField(max_length=500)
    detail = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-event_date", "-id"]
        verbose_name_plural = "chronology entries"
        indexes = [
            models.Index(fields=["person", "-event_date", "-id"], name="chronology_person_date")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_hidden=False) | ~Q(hidden_reason=""),
                name="chronology_hidden_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_date}: {self.summary}"
