from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clients.validators import normalise_postcode


def validate_postcode(value: str) -> None:
    """The check clients applies to a person's address (a real UK postcode format)."""
    normalise_postcode(value)


class StaffHomeAddress(models.Model):
    """Where a member of staff lives, as far as the unusual access check needs: the postcode.

    Only the postcode is kept (the check compares it with the addresses of the people a
    member of staff opens), so no more of a colleague's address is held than that needs.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_address"
    )
    postcode = models.CharField(
        max_length=8,
        blank=True,
        validators=[validate_postcode],
        help_text=(
            "The postcode of the member of staff's home, like SW1A 1AA. Without it the check "
            "for staff opening the records of people who share their surname and address "
            "cannot flag anything for this member of staff."
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "staff home address"
        verbose_name_plural = "staff home addresses"

    def __str__(self) -> str:
        return f"Home postcode of {self.user}"

    def clean(self) -> None:
        try:
            self.postcode = normalise_postcode(self.postcode)
        except ValidationError as error:
            raise ValidationError({"postcode": error.messages}) from error


class AccessFlag(models.Model):
    """One finding of the unusual access check, for a reviewer in information governance."""

    class Rule(models.TextChoices):
        MANY_UNINVOLVED = (
            "many_uninvolved",
            "Opened many records with no involvement",
        )
        SURNAME_AND_POSTCODE = (
            "surname_postcode",
            "Opened a record sharing their surname and home postcode",
        )
        # Not unusual in itself, but every emergency access is reviewed (clients.record_access).
        BREAK_GLASS = (
            "break_glass",
            "Broke the glass to open a restricted record",
        )

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        LEGITIMATE = "legitimate", "Legitimate: a work reason was confirmed"
        ADVICE_GIVEN = "advice_given", "Not justified: advice given to the member of staff"
        CONCERN_REFERRED = "concern_referred", "Concern referred to their manager or HR"
        BREACH_REPORTED = "breach_reported", "Reported as a personal data breach"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=20, choices=Rule.choices)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    # Plain ids, like the audit trail's: the finding must outlive merges of the people.
    person_ids = ArrayField(models.BigIntegerField())
    count = models.PositiveIntegerField(help_text="How many different people were opened.")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("review_access", "Can review flagged access to records"),
            ("view_any_user_access", "Can see what any member of staff viewed"),
            ("view_team_user_access", "Can see what the staff of the teams they manage viewed"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="access_flag_queue"),
        ]
        constraints = [
            # Running the check again over the same window finds the same things: no new rows.
            models.UniqueConstraint(
                fields=["user", "rule", "window_start", "window_end"],
                name="access_flag_once_per_window",
            ),
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="access_flag_window_order"
            ),
            models.CheckConstraint(
                condition=Q(
                    status="open", outcome="", reviewer__isnull=True, reviewed_at__isnull=True
                )
                | (
                    Q(status="closed", reviewer__isnull=False, reviewed_at__isnull=False)
                    & ~Q(outcome="")
                ),
                name="access_flag_closed_has_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.user} ({self.window_start:%Y-%m-%d %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class UnusualAccessRun(models.Model):
    """A window the unusual access check has been over, so a stopped scheduler can catch up."""

    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    flags_created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-window_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["window_start", "window_end"], name="unusual_access_run_once_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"Unusual access check {self.window_start:%Y-%m-%d %H:%M} to {self.window_end:%H:%M}"
