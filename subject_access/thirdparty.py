"""Help finding third parties in a case file: the names and details a reviewer should check.

When the file is gathered, the names of the other people on the record are collected:
relatives (the person's relationships), the members of their households and family
groups, and the staff named in the record other than the person's own allocated workers.
The review screen highlights every mention of them, and phone numbers, email addresses
and postcodes that are not the person's own. A highlight is only a prompt: the reviewer
decides what is third-party information.

Names come through the gathering officer's scoped selectors: someone on a record that
officer may not open is not named.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casemgmt.models import User
from clients.models import (
    Address,
    Alert,
    CaseNote,
    ChronologyEntry,
    GroupMembership,
    Involvement,
    Person,
    Relationship,
)
from clients.selectors import person_list_visible_to
from documents.casefile_items import Segment, Span, merged_spans
from documents.models import Document
from workflows.models import Step, StepDecision

RELATIVE = "relative"
HOUSEHOLD = "household"
STAFF = "staff"
CONTACT = "contact"
KIND_LABELS = {
    RELATIVE: "Relative or connected person",
    HOUSEHOLD: "Household or family group member",
    STAFF: "Member of staff (not their allocated worker)",
    CONTACT: "Phone number, email address or postcode that is not theirs",
}
MIN_FIRST_NAME = 3

_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?|0)\d(?:[\s-]?\d){8,9}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    text: str
    kind: str
    label: str

    def as_json(self) -> dict[str, str]:
        return {"text": self.text, "kind": self.kind, "label": self.label}


def terms_from_json(data: Iterable[Mapping[str, Any]]) -> list[Term]:
    return [
        Term(str(row.get("text", "")), str(row.get("kind", "")), str(row.get("label", "")))
        for row in data
        if row.get("text")
    ]


def _names(person: Person) -> list[str]:
    names = [person.full_name]
    if person.preferred_name:
        names.append(person.preferred_name)
    if len(person.first_name) >= MIN_FIRST_NAME:
        names.append(person.first_name)
    return names


def _allocated_worker_ids(person: Person) -> set[int]:
    today = timezone.localdate()
    return set(
        Involvement.objects.filter(person=person, worker__isnull=False, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("worker_id", flat=True)
    )


def _staff_ids(person: Person) -> set[int]:
    """Everyone the record names as having written, done or decided something."""
    ids: set[int] = set()
    sources: list[Iterable[int | None]] = [
        CaseNote.objects.filter(person=person, status=CaseNote.Status.FINAL)
        .values_list("author_id", flat=True)
        .distinct(),
        Involvement.objects.filter(person=person).values_list("worker_id", flat=True).distinct(),
        ChronologyEntry.objects.filter(person=person)
        .values_list("created_by_id", flat=True)
        .distinct(),
        ChronologyEntry.objects.filter(person=person)
        .values_list("hidden_by_id", flat=True)
        .distinct(),
        Alert.objects.filter(person=person).values_list("created_by_id", flat=True).distinct(),
        Document.objects.filter(person=person).values_list("uploaded_by_id", flat=True).distinct(),
        StepDecision.objects.filter(step__person=person)
        .values_list("decided_by_id", flat=True)
        .distinct(),
    ]
    for field in ("assignee_id", "completed_by_id", "authorised_by_id"):
        sources.append(Step.objects.filter(person=person).values_list(field, flat=True).distinct())
    for source in sources:
        ids.update(value for value in source if value is not None)
    return ids


def third_party_terms(*, person: Person, actor: User) -> list[Term]:
    """The names to look out for in `person`'s file, each with who they are."""
    own = {name.casefold() for name in _names(person)}
    found: dict[str, Term] = {}

    def add(text: str, kind: str, label: str) -> None:
        text = " ".join(text.split())
        key = text.casefold()
        if len(text) < MIN_FIRST_NAME or key in own or key in found:
            return
        found[key] = Term(text, kind, label)

    visible = person_list_visible_to(user=actor)
    relationships = list(
        Relationship.objects.filter(person=person, other__in=visible)
        .select_related("other", "type")
        .order_by("type__sort_order", "other__last_name", "id")
    )
    for relationship in relationships:
        other = relationship.other
        for name in _names(other):
            add(name, RELATIVE, f"{other.full_name}: {relationship.label.lower()}")
    members = (
        GroupMembership.objects.filter(
            group__in=GroupMembership.objects.filter(person=person).values("group_id"),
            person__in=visible,
        )
        .exclude(person=person)
        .select_related("person", "group")
        .order_by("group__name", "person__last_name", "id")
    )
    for membership in members:
        other = membership.person
        for name in _names(other):
            add(name, HOUSEHOLD, f"{other.full_name}: in {membership.group.name}")
    staff_ids = _staff_ids(person) - _allocated_worker_ids(person)
    for user in User.objects.filter(pk__in=staff_ids).order_by("last_name", "first_name", "pk"):
        full_name = user.get_full_name()
        if full_name:
            title = f", {user.job_title}" if user.job_title else ""
            add(full_name, STAFF, f"{full_name}: member of staff{title}")
    return list(found.values())


# -- highlighting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    kind: str
    note: str


def _digits(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "0" + digits[2:] if digits.startswith("44") else digits


def own_details(person: Person) -> set[str]:
    """The person's own phone numbers, email and postcodes, which are not third-party details."""
    details = {_digits(value) for value in (person.phone, person.mobile) if value}
    if person.email:
        details.add(person.email.casefold())
    for postcode in Address.objects.filter(person=person).values_list("postcode", flat=True):
        if postcode:
            details.add(re.sub(r"\s", "", postcode).upper())
    return details


class Highlighter:
    """Finds the terms and the contact details of others in a field's text."""

    def __init__(self, terms: Sequence[Term], own: set[str]) -> None:
        self.labels = {term.text.casefold(): term for term in terms}
        ordered = sorted((term.text for term in terms), key=len, reverse=True)
        self.pattern = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(text) for text in ordered) + r")(?!\w)",
                re.IGNORECASE,
            )
            if ordered
            else None
        )
        self.own = own

    def find(self, text: str) -> list[Highlight]:
        found: list[Highlight] = []
        if self.pattern is not None:
            for match in self.pattern.finditer(text):
                term = self.labels.get(match.group(0).casefold())
                if term is not None:
                    found.append(Highlight(match.start(), match.end(), term.kind, term.label))
        for match in _PHONE.finditer(text):
            if _digits(match.group(0)) not in self.own:
                found.append(Highlight(match.start(), match.end(), CONTACT, "A phone number"))
        for match in _EMAIL.finditer(text):
            if match.group(0).casefold() not in self.own:
                found.append(Highlight(match.start(), match.end(), CONTACT, "An email address"))
        for match in _POSTCODE.finditer(text):
            if re.sub(r"\s", "", match.group(0)).upper() not in self.own:
                found.append(Highlight(match.start(), match.end(), CONTACT, "A postcode"))
        return found


def review_segments(
    text: str, spans: Sequence[Span], highlights: Sequence[Highlight]
) -> list[Segment]:
    """The text in runs for the review screen: redacted runs (words kept, to show the
    reviewer what goes), highlighted runs, and plain text. Together they are the text."""
    redactions = merged_spans(spans, len(text))
    cuts = {0, len(text)}
    for span in redactions:
        cuts |= {span.start, span.end}
    for highlight in highlights:
        cuts |= {max(0, highlight.start), min(len(text), highlight.end)}
    points = sorted(cuts)
    segments: list[Segment] = []
    for start, end in itertools.pairwise(points):
        if end <= start:
            continue
        redaction = next((s.label for s in redactions if s.start <= start and end <= s.end), "")
        covering = (
            None
            if redaction
            else next((h for h in highlights if h.start <= start and end <= h.end), None)
        )
        kind = covering.kind if covering else ""
        note = covering.note if covering else ""
        last = segments[-1] if segments else None
        if last and (last.redaction, last.highlight, last.note) == (redaction, kind, note):
            last.text += text[start:end]
            continue
        segments.append(
            Segment(text[start:end], start=start, redaction=redaction, highlight=kind, note=note)
        )
    return segments


def find_occurrences(text: str, words: str) -> list[tuple[int, int]]:
    """Where `words` appear in `text`, ignoring case; whole words where they begin or end
    with a letter or digit (so "Al" does not redact part of "Alan")."""
    words = words.strip()
    if not words:
        return []
    before = r"(?<!\w)" if re.match(r"\w", words) else ""
    after = r"(?!\w)" if re.search(r"\w$", words) else ""
    pattern = re.compile(before + re.escape(words) + after, re.IGNORECASE)
    return [(match.start(), match.end()) for match in pattern.finditer(text)]
