"""Who may open a restricted or sealed record: grants to named users and teams.

Teams are not Django groups here (groups are roles: casemgmt.roles), so django-guardian's
group object permissions would grant a record to every practitioner in the council rather
than to one team. Its user object permissions would key the record by a text `object_pk`
that every read of people would have to cast and join. One small table with real foreign
keys to the person, the user or the team serves both kinds of grant, keeps the expiry a
break-the-glass grant needs, and is read by one indexed probe per query
(clients.selectors.person_list_visible_to).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models.people import Person


class RecordAccessGrantQuerySet(models.QuerySet["RecordAccessGrant"]):
    def in_force(self, at: datetime.datetime | None = None) -> RecordAccessGrantQuerySet:
        """Grants that have not expired (break-the-glass grants end by themselves)."""
        now = at or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class RecordAccessGrant(models.Model):
    """One user, or one team, allowed to open one restricted or sealed person's record.

    A team grant opens a restricted record to the team's current members; a sealed record
    opens only to users granted it by name. A grant made by breaking the glass expires.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="record_access_grants",
    )
    team = models.ForeignKey(
        "casemgmt.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="record_access_grants",
    )
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    is_break_glass = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = RecordAccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["granted_at", "id"]
        permissions = [
            (
                "manage_record_access",
                "Can restrict the records of their teams' people and grant access to them",
            ),
            (
                "manage_any_record_access",
                "Can restrict any record and grant access to it",
            ),
            ("break_glass", "Can open a restricted record in an emergency, giving a reason"),
        ]
        # The selector's lookups ("which people is this user, or this team, granted?") use
        # the indexes of the user and team foreign keys; nothing else is needed.
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="grant_user_or_team",
            ),
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=Q(user__isnull=False),
                name="grant_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["person", "team"],
                condition=Q(team__isnull=False),
                name="grant_once_per_team",
            ),
            models.CheckConstraint(
                condition=Q(is_break_glass=False) | Q(expires_at__isnull=False),
                name="grant_break_glass_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} may open {self.person_id}"

    @property
    def grantee(self) -> str:
        return str(self.user if self.user_id else self.team)
