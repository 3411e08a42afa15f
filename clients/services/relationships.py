"""Relationships between people: always stored as a pair, one row in each direction.

`relationship_create` writes the row "other is TYPE to person" and its reciprocal
"person is TYPE.reciprocal to other", linked through `Relationship.reciprocal`, so the
mother's record shows her son and the son's record shows his mother. Ending one ends both.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from clients.models import Person, Relationship, RelationshipType

RELATIONSHIP_FIELDS = (
    "person",
    "other",
    "type",
    "start_date",
    "end_date",
    "is_parental_responsibility",
    "notes",
)

# Parental responsibility is held by an adult for a child, never by a child, sibling or partner.
_NO_PARENTAL_RESPONSIBILITY = {
    RelationshipType.Genogram.CHILD,
    RelationshipType.Genogram.SIBLING,
    RelationshipType.Genogram.PARTNER,
}


def _check_dates(
    errors: dict[str, list[str]],
    start_date: datetime.date | None,
    end_date: datetime.date | None,
) -> None:
    today = timezone.localdate()
    if start_date and start_date > today:
        errors.setdefault("start_date", []).append("The start date must be today or in the past.")
    if end_date and end_date > today:
        errors.setdefault("end_date", []).append("The end date must be today or in the past.")
    if start_date and end_date and end_date < start_date:
        errors.setdefault("end_date", []).append("The end date must be on or after the start date.")


def relationship_create(
    *,
    actor: User,
    person: Person,
    other: Person,
    relationship_type: RelationshipType,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    is_parental_responsibility: bool = False,
    notes: str = "",
) -> Relationship:
    """Record that `other` is `relationship_type` to `person`, and the reciprocal row, audited."""
    errors: dict[str, list[str]] = {}
    if other.pk == person.pk:
        errors["other"] = ["A person cannot have a relationship with themselves."]
    elif other.merged_into_id is not None:
        errors["other"] = [
            f"Person ID {other.pk} was merged into person ID {other.merged_into_id}: "
            "choose that record instead."
        ]
    if not relationship_type.is_active:
        errors["type"] = ["This kind of relationship is no longer used: choose another."]
    try:
        notes = validators.validate_text(notes or "", label="Notes", max_length=500)
    except ValidationError as error:
        errors["notes"] = error.messages
    _check_dates(errors, start_date, end_date)
    if is_parental_responsibility and relationship_type.genogram in _NO_PARENTAL_RESPONSIBILITY:
        errors["is_parental_responsibility"] = [
            "Only a parent or another adult caring for the child can hold parental "
            "responsibility: record it on the child's record, choosing how the adult is related."
        ]
    if errors:
        raise ValidationError(errors)

    reciprocal_type = relationship_type.reciprocal or relationship_type
    with transaction.atomic():
        # Lock the person so that two workers adding the same link at once cannot both pass
        # the duplicate check.
        list(Person.objects.select_for_update().filter(pk__in=[person.pk, other.pk]).order_by("pk"))
        duplicate = Relationship.objects.filter(
            person=person, other=other, type=relationship_type, end_date__isnull=True
        ).exists()
        if duplicate and end_date is None:
            raise ValidationError(
                {
                    "other": [
                        f"{other.full_name} is already recorded as "
                        f"{relationship_type.name_for(other.sex).lower()} of {person.full_name}."
                    ]
                }
            )
        forward = Relationship.objects.create(
            person=person,
            other=other,
            type=relationship_type,
            start_date=start_date,
            end_date=end_date,
            is_parental_responsibility=is_parental_responsibility,
            notes=notes,
        )
        backward = Relationship.objects.create(
            person=other,
            other=person,
            type=reciprocal_type,
            start_date=start_date,
            end_date=end_date,
            notes=notes,
            reciprocal=forward,
        )
        forward.reciprocal = backward
        forward.save(update_fields=["reciprocal"])
        for row, owner, other_person, row_type in (
            (forward, person, other, relationship_type),
            (backward, other, person, reciprocal_type),
        ):
            audit.record_change(
                actor=actor,
                action="create",
                instance=row,
                person_id=owner.pk,
                changes=audit.created(row, RELATIONSHIP_FIELDS),
                summary=(
                    f"Added relationship: {other_person.full_name} is "
                    f"{row_type.name_for(other_person.sex).lower()}"
                ),
            )
    return forward


def relationship_end(
    *,
    actor: User,
    relationship: Relationship,
    end_date: datetime.date | None,
    reason: str = "",
) -> Relationship:
    """End a relationship (and its reciprocal) from `end_date`, audited on both records."""
    errors: dict[str, list[str]] = {}
    if end_date is None:
        errors["end_date"] = ["Enter the date the relationship ended."]
    else:
        _check_dates(errors, relationship.start_date, end_date)
    try:
        reason = validators.validate_text(reason or "", label="Reason", max_length=500)
    except ValidationError as error:
        errors["reason"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rows = list(
            Relationship.objects.select_for_update()
            .filter(pk__in=[relationship.pk, relationship.reciprocal_id or relationship.pk])
            .order_by("pk")
        )
        chosen = next((row for row in rows if row.pk == relationship.pk), None)
        if chosen is None or chosen.end_date is not None:
            raise ValidationError({"end_date": ["This relationship has already ended."]})
        for row in rows:
            if row.end_date is not None:
                continue
            row.end_date = end_date
            row.save(update_fields=["end_date"])
            audit.record_change(
                actor=actor,
                action="update",
                instance=row,
                person_id=row.person_id,
                changes={"end_date": [None, end_date.isoformat() if end_date else None]},
                summary="Ended relationship",
                reason=reason,
            )
            if row.pk == relationship.pk:
                relationship.end_date = end_date
    return relationship
