"""Professional involvements: who is working with a person, in which team and role.

A person has at most one open *allocation* (a role with `is_allocation`) per team: when
a team allocates a new worker, the previous allocation in that team ends the day before
the new one starts (reallocation is one action for a manager, and the history keeps
both). Allocations in other teams and non-allocation roles (an IRO, an OT) are left alone,
because a child can be allocated in a children's team and an adults' team at once.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import Team, User
from clients import validators
from clients.models import Involvement, InvolvementRole, Person

INVOLVEMENT_FIELDS = ("worker", "team", "role", "start_date", "end_date", "end_reason")


def involvement_start(
    *,
    actor: User,
    person: Person,
    role: InvolvementRole,
    team: Team,
    start_date: datetime.date | None,
    worker: User | None = None,
) -> Involvement:
    """Start an involvement; a new allocation ends the team's previous one (audited)."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if start_date is None:
        errors["start_date"] = ["Enter the date the involvement started."]
    elif start_date > today:
        errors["start_date"] = ["The start date must be today or in the past."]
    if not role.is_active:
        errors["role"] = ["This role is no longer used: choose another."]
    if not team.is_active or team.kind != Team.Kind.TEAM:
        errors["team"] = ["Choose a team that is currently open."]
    if worker is not None and not worker.is_active:
        errors["worker"] = ["This worker's account is closed: choose someone else."]
    if errors or start_date is None:
        raise ValidationError(errors)

    with transaction.atomic():
        open_rows = list(
            Involvement.objects.select_for_update(of=("self",))
            .filter(person=person, team=team, end_date__isnull=True)
            .select_related("role", "worker")
        )
        for row in open_rows:
            if row.role_id == role.pk and row.worker_id == (worker.pk if worker else None):
                raise ValidationError(
                    {
                        "worker": [
                            f"{row.worker or 'The team'} is already involved as {role.name.lower()} "
                            f"in {team.name} (since {row.start_date:%-d %B %Y})."
                        ]
                    }
                )
        previous = [row for row in open_rows if role.is_allocation and row.role.is_allocation]
        for row in previous:
            if row.start_date > start_date:
                raise ValidationError(
                    {
                        "start_date": [
                            f"{team.name} already has an allocation starting "
                            f"{row.start_date:%-d %B %Y}: the new one must start after that."
                        ]
                    }
                )
        involvement = Involvement.objects.create(
            person=person, worker=worker, team=team, role=role, start_date=start_date
        )
        for row in previous:
            # The day before, unless the previous allocation began that same day.
            row.end_date = max(row.start_date, start_date - datetime.timedelta(days=1))
            row.end_reason = "Reallocated"
            row.save(update_fields=["end_date", "end_reason"])
            audit.record_change(
                actor=actor,
                action="update",
                instance=row,
                person_id=person.pk,
                changes={
                    "end_date": [None, row.end_date.isoformat()],
                    "end_reason": ["", row.end_reason],
                },
                summary=f"Ended allocation in {team.name} on reallocation",
            )
        audit.record_change(
            actor=actor,
            action="create",
            instance=involvement,
            person_id=person.pk,
            changes=audit.created(involvement, INVOLVEMENT_FIELDS),
            summary=f"Started involvement: {role.name} in {team.name}",
        )
    return involvement


def involvement_end(
    *,
    actor: User,
    involvement: Involvement,
    end_date: datetime.date | None,
    reason: str = "",
) -> Involvement:
    """End an involvement on `end_date` (not before it started), audited."""
    errors: dict[str, list[str]] = {}
    if end_date is None:
        errors["end_date"] = ["Enter the date the involvement ended."]
    elif end_date > timezone.localdate():
        errors["end_date"] = ["The end date must be today or in the past."]
    elif end_date < involvement.start_date:
        errors["end_date"] = [
            f"The end date must be on or after the start date ({involvement.start_date:%-d %B %Y})."
        ]
    try:
        reason = validators.validate_text(reason or "", label="Reason", max_length=200)
    except ValidationError as error:
        errors["reason"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Involvement.objects.select_for_update().get(pk=involvement.pk)
        if row.end_date is not None:
            raise ValidationError({"end_date": ["This involvement has already ended."]})
        row.end_date = end_date
        row.end_reason = reason
        row.save(update_fields=["end_date", "end_reason"])
        audit.record_change(
            actor=actor,
            action="update",
            instance=row,
            person_id=row.person_id,
            changes=audit.diff(
                {"end_date": None, "end_reason": ""},
                {
                    "end_date": row.end_date.isoformat() if row.end_date else None,
                    "end_reason": reason,
                },
            ),
            summary="Ended involvement",
        )
    involvement.end_date = row.end_date
    involvement.end_reason = row.end_reason
    return involvement
