"""Small filters of the subject access pages."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from documents.casefile_items import Segment

register = template.Library()


@register.filter
def absolute(value: object) -> int:
    """A number of days without its sign: "3 days late" for -3."""
    try:
        return abs(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


@register.filter
def review_text(segments: list[Segment]) -> str:
    """A field's runs as HTML, the text exactly as stored (the page's script counts on it).

    Redacted runs keep their words, struck through, for the reviewer; the reason is read
    out to screen readers in a run the script skips when it measures a selection.
    """
    parts = []
    for segment in segments:
        if segment.redaction:
            parts.append(
                format_html(
                    '<del class="app-redacted">{}</del><span class="govuk-visually-hidden" '
                    "data-skip> (redacted: {})</span>",
                    segment.text,
                    segment.redaction,
                )
            )
        elif segment.highlight:
            parts.append(
                format_html(
                    '<mark class="app-highlight app-highlight--{}" title="{}">{}</mark>',
                    segment.highlight,
                    segment.note,
                    segment.text,
                )
            )
        else:
            parts.append(conditional_escape(segment.text))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (each part escaped above)


@register.filter
def get_label(labels: dict[str, str], key: str) -> str:
    """Which part of an item a redaction is in, as the reviewer reads it."""
    names = {"heading": "the heading", "meta": "the details line", "text": "the text"}
    label = labels.get(key, key)
    return names.get(label, label.lower() if label else "the text")
