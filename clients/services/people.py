"""Writes to the person record: create, update, addresses, identifiers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from casemgmt import audit
from casemgmt.models import User
from clients import validators
from clients.codes import Disability
from clients.models import Address, Person, PersonDisability, PersonIdentifier, PersonName
from clients.names import fold, name_keys

# Fields a worker edits directly on the person; everything else has its own service.
PERSON_FIELDS = (
    "title",
    "first_name",
    "middle_names",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "date_of_birth_is_estimated",
    "expected_date_of_birth",
    "date_of_death",
    "sex",
    "gender_identity",
    "ethnicity",
    "first_language",
    "interpreter_required",
    "religion",
    "nhs_number",
    "upn",
    "ni_number",
    "phone",
    "mobile",
    "email",
    "gp_practice_code",
    "gp_practice_name",
)
_IDENTIFIERS = {
    "nhs_number": ("NHS number", validators.normalise_nhs_number),
    "upn": ("UPN", validators.normalise_upn),
    "ni_number": ("National Insurance number", validators.normalise_ni_number),
}
_TEXT_LIMITS = {
    "title": 20,
    "middle_names": 150,
    "preferred_name": 100,
    "first_language": 60,
    "religion": 60,
    "phone": 40,
    "mobile": 40,
    "email": 254,
    "gp_practice_code": 10,
    "gp_practice_name": 150,
}


def _clean_person_values(values: dict[str, Any], *, person_id: int | None) -> dict[str, Any]:
    """Validate and normalise; raise one ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)

    def check(field: str, func: Any) -> None:
        try:
            result = func()
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
        else:
            if result is not None:
                cleaned[field] = result

    for field, label in (("first_name", "First name"), ("last_name", "Last name")):
        if field in values:
            check(
                field,
                lambda f=field, lab=label: validators.validate_name(values[f] or "", label=lab),
            )
            if not cleaned.get(field) and field not in errors:
                errors[field] = [f"Enter a {label.lower()}."]
    for field, limit in _TEXT_LIMITS.items():
        if field in values:
            label = str(Person._meta.get_field(field).verbose_name).capitalize()  # type: ignore[union-attr]
            check(
                field,
                lambda f=field, lim=limit, lab=label: validators.validate_text(
                    values[f] or "", label=lab, max_length=lim
                ),
            )
    for field, (_label, normalise) in _IDENTIFIERS.items():
        if field in values:
            check(field, lambda f=field, n=normalise: n(values[f] or "") or None)
            if not values[field]:
                cleaned[field] = None
    if "date_of_birth" in values:
        check("date_of_birth", lambda: validators.validate_date_of_birth(values["date_of_birth"]))
    if "expected_date_of_birth" in values:
        check(
            "expected_date_of_birth",
            lambda: validators.validate_expected_date_of_birth(values["expected_date_of_birth"]),
        )
    death = values.get("date_of_death")
    if death is not None:
        if death > timezone.localdate():
            errors.setdefault("date_of_death", []).append(
                "Date of death must be today or in the past."
            )
        birth = values.get("date_of_birth")
        if birth and death < birth:
            errors.setdefault("date_of_death", []).append(
                "Date of death must be after the date of birth."
            )

    for field in _IDENTIFIERS:
        value = cleaned.get(field)
        if value and field not in errors:
            clash = Person.objects.filter(**{field: value}).exclude(pk=person_id or 0).first()
            if clash is not None and clash.access_level != Person.AccessLevel.ORDINARY:
                # The number is unique, so its clash cannot be hidden; whose it is can.
                errors.setdefault(field, []).append(
                    f"This {_IDENTIFIERS[field][0]} already belongs to a record you may not "
                    "be able to see. Ask your manager to check it."
                )
            elif clash is not None:
                errors.setdefault(field, []).append(
                    f"This {_IDENTIFIERS[field][0]} already belongs to another person "
                    f"(person ID {clash.pk}). Check for a duplicate record."
                )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply_name_keys(person: Person) -> list[str]:
    keys = name_keys(person.first_name, person.last_name)
    person.search_name = keys.search_name
    person.first_name_phonetic = keys.first_name_phonetic
    person.last_name_phonetic = keys.last_name_phonetic
    return ["search_name", "first_name_phonetic", "last_name_phonetic"]


def _save_unique(func: Any) -> Any:
    """Turn a unique-identifier race lost at the database into the same field error."""
    try:
        return func()
    except IntegrityError as error:
        message = str(error)
        for field, (label, _) in _IDENTIFIERS.items():
            if field in message:
                raise ValidationError(
                    {field: [f"This {label} already belongs to another person."]}
                ) from error
        raise


def person_create(
    *,
    actor: User,
    disabilities: Iterable[str] = (),
    address: dict[str, Any] | None = None,
    **values: Any,
) -> Person:
    """Create a person (optionally with a first address), audited."""
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_create() got unexpected fields: {sorted(unknown)}")
    values.setdefault("first_name", "")
    values.setdefault("last_name", "")
    cleaned = _clean_person_values(values, person_id=None)
    address_values = _clean_address(address) if address else None
    with transaction.atomic():
        person = Person(**cleaned, created_by=actor)
        _apply_name_keys(person)
        _save_unique(lambda: person.save(force_insert=True))
        disability_codes = _set_disabilities(person, disabilities)
        audit.record_change(
            actor=actor,
            action="create",
            instance=person,
            person_id=person.pk,
            changes={
                **audit.created(person, PERSON_FIELDS),
                **({"disabilities": [[], disability_codes]} if disability_codes else {}),
            },
            summary="Created person record",
        )
        if address_values:
            address_add(actor=actor, person=person, **address_values)
    return person


def person_update(
    *, actor: User, person: Person, disabilities: Iterable[str] | None = None, **values: Any
) -> Person:
    """Change a person's details; the audit event holds each old and new value."""
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unexpected fields: {sorted(unknown)}")
    merged = {**audit.snapshot(person, PERSON_FIELDS), **values}
    # Dates come back from the snapshot as strings; validate against the real values.
    for field in ("date_of_birth", "expected_date_of_birth", "date_of_death"):
        merged[field] = values.get(field, getattr(person, field))
    cleaned = _clean_person_values(
        {
            name: merged[name]
            for name in PERSON_FIELDS
            if name in values or name in ("date_of_birth", "date_of_death")
        },
        person_id=person.pk,
    )
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = audit.snapshot(person, PERSON_FIELDS)
        for name in values:
            setattr(person, name, cleaned[name])
        changes = audit.diff(before, audit.snapshot(person, PERSON_FIELDS))
        update_fields = list(changes)
        if {"first_name", "last_name"} & set(changes):
            update_fields += _apply_name_keys(person)
        if disabilities is not None:
            old_codes = sorted(person.disabilities.values_list("code", flat=True))
            new_codes = _set_disabilities(person, disabilities, replace=True)
            if old_codes != new_codes:
                changes["disabilities"] = [old_codes, new_codes]
        if not changes:
            return person
        person.updated_at = timezone.now()
        update_fields.append("updated_at")
        _save_unique(lambda: person.save(update_fields=update_fields))
        audit.record_change(
            actor=actor,
            action="update",
            instance=person,
            person_id=person.pk,
            changes=changes,
            summary="Updated person details",
        )
    return person


def _set_disabilities(person: Person, codes: Iterable[str], *, replace: bool = False) -> list[str]:
    wanted = sorted(set(codes))
    invalid = [code for code in wanted if code not in Disability.values]
    if invalid:
        raise ValidationError({"disabilities": [f"Unknown disability code: {', '.join(invalid)}."]})
    if "NONE" in wanted and len(wanted) > 1:
        raise ValidationError(
            {"disabilities": ["'No disability' cannot be chosen with a disability."]}
        )
    if replace:
        person.disabilities.exclude(code__in=wanted).delete()
    existing = set(person.disabilities.values_list("code", flat=True)) if replace else set()
    PersonDisability.objects.bulk_create(
        [PersonDisability(person=person, code=code) for code in wanted if code not in existing]
    )
    return wanted


_ADDRESS_LABELS = {
    "line_1": "Address line 1",
    "line_2": "Address line 2",
    "town": "Town or city",
    "county": "County",
    "uprn": "UPRN",
}


def _clean_address(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    limits = {"line_1": 150, "line_2": 150, "town": 100, "county": 100, "uprn": 12}
    for field, limit in limits.items():
        try:
            cleaned[field] = validators.validate_text(
                values.get(field) or "",
                label=_ADDRESS_LABELS[field],
                max_length=limit,
            )
        except ValidationError as error:
            errors[field] = error.messages
    if not cleaned.get("line_1") and "line_1" not in errors:
        errors["line_1"] = ["Enter the first line of the address."]
    try:
        cleaned["postcode"] = validators.normalise_postcode(values.get("postcode") or "")
    except ValidationError as error:
        errors["postcode"] = error.messages
    start = values.get("start_date")
    if start is None:
        errors["start_date"] = ["Enter the date the person started living here."]
    end = values.get("end_date")
    if start and end and end < start:
        errors["end_date"] = ["The end date must be on or after the start date."]
    if cleaned.get("kind", Address.Kind.HOME) not in Address.Kind.values:
        errors["kind"] = ["Choose a kind of address."]
    if errors:
        raise ValidationError(errors)
    return cleaned


ADDRESS_FIELDS = (
    "kind",
    "line_1",
    "line_2",
    "town",
    "county",
    "postcode",
    "uprn",
    "is_confidential",
    "start_date",
    "end_date",
)


def address_add(*, actor: User, person: Person, **values: Any) -> Address:
    """Add an address. A new current home address ends the previous one the day before."""
    cleaned = _clean_address(values)
    with transaction.atomic():
        address = Address(
            person=person, **{k: v for k, v in cleaned.items() if k in ADDRESS_FIELDS}
        )
        if address.kind == Address.Kind.HOME and address.end_date is None:
            for previous in person.addresses.filter(
                kind=Address.Kind.HOME, end_date__isnull=True, start_date__lt=address.start_date
            ):
                previous.end_date = address.start_date - datetime.timedelta(days=1)
                previous.save(update_fields=["end_date"])
                audit.record_change(
                    actor=actor,
                    action="update",
                    instance=previous,
                    person_id=person.pk,
                    changes={"end_date": [None, previous.end_date.isoformat()]},
                    summary="Ended previous home address",
                )
        address.save(force_insert=True)
        audit.record_change(
            actor=actor,
            action="create",
            instance=address,
            person_id=person.pk,
            changes=audit.created(address, ADDRESS_FIELDS),
            summary="Added address",
        )
        person_refresh_current_postcode(person)
    return address


def person_refresh_current_postcode(person: Person) -> None:
    """Keep the denormalised current postcode (used by search) in step with the addresses."""
    today = timezone.localdate()
    current = (
        person.addresses.filter(start_date__lte=today)
        .exclude(end_date__lt=today)
        .order_by(
            Case(When(kind=Address.Kind.HOME, then=Value(0)), default=Value(1)), "-start_date"
        )
        .values_list("postcode", flat=True)
        .first()
    )
    postcode = (current or "").replace(" ", "")
    if person.current_postcode != postcode:
        person.current_postcode = postcode
        person.save(update_fields=["current_postcode"])


def person_name_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    first_name: str,
    last_name: str,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> PersonName:
    """Record a former name or alias, searchable like the current name."""
    errors: dict[str, list[str]] = {}
    for field, value, label in (
        ("first_name", first_name, "First name"),
        ("last_name", last_name, "Last name"),
    ):
        try:
            validators.validate_name(value, label=label)
        except ValidationError as error:
            errors[field] = error.messages
    if not (last_name or "").strip():
        errors.setdefault("last_name", ["Enter a last name."])
    if kind not in PersonName.Kind.values:
        errors["kind"] = ["Choose whether this is a former name, a name at birth or an alias."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        name = PersonName.objects.create(
            person=person,
            kind=kind,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            search_name=f"{fold(first_name)} {fold(last_name)}".strip(),
            start_date=start_date,
            end_date=end_date,
        )
        audit.record_change(
            actor=actor,
            action="create",
            instance=name,
            person_id=person.pk,
            changes={
                "kind": [None, kind],
                "first_name": [None, name.first_name],
                "last_name": [None, name.last_name],
            },
            summary="Added another name",
        )
    return name


def person_identifier_add(
    *, actor: User, person: Person, system: str, value: str
) -> PersonIdentifier:
    """Record the person's id in another system (each id belongs to one person only)."""
    system = validators.validate_text(system, label="System", max_length=60)
    value = validators.validate_text(value, label="Identifier", max_length=60)
    if not system or not value:
        raise ValidationError({"value": ["Enter both the system and the identifier."]})
    if PersonIdentifier.objects.filter(system=system, value=value).exclude(person=person).exists():
        raise ValidationError({"value": [f"{system} {value} already belongs to another person."]})
    with transaction.atomic():
        identifier, created = PersonIdentifier.objects.get_or_create(
            person=person, system=system, value=value
        )
        if created:
            audit.record_change(
                actor=actor,
                action="create",
                instance=identifier,
                person_id=person.pk,
                changes={"system": [None, system], "value": [None, value]},
                summary="Added identifier",
            )
    return identifier
