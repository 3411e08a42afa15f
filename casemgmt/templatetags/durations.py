"""Durations in words on pages: "15 minutes" rather than "0:15:00" or "PT15M"."""

from __future__ import annotations

import datetime

from django import template

from casemgmt.sessions import duration_in_words

register = template.Library()


@register.filter
def in_words(value: object) -> str:
    """A timedelta (or a number of seconds) as people say it; "" for anything else."""
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value
    else:
        return ""
    return duration_in_words(max(round(seconds), 0))
