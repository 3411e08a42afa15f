from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One access to, or one change of, a record. Append-only: the database refuses edits."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Access"
        CHANGE = "change", "Change"
        # Someone opened a restricted record they were not granted, giving a reason.
        BREAK_GLASS = "break_glass", "Broke the glass"

    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    # A plain id rather than a foreign key: the trail must outlive merges and deletions.
    person_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person_id", "-occurred_at"], name="audit_person_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class AuditSeal(models.Model):
    """A link in the hash chain over the audit trail, appended in order by `audit_seal`.

    Each seal holds the SHA-256 of its event's content and the previous seal's hash, so
    an audit row edited or deleted behind the database's back (a superuser disabling the
    append-only trigger) breaks the chain at that row, and `manage.py audit_verify` says
    where. Seals are append-only too.
    """

    position = models.BigIntegerField(primary_key=True)
    # A plain id, not a foreign key: a deleted event must leave its seal behind as evidence.
    event_id = models.BigIntegerField(unique=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"seal {self.position} of event {self.event_id}"
