"""Filters of the case file export's print templates."""

from __future__ import annotations

import re

from django import template

register = template.Library()

BREAK_EVERY = 40
_LONG_RUN = re.compile(rf"\S{{{BREAK_EVERY + 1},}}")


@register.filter
def breakable(value: object) -> str:
    """The text with an invisible break opportunity every few characters of a very long word.

    WeasyPrint's search for where to break one unbroken run of many thousand characters
    takes minutes; a zero-width space lets it wrap the line at once, and prints nothing.
    """
    text = "" if value is None else str(value)
    if len(text) <= BREAK_EVERY:
        return text
    return _LONG_RUN.sub(
        lambda match: "\u200b".join(
            match.group(0)[start : start + BREAK_EVERY]
            for start in range(0, len(match.group(0)), BREAK_EVERY)
        ),
        text,
    )
