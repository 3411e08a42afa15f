"""Merging a duplicate record into the person kept, losing nothing.

Every row that points at the duplicate moves to the person kept. The relations are found
generically from ``Person._meta`` (hidden ones included, such as ``Relationship.other``),
so a table another app adds later moves too, without changes here. The few unique
clashes a merge can meet are settled first:

* a disability both records hold: the duplicate's row is dropped;
* a household or family group both are open members of: the duplicate's membership is
  dropped (the kept one takes the earlier start date);
* relationships between the two people: both directions are deleted, as they would
  become relationships with oneself;
* NHS number, UPN and NI number: the kept record takes the duplicate's when it has none;
  when both have one and they differ, the merge is refused, with the reason;
* records merged into the duplicate earlier now point at the person kept.

The duplicate's name becomes an alias of the person kept, gaps in the kept record's
details (a phone number, an ethnicity, a date of birth) are filled from the duplicate,
and the duplicate is marked ``merged_into`` the person kept. Audit events are never
touched (the database forbids it): each keeps the person id it was written with, and
``clients.search.merged_person_ids`` lets the access log gather them. The merge writes a
``PersonMerge`` row (what moved, by table) and one change event on each person.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ForeignObjectRel, Q
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from clients.codes import Disability, Sex
from clients.models import (
    GroupMembership,
    Person,
    PersonDisability,
    PersonMerge,
    PersonName,
    Relationship,
)
from clients.names import fold
from clients.services.people import person_refresh_current_postcode

MAX_REASON_LENGTH = 2000

IDENTIFIER_LABELS = {
    "nhs_number": "NHS number",
    "upn": "UPN",
    "ni_number": "National Insurance number",
}
# Details copied from the duplicate where the person kept has none. Nothing is overwritten.
FILLED_FIELDS = (
    "title",
    "middle_names",
    "preferred_name",
    "gender_identity",
    "ethnicity",
    "first_language",
    "religion",
    "phone",
    "mobile",
    "email",
    "gp_practice_code",
    "gp_practice_name",
)
# Relations that record the merge itself rather than belong to the person.
_NOT_MOVED = {(PersonMerge, "kept"), (PersonMerge, "merged")}


def merge_problems(*, kept: Person, merged: Person) -> dict[str, list[str]]:
    """Why these two records cannot be merged, by field ("__all__" for the records)."""
    problems: dict[str, list[str]] = {}
    if kept.pk == merged.pk:
        problems["__all__"] = ["A record cannot be merged into itself. Choose another record."]
        return problems
    if merged.merged_into_id is not None:
        problems.setdefault("__all__", []).append(
            f"Person ID {merged.pk} has already been merged into person ID {merged.merged_into_id}."
        )
    if kept.merged_into_id is not None:
        problems.setdefault("__all__", []).append(
            f"Person ID {kept.pk} has been merged into person ID {kept.merged_into_id}: "
            "merge into that record instead."
        )
    for field, label in IDENTIFIER_LABELS.items():
        ours, theirs = getattr(kept, field), getattr(merged, field)
        if ours and theirs and ours != theirs:
            if field == "nhs_number":  # written 3 3 4, the way every page shows one
                ours, theirs = (
                    f"{number[:3]} {number[3:6]} {number[6:]}" for number in (ours, theirs)
                )
            problems.setdefault(field, []).append(
                f"The records have different {label}s ({ours} and {theirs}). Check which is "
                "right and correct the other record before merging."
            )
    return problems


def person_relations() -> list[ForeignObjectRel]:
    """Every foreign key or one-to-one field pointing at Person, hidden ones included.

    ``Person._meta.related_objects`` leaves out relations with ``related_name="+"``
    (``Relationship.other``), so ask ``get_fields(include_hidden=True)``. Many-to-many
    relations move through their through table's foreign key, which is listed itself.
    """
    return [
        field
        for field in Person._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel)
        and not field.many_to_many
        and (field.related_model, field.field.name) not in _NOT_MOVED
    ]


def person_merge(*, actor: User, kept: Person, merged: Person, reason: str) -> PersonMerge:
    """Fold `merged` into `kept`: move every row, keep every audit event, record the merge."""
    errors: dict[str, list[str]] = {}
    try:
        reason = validators.validate_text(
            reason or "", label="Reason", max_length=MAX_REASON_LENGTH
        )
    except ValidationError as error:
        errors["reason"] = error.messages
    else:
        if not reason:
            errors["reason"] = ["Enter why these records are the same person."]
    with transaction.atomic():
        # Lock both rows, lowest id first, so two merges of one pair cannot interleave.
        locked = {
            person.pk: person
            for person in Person.objects.select_for_update()
            .filter(pk__in={kept.pk, merged.pk})
            .order_by("pk")
        }
        if kept.pk not in locked or merged.pk not in locked:
            raise ValidationError({"__all__": ["One of these records no longer exists."]})
        kept, merged = locked[kept.pk], locked[merged.pk]
        for field, messages in merge_problems(kept=kept, merged=merged).items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

        removed = _settle_clashes(kept, merged)
        kept_changes = _take_details(kept, merged)
        moved = _move_rows(kept, merged)
        alias = _keep_name_as_alias(kept, merged)
        person_refresh_current_postcode(kept)

        now = timezone.now()
        kept.updated_at = now
        kept.save(update_fields=[*kept_changes, "updated_at"])
        merged.merged_into = kept
        merged.updated_at = now
        merged.save(update_fields=["merged_into", "updated_at"])

        merge = PersonMerge.objects.create(
            kept=kept, merged=merged, merged_by=actor, reason=reason, moved=moved
        )
        audit.record_change(
            actor=actor,
            action="merge",
            instance=merge,
            person_id=kept.pk,
            changes={
                "merged_person": [None, merged.pk],
                "rows_moved": [None, moved],
                "rows_removed": [None, removed],
                **kept_changes,
                **({"alias_added": [None, alias]} if alias else {}),
            },
            summary=f"Merged person ID {merged.pk} ({merged.full_name}) into this record",
            reason=reason,
        )
        audit.record_change(
            actor=actor,
            action="merge",
            instance=merge,
            person_id=merged.pk,
            changes={"merged_into": [None, kept.pk]},
            summary=f"Merged into person ID {kept.pk} ({kept.full_name})",
            reason=reason,
        )
    return merge


def _settle_clashes(kept: Person, merged: Person) -> dict[str, int]:
    """Remove the duplicate's rows that would break a unique rule once moved; count them."""
    removed: dict[str, int] = {}

    def count(model: type[models.Model], number: int) -> None:
        if number:
            label = model._meta.label_lower
            removed[label] = removed.get(label, 0) + number

    # Relationships between the two would become relationships with oneself.
    _, deleted = Relationship.objects.filter(
        Q(person=merged, other=kept) | Q(person=kept, other=merged)
    ).delete()
    count(Relationship, deleted.get(Relationship._meta.label, 0))

    # The same disability on both records; and "no disability" beside a disability.
    kept_codes = set(kept.disabilities.values_list("code", flat=True))
    merged_codes = set(merged.disabilities.values_list("code", flat=True))
    drop_from_merged = kept_codes & merged_codes
    if Disability.NONE in merged_codes and kept_codes - {Disability.NONE}:
        drop_from_merged.add(Disability.NONE)
    number, _ = PersonDisability.objects.filter(person=merged, code__in=drop_from_merged).delete()
    count(PersonDisability, number)
    if Disability.NONE in kept_codes and merged_codes - {Disability.NONE}:
        number, _ = PersonDisability.objects.filter(person=kept, code=Disability.NONE).delete()
        count(PersonDisability, number)

    # Open memberships of the same group: keep one, from the earlier start.
    kept_open = {
        membership.group_id: membership
        for membership in GroupMembership.objects.filter(person=kept, end_date__isnull=True)
    }
    for membership in GroupMembership.objects.filter(
        person=merged, end_date__isnull=True, group_id__in=list(kept_open)
    ):
        ours = kept_open[membership.group_id]
        if membership.start_date and (
            ours.start_date is None or membership.start_date < ours.start_date
        ):
            ours.start_date = membership.start_date
            ours.save(update_fields=["start_date"])
        membership.delete()
        count(GroupMembership, 1)
    return removed


def _take_details(kept: Person, merged: Person) -> dict[str, list[Any]]:
    """Fill the kept record's gaps from the duplicate; `{field: [old, new]}` for the audit."""
    changes: dict[str, list[Any]] = {}

    def take(field: str, value: Any) -> None:
        changes[field] = [audit.snapshot(kept, [field])[field], None]
        setattr(kept, field, value)
        changes[field][1] = audit.snapshot(kept, [field])[field]

    # Identifiers are unique: clear them on the duplicate before the kept record takes them.
    taken = {
        field: getattr(merged, field)
        for field in IDENTIFIER_LABELS
        if getattr(merged, field) and not getattr(kept, field)
    }
    if taken:
        for field in taken:
            setattr(merged, field, None)
        merged.save(update_fields=list(taken))
        for field, value in taken.items():
            take(field, value)
    for field in FILLED_FIELDS:
        if getattr(merged, field) and not getattr(kept, field):
            take(field, getattr(merged, field))
    if kept.sex == Sex.UNKNOWN and merged.sex != Sex.UNKNOWN:
        take("sex", merged.sex)
    if merged.interpreter_required and not kept.interpreter_required:
        take("interpreter_required", True)
    if (
        kept.date_of_birth is None
        and merged.date_of_birth is not None
        and (kept.date_of_death is None or kept.date_of_death >= merged.date_of_birth)
    ):
        take("date_of_birth", merged.date_of_birth)
        if merged.date_of_birth_is_estimated:
            take("date_of_birth_is_estimated", True)
    if (
        kept.date_of_birth is None
        and kept.expected_date_of_birth is None
        and merged.expected_date_of_birth is not None
    ):
        take("expected_date_of_birth", merged.expected_date_of_birth)
    if (
        kept.date_of_death is None
        and merged.date_of_death is not None
        and (kept.date_of_birth is None or merged.date_of_death >= kept.date_of_birth)
    ):
        take("date_of_death", merged.date_of_death)
    return changes


def _move_rows(kept: Person, merged: Person) -> dict[str, int]:
    """Point every row of every table at the person kept; rows moved, by table."""
    moved: dict[str, int] = {}
    for relation in person_relations():
        model = relation.related_model
        field = relation.field.name
        rows = model._base_manager.filter(**{field: merged})
        try:
            # A savepoint, so a clash becomes a message rather than a broken transaction.
            with transaction.atomic():
                number = rows.update(**{field: kept})
        except IntegrityError as error:
            raise ValidationError(
                {
                    "__all__": [
                        f"Both records have {model._meta.verbose_name_plural} that cannot be "
                        "combined automatically. Remove the duplicate ones, then merge."
                    ]
                }
            ) from error
        if number:
            label = model._meta.label_lower
            moved[label] = moved.get(label, 0) + number
    return moved


def _keep_name_as_alias(kept: Person, merged: Person) -> str:
    """The duplicate's name, kept as an alias of the person kept unless it is already known."""
    first, last = merged.first_name.strip(), merged.last_name.strip()
    folded = f"{fold(first)} {fold(last)}".strip()
    known = {kept.search_name, fold(f"{kept.first_name} {kept.last_name}")}
    known.update(kept.other_names.values_list("search_name", flat=True))
    if not last or folded in known:
        return ""
    PersonName.objects.create(
        person=kept,
        kind=PersonName.Kind.ALIAS,
        first_name=first,
        last_name=last,
        search_name=folded,
    )
    return f"{first} {last}".strip()
