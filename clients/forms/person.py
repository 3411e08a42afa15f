"""Adding a person (with a first address), and the reason asked for when merging two records.

The person form reuses the fields of ``PersonDetailsForm`` (the same labels, checks and
messages as changing a person's details), keeping the core ones a worker has at hand
when someone is first referred.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients import validators
from clients.forms.details import (
    AddressForm,
    GovukDateField,
    GovukForm,
    GovukTextField,
    PersonDetailsForm,
)
from clients.models import Address
from clients.names import fold
from clients.services.merge import MAX_REASON_LENGTH

# The fields of PersonDetailsForm a new record starts with, in the order they are shown.
PERSON_FIELDS = (
    "first_name",
    "middle_names",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "date_of_birth_is_estimated",
    "expected_date_of_birth",
    "sex",
    "ethnicity",
    "first_language",
    "interpreter_required",
    "nhs_number",
    "upn",
    "ni_number",
)
ADDRESS_FIELDS = ("line_1", "line_2", "town", "postcode", "start_date")
# person_create's address errors are named as on the address; here they carry a prefix.
ADDRESS_ERRORS = {name: f"address_{name}" for name in (*ADDRESS_FIELDS, "county", "kind")}


def _detail_field(name: str) -> forms.Field:
    return copy.deepcopy(PersonDetailsForm.base_fields[name])


def _address_field(name: str, **changes: Any) -> forms.Field:
    field = copy.deepcopy(AddressForm.base_fields[name])
    for attribute, value in changes.items():
        setattr(field, attribute, value)
    return field


class PersonCreateForm(GovukForm):
    """The core details of someone new, and optionally where they live."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keep the field order of the page: the person, then the address.
        self.order_fields([*PERSON_FIELDS, *(f"address_{name}" for name in ADDRESS_FIELDS)])

    first_name = _detail_field("first_name")
    middle_names = _detail_field("middle_names")
    last_name = _detail_field("last_name")
    preferred_name = _detail_field("preferred_name")
    date_of_birth = _detail_field("date_of_birth")
    date_of_birth_is_estimated = _detail_field("date_of_birth_is_estimated")
    expected_date_of_birth = _detail_field("expected_date_of_birth")
    sex = _detail_field("sex")
    ethnicity = _detail_field("ethnicity")
    first_language = _detail_field("first_language")
    interpreter_required = _detail_field("interpreter_required")
    nhs_number = _detail_field("nhs_number")
    upn = _detail_field("upn")
    ni_number = _detail_field("ni_number")

    address_line_1 = _address_field(
        "line_1",
        label="Address line 1",
        required=False,
        help_text="Leave the address empty if you do not know where they live.",
    )
    address_line_2 = _address_field("line_2")
    address_town = _address_field("town")
    address_postcode = _address_field(
        "postcode", label="Postcode", help_text="For example, SW1A 1AA"
    )
    address_start_date = GovukDateField(
        label="Date they started living here (optional)",
        required=False,
        help_text="For example, 1 9 2023. If you leave this empty, today's date is used.",
    )

    clean_nhs_number = PersonDetailsForm.clean_nhs_number
    clean_upn = PersonDetailsForm.clean_upn
    clean_ni_number = PersonDetailsForm.clean_ni_number
    clean_date_of_birth = PersonDetailsForm.clean_date_of_birth
    clean_expected_date_of_birth = PersonDetailsForm.clean_expected_date_of_birth

    def clean_address_postcode(self) -> str:
        return validators.normalise_postcode(self.cleaned_data["address_postcode"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date_of_birth") and cleaned.get("expected_date_of_birth"):
            self.add_error(
                "expected_date_of_birth",
                "Enter a date of birth or an expected date of birth, not both.",
            )
        if self.has_address():
            if not cleaned.get("address_line_1") and "address_line_1" not in self.errors:
                self.add_error("address_line_1", "Enter the first line of the address.")
            if not cleaned.get("address_postcode") and "address_postcode" not in self.errors:
                self.add_error(
                    "address_postcode", "Enter the postcode, or leave the whole address empty."
                )
            start = cleaned.get("address_start_date")
            if start is not None and start > timezone.localdate():
                self.add_error(
                    "address_start_date",
                    "The date they started living here must be today or in the past.",
                )
        return cleaned

    def has_address(self) -> bool:
        """Whether anything was typed into the address boxes."""
        return any(
            str(self.data.get(self.add_prefix(f"address_{name}"), "")).strip()
            for name in ("line_1", "line_2", "town", "postcode")
        )

    def person_values(self) -> dict[str, Any]:
        """What person_create takes, from a valid form."""
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}

    def address_values(self) -> dict[str, Any] | None:
        if not self.has_address():
            return None
        return {
            "kind": Address.Kind.HOME,
            "line_1": self.cleaned_data["address_line_1"],
            "line_2": self.cleaned_data["address_line_2"],
            "town": self.cleaned_data["address_town"],
            "postcode": self.cleaned_data["address_postcode"],
            "start_date": self.cleaned_data.get("address_start_date") or timezone.localdate(),
        }

    def duplicate_check(self) -> dict[str, Any]:
        """What likely_duplicates takes, from a valid form."""
        address = self.address_values()
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "date_of_birth": self.cleaned_data.get("date_of_birth"),
            "nhs_number": self.cleaned_data.get("nhs_number") or None,
            "postcode": address["postcode"] if address else None,
        }

    def signature(self) -> str:
        """A fingerprint of the details the duplicate check used, from a valid form.

        The worker's "none of these" answer holds only for the details it was given for:
        change the name or date of birth and the check runs again.
        """
        check = self.duplicate_check()
        dob = check["date_of_birth"]
        text = "|".join(
            [
                fold(check["first_name"]),
                fold(check["last_name"]),
                dob.isoformat() if isinstance(dob, datetime.date) else "",
                check["nhs_number"] or "",
                (check["postcode"] or "").replace(" ", ""),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


class MergeForm(GovukForm):
    reason = GovukTextField(
        label="Why are these the same person?",
        max_length=MAX_REASON_LENGTH,
        required=True,
        required_message="Enter why these records are the same person.",
        one_line=False,
        widget=forms.Textarea,
        help_text="For example, the same NHS number and date of birth; confirmed with the GP.",
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"]
        if not reason.strip():
            raise ValidationError("Enter why these records are the same person.")
        return reason
