"""Forms for documents: the details of an upload, deleting, and the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from casemgmt.models import Code
from clients.forms.details import GovukDateField, GovukForm, GovukTextField
from clients.forms.notes import DateRangeFilterForm
from documents.models import CATEGORY_LIST_KEY, Document


def category_choices() -> Any:
    return Code.objects.filter(code_list__key=CATEGORY_LIST_KEY, is_active=True).order_by(
        "sort_order", "label"
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class DocumentDetailsForm(GovukForm):
    """What is typed about the files of an upload (the files themselves are checked apart)."""

    title = GovukTextField(label="Title (optional)", max_length=200, subject="Title")
    category = CategoryChoiceField(
        queryset=Code.objects.none(),
        empty_label="Select a category",
        error_messages={
            "required": "Select a category.",
            "invalid_choice": "Select a category from the list.",
        },
    )
    document_date = GovukDateField(label="Document date")
    confidentiality = forms.ChoiceField(
        choices=Document.Confidentiality.choices,
        widget=forms.RadioSelect,
        initial=Document.Confidentiality.NORMAL,
        error_messages={
            "required": "Select who may see the document.",
            "invalid_choice": "Select who may see the document.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]


class DeleteForm(GovukForm):
    reason = GovukTextField(
        label="Why is this document being deleted?",
        max_length=1000,
        required=True,
        one_line=False,
        required_message="Enter why the document is being deleted.",
        subject="The reason",
    )


class DocumentFilterForm(DateRangeFilterForm):
    """The filters above a person's documents."""

    category = CategoryChoiceField(
        queryset=Code.objects.none(), required=False, empty_label="Any category"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]
