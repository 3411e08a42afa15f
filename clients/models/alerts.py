from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from clients.models.people import Person


class AlertType(models.Model):
    """Risk to staff, interpreter needed, lone working... configured in the admin."""

    class Severity(models.TextChoices):
        WARNING = "warning", "Warning"
        INFORMATION = "information", "Information"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    severity = models.CharField(max_length=12, choices=Severity.choices, default=Severity.WARNING)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alerts")
    type = models.ForeignKey(AlertType, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=500, blank=True)
    start_date = models.DateField(default=timezone.localdate)
    end_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["person", "end_date"], name="alert_person_open")]

    def __str__(self) -> str:
        return f"{self.type}: {self.person}"
