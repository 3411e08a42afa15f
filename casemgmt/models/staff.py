from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A member of staff. Roles are Django groups; reach comes from team membership."""

    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Kept by casemgmt.notifications, so the header's count costs no query of its own.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Team(models.Model):
    """A node in the organisation: a service area contains teams."""

    class Kind(models.TextChoices):
        SERVICE_AREA = "service_area", "Service area"
        TEAM = "team", "Team"

    name = models.CharField(max_length=150)
    code = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="service_area", parent__isnull=True) | Q(kind="team"),
                name="team_service_area_is_top_level",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    is_manager = models.BooleanField(default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team"],
                condition=Q(end_date__isnull=True),
                name="team_membership_one_open_per_team",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="team_membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"
