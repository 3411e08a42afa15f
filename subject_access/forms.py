"""Forms for subject access requests, drawn with GOV.UK components (clients.forms.details).

The forms parse what was typed and check its shape (lengths, control characters, dates);
the services check the rules and their messages land on the same fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from clients.forms.details import GovukDateField, GovukForm, GovukTextField, choice_field
from subject_access import selectors, services
from subject_access.models import (
    Channel,
    Exemption,
    Pause,
    ReleaseMethod,
    ReviewItem,
    SubjectAccessRequest,
)

Status = SubjectAccessRequest.Status


def _text(
    label: str, limit: int, *, required: str = "", textarea: bool = False, help_text: str = ""
) -> GovukTextField:
    return GovukTextField(
        label=label,
        max_length=limit,
        required=bool(required),
        required_message=required,
        one_line=not textarea,
        widget=forms.Textarea if textarea else None,
        help_text=help_text,
    )


def _radios(label: str, choices: Any, message: str, help_text: str = "") -> forms.ChoiceField:
    return choice_field(
        label,
        choices,
        required=True,
        widget=forms.RadioSelect,
        message=message,
        help_text=help_text,
    )


class RequestForm(GovukForm):
    """What a request says: when and how it came, who asks, about whom, for what."""

    received_on = GovukDateField(
        label="Date received",
        required=True,
        help_text="The day the request reached the council, even if on a weekend. For example, 27 3 2026",
        error_messages={"required": "Enter the date the request was received."},
    )
    channel = _radios(
        "How it was received", Channel.choices, "Choose how the request was received."
    )
    requester_name = _text(
        "Requester's name",
        services.NAME_LIMIT,
        required="Enter the name of the person who made the request.",
    )
    requester_role = _radios(
        "Who is asking",
        SubjectAccessRequest.RequesterRole.choices,
        "Choose who is asking.",
    )
    authority = _text(
        "Their authority to act (if not the data subject)",
        services.SHORT_TEXT_LIMIT,
        textarea=True,
        help_text="For example: signed consent dated 2 March 2026; Lasting Power of Attorney "
        "registered 2024; parental responsibility confirmed from the record.",
    )
    requester_address = _text("Requester's address (optional)", 1000, textarea=True)
    requester_email = _text("Requester's email address (optional)", 254)
    requester_phone = _text("Requester's phone number (optional)", 40)
    subject_name = _text(
        "Name of the person the request is about",
        services.NAME_LIMIT,
        required="Enter the name of the person the request is about.",
        help_text="As the requester gives it. You find their record on the request's page.",
    )
    subject_date_of_birth = GovukDateField(
        label="Their date of birth (optional)", required=False, help_text="For example, 14 3 2015"
    )
    subject_details = _text(
        "Other details that identify them (optional)",
        services.SHORT_TEXT_LIMIT,
        textarea=True,
        help_text="Former names, addresses, dates they were known to the council.",
    )
    scope = _text(
        "What they asked for",
        services.LONG_TEXT_LIMIT,
        required="Enter what the requester asked for.",
        textarea=True,
        help_text="In their words, for example all records from children's services since 2010.",
    )

    def __init__(self, *args: Any, with_owner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_owner:
            self.fields["owner"] = forms.ModelChoiceField(
                label="Officer responsible",
                queryset=services.eligible_owners(),
                required=True,
                error_messages={
                    "required": "Choose the officer responsible for the request.",
                    "invalid_choice": "Choose an information governance officer from the list.",
                },
            )
            self.fields["owner"].govuk = "select"  # type: ignore[attr-defined]
            from clients.forms.details import _SelectOptions

            self.fields["owner"].govuk_options = _SelectOptions(self, "owner")  # type: ignore[attr-defined]


class IdentityForm(GovukForm):
    verified_on = GovukDateField(
        label="Date identity was confirmed",
        required=True,
        error_messages={"required": "Enter the date identity was confirmed."},
    )
    method = _radios(
        "How it was confirmed",
        SubjectAccessRequest.IdentityMethod.choices,
        "Choose how the requester's identity was confirmed.",
    )
    notes = _text(
        "Notes (optional)",
        services.SHORT_TEXT_LIMIT,
        textarea=True,
        help_text="What was seen, for example a passport and a council tax bill. Do not keep copies "
        "longer than needed.",
    )


class PauseForm(GovukForm):
    kind = _radios(
        "What you asked for", Pause.Kind.choices, "Choose what you asked the requester for."
    )
    asked_on = GovukDateField(
        label="Date you asked",
        required=True,
        error_messages={"required": "Enter the date you asked."},
    )
    asked_how = _radios("How you asked", Channel.choices, "Choose how you asked.")
    details = _text(
        "What you asked for, in detail",
        services.SHORT_TEXT_LIMIT,
        required="Enter what you asked the requester for.",
        textarea=True,
    )


class PauseEndForm(GovukForm):
    received_on = GovukDateField(
        label="Date it arrived",
        required=True,
        help_text="The clock restarts from this day.",
        error_messages={"required": "Enter the date it arrived."},
    )
    notes = _text("Notes (optional)", services.SHORT_TEXT_LIMIT, textarea=True)


class ExtendForm(GovukForm):
    months = _radios(
        "Extend by",
        [("1", "1 further month"), ("2", "2 further months")],
        "Choose an extension of 1 or 2 months.",
    )
    reason = _text(
        "Why the request is complex or numerous",
        services.SHORT_TEXT_LIMIT,
        required="Enter why the request is complex, or how many requests the person has made.",
        textarea=True,
    )
    told_on = GovukDateField(
        label="Date the requester was told",
        required=True,
        help_text="They must be told within the first month, with the reasons.",
        error_messages={"required": "Enter the date the requester was told."},
    )
    told_how = _radios("How they were told", Channel.choices, "Choose how the requester was told.")
    letter = _text(
        "What they were told",
        services.LONG_TEXT_LIMIT,
        required="Enter what the requester was told, or the letter sent.",
        textarea=True,
        help_text="The letter below is filled in from the request: change it to what was sent.",
    )

    def clean_months(self) -> int | None:
        value = self.cleaned_data.get("months")
        return int(value) if value else None


CLOSE_OUTCOMES = [
    (Status.REFUSED, "Refuse the request"),
    (Status.WITHDRAWN, "The requester withdrew it"),
]


class CloseForm(GovukForm):
    outcome = _radios(
        "Outcome", CLOSE_OUTCOMES, "Choose whether the request is refused or was withdrawn."
    )
    closed_on = GovukDateField(
        label="Date",
        required=True,
        help_text="When it was refused or withdrawn.",
        error_messages={"required": "Enter the date."},
    )
    ground = choice_field(
        "Ground for refusing (refusals only)",
        SubjectAccessRequest.ClosureGround.choices,
        widget=forms.RadioSelect,
        message="Choose the ground for refusing the request.",
    )
    exemption = choice_field(
        "Exemption the refusal rests on (only for the exemption ground)",
        Exemption.choices,
        blank="Choose an exemption",
        message="Choose the exemption the refusal rests on.",
    )
    reason = _text(
        "Reason",
        services.SHORT_TEXT_LIMIT,
        required="Enter the reason.",
        textarea=True,
    )
    told_on = GovukDateField(label="Date the requester was told (refusals only)", required=False)
    told_how = choice_field(
        "How they were told (refusals only)",
        Channel.choices,
        widget=forms.RadioSelect,
        message="Choose how the requester was told.",
    )
    letter = _text(
        "What they were told (refusals only)",
        services.LONG_TEXT_LIMIT,
        textarea=True,
        help_text="A refusal must give the reasons and their right to complain to the "
        "Information Commissioner and to the courts. The letter is filled in: change it to what was sent.",
    )


class DecisionForm(GovukForm):
    """The reviewer's decision on one item of the file."""

    decision = choice_field(
        "Decision",
        [],
        required=True,
        widget=forms.RadioSelect,
        message="Choose whether to release or withhold this item.",
    )
    exemption = choice_field(
        "Exemption (when withholding)",
        Exemption.choices,
        blank="Choose an exemption",
        message="Choose the exemption for withholding it.",
    )
    leave_out = forms.BooleanField(
        label="Leave it out without a trace",
        required=False,
        help_text="Only where saying something was withheld would itself cause the harm.",
    )
    note = _text("Note (optional)", services.SHORT_TEXT_LIMIT)

    def __init__(self, *args: Any, item: ReviewItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(ReviewItem.Decision.RELEASE, "Release")]
        if item.is_document:
            choices = [(ReviewItem.Decision.RELEASE, "Release the original")]
            if item.redacted_copy_id:
                choices.append((ReviewItem.Decision.RELEASE_COPY, "Release the redacted copy"))
        choices.append((ReviewItem.Decision.WITHHOLD, "Withhold"))
        self.fields["decision"].choices = choices  # type: ignore[attr-defined]


class RedactionForm(GovukForm):
    """Words to take out of one item: typed, or selected on the page (which fills these in)."""

    words = _text(
        "Words to redact",
        10_000,
        help_text="Select them in the text above, or type them: every place they appear in this item is redacted.",
    )
    exemption = choice_field(
        "Reason",
        Exemption.choices,
        blank="Choose a reason",
        required=True,
        message="Choose the exemption the redaction rests on.",
    )
    field = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)
    start = forms.IntegerField(
        required=False, min_value=0, max_value=10_000_000, widget=forms.HiddenInput
    )
    end = forms.IntegerField(
        required=False, min_value=0, max_value=10_000_000, widget=forms.HiddenInput
    )


class RedactEverywhereForm(GovukForm):
    words = _text(
        "Words to redact everywhere",
        200,
        required="Enter the words to redact.",
        help_text="Every mention in this person's whole file, ignoring capitals.",
    )
    exemption = choice_field(
        "Reason",
        Exemption.choices,
        blank="Choose a reason",
        required=True,
        message="Choose the exemption the redaction rests on.",
    )


class SignOffForm(GovukForm):
    notes = _text("Notes (optional)", services.SHORT_TEXT_LIMIT, textarea=True)


class ReopenForm(GovukForm):
    reason = _text(
        "Why the review is reopened",
        services.SHORT_TEXT_LIMIT,
        required="Enter why the review is being reopened.",
        textarea=True,
    )


class ReleaseForm(GovukForm):
    released_on = GovukDateField(
        label="Date it was sent",
        required=True,
        error_messages={"required": "Enter the date it was sent."},
    )
    method = _radios("How it was sent", ReleaseMethod.choices, "Choose how it was sent.")
    description = _text(
        "What was sent",
        services.SHORT_TEXT_LIMIT,
        required="Enter what was sent.",
        textarea=True,
    )


class ListFilterForm(forms.Form):
    """The list's filters; a value that is not one of the choices is reported and ignored."""

    show = forms.ChoiceField(
        label="Show",
        choices=selectors.SHOW_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose which requests to show from the list."},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Any"), *Status.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    mine = forms.ChoiceField(
        label="Officer",
        choices=[("", "Anyone"), ("1", "Mine")],
        required=False,
        error_messages={"invalid_choice": "Choose whose requests to show from the list."},
    )

    def valid_filters(self) -> dict[str, Any]:
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }
