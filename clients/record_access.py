"""Restricted and sealed records: setting a record's access level, grants, breaking the glass.

- Ordinary: everyone whose role sees people opens it.
- Restricted: only users and teams granted it. Restricting a record grants its current
  allocated workers and teams explicitly (a data protection officer expects the people
  working with the person to keep working), and the grants are listed on the access page,
  where they can be removed.
- Sealed (adoption, for instance): only users granted it by name; a team grant does not
  open it. Sealing a record grants its current allocated workers by name.
- Breaking the glass: a manager (casemgmt.roles.BREAK_GLASS) who opens a restricted record
  they were not granted may give a reason and open it until the end of the day. It is
  audited as its own kind of event, the allocated workers and their team managers are told,
  and information governance sees it in the flagged access queue. Sealed records cannot be
  opened this way.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from casemgmt import audit, notifications, roles
from casemgmt.models import Team, TeamMembership, User
from casemgmt.types import AnyUser
from clients import validators
from clients.models import Involvement, Person, RecordAccessGrant
from clients.permissions import can
from clients.selectors import person_list_access_manageable_by, person_list_hidden_from

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 1000
GRANT_FIELDS = ("person", "user", "team", "reason", "is_break_glass", "expires_at")


def validate_reason(value: str | None, *, label: str = "Reason") -> str:
    """A reason someone can act on: 10 to 1000 characters of printable text."""
    cleaned = validators.validate_text(value or "", label=label, max_length=REASON_MAX_LENGTH)
    if not cleaned:
        raise ValidationError(f"Enter the {label.lower()}.", code="required")
    if len(cleaned) < REASON_MIN_LENGTH:
        raise ValidationError(
            f"{label} must be at least {REASON_MIN_LENGTH} characters.", code="min_length"
        )
    return cleaned


def _reason_or_errors(reason: str | None, errors: dict[str, list[str]]) -> str:
    try:
        return validate_reason(reason)
    except ValidationError as error:
        errors["reason"] = error.messages
        return ""


# ----------------------------------------------------------------------------------------
# Who may do what
# ----------------------------------------------------------------------------------------


def access_person_for_access_management(user: AnyUser, person_id: int) -> Person:
    """The person whose access `user` may manage; Http404 otherwise (as for no such person)."""
    person = person_list_access_manageable_by(user=user).filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def break_glass_candidate(user: AnyUser, person_id: int) -> Person | None:
    """The restricted record `user` could open by breaking the glass, or None.

    Only for a user whose role allows it, only a restricted (never a sealed) record, and
    only one they are not already granted: for everyone else the answer is None and the
    caller's 404 stands.
    """
    if not can(user, roles.BREAK_GLASS):
        return None
    return (
        person_list_hidden_from(user=user)
        .filter(pk=person_id, access_level=Person.AccessLevel.RESTRICTED)
        .first()
    )


def end_of_today() -> datetime.datetime:
    """Midnight at the end of today, in the council's time zone."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=zone)


# ----------------------------------------------------------------------------------------
# Writes
# ----------------------------------------------------------------------------------------


def _current_allocations(person: Person) -> list[Involvement]:
    today = timezone.localdate()
    return list(
        Involvement.objects.filter(person=person, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("worker", "team")
        .order_by("pk")
    )


def _grant(
    *,
    actor: User | None,
    person: Person,
    user: User | None = None,
    team: Team | None = None,
    reason: str,
    expires_at: datetime.datetime | None = None,
    is_break_glass: bool = False,
) -> RecordAccessGrant:
    """Create (or renew) one grant and write its change event."""
    existing = (
        RecordAccessGrant.objects.select_for_update()
        .filter(person=person)
        .filter(Q(user=user) if user is not None else Q(team=team))
        .first()
    )
    if existing is not None:
        before = audit.snapshot(existing, GRANT_FIELDS)
        existing.reason = reason
        existing.granted_by = actor
        existing.granted_at = timezone.now()
        existing.expires_at = expires_at
        existing.is_break_glass = is_break_glass
        existing.save(
            update_fields=["reason", "granted_by", "granted_at", "expires_at", "is_break_glass"]
        )
        grant = existing
        changes = audit.diff(before, audit.snapshot(grant, GRANT_FIELDS))
    else:
        grant = RecordAccessGrant.objects.create(
            person=person,
            user=user,
            team=team,
            reason=reason,
            granted_by=actor,
            expires_at=expires_at,
            is_break_glass=is_break_glass,
        )
        changes = audit.created(grant, GRANT_FIELDS)
    audit.record_change(
        actor=actor,
        action="grant_access",
        instance=grant,
        person_id=person.pk,
        changes=changes,
        summary=f"Granted access to the record to {grant.grantee}",
        reason=reason,
    )
    return grant


def record_access_level_set(
    *, actor: User, person: Person, access_level: str, reason: str | None
) -> Person:
    """Make a record ordinary, restricted or sealed, saying why (audited).

    Restricting or sealing an ordinary record grants its current allocated workers (and,
    for a restricted record, their teams) so that the work with the person carries on.
    """
    errors: dict[str, list[str]] = {}
    if access_level not in Person.AccessLevel.values:
        errors["access_level"] = ["Choose who may open the record."]
    cleaned_reason = _reason_or_errors(reason, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.access_level == access_level:
            raise ValidationError({"access_level": ["The record already has this access level."]})
        before = audit.snapshot(locked, ["access_level"])
        was_ordinary = locked.access_level == Person.AccessLevel.ORDINARY
        locked.access_level = access_level
        locked.updated_at = timezone.now()
        locked.save(update_fields=["access_level", "updated_at"])
        audit.record_change(
            actor=actor,
            action="set_access_level",
            instance=locked,
            person_id=locked.pk,
            changes=audit.diff(before, audit.snapshot(locked, ["access_level"])),
            summary=f"Made the record {locked.get_access_level_display().lower()}",
            reason=cleaned_reason,
        )
        if was_ordinary and access_level != Person.AccessLevel.ORDINARY:
            kept = f"Working with the person when the record was made {access_level}."
            users = {
                inv.worker_id: inv.worker for inv in _current_allocations(locked) if inv.worker
            }
            teams = {inv.team_id: inv.team for inv in _current_allocations(locked)}
            for worker in users.values():
                _grant(actor=actor, person=locked, user=worker, reason=kept)
            if access_level == Person.AccessLevel.RESTRICTED:
                for team in teams.values():
                    _grant(actor=actor, person=locked, team=team, reason=kept)
    person.access_level = locked.access_level
    person.updated_at = locked.updated_at
    return person


def record_access_grant_add(
    *,
    actor: User,
    person: Person,
    user: User | None = None,
    team: Team | None = None,
    reason: str | None,
) -> RecordAccessGrant:
    """Let one named user, or one team, open the record (audited, with the reason)."""
    errors: dict[str, list[str]] = {}
    if (user is None) == (team is None):
        errors["grantee"] = ["Choose a member of staff or a team."]
    elif user is not None and not user.is_active:
        errors["grantee"] = ["This member of staff's account is disabled."]
    elif team is not None and not team.is_active:
        errors["grantee"] = ["This team is no longer active."]
    elif team is not None and person.access_level == Person.AccessLevel.SEALED:
        errors["grantee"] = [
            "A sealed record opens only to named members of staff: choose a person, not a team."
        ]
    cleaned_reason = _reason_or_errors(reason, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _grant(actor=actor, person=person, user=user, team=team, reason=cleaned_reason)


def record_access_grant_remove(
    *, actor: User, person: Person, grant_id: int, reason: str | None
) -> None:
    """Take a grant away (audited, with the reason)."""
    errors: dict[str, list[str]] = {}
    cleaned_reason = _reason_or_errors(reason, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant = (
            RecordAccessGrant.objects.select_for_update(of=("self",))
            .select_related("user", "team")
            .filter(person=person, pk=grant_id)
            .first()
        )
        if grant is None:
            raise ValidationError({"grant": ["This access has already been removed."]})
        before = audit.snapshot(grant, GRANT_FIELDS)
        grantee = grant.grantee
        grant_pk = grant.pk
        grant.delete()
        grant.pk = grant_pk
        audit.record_change(
            actor=actor,
            action="remove_access",
            instance=grant,
            person_id=person.pk,
            changes={name: [value, None] for name, value in before.items() if value},
            summary=f"Removed {grantee}'s access to the record",
            reason=cleaned_reason,
        )


def _people_to_tell(person: Person, actor: User) -> list[User]:
    """The record's allocated workers and their teams' managers (not the actor)."""
    allocations = _current_allocations(person)
    workers = [inv.worker for inv in allocations if inv.worker is not None]
    today = timezone.localdate()
    managers = (
        User.objects.filter(
            memberships__in=TeamMembership.objects.filter(
                team_id__in={inv.team_id for inv in allocations},
                is_manager=True,
                start_date__lte=today,
            ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        )
        .filter(is_active=True)
        .distinct()
    )
    people = {user.pk: user for user in [*workers, *managers] if user.pk != actor.pk}
    return list(people.values())


def record_break_glass(*, actor: User, person: Person, reason: str | None) -> RecordAccessGrant:
    """Open a restricted record in an emergency until the end of the day, telling its owners.

    `person` must have come from `break_glass_candidate` for `actor`.
    """
    cleaned = validate_reason(reason)
    if person.access_level != Person.AccessLevel.RESTRICTED:
        raise ValidationError({"reason": ["Only a restricted record can be opened this way."]})
    expires_at = end_of_today()
    with transaction.atomic():
        grant = _grant(
            actor=actor,
            person=person,
            user=actor,
            reason=cleaned,
            expires_at=expires_at,
            is_break_glass=True,
        )
        audit.record_break_glass(
            actor=actor,
            person_id=person.pk,
            reason=cleaned,
            summary="Broke the glass to open a restricted record",
        )
        link = reverse("clients:person-detail", kwargs={"person_id": person.pk})
        until = timezone.localtime(expires_at).strftime("%H:%M on %d %B %Y")
        notifications.notification_send(
            recipients=_people_to_tell(person, actor),
            subject=f"{actor} opened {person.full_name}'s restricted record",
            body=(
                f"{actor} broke the glass to open {person.full_name}'s restricted record "
                f"(person ID {person.pk}). They may open it until {until}.\n"
                f"Their reason: {cleaned}"
            ),
            link=link,
            email_subject="A restricted record was opened in an emergency",
            email_body=(
                "A member of staff broke the glass to open a restricted record you work with "
                f"(person ID {person.pk}). Sign in and open Notifications to see who and why."
            ),
        )
    return grant
