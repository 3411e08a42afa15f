"""Forms of the retention pages: filters, decisions on the review list, legal holds."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clients.forms.details import GovukDateField, GovukForm, GovukTextField, choice_field
from clients.record_access import REASON_MAX_LENGTH, validate_reason
from retention.models import RetentionRule
from retention.selectors import STATUS_FILTERS
from retention.services import REFERENCE_MAX_LENGTH, Decision

_PERSON_ID = re.compile(r"[0-9]{1,18}")


class _FilterForm(forms.Form):
    def valid_filters(self) -> dict[str, Any]:
        """The filters that parsed; a bad one is reported on its field and left out."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }


class ReviewFilterForm(_FilterForm):
    """The review list's filters: which entries, and which rule."""

    status = forms.ChoiceField(
        label="Status",
        choices=STATUS_FILTERS,
        required=False,
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    rule = forms.ChoiceField(
        label="Rule",
        required=False,
        error_messages={"invalid_choice": "Choose a rule from the list."},
    )

    def __init__(self, *args: Any, rules: list[RetentionRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [  # type: ignore[attr-defined]
            ("", "Any"),
            *((str(rule.pk), rule.name) for rule in rules),
        ]


class HoldFilterForm(_FilterForm):
    status = forms.ChoiceField(
        label="Holds",
        choices=[("active", "In place"), ("released", "Released"), ("all", "All")],
        required=False,
        error_messages={"invalid_choice": "Choose which holds from the list."},
    )


class FindPersonForm(GovukForm):
    """A record to place a hold on, by its person ID (shown in every record's banner)."""

    person = GovukTextField(
        label="Person ID",
        max_length=20,
        required=True,
        required_message="Enter the person ID of the record.",
        help_text="The number in the record's banner, like 1042.",
    )

    def clean_person(self) -> int:
        value = self.cleaned_data["person"].replace(" ", "")
        if not _PERSON_ID.fullmatch(value):
            raise ValidationError("Person ID must be a number, like 1042.")
        return int(value)


def _reason(label: str, hint: str, message: str) -> GovukTextField:
    return GovukTextField(
        label=label,
        max_length=REASON_MAX_LENGTH,
        required=True,
        required_message=message,
        subject="Reason",
        one_line=False,
        widget=forms.Textarea,
        help_text=hint,
    )


def _reference() -> GovukTextField:
    return GovukTextField(
        label="Reference",
        max_length=REFERENCE_MAX_LENGTH,
        help_text="The court case, inquiry or claim, for example IICSA or a claim number.",
        required_message="Enter the reference of the court case, inquiry or claim.",
    )


class _ReasonForm(GovukForm):
    def clean_reason(self) -> str:
        try:
            return validate_reason(self.cleaned_data.get("reason"))
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class DecisionForm(_ReasonForm):
    """What happens to a record whose retention period has ended."""

    decision = choice_field(
        "What should happen to the record?",
        Decision.CHOICES,
        required=True,
        widget=forms.RadioSelect,
        message="Choose what should happen to the record.",
    )
    retain_until = GovukDateField(
        label="Keep the record until",
        required=False,
        help_text="For example, 31 3 2031",
        error_messages={"required": "Enter the date to keep the record until."},
    )
    reference = _reference()
    reason = _reason(
        "Reason",
        "Between 10 and 1,000 characters: what you checked and why. It is kept in the "
        "record's access log.",
        "Enter the reason for your decision.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        # The service says the same; here the message lands beside the other fields' at once.
        retain = decision == Decision.RETAIN and "retain_until" not in self.errors
        if retain and cleaned.get("retain_until") is None:
            self.add_error("retain_until", "Enter the date to keep the record until.")
        hold = decision == Decision.HOLD and "reference" not in self.errors
        if hold and not cleaned.get("reference"):
            self.add_error("reference", "Enter the reference of the court case, inquiry or claim.")
        return cleaned


class ConfirmDestructionForm(GovukForm):
    confirmed = forms.BooleanField(
        label="I have checked the record and agree that it should be destroyed",
        required=False,
        help_text="Everything on the record is deleted, with its documents. This cannot be undone.",
    )

    def clean_confirmed(self) -> bool:
        if not self.cleaned_data.get("confirmed"):
            raise ValidationError(
                "Confirm that the record should be destroyed: this cannot be undone."
            )
        return True


class SendBackForm(_ReasonForm):
    reason = _reason(
        "Why send it back?",
        "Between 10 and 1,000 characters. The record goes back on the list to be decided again.",
        "Enter why the proposal is sent back.",
    )


class HoldForm(_ReasonForm):
    reference = GovukTextField(
        label="Reference",
        max_length=REFERENCE_MAX_LENGTH,
        required=True,
        help_text="The court case, inquiry or claim, for example IICSA or a claim number.",
        required_message="Enter the reference of the court case, inquiry or claim.",
    )
    reason = _reason(
        "Why must the record be kept?",
        "Between 10 and 1,000 characters. It is kept in the record's access log.",
        "Enter why the record must be kept.",
    )


class ReleaseForm(_ReasonForm):
    reason = _reason(
        "Why is the hold no longer needed?",
        "Between 10 and 1,000 characters. Once released, the record is reviewed again when "
        "its retention period has ended.",
        "Enter why the hold is no longer needed.",
    )
