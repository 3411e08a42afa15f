"""Forms for who may open a record: its access level, grants, and breaking the glass."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from casemgmt.models import Team, User
from clients.forms.details import GovukForm, GovukTextField, choice_field
from clients.models import Person
from clients.record_access import REASON_MAX_LENGTH, validate_reason

LEVEL_HINTS: dict[str, str] = {
    Person.AccessLevel.ORDINARY: "Everyone whose role lets them find people can open it.",
    Person.AccessLevel.RESTRICTED: (
        "Only the staff and teams given access. Its allocated workers and teams keep access. "
        "A manager may open it in an emergency by giving a reason, which is recorded and "
        "reported."
    ),
    Person.AccessLevel.SEALED: (
        "Only staff given access by name, for example for an adoption. Team access does not "
        "open it, and it cannot be opened in an emergency. Its allocated workers keep access."
    ),
}


def _reason_field(label: str, hint: str) -> GovukTextField:
    return GovukTextField(
        label=label,
        max_length=REASON_MAX_LENGTH,
        required=True,
        required_message="Enter the reason.",
        subject="Reason",
        one_line=False,
        widget=forms.Textarea,
        help_text=hint,
    )


class _ReasonForm(GovukForm):
    def clean_reason(self) -> str:
        try:
            return validate_reason(self.cleaned_data.get("reason"))
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class AccessLevelForm(_ReasonForm):
    access_level = choice_field(
        "Who may open this record?",
        Person.AccessLevel.choices,
        required=True,
        message="Choose who may open the record.",
        widget=forms.RadioSelect,
    )
    reason = _reason_field(
        "Why are you changing it?",
        "Between 10 and 1,000 characters. It is kept in the record's access log.",
    )


class GrantForm(_ReasonForm):
    username = GovukTextField(
        label="Member of staff's username",
        max_length=150,
        help_text="For example, alice.worker. Leave empty to give a team access.",
    )
    team = choice_field("Or a team", [], blank="No team", message="Choose a team from the list.")
    reason = _reason_field(
        "Why do they need access?",
        "Between 10 and 1,000 characters. It is kept in the record's access log.",
    )

    def __init__(self, *args: Any, is_sealed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_sealed = is_sealed
        teams = Team.objects.filter(kind=Team.Kind.TEAM, is_active=True).order_by("name")
        team_field = cast(forms.ChoiceField, self.fields["team"])
        team_field.choices = [("", "No team"), *((str(t.pk), t.name) for t in teams)]
        if is_sealed:
            # A sealed record opens to named staff only.
            del self.fields["team"]
            username = cast(GovukTextField, self.fields["username"])
            username.required = True
            username.required_message = "Enter the member of staff's username."
            username.help_text = "For example, alice.worker."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username = cleaned.get("username") or ""
        team_id = cleaned.get("team") or ""
        if "username" in self.errors or "team" in self.errors:
            return cleaned
        if bool(username) == bool(team_id):
            self.add_error("username", "Enter a member of staff's username, or choose a team.")
            return cleaned
        if username:
            user = User.objects.filter(username__iexact=username).first()
            if user is None:
                self.add_error("username", "There is no member of staff with this username.")
            else:
                cleaned["user"] = user
        else:
            cleaned["team_object"] = Team.objects.filter(pk=int(team_id)).first()
            if cleaned["team_object"] is None:
                self.add_error("team", "Choose a team from the list.")
        return cleaned


class RemoveGrantForm(_ReasonForm):
    reason = _reason_field(
        "Why are you removing their access?",
        "Between 10 and 1,000 characters. It is kept in the record's access log.",
    )


class BreakGlassForm(_ReasonForm):
    reason = _reason_field(
        "Why do you need to open this record now?",
        "Between 10 and 1,000 characters. Your reason is recorded, the record's allocated "
        "worker and their manager are told, and information governance reviews it.",
    )
