"""Forms for the chronology (add, hide, filter) and the access log's filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from casemgmt.models import AuditEvent
from clients import validators
from clients.forms.details import GovukDateField
from clients.forms.notes import CheckedTextField, DateRangeFilterForm
from clients.models import ChronologyEntry
from clients.services.chronology import HIDDEN_REASON_MAX_LENGTH

# Offered as suggestions when a worker adds an entry; any other category may be typed.
SUGGESTED_CATEGORIES = (
    "Significant event",
    "Referral",
    "Assessment",
    "Strategy discussion",
    "Child protection conference",
    "Review",
    "Court or legal",
    "Placement or move",
    "Health",
    "Education",
    "Police involvement",
    "Family event",
    "Missing episode",
)


def _text(label: str, max_length: int, *, required: str = "") -> Callable[[str], str]:
    """A check for CheckedTextField: printable text, within the limit, and present if required."""

    def check(value: str) -> str:
        cleaned = validators.validate_text(value, label=label, max_length=max_length)
        if required and not cleaned:
            raise ValidationError(required, code="required")
        return cleaned

    return check


class ChronologyEntryForm(forms.Form):
    event_date = GovukDateField(label="The date it happened")
    category = CheckedTextField(check=_text("Category", 60, required="Enter a category."))
    summary = CheckedTextField(check=_text("Summary", 500, required="Enter what happened."))
    detail = CheckedTextField(check=_text("Detail", 10_000), widget=forms.Textarea)

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ChronologyHideForm(forms.Form):
    reason = CheckedTextField(
        check=_text(
            "Reason",
            HIDDEN_REASON_MAX_LENGTH,
            required="Enter why this entry should be hidden.",
        ),
        widget=forms.Textarea,
    )


class ChronologyFilterForm(DateRangeFilterForm):
    category = forms.CharField(required=False, max_length=60)
    source = forms.ChoiceField(
        choices=[("", "Any source"), *ChronologyEntry.Source.choices], required=False
    )
    show_hidden = forms.BooleanField(required=False, label="Show hidden entries")

    def __init__(self, *args: Any, categories: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories or []

    def service_filters(self) -> dict[str, Any]:
        """Keyword arguments for clients.services.chronology.chronology_entries."""
        valid = self.valid_filters()
        return {
            "date_from": valid.get("date_from"),
            "date_to": valid.get("date_to"),
            "category": valid.get("category") or "",
            "source": valid.get("source") or "",
            "include_hidden": bool(valid.get("show_hidden")),
        }


class AccessLogFilterForm(DateRangeFilterForm):
    user = forms.CharField(required=False, max_length=150)
    kind = forms.ChoiceField(choices=[("", "Any"), *AuditEvent.Kind.choices], required=False)

    def __init__(self, *args: Any, usernames: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.usernames = usernames or []
