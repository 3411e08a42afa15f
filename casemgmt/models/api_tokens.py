"""API tokens: how an integration (a police referral feed, a finance system) calls the API."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiScope(models.TextChoices):
    """What a token may be used for. Its account's roles still decide what it may see and do."""

    PEOPLE_READ = "people:read", "people:read: find people and read their records"
    PEOPLE_WRITE = "people:write", "people:write: add people and change their details"
    WORK_READ = "work:read", "work:read: read work trays and steps"
    WORK_WRITE = "work:write", "work:write: record, complete and authorise steps"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A secret an integration sends as `Authorization: Bearer cm_<key_id>_<secret>`.

    Only a SHA-256 hash of the secret is kept: the token is shown once, when it is made.
    The key id is not secret; it names the token in the admin and in logs, so a token
    found where it should not be can be traced and revoked.
    """

    name = models.CharField(
        max_length=100, help_text="The integration this token is for, e.g. Police MASH feed."
    )
    description = models.TextField(
        blank=True, help_text="What the integration does with the API, and who looks after it."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text="The service account the token acts as: it can do no more than its roles allow.",
    )
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = ArrayField(models.CharField(max_length=20, choices=ApiScope.choices))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    expires_at = models.DateTimeField()
    # Written at most once a minute (casemgmt/api_tokens/authentication.py), not on every call.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    revoked_reason = models.CharField(max_length=500, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_by_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_reason="")
                | Q(revoked_at__isnull=False) & ~Q(revoked_reason=""),
                name="api_token_revoked_has_reason",
            ),
            models.CheckConstraint(condition=~Q(scopes=[]), name="api_token_has_a_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (cm_{self.key_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.is_revoked:
            return "Revoked"
        if self.is_expired:
            return "Expired"
        return "Active"
