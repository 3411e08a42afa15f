from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clients.models.people import Person


class InvolvementRole(models.Model):
    """Allocated social worker, key worker, IRO, occupational therapist..."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    is_allocation = models.BooleanField(
        default=False, help_text="Counts as the person's allocated worker (caseloads, returns)."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Involvement(models.Model):
    """A worker and/or team involved with a person for a period: the allocation history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="involvements",
    )
    team = models.ForeignKey("casemgmt.Team", on_delete=models.PROTECT, related_name="involvements")
    role = models.ForeignKey(InvolvementRole, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["person", "end_date"], name="involvement_person_open"),
            models.Index(fields=["worker", "end_date"], name="involvement_worker_open"),
            models.Index(fields=["team", "end_date"], name="involvement_team_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="involvement_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} for {self.person}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None
