"""Forms for a person's details, addresses and other names, drawn with GOV.UK components.

`GovukForm` tags each field with the component that draws it (see
clients/_records_field.html) and lists its errors for the error summary, each linked to
the input it is about. Checks use the same validators as the services, so a form shows
every problem at once; the services check again and their messages land on the same fields.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients import validators
from clients.codes import Disability, Ethnicity, GenderIdentity, Sex
from clients.models import Address, Person, PersonName

_DIGITS = re.compile(r"[0-9]+")


class GovukDateWidget(forms.MultiWidget):
    """The GOV.UK date input: boxes named <name>_day, <name>_month and <name>_year."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            widgets={
                "day": forms.TextInput(attrs={"inputmode": "numeric"}),
                "month": forms.TextInput(attrs={"inputmode": "numeric"}),
                "year": forms.TextInput(attrs={"inputmode": "numeric"}),
            },
            attrs=attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK design system's messages."""

    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if "required" not in (kwargs.get("error_messages") or {}):
            self.error_messages["required"] = f"Enter {_subject(str(self.label)).lower()}."

    def to_python(self, value: Any) -> datetime.date | None:
        parts = list(value) if isinstance(value, list | tuple) else []
        day, month, year = (str(part or "").strip() for part in (*parts, None, None, None)[:3])
        label = _subject(str(self.label or "Date"))
        if not (day or month or year):
            return None
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise ValidationError(
                f"{label} must include a {' and a '.join(missing)}.", code="incomplete"
            )
        if not all(_DIGITS.fullmatch(part) for part in (day, month, year)):
            raise ValidationError(f"{label} must be a real date.", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers.", code="year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(f"{label} must be a real date.", code="invalid") from error

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class GovukTextField(forms.CharField):
    """Free text checked like the services check it: length, control characters (NUL
    included), hidden text-direction marks and, for one-line fields, line breaks."""

    def __init__(
        self,
        *,
        label: str,
        max_length: int,
        required: bool = False,
        required_message: str = "",
        one_line: bool = True,
        subject: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(label=label, required=required, strip=True, **kwargs)
        self.limit = max_length
        self.one_line = one_line
        # What the messages call the field ("First name must be ..."), if not its label.
        self.subject = subject
        self.required_message = required_message or f"Enter {_subject(label).lower()}."
        self.validators = []

    def clean(self, value: Any) -> str:
        label = self.subject or _subject(str(self.label))
        text = validators.validate_text(
            self.to_python(value) or "", label=label, max_length=self.limit
        )
        if self.one_line and ("\n" in text or "\r" in text):
            raise ValidationError(f"{label} must be on one line.", code="newline")
        if self.required and not text:
            raise ValidationError(self.required_message, code="required")
        return text


def _subject(label: str) -> str:
    return label.removesuffix(" (optional)")


class _SelectOptions:
    """A select's options, grouped, with the chosen one marked (read when the page is drawn)."""

    def __init__(self, form: forms.Form, name: str) -> None:
        self.form = form
        self.name = name

    def __iter__(self) -> Iterator[tuple[str | None, list[dict[str, Any]], int | None]]:
        bound = self.form[self.name]
        widget = cast(forms.Select, bound.field.widget)
        return iter(widget.optgroups(bound.html_name, widget.format_value(bound.value())))


class GovukForm(forms.Form):
    """A form drawn with GOV.UK components, with the error summary's links."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.govuk = _component(field)  # type: ignore[attr-defined]
            if field.govuk == "select":  # type: ignore[attr-defined]
                field.govuk_options = _SelectOptions(self, name)  # type: ignore[attr-defined]

    def anchor(self, name: str) -> str:
        """The id of the input an error summary link for field `name` goes to."""
        auto_id = self[name].auto_id
        if getattr(self.fields[name], "govuk", "input") in ("date", "radios", "checkboxes"):
            return f"{auto_id}_0"
        return auto_id

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in the order the fields appear."""
        links: list[tuple[str, str]] = []
        first = self.anchor(next(iter(self.fields)))
        links.extend((first, str(error)) for error in self.non_field_errors())
        for name in self.fields:
            links.extend((self.anchor(name), str(error)) for error in self.errors.get(name, []))
        return links

    def add_service_errors(
        self, error: ValidationError, *, rename: dict[str, str] | None = None
    ) -> None:
        """Put a service's ValidationError on the fields it names (or on the whole form)."""
        rename = rename or {}
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            target = rename.get(field, field)
            self.add_error(target if target in self.fields else None, messages)


def _component(field: forms.Field) -> str:
    widget = field.widget
    if isinstance(field, GovukDateField):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


def _max_length(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def choice_field(
    label: str, choices: Any, *, blank: str | None = None, message: str = "", **kwargs: Any
) -> forms.ChoiceField:
    """A choice (select or radios) whose wrong or missing answer gets one clear message."""
    message = message or f"Choose {_subject(label).lower()} from the list."
    options = [("", blank), *choices] if blank is not None else list(choices)
    kwargs.setdefault("required", False)
    return forms.ChoiceField(
        label=label,
        choices=options,
        error_messages={"invalid_choice": message, "required": message},
        **kwargs,
    )


# What an unset value of each field looks like once cleaned, to compare with `initial`.
_EMPTY: dict[str, Any] = defaultdict(
    str,
    date_of_birth=None,
    expected_date_of_birth=None,
    date_of_death=None,
    date_of_birth_is_estimated=False,
    interpreter_required=False,
)


class PersonDetailsForm(GovukForm):
    """Every detail a worker edits on a person: names, dates, identity, identifiers, contact."""

    title = GovukTextField(label="Title (optional)", max_length=_max_length(Person, "title"))
    first_name = GovukTextField(
        label="First name",
        max_length=validators.MAX_NAME_LENGTH,
        required=True,
        required_message="Enter their first name.",
    )
    middle_names = GovukTextField(
        label="Middle names (optional)", max_length=_max_length(Person, "middle_names")
    )
    last_name = GovukTextField(
        label="Last name",
        max_length=validators.MAX_NAME_LENGTH,
        required=True,
        required_message="Enter their last name.",
    )
    preferred_name = GovukTextField(
        label="Preferred name (optional)",
        max_length=_max_length(Person, "preferred_name"),
        help_text="What they like to be called, if not their first name.",
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, help_text="For example, 27 3 2015"
    )
    date_of_birth_is_estimated = forms.BooleanField(
        label="The date of birth is an estimate", required=False
    )
    expected_date_of_birth = GovukDateField(
        label="Expected date of birth",
        required=False,
        help_text="For an unborn child only. For example, 14 11 2025",
    )
    date_of_death = GovukDateField(label="Date of death", required=False)
    sex = choice_field(
        "Sex",
        Sex.choices,
        widget=forms.RadioSelect,
        required=True,
        message="Choose the person's sex, or 'Not known'.",
    )
    gender_identity = choice_field(
        "Gender identity (optional)", GenderIdentity.choices, blank="Not recorded"
    )
    ethnicity = choice_field("Ethnicity (optional)", Ethnicity.choices, blank="Not recorded")
    first_language = GovukTextField(
        label="First language (optional)", max_length=_max_length(Person, "first_language")
    )
    interpreter_required = forms.BooleanField(label="Needs an interpreter", required=False)
    religion = GovukTextField(
        label="Religion (optional)", max_length=_max_length(Person, "religion")
    )
    disabilities = forms.MultipleChoiceField(
        label="Disabilities (optional)",
        choices=Disability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
        error_messages={"invalid_choice": "Choose disabilities from the list."},
    )
    nhs_number = GovukTextField(
        label="NHS number (optional)", max_length=20, help_text="10 digits, like 943 476 5919"
    )
    upn = GovukTextField(
        label="Unique pupil number (UPN) (optional)",
        max_length=20,
        help_text="13 characters, like A123456789012",
    )
    ni_number = GovukTextField(
        label="National Insurance number (optional)",
        max_length=20,
        help_text="Like QQ 12 34 56 C",
    )
    phone = GovukTextField(label="Phone (optional)", max_length=_max_length(Person, "phone"))
    mobile = GovukTextField(label="Mobile (optional)", max_length=_max_length(Person, "mobile"))
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com.",
            "max_length": "Email must be 254 characters or fewer.",
        },
    )
    gp_practice_code = GovukTextField(
        label="GP practice code (optional)",
        max_length=_max_length(Person, "gp_practice_code"),
        help_text="The practice's ODS code, like A81001",
    )
    gp_practice_name = GovukTextField(
        label="GP practice name (optional)", max_length=_max_length(Person, "gp_practice_name")
    )

    @classmethod
    def initial_for(cls, person: Person, disabilities: list[str]) -> dict[str, Any]:
        initial = {name: getattr(person, name) for name in cls.base_fields}
        initial["disabilities"] = disabilities
        for name in ("nhs_number", "upn", "ni_number"):
            initial[name] = initial[name] or ""
        return initial

    def clean_nhs_number(self) -> str:
        return validators.normalise_nhs_number(self.cleaned_data["nhs_number"])

    def clean_upn(self) -> str:
        return validators.normalise_upn(self.cleaned_data["upn"])

    def clean_ni_number(self) -> str:
        return validators.normalise_ni_number(self.cleaned_data["ni_number"])

    def clean_date_of_birth(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("date_of_birth")
        validators.validate_date_of_birth(value)
        return value

    def clean_expected_date_of_birth(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("expected_date_of_birth")
        # Only a new expected date must lie ahead: once the child is born, the one
        # recorded before stays as it was without blocking other changes.
        if value != self.initial.get("expected_date_of_birth"):
            validators.validate_expected_date_of_birth(value)
        return value

    def clean_disabilities(self) -> list[str]:
        codes = list(self.cleaned_data.get("disabilities") or [])
        if Disability.NONE in codes and len(codes) > 1:
            raise ValidationError("Choose 'No disability' or the disabilities, not both.")
        return codes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        death = cleaned.get("date_of_death")
        birth = cleaned.get("date_of_birth")
        if death is not None:
            if death > timezone.localdate():
                self.add_error("date_of_death", "Date of death must be today or in the past.")
            elif birth is not None and death < birth:
                self.add_error(
                    "date_of_death", "Date of death must be on or after the date of birth."
                )
        return cleaned

    def person_values(self) -> dict[str, Any]:
        """What `person_update` takes: the fields changed from `initial`, from a valid form.

        Passing only what changed means a value that was valid when recorded (an expected
        date of birth now past) is not checked again when something else is edited, and the
        change event lists exactly what the worker changed.
        """
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "disabilities" and value != (self.initial.get(name) or _EMPTY[name])
        }
        disabilities = sorted(self.cleaned_data["disabilities"])
        if disabilities != sorted(self.initial.get("disabilities") or []):
            values["disabilities"] = disabilities
        return values


class AddressForm(GovukForm):
    kind = choice_field(
        "What kind of address is this?",
        Address.Kind.choices,
        widget=forms.RadioSelect,
        required=True,
        initial=Address.Kind.HOME,
        message="Choose the kind of address.",
    )
    line_1 = GovukTextField(
        label="Address line 1",
        max_length=_max_length(Address, "line_1"),
        required=True,
        required_message="Enter the first line of the address.",
    )
    line_2 = GovukTextField(
        label="Address line 2 (optional)", max_length=_max_length(Address, "line_2")
    )
    town = GovukTextField(label="Town or city (optional)", max_length=_max_length(Address, "town"))
    county = GovukTextField(label="County (optional)", max_length=_max_length(Address, "county"))
    postcode = GovukTextField(
        label="Postcode",
        max_length=20,
        help_text="Leave empty only if the address has no postcode, such as an address abroad.",
    )
    uprn = GovukTextField(
        label="UPRN (optional)",
        max_length=20,
        help_text="The Unique Property Reference Number: up to 12 digits.",
    )
    is_confidential = forms.BooleanField(
        label="This address is confidential (for example, a refuge)", required=False
    )
    start_date = GovukDateField(
        label="Date they started living here",
        help_text="For example, 1 9 2023",
        error_messages={"required": "Enter the date they started living here."},
    )
    end_date = GovukDateField(
        label="Date they left (optional)",
        required=False,
        help_text="Leave empty if they still live here.",
    )

    def clean_postcode(self) -> str:
        return validators.normalise_postcode(self.cleaned_data["postcode"])

    def clean_uprn(self) -> str:
        value = str(self.cleaned_data["uprn"]).replace(" ", "")
        if value and not (_DIGITS.fullmatch(value) and len(value) <= 12):
            raise ValidationError("Enter a UPRN of up to 12 digits, like 100023336956.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                "The date they left must be on or after the date they started living here.",
            )
        return cleaned


class PersonNameForm(GovukForm):
    kind = choice_field(
        "What kind of name is this?",
        PersonName.Kind.choices,
        widget=forms.RadioSelect,
        required=True,
        message="Choose whether this is a former name, a name at birth or an alias.",
    )
    first_name = GovukTextField(
        label="First name (optional)", max_length=validators.MAX_NAME_LENGTH
    )
    last_name = GovukTextField(
        label="Last name",
        max_length=validators.MAX_NAME_LENGTH,
        required=True,
        required_message="Enter the last name.",
    )
    start_date = GovukDateField(label="Used from (optional)", required=False)
    end_date = GovukDateField(label="Used until (optional)", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Used until must be on or after used from.")
        return cleaned
