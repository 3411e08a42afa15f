"""Forms for case notes, the fields other forms in this area reuse, and the date filters."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.models import User
from clients.forms.details import GovukDateField
from clients.models import CaseNote, NoteType
from clients.services import notes as note_services

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)


class CheckedTextField(forms.CharField):
    """Free text checked by one function that names the field in its messages.

    Django's own "Null characters are not allowed." is replaced by the check's message
    (which also refuses other control characters and hidden text-direction marks).
    """

    def __init__(self, *, check: Callable[[str], Any], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(strip=False, **kwargs)
        self.check = check
        self.validators = []

    def clean(self, value: Any) -> Any:
        return self.check(self.to_python(value) or "")


def parse_time(value: str) -> datetime.time | None:
    """'14:30', '2.30pm', '9am' -> a time; blank -> None."""
    text = (value or "").strip()
    if not text:
        return None
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValidationError("Enter the time like 14:30 or 2:30pm.", code="invalid")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").replace(".", "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValidationError("Enter a real time, like 14:30 or 2:30pm.", code="invalid")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValidationError("Enter a real time, like 14:30 or 2:30pm.", code="invalid")
    return datetime.time(hour, minute)


def parse_version(value: str | None) -> int:
    """The draft version a form was loaded with; 0 (never a real version) if unreadable."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    return 0


class CaseNoteForm(forms.Form):
    """Writing or changing a case note. `version` is only used when editing a draft."""

    type = forms.ModelChoiceField(
        queryset=NoteType.objects.none(),
        empty_label="Choose a type",
        required=False,
        error_messages={"invalid_choice": "Choose the type of note from the list."},
    )
    event_date = GovukDateField(label="The date it happened")
    event_time = CheckedTextField(check=parse_time)
    subject = CheckedTextField(check=note_services.clean_subject)
    body = CheckedTextField(check=note_services.clean_body, widget=forms.Textarea)
    is_significant = forms.BooleanField(required=False)
    version = CheckedTextField(check=parse_version, widget=forms.HiddenInput)

    # Service field names -> the form field showing the message.
    SERVICE_FIELDS = {"event_at": "event_date"}

    def __init__(self, *args: Any, current_type: NoteType | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = NoteType.objects.filter(is_active=True)
        if current_type is not None:
            types = NoteType.objects.filter(is_active=True) | NoteType.objects.filter(
                pk=current_type.pk
            )
        self.fields["type"].queryset = types.order_by("name")  # type: ignore[attr-defined]
        self.current_type = current_type

    @classmethod
    def initial_from(cls, note: CaseNote) -> dict[str, Any]:
        local = timezone.localtime(note.event_at)
        return {
            "type": note.type_id,
            "event_date": local.date(),
            "event_time": local.strftime("%H:%M"),
            "subject": note.subject,
            "body": note.body,
            "is_significant": note.is_significant,
            "version": note.version,
        }

    def clean_type(self) -> NoteType:
        return note_services.clean_type(self.cleaned_data.get("type"), current=self.current_type)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day = cleaned.get("event_date")
        if day is None or "event_time" in self.errors:
            return cleaned
        time = cleaned.get("event_time")
        now = timezone.localtime()
        if time is None:
            # No time given: now, for something earlier today; otherwise midday.
            is_today = day == now.date()
            time = now.time().replace(second=0, microsecond=0) if is_today else datetime.time(12)
        moment = timezone.make_aware(datetime.datetime.combine(day, time))
        try:
            cleaned["event_at"] = note_services.clean_event_at(moment)
        except ValidationError as error:
            if day == now.date() and cleaned.get("event_time") is not None:
                self.add_error("event_time", "The time it happened must be now or in the past.")
            else:
                self.add_error("event_date", error)
        return cleaned

    def note_values(self) -> dict[str, Any]:
        """What the services take, from a valid form."""
        data = self.cleaned_data
        return {
            "type": data["type"],
            "subject": data["subject"],
            "body": data["body"],
            "event_at": data["event_at"],
            "is_significant": data["is_significant"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            target = self.SERVICE_FIELDS.get(field, field)
            self.add_error(target if target in self.fields else None, messages)


class DateRangeFilterForm(forms.Form):
    """Filters with a from/to date; a filter that does not parse is reported and ignored.

    Each date is typed into day, month and year boxes (date_from_day, date_from_month,
    date_from_year; the same for date_to), drawn by clients/_date_range_filter.html.
    """

    date_from = GovukDateField(label="The “from” date", required=False)
    date_to = GovukDateField(label="The “to” date", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The “to” date must be the same as or after the “from” date.")
        return cleaned

    def valid_filters(self) -> dict[str, Any]:
        """The filters that parsed; a bad one is reported on its field and left out."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }


class NoteFilterForm(DateRangeFilterForm):
    """The filters above a person's notes."""

    type = forms.ModelChoiceField(
        queryset=NoteType.objects.order_by("name"), required=False, empty_label="Any type"
    )
    significant = forms.BooleanField(required=False, label="Significant events only")
    author = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone"
    )

    def __init__(self, *args: Any, authors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if authors is not None:
            self.fields["author"].queryset = authors  # type: ignore[attr-defined]
