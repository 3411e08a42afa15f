"""The case file as items and as released: redactions remove words, spans are joined, nothing
names a relative on a record the exporter may not open, and released files are named blandly."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casemgmt.models import User
from clients.models import Person, RelationshipType
from documents import casefile_items, casefile_render
from documents.casefile_items import Span, release_segments, released_text
from documents.casefile_zip import ReleaseFile, release_entry_name
from subject_access import thirdparty
from tests.factories import PersonFactory, RelationshipFactory


def test_a_redacted_span_carries_none_of_its_words() -> None:
    text = "Darren Kettle lives at 14 Orchard Close."

    segments = release_segments(text, [Span(23, 39, "third-party information")])

    assert [(s.text, s.redaction) for s in segments] == [
        ("Darren Kettle lives at ", ""),
        ("", "third-party information"),
        (".", ""),
    ]
    assert released_text(text, [Span(0, 13, "third-party information")]) == (
        "[Redacted: third-party information] lives at 14 Orchard Close."
    )


def test_overlapping_and_out_of_range_spans_are_joined_and_clipped() -> None:
    spans = [
        Span(5, 10, "a"),
        Span(8, 14, "b"),
        Span(20, 99, "c"),
        Span(50, 60, "d"),
        Span(3, 3, "e"),
    ]

    assert casefile_items.merged_spans(spans, 25) == [Span(5, 14, "a"), Span(20, 25, "c")]


def test_the_review_shows_every_character_once_whatever_overlaps() -> None:
    text = "Call Darren on 07700 900123 or at LS6 2AB."
    highlighter = thirdparty.Highlighter(
        [thirdparty.Term("Darren", "household", "Darren: partner")], set()
    )

    segments = thirdparty.review_segments(
        text, [Span(5, 11, "third-party information")], highlighter.find(text)
    )

    assert "".join(segment.text for segment in segments) == text
    assert [
        (s.text, s.redaction or s.highlight) for s in segments if s.redaction or s.highlight
    ] == [
        ("Darren", "third-party information"),
        ("07700 900123", "contact"),
        ("LS6 2AB", "contact"),
    ]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("Al", [(0, 2)]),  # not the "Al" of "Alan"
        ("al", [(0, 2)]),
        ("Alan's", [(12, 18)]),
        ("(", []),
        ("", []),
        ("  ", []),
    ],
)
def test_typed_words_match_whole_words_ignoring_case(
    words: str, found: list[tuple[int, int]]
) -> None:
    assert thirdparty.find_occurrences("Al met with Alan's mother.", words) == found


@pytest.mark.parametrize(
    ("filename", "name"),
    [
        ("Letter to Darren Kettle.pdf", "0003-document.pdf"),
        ("scan.JPEG", "0003-document.jpeg"),
        ("no extension", "0003-document"),
        ("evil.p\u202edfx", "0003-document"),
        ("../../etc/passwd", "0003-document"),
    ],
)
def test_a_released_file_is_named_by_its_number_not_its_name(filename: str, name: str) -> None:
    file = ReleaseFile(
        title="Letter",
        document_date=datetime.date(2026, 1, 5),
        storage_name="x",
        original_filename=filename,
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        stored_at=timezone.now(),
        is_redacted_copy=False,
    )
    assert release_entry_name(3, file) == name


@pytest.mark.django_db
def test_a_relative_on_a_record_the_exporter_may_not_open_is_not_named(
    person: Person, users: dict[str, User]
) -> None:
    # Given Jayden's birth mother on a sealed record
    sealed = PersonFactory(
        first_name="Secret", last_name="Mother", access_level=Person.AccessLevel.SEALED
    )
    RelationshipFactory(
        person=person, other=sealed, type=RelationshipType.objects.get(code="parent")
    )
    manager = users["team_manager"]

    # Then neither the export's relationships nor the review's items name her
    rows = casefile_render.summary_context(person, manager)["relationships"]
    assert [row.other_name for row in rows] == [""]
    items: list[Any] = casefile_items.summary_items(person, manager)
    relationship = next(item for item in items if item.kind == "relationship")
    assert relationship.fields[0].text == "A person whose record is not open to you"
    assert "Secret" not in str([item.fields_json() for item in items])
    # nor does the list of third parties
    assert all(
        "Secret" not in term.text
        for term in thirdparty.third_party_terms(person=person, actor=manager)
    )
