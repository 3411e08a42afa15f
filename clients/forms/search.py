"""The search form: name, date of birth (whole or in part), identifier, postcode.

The checks themselves live in ``clients.search.check_criteria`` so that the page and
the API refuse the same things with the same words; this form parses what was typed
into the boxes and puts each message on its field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from clients.forms.details import GovukDateField, GovukForm, GovukTextField
from clients.search import MAX_IDENTIFIER_LENGTH, MAX_NAME_LENGTH, SearchCriteria, check_criteria

SEARCH_FIELDS = ("name", "dob_day", "dob_month", "dob_year", "identifier", "postcode")
# Where check_criteria's messages go; "nothing to search for" sits on the first box.
_ERROR_FIELDS = {"date_of_birth": "dob", "__all__": "name"}


class PartialDateField(GovukDateField):
    """A date of birth typed in part: a year, a month and year, or the whole date."""

    def to_python(self, value: Any) -> tuple[int | None, int | None, int | None] | None:  # type: ignore[override]
        parts = list(value) if isinstance(value, list | tuple) else []
        texts = [str(part or "").strip() for part in (*parts, None, None, None)[:3]]
        if not any(texts):
            return None
        numbers: list[int | None] = []
        for text, name in zip(texts, ("Day", "Month", "Year"), strict=True):
            if not text:
                numbers.append(None)
                continue
            if not text.isascii() or not text.isdigit():
                raise ValidationError(f"{name} of birth must be a number.", code="invalid")
            if name == "Year" and len(text) != 4:
                raise ValidationError("Year of birth must include 4 numbers.", code="year")
            if len(text) > 4:
                raise ValidationError("Date of birth must be a real date.", code="invalid")
            numbers.append(int(text))
        return numbers[0], numbers[1], numbers[2]


class SearchForm(GovukForm):
    name = GovukTextField(
        label="Name",
        max_length=MAX_NAME_LENGTH,
        help_text="First and last name, or just the last name. Spelling mistakes are allowed for.",
    )
    dob = PartialDateField(
        label="Date of birth",
        required=False,
        help_text="For example, 27 3 2015. You can leave out the day, or the day and month.",
    )
    identifier = GovukTextField(
        label="Identifier",
        max_length=MAX_IDENTIFIER_LENGTH,
        help_text="NHS number, UPN, National Insurance number, person ID or another system's ID",
    )
    postcode = GovukTextField(
        label="Postcode", max_length=20, help_text="A full postcode, or its first half"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, month, year = cleaned.get("dob") or (None, None, None)
        criteria = SearchCriteria(
            name=cleaned.get("name") or "",
            dob_day=day,
            dob_month=month,
            dob_year=year,
            identifier=cleaned.get("identifier") or "",
            postcode=cleaned.get("postcode") or "",
        )
        try:
            check_criteria(criteria)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                field = _ERROR_FIELDS.get(key, key)
                # A field already refused keeps its own message; "nothing to search for"
                # only stands when no box has a problem of its own.
                if key == "__all__" and self.errors:
                    continue
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        self.criteria = criteria
        return cleaned

    def criteria_for_page(self, page: int) -> SearchCriteria:
        """The checked criteria, for results page `page`."""
        criteria: SearchCriteria = self.criteria
        return SearchCriteria(
            name=criteria.name,
            dob_day=criteria.dob_day,
            dob_month=criteria.dob_month,
            dob_year=criteria.dob_year,
            identifier=criteria.identifier,
            postcode=criteria.postcode,
            page=page,
        )


def is_search_submitted(data: Any) -> bool:
    """Whether the query string holds a search (rather than being the empty page)."""
    return any(key in data for key in SEARCH_FIELDS)
