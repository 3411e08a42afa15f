"""In-app notifications, with an email to say one is waiting.

The email says only that there is something to read and where: the detail (a person's
name, a reason given) stays in the service, behind its sign-in and its audit, rather than
in mailboxes the council does not control.

Each user's unread count is kept on their row (`User.unread_notifications`), which every
request reads anyway, so the header shows it without a query of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from casemgmt.models import Notification, User
from casemgmt.types import AnyUser

SUBJECT_MAX_LENGTH = 200


def notification_send(
    *,
    recipients: Iterable[User],
    subject: str,
    body: str,
    link: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> list[Notification]:
    """Notify each recipient (once each) in the service, and by email once committed."""
    unique = {user.pk: user for user in recipients if user.is_active}
    if not unique:
        return []
    now = timezone.now()
    with transaction.atomic():
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    created_at=now,
                    subject=subject[:SUBJECT_MAX_LENGTH],
                    body=body,
                    link=link[:300],
                )
                for user in unique.values()
            ]
        )
        User.objects.filter(pk__in=list(unique)).update(
            unread_notifications=F("unread_notifications") + 1
        )
        messages = [
            (
                email_subject or subject[:SUBJECT_MAX_LENGTH],
                email_body or "You have a new notification. Sign in to read it.",
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            for user in unique.values()
            if user.email
        ]
        if messages:
            transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return notifications


def notification_list_for(*, user: AnyUser) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads anyone else's)."""
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def unread_count(*, user: AnyUser) -> int:
    """How many of the user's notifications are unread, for the header (no query)."""
    if not (user.is_authenticated and user.is_active):
        return 0
    return int(getattr(user, "unread_notifications", 0) or 0)


def notification_mark_read(*, actor: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (these ids, or all); returns how many changed."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=list(notification_ids))
        changed = unread.update(read_at=timezone.now())
        # Counted afresh rather than decremented: the count can never drift.
        remaining = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
        count = remaining.count()
        User.objects.filter(pk=actor.pk).update(unread_notifications=count)
        actor.unread_notifications = count
    return changed
