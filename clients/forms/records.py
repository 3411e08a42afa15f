"""Forms for relationships, involvements, alerts and groups (GOV.UK components)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from casemgmt.models import Team, User
from clients.forms.details import GovukDateField, GovukForm, GovukTextField, choice_field
from clients.models import (
    AlertType,
    Group,
    InvolvementRole,
    Person,
    RelationshipType,
)

_PERSON_ID = re.compile(r"[0-9]{1,18}")


def _parse_id(value: str) -> int | None:
    """A record number as typed ('123', ' 123 ', '#123'), or None if it is not one."""
    text = value.strip().lstrip("#").strip()
    return int(text) if _PERSON_ID.fullmatch(text) else None


class RelationshipForm(GovukForm):
    """Who the other person is, and what they are to this person."""

    other = GovukTextField(
        label="Person ID of the other person",
        max_length=20,
        required=True,
        required_message="Enter the person ID of the other person, or find them by name.",
        help_text="The number shown as 'Person ID' on their record.",
    )
    relationship_type = choice_field(
        "What are they to this person?",
        [],
        blank="Choose a relationship",
        required=True,
        message="Choose how they are related from the list.",
    )
    start_date = GovukDateField(label="Relationship started (optional)", required=False)
    end_date = GovukDateField(
        label="Relationship ended (optional)",
        required=False,
        help_text="Only for a relationship that has already ended, like a former partner.",
    )
    is_parental_responsibility = forms.BooleanField(
        label="They have parental responsibility for this person", required=False
    )
    notes = GovukTextField(
        label="Notes (optional)", max_length=500, one_line=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, person: Person, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.people = people
        types = list(RelationshipType.objects.filter(is_active=True).order_by("sort_order", "name"))
        self.types = {str(kind.pk): kind for kind in types}
        grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
        labels = dict(RelationshipType.Category.choices)
        for kind in types:
            gendered = " or ".join(name for name in (kind.male_name, kind.female_name) if name)
            text = f"{kind.name} ({gendered.lower()})" if gendered else kind.name
            grouped[labels.get(kind.category, "Other")].append((str(kind.pk), text))
        field = self.fields["relationship_type"]
        field.choices = [("", "Choose a relationship"), *grouped.items()]  # type: ignore[attr-defined]
        name = person.first_name or person.full_name
        field.label = f"What are they to {name}?"
        field.help_text = f"For example, choose 'Parent' if they are {name}'s mother or father."
        self.fields[
            "is_parental_responsibility"
        ].label = f"They have parental responsibility for {name}"

    def clean_other(self) -> Person:
        number = _parse_id(self.cleaned_data["other"])
        if number is None:
            raise ValidationError("Enter a person ID using numbers only, like 1042.")
        other = self.people.filter(pk=number).first()
        if other is None:
            raise ValidationError(
                f"There is no person with ID {number}. Check the number, or find them by name."
            )
        if other.pk == self.person.pk:
            raise ValidationError("Choose someone else: a person cannot be related to themselves.")
        return other

    def clean_relationship_type(self) -> RelationshipType:
        return self.types[self.cleaned_data["relationship_type"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The relationship must end on or after the day it started.")
        return cleaned

    def relationship_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "other": data["other"],
            "relationship_type": data["relationship_type"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "is_parental_responsibility": data["is_parental_responsibility"],
            "notes": data["notes"],
        }


class EndForm(GovukForm):
    """The date something ended, and why: relationships, involvements and alerts."""

    end_date = GovukDateField(label="End date", help_text="For example, 27 3 2025")
    reason = GovukTextField(
        label="Reason (optional)", max_length=500, one_line=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, what: str, reason_limit: int = 500, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"end_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["end_date"].label = f"When did the {what} end?"
        self.fields["end_date"].error_messages["required"] = f"Enter the date the {what} ended."
        self.fields["reason"].limit = reason_limit  # type: ignore[attr-defined]


class InvolvementForm(GovukForm):
    role = choice_field(
        "Role", [], blank="Choose a role", required=True, message="Choose a role from the list."
    )
    team = choice_field(
        "Team", [], blank="Choose a team", required=True, message="Choose a team from the list."
    )
    worker = choice_field(
        "Worker (optional)",
        [],
        blank="No named worker: the team is involved",
        message="Choose a worker from the list.",
        help_text="Only people with an open account are listed.",
    )
    start_date = GovukDateField(
        label="Start date",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date the involvement started."},
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = list(InvolvementRole.objects.filter(is_active=True).order_by("name"))
        teams = list(
            Team.objects.filter(is_active=True, kind=Team.Kind.TEAM)
            .select_related("parent")
            .order_by("parent__name", "name")
        )
        workers = list(
            User.objects.filter(is_active=True)
            .order_by("last_name", "first_name", "username")
            .only("id", "first_name", "last_name", "username", "job_title")
        )
        self.roles = {str(role.pk): role for role in roles}
        self.teams = {str(team.pk): team for team in teams}
        self.workers = {str(worker.pk): worker for worker in workers}
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a role"),
            *(
                (key, role.name + (" (allocation)" if role.is_allocation else ""))
                for key, role in self.roles.items()
            ),
        ]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a team"),
            *(
                (key, f"{team.name} ({team.parent.name})" if team.parent else team.name)
                for key, team in self.teams.items()
            ),
        ]
        self.fields["worker"].choices = [  # type: ignore[attr-defined]
            ("", "No named worker: the team is involved"),
            *(
                (key, f"{worker}{f', {worker.job_title}' if worker.job_title else ''}")
                for key, worker in self.workers.items()
            ),
        ]
        if not self.is_bound:
            own_team = (
                actor.memberships.filter(end_date__isnull=True, team__in=teams)
                .values_list("team_id", flat=True)
                .first()
            )
            self.initial.setdefault("team", str(own_team) if own_team else "")
            self.initial.setdefault("start_date", timezone.localdate())

    def clean_role(self) -> InvolvementRole:
        return self.roles[self.cleaned_data["role"]]

    def clean_team(self) -> Team:
        return self.teams[self.cleaned_data["team"]]

    def clean_worker(self) -> User | None:
        key = self.cleaned_data["worker"]
        return self.workers[key] if key else None


class AlertForm(GovukForm):
    alert_type = choice_field(
        "Type of alert",
        [],
        widget=forms.RadioSelect,
        required=True,
        message="Choose the type of alert.",
    )
    description = GovukTextField(
        label="What do workers need to know? (optional)",
        subject="Description",
        max_length=500,
        one_line=False,
        widget=forms.Textarea,
        help_text="Shown on every page of the record, next to the alert. For example, "
        "'Dog at the property: visit in pairs.'",
    )
    start_date = GovukDateField(label="Start date", help_text="For example, 27 3 2025")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = list(AlertType.objects.filter(is_active=True).order_by("severity", "name"))
        self.types = {str(kind.pk): kind for kind in types}
        self.fields["alert_type"].choices = [  # type: ignore[attr-defined]
            (key, kind.name) for key, kind in self.types.items()
        ]
        if not self.is_bound:
            self.initial.setdefault("start_date", timezone.localdate())

    def clean_alert_type(self) -> AlertType:
        return self.types[self.cleaned_data["alert_type"]]


class GroupForm(GovukForm):
    """Join a household or family group a relative is in, one named by number, or a new one."""

    NEW = "new"
    OTHER = "other"

    choice = choice_field(
        "Which group?",
        [],
        widget=forms.RadioSelect,
        required=True,
        message="Choose a group, or choose to start a new one.",
    )
    group_number = GovukTextField(
        label="Group number",
        max_length=20,
        help_text="Shown as 'Group' next to the group on a member's record.",
    )
    kind = choice_field(
        "Kind of group",
        Group.Kind.choices,
        blank="Choose household or family group",
        message="Choose whether the new group is a household or a family group.",
    )
    name = GovukTextField(
        label="Name of the group",
        max_length=150,
        help_text="For example, 'Whitmore household'.",
    )
    role = GovukTextField(
        label="Their role in the group (optional)",
        max_length=60,
        help_text="For example, parent, child, lodger.",
    )
    start_date = GovukDateField(label="Date they joined (optional)", required=False)

    def __init__(self, *args: Any, candidates: list[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(group.pk): group for group in candidates}
        self.fields["choice"].choices = [  # type: ignore[attr-defined]
            *(
                (key, f"{group.name} ({group.get_kind_display().lower()}, group {group.pk})")
                for key, group in self.candidates.items()
            ),
            (self.OTHER, "Another group, by its number"),
            (self.NEW, "A new household or family group"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        choice = cleaned.get("choice")
        cleaned["group"] = None
        if choice == self.OTHER:
            number = _parse_id(cleaned.get("group_number") or "")
            if "group_number" in self.errors:
                return cleaned
            if number is None:
                self.add_error("group_number", "Enter the group number using numbers only.")
            else:
                group = Group.objects.filter(pk=number).first()
                if group is None:
                    self.add_error("group_number", f"There is no group with number {number}.")
                cleaned["group"] = group
        elif choice == self.NEW:
            if not cleaned.get("kind") and "kind" not in self.errors:
                self.add_error(
                    "kind", "Choose whether the new group is a household or a family group."
                )
            if not cleaned.get("name") and "name" not in self.errors:
                self.add_error("name", "Enter a name for the group, like 'Whitmore household'.")
        elif choice:
            cleaned["group"] = self.candidates[choice]
        return cleaned

    def group_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        is_new = data["choice"] == self.NEW
        return {
            "group": data["group"],
            "kind": data["kind"] if is_new else "",
            "name": data["name"] if is_new else "",
            "role": data["role"],
            "start_date": data["start_date"],
        }
