"""Households and family groups: a person joins an existing group or starts a new one."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from clients.models import Group, GroupMembership, Person


def _one_line(value: str, *, label: str, max_length: int) -> str:
    cleaned = validators.validate_text(value or "", label=label, max_length=max_length)
    if "\n" in cleaned or "\r" in cleaned:
        raise ValidationError(f"{label} must be on one line.")
    return cleaned


def group_create_or_join(
    *,
    actor: User,
    person: Person,
    group: Group | None = None,
    kind: str = "",
    name: str = "",
    role: str = "",
    start_date: datetime.date | None = None,
) -> GroupMembership:
    """Add `person` to `group`, or to a new group of `kind` called `name`; audited."""
    errors: dict[str, list[str]] = {}
    if group is None:
        if kind not in Group.Kind.values:
            errors["kind"] = ["Choose whether the new group is a household or a family group."]
        try:
            name = _one_line(name, label="Group name", max_length=150)
        except ValidationError as error:
            errors["name"] = error.messages
        else:
            if not name:
                errors["name"] = ["Enter a name for the group, like 'Whitmore household'."]
    elif group.end_date is not None:
        errors["group"] = [f"{group.name} ended on {group.end_date:%-d %B %Y}: choose another."]
    try:
        role = _one_line(role, label="Role in the group", max_length=60)
    except ValidationError as error:
        errors["role"] = error.messages
    if start_date and start_date > timezone.localdate():
        errors["start_date"] = ["The date they joined must be today or in the past."]
    if group is not None and group.start_date and start_date and start_date < group.start_date:
        errors["start_date"] = [
            f"The date they joined must be on or after the group began "
            f"({group.start_date:%-d %B %Y})."
        ]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if group is None:
            group = Group.objects.create(kind=kind, name=name, start_date=start_date)
            audit.record_change(
                actor=actor,
                action="create",
                instance=group,
                person_id=person.pk,
                changes={
                    "kind": [None, kind],
                    "name": [None, name],
                    **({"start_date": [None, start_date.isoformat()]} if start_date else {}),
                },
                summary=f"Created {group.get_kind_display().lower()} {name}",
            )
        else:
            group = Group.objects.select_for_update().get(pk=group.pk)
            if group.memberships.filter(person=person, end_date__isnull=True).exists():
                raise ValidationError(
                    {"group": [f"{person.full_name} is already a member of {group.name}."]}
                )
        membership = GroupMembership.objects.create(
            group=group, person=person, role=role, start_date=start_date
        )
        audit.record_change(
            actor=actor,
            action="create",
            instance=membership,
            person_id=person.pk,
            changes={
                "group": [None, group.pk],
                **({"role": [None, role]} if role else {}),
                **({"start_date": [None, start_date.isoformat()]} if start_date else {}),
            },
            summary=f"Joined {group.get_kind_display().lower()} {group.name}",
        )
    return membership
