"""Forms for the governance pages: the filters, and a reviewer's outcome on a flag."""

from __future__ import annotations

from typing import Any

from django import forms

from clients.forms.details import GovukForm, GovukTextField, choice_field
from clients.forms.notes import DateRangeFilterForm
from governance.models import AccessFlag
from governance.services import NOTES_MAX_LENGTH


class UserAccessFilterForm(DateRangeFilterForm):
    """The date range above what a member of staff viewed."""


class FlagFilterForm(forms.Form):
    """The queue's filters; a value that is not one of the choices is reported and ignored."""

    status = forms.ChoiceField(
        choices=[("", "Any"), *AccessFlag.Status.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    rule = forms.ChoiceField(
        choices=[("", "Any"), *AccessFlag.Rule.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a rule from the list."},
    )

    def valid_filters(self) -> dict[str, Any]:
        """The filters that parsed; a bad one is reported on its field and left out."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }


class FlagReviewForm(GovukForm):
    """What the reviewer found: an outcome and notes, both required."""

    outcome = choice_field(
        "Outcome",
        AccessFlag.Outcome.choices,
        required=True,
        widget=forms.RadioSelect,
        message="Choose the outcome of the review.",
    )
    notes = GovukTextField(
        label="Notes",
        max_length=NOTES_MAX_LENGTH,
        required=True,
        one_line=False,
        widget=forms.Textarea,
        required_message="Enter notes on what you found and did.",
        help_text="What you checked, who you spoke to and what happens next.",
    )
