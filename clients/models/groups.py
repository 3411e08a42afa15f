from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from clients.models.people import Person


class Group(models.Model):
    """A household or a family group, worked with as a whole."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", "Household"
        FAMILY = "family", "Family group"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=150)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=60, blank=True, help_text="e.g. head of household, child")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person"], name="groupmember_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(end_date__isnull=True),
                name="groupmember_one_open_membership",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="groupmember_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}"
