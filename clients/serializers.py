"""What the people API accepts and what it answers.

Input serializers check shape and type: that a name is a JSON string no longer than
its column, a date is ISO 8601, a code is on its list, and that no unknown field was
sent. The rules about content (control and text-direction characters, NHS number check
digits, postcodes, dates in the future) belong to the person services, so a caller of
the API and a worker at a form get the same message for the same mistake (search
criteria, likewise, are checked by `clients.search`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.validators import (
    EmailValidator,
    MaxLengthValidator,
    ProhibitNullCharactersValidator,
)
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.utils.urls import replace_query_param

from clients.codes import Disability, Ethnicity, GenderIdentity, Sex
from clients.models import Address, AlertType, Person, PersonName

# ----------------------------------------------------------------------------------------
# Strict fields: JSON has types, and a number where text belongs is a mistake to report.
# ----------------------------------------------------------------------------------------


class TextField(serializers.CharField):
    """A JSON string and nothing else (DRF would quietly turn 42 into "42")."""

    def __init__(self, *, label: str, max_length: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        super().__init__(label=label, **kwargs)
        # The services refuse NUL along with every other control character, by field name.
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]
        if max_length is not None:
            self.max_length = max_length
            # Worded as the services word it, so the API and the pages say the same.
            message = (
                label.replace("%", "%%")
                + " must be %(limit_value)d characters or fewer (you entered %(show_value)d)."
            )
            self.validators.append(MaxLengthValidator(max_length, message=message))

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(f"{self.label} must be text.", code="invalid")
        return str(super().to_internal_value(data))


class EmailTextField(TextField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(
            EmailValidator(
                message="Enter an email address in the correct format, like name@example.com."
            )
        )


class StrictBooleanField(serializers.BooleanField):
    """true or false only: not "yes", 1 or "on"."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            raise serializers.ValidationError(
                f"{self.label} must be true or false.", code="invalid"
            )
        return data


class StrictDateField(serializers.DateField):
    """An ISO 8601 date string, like "2015-03-14"."""

    def to_internal_value(self, value: Any) -> datetime.date:
        message = f"{self.label} must be a real date written as YYYY-MM-DD, like 2015-03-14."
        if not isinstance(value, str):
            raise serializers.ValidationError(message, code="invalid")
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(message, code="invalid") from error


class CodeField(serializers.ChoiceField):
    """One code from a fixed list; the message lists the codes."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data in self.choice_strings_to_values:
            return self.choice_strings_to_values[data]
        codes = ", ".join(str(code) for code in self.choices if code != "")
        raise serializers.ValidationError(
            f"{self.label} must be one of these codes: {codes}.", code="invalid_choice"
        )


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming each one, rather than ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        if isinstance(data, Mapping):
            for name in data:
                if name not in self.fields:
                    errors[_printable(name)] = [
                        "This field is not recognised. Check its spelling against the "
                        "API schema, or leave it out."
                    ]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(error.detail, Mapping):
                raise
            errors = {**error.detail, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return value


def _printable(name: object) -> str:
    """A field name safe to echo back in an error: short, and encodable as UTF-8."""
    text = str(name)[:100]
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# ----------------------------------------------------------------------------------------
# Input
# ----------------------------------------------------------------------------------------


def _text(label: str, max_length: int | None, **kwargs: Any) -> TextField:
    return TextField(label=label, max_length=max_length, required=False, allow_null=True, **kwargs)


def _date(label: str, help_text: str = "") -> StrictDateField:
    return StrictDateField(label=label, required=False, allow_null=True, help_text=help_text)


@extend_schema_serializer(component_name="NewAddress")
class AddressInput(StrictSerializer):
    """An address the person lives at, lived at or will live at."""

    kind = CodeField(
        label="Kind of address", choices=Address.Kind.choices, required=False, default="home"
    )
    line_1 = TextField(
        label="Address line 1",
        max_length=150,
        allow_blank=False,
        error_messages={
            "required": "Enter the first line of the address.",
            "blank": "Enter the first line of the address.",
        },
    )
    line_2 = _text("Address line 2", 150)
    town = _text("Town or city", 100)
    county = _text("County", 100)
    postcode = _text("Postcode", None, help_text="A UK postcode, like SW1A 1AA.")
    uprn = _text("UPRN", 12, help_text="Unique Property Reference Number.")
    is_confidential = StrictBooleanField(
        label="Confidential",
        required=False,
        default=False,
        help_text="The address must not be shared (for example a refuge).",
    )
    start_date = StrictDateField(
        label="Start date",
        error_messages={"required": "Enter the date the person started living here."},
        help_text="When the person started living here.",
    )
    end_date = _date("End date", "When the person stopped living here.")


class _PersonFieldsInput(StrictSerializer):
    """The fields a worker edits on a person; shared by create and update."""

    title = _text("Title", 20)
    first_name = TextField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter a first name.", "null": "Enter a first name."},
    )
    middle_names = _text("Middle names", 150)
    last_name = TextField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter a last name.", "null": "Enter a last name."},
    )
    preferred_name = _text("Preferred name", 100)
    date_of_birth = _date("Date of birth")
    date_of_birth_is_estimated = StrictBooleanField(
        label="Date of birth is estimated", required=False
    )
    expected_date_of_birth = _date("Expected date of birth", "For an unborn child.")
    date_of_death = _date("Date of death")
    sex = CodeField(label="Sex", choices=Sex.choices, required=False)
    gender_identity = CodeField(
        label="Gender identity",
        choices=GenderIdentity.choices,
        allow_blank=True,
        required=False,
    )
    ethnicity = CodeField(
        label="Ethnicity",
        choices=Ethnicity.choices,
        allow_blank=True,
        required=False,
        help_text="DfE/NHS ethnicity code.",
    )
    first_language = _text("First language", 60)
    interpreter_required = StrictBooleanField(label="Interpreter required", required=False)
    religion = _text("Religion", 60)
    nhs_number = _text(
        "NHS number",
        None,
        help_text="10 digits with a valid check digit, like 943 476 5919 (spaces are ignored).",
    )
    upn = _text("UPN", None, help_text="Unique pupil number: a check letter then 12 characters.")
    ni_number = _text("National Insurance number", None, help_text="Like QQ 12 34 56 C.")
    phone = _text("Phone", 40)
    mobile = _text("Mobile", 40)
    email = EmailTextField(label="Email", max_length=254, required=False, allow_null=True)
    gp_practice_code = _text("GP practice code", 10)
    gp_practice_name = _text("GP practice name", 150)
    disabilities = serializers.ListField(
        label="Disabilities",
        child=CodeField(label="Disability", choices=Disability.choices),
        required=False,
        max_length=len(Disability.choices),
        help_text="Disability codes. Replaces the person's list when sent.",
    )


@extend_schema_serializer(component_name="NewPerson")
class PersonCreateInput(_PersonFieldsInput):
    """A new person: a first and last name are all that is required."""

    address = AddressInput(
        required=False, allow_null=True, help_text="The person's first address, if known."
    )


@extend_schema_serializer(component_name="PersonChanges")
class PersonUpdateInput(_PersonFieldsInput):
    """Changes to a person's details: only the fields sent are changed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


# ----------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Address")
class AddressOutput(serializers.Serializer):
    """An address, from when to when (no end date: still living there)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Address.Kind.choices)
    line_1 = serializers.CharField()
    line_2 = serializers.CharField()
    town = serializers.CharField()
    county = serializers.CharField()
    postcode = serializers.CharField()
    uprn = serializers.CharField()
    is_confidential = serializers.BooleanField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="OtherName")
class OtherNameOutput(serializers.Serializer):
    """A former name, a name at birth or an alias."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PersonName.Kind.choices)
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="OtherIdentifier")
class IdentifierOutput(serializers.Serializer):
    """The person's id in another system."""

    system = serializers.CharField(help_text="The system that issued the id, like a legacy system.")
    value = serializers.CharField()


@extend_schema_serializer(component_name="Alert")
class AlertOutput(serializers.Serializer):
    """A warning shown on every page of the person, like a risk to staff."""

    id = serializers.IntegerField()
    type = serializers.CharField(source="type.code", help_text="The alert type's code.")
    name = serializers.CharField(source="type.name")
    severity = serializers.ChoiceField(source="type.severity", choices=AlertType.Severity.choices)
    description = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="Allocation")
class AllocationOutput(serializers.Serializer):
    """The person's allocated worker and team."""

    role = serializers.CharField(source="role.name")
    worker_id = serializers.IntegerField(allow_null=True)
    worker_name = serializers.SerializerMethodField()
    team_id = serializers.IntegerField()
    team_name = serializers.CharField(source="team.name")
    start_date = serializers.DateField()

    def get_worker_name(self, involvement: Any) -> str | None:
        return str(involvement.worker) if involvement.worker_id else None


@extend_schema_serializer(component_name="Person")
class PersonDetailOutput(serializers.Serializer):
    """The person record as a worker sees it on the person page."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    first_name = serializers.CharField()
    middle_names = serializers.CharField()
    last_name = serializers.CharField()
    preferred_name = serializers.CharField()
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    date_of_birth_is_estimated = serializers.BooleanField()
    expected_date_of_birth = serializers.DateField(allow_null=True)
    date_of_death = serializers.DateField(allow_null=True)
    age = serializers.IntegerField(allow_null=True, help_text="In whole years, today.")
    is_deceased = serializers.BooleanField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    gender_identity = serializers.ChoiceField(choices=GenderIdentity.choices, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, allow_blank=True)
    first_language = serializers.CharField()
    interpreter_required = serializers.BooleanField()
    religion = serializers.CharField()
    disabilities = serializers.SerializerMethodField()
    nhs_number = serializers.CharField(allow_null=True)
    upn = serializers.CharField(allow_null=True)
    ni_number = serializers.CharField(allow_null=True)
    other_identifiers = IdentifierOutput(source="identifiers", many=True)
    phone = serializers.CharField()
    mobile = serializers.CharField()
    email = serializers.CharField()
    gp_practice_code = serializers.CharField()
    gp_practice_name = serializers.CharField()
    current_address = serializers.SerializerMethodField()
    addresses = AddressOutput(many=True, help_text="Every address, the latest first.")
    other_names = OtherNameOutput(many=True, help_text="Former names and aliases.")
    alerts = AlertOutput(source="open_alerts", many=True, help_text="Alerts open today.")
    current_allocation = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=Disability.choices))
    )
    def get_disabilities(self, person: Person) -> list[str]:
        return sorted(disability.code for disability in person.disabilities.all())

    @extend_schema_field(AddressOutput(allow_null=True))
    def get_current_address(self, person: Person) -> dict[str, Any] | None:
        address = current_address(person)
        return AddressOutput(address).data if address is not None else None

    @extend_schema_field(AllocationOutput(allow_null=True))
    def get_current_allocation(self, person: Person) -> dict[str, Any] | None:
        allocations = getattr(person, "open_allocations", [])
        return AllocationOutput(allocations[0]).data if allocations else None


def current_address(person: Person) -> Address | None:
    """Where the person lives today: a home address before any other kind, the latest first.

    The same rule that keeps ``Person.current_postcode`` for search; reads the
    prefetched addresses.
    """
    today = timezone.localdate()
    current = [address for address in person.addresses.all() if address.is_current_on(today)]
    current.sort(key=lambda address: address.start_date, reverse=True)
    current.sort(key=lambda address: address.kind != Address.Kind.HOME)
    return current[0] if current else None


# ----------------------------------------------------------------------------------------
# Search
# ----------------------------------------------------------------------------------------


def _whole_number(label: str, low: int, high: int) -> serializers.IntegerField:
    return serializers.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        error_messages={
            "invalid": f"{label} must be a whole number.",
            "min_value": f"{label} must be between {low} and {high}.",
            "max_value": f"{label} must be between {low} and {high}.",
            "max_string_length": f"{label} must be between {low} and {high}.",
        },
    )


class PersonSearchInput(StrictSerializer):
    """What to look for: any of a name, date of birth (or part of one), identifier, postcode."""

    name = TextField(
        label="Name",
        required=False,
        help_text="All or part of a name, current or former; typos and sound-alikes are found.",
    )
    dob = TextField(
        label="Date of birth",
        required=False,
        help_text="A date of birth, 2015-03-14, or part of one: 2015-03 or 2015.",
    )
    dob_year = _whole_number("Year of birth", 1000, 9999)
    dob_month = _whole_number("Month of birth", 1, 12)
    dob_day = _whole_number("Day of birth", 1, 31)
    identifier = TextField(
        label="Identifier",
        required=False,
        help_text="An NHS number, UPN, National Insurance number, person ID or legacy id.",
    )
    postcode = TextField(
        label="Postcode",
        required=False,
        help_text="A full postcode, SW1A 1AA, or its first half, SW1A.",
    )
    page = _whole_number("Page", 1, 10_000)


@extend_schema_serializer(component_name="PersonSearchResult")
class PersonMatchOutput(serializers.Serializer):
    """One person found: enough to tell people apart and open the right record."""

    id = serializers.IntegerField(source="person.pk")
    full_name = serializers.CharField(source="person.full_name")
    first_name = serializers.CharField(source="person.first_name")
    last_name = serializers.CharField(source="person.last_name")
    preferred_name = serializers.CharField(source="person.preferred_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    age = serializers.IntegerField(source="person.age", allow_null=True)
    is_deceased = serializers.BooleanField(source="person.is_deceased")
    sex = serializers.ChoiceField(source="person.sex", choices=Sex.choices)
    nhs_number = serializers.CharField(source="person.nhs_number", allow_null=True)
    postcode = serializers.CharField(help_text="The current postcode, if any.")
    matched_name = serializers.CharField(
        help_text="The former name or alias that matched, when it was not the current name."
    )
    matched_name_kind = serializers.CharField(
        help_text='What kind of name matched, like "Former name"; empty for the current name.'
    )
    score = serializers.FloatField(
        help_text="How well the name matched: higher is better. 0 when no name was given."
    )


@extend_schema_serializer(component_name="PersonSearchResults")
class PersonSearchOutput(serializers.Serializer):
    """A page of people found, best match first."""

    count = serializers.IntegerField(source="total", help_text="People found in all.")
    is_capped = serializers.BooleanField(
        help_text="The name matched so many people that `count` is a lower bound: narrow "
        "the search with a date of birth or postcode."
    )
    page = serializers.IntegerField(
        help_text="This page's number (a page past the last gives the last)."
    )
    page_count = serializers.IntegerField()
    page_size = serializers.IntegerField(source="per_page")
    next = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()
    results = PersonMatchOutput(source="matches", many=True)

    def get_next(self, results: Any) -> str | None:
        return self._page_url(results.page + 1) if results.has_next else None

    def get_previous(self, results: Any) -> str | None:
        return self._page_url(results.page - 1) if results.has_previous else None

    def _page_url(self, page: int) -> str:
        return str(replace_query_param(self.context["request"].build_absolute_uri(), "page", page))
