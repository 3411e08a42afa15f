"""The case file as released to a requester: reviewed items, with redactions taken out.

A subject access request's reviewer decides every item of the gathered case file
(documents/casefile_items.py): released as it is, released with redactions, or withheld
under an exemption (shown as "[Withheld: <reason>]", or left out without a trace where
saying so would itself cause the harm). This module prints those decisions: the title
page and index, and the parts, each a WeasyPrint document like the export's, so the
caller (a resumable job) renders a large file part by part and merges the parts with
documents.casefile_render.merge.

A redacted span reaches the HTML only as its marker: its words are never in the PDF.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from documents.casefile_items import HEADING, META, ItemField, Segment, Span, release_segments
from documents.casefile_render import SECTION_TITLES, SECTIONS, IndexEntry
from documents.pdf import render_pdf

# Items per part: a part is a few seconds of WeasyPrint and a few MB of memory.
ITEMS_PER_PART = 300


@dataclass
class ReleaseItem:
    """One item of the file with the reviewer's decision applied."""

    section: str
    fields: list[ItemField]
    spans: Mapping[str, Sequence[Span]] = field(default_factory=dict)
    withheld: str = ""  # the exemption's short reason, when withheld
    attachment: str = ""  # what the attachments ZIP holds for a document


@dataclass
class PrintedField:
    label: str
    style: str
    segments: list[Segment]


@dataclass
class PrintedItem:
    withheld: str
    heading: list[PrintedField]
    meta: list[PrintedField]
    text: list[PrintedField]
    attachment: str


def printed(item: ReleaseItem) -> PrintedItem:
    """The item's fields as segments, redactions applied; a withheld item shows nothing."""
    if item.withheld:
        return PrintedItem(item.withheld, [], [], [], "")
    fields = [
        PrintedField(
            item_field.label,
            item_field.style,
            release_segments(item_field.text, item.spans.get(item_field.key, ())),
        )
        for item_field in item.fields
    ]
    return PrintedItem(
        withheld="",
        heading=[f for f in fields if f.style == HEADING],
        meta=[f for f in fields if f.style == META],
        text=[f for f in fields if f.style not in (HEADING, META)],
        attachment=item.attachment,
    )


def plan_parts(entries: Sequence[tuple[str, int]]) -> list[list[Any]]:
    """(section, item id) in bundle order -> parts: lists of {"section": key} and item ids.

    Every section gets its heading, even with nothing in it ("None recorded"), so the
    requester sees what was looked for.
    """
    by_section: dict[str, list[int]] = {key: [] for key, _ in SECTIONS}
    for section, item_id in entries:
        by_section.setdefault(section, []).append(item_id)
    parts: list[list[Any]] = [[]]
    in_part = 0
    for key, _ in SECTIONS:
        for entry in [{"section": key}, *by_section[key]]:
            if in_part >= ITEMS_PER_PART:
                parts.append([])
                in_part = 0
            parts[-1].append(entry)
            in_part += not isinstance(entry, dict)
    return parts


@dataclass
class ReleaseHeader:
    """What the title page says about the request (nothing about who worked on it)."""

    reference: str
    subject_name: str
    subject_born: str
    requester_name: str
    received_on: datetime.date
    released_on: datetime.date
    withheld_reasons: list[tuple[str, int, int]]  # (reason, items withheld, redactions)


def _context(header: ReleaseHeader, made_at: datetime.datetime) -> dict[str, Any]:
    return {
        "header": header,
        "council_name": settings.COUNCIL_NAME,
        "exported_at": made_at,
        "footer": f"{header.reference}, released {header.released_on.day} "
        f"{header.released_on:%B %Y}",
        "section_titles": SECTION_TITLES,
    }


def render_front(
    *,
    header: ReleaseHeader,
    made_at: datetime.datetime,
    index: list[IndexEntry],
    counts: Mapping[str, int],
) -> bytes:
    """The title page (what this is, what was withheld and why) and the index."""
    return render_pdf(
        render_to_string(
            "documents/casefile/release_front.html",
            {
                **_context(header, made_at),
                "index": [(entry, counts.get(entry.key, 0)) for entry in index],
            },
        )
    )


def render_part(
    *,
    header: ReleaseHeader,
    made_at: datetime.datetime,
    part: Sequence[Any],
    items: Mapping[int, ReleaseItem],
    first_page: int,
) -> bytes:
    """One part: its section headings and items, pages numbered from `first_page`."""
    blocks: list[dict[str, Any]] = []
    for entry in part:
        if isinstance(entry, Mapping):
            blocks.append({"section": entry["section"], "items": []})
            continue
        item = items.get(int(entry))
        if item is None:
            continue
        if not blocks:
            blocks.append({"section": "", "continued": SECTION_TITLES.get(item.section, "")})
            blocks[-1]["items"] = []
        blocks[-1]["items"].append(printed(item))
    return render_pdf(
        render_to_string(
            "documents/casefile/release_part.html",
            {**_context(header, made_at), "blocks": blocks, "first_page": first_page},
        )
    )
