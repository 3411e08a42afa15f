"""Dates and links as every page of the record writes them, made cheaply.

A person's summary shows some fifty dates and forty links. Django's `date` filter looks up
the active language and its translated month names for every date, and `{% url %}` walks
the URL resolver for every link; here the service's one language (en-GB) is written
directly, and each URL name is reversed once per process into a pattern that ids are
slotted into. The output is the same as `|date:"j M Y"`, `|date:"j F Y"` and `{% url %}`.
"""

from __future__ import annotations

import datetime
import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SHORT_MONTHS = tuple(month[:3] for month in _MONTHS)


@register.filter(expects_localtime=True)
def short_date(value: object) -> str:
    """`14 Mar 2015` (`|date:"j M Y"`); a datetime in the council's time zone; else ""."""
    if not isinstance(value, datetime.date):
        return ""
    return f"{value.day} {_SHORT_MONTHS[value.month - 1]} {value.year}"


@register.filter(expects_localtime=True)
def long_date(value: object) -> str:
    """`14 March 2015` (`|date:"j F Y"`); a datetime in the council's time zone; else ""."""
    if not isinstance(value, datetime.date):
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


# Ids no record will have for a long while, reversed in place of the real ones.
_PLACEHOLDER = 9_876_543_210_000


@functools.lru_cache(maxsize=1024)
def _url_pattern(
    name: str, arity: int, script_prefix: str, urlconf: str | None
) -> tuple[str, ...] | None:
    """The URL of `name` cut where its `arity` integer arguments go (None: not that shape)."""
    placeholders = [str(_PLACEHOLDER + number) for number in range(arity)]
    rest = reverse(name, args=placeholders, urlconf=urlconf)
    parts = []
    for placeholder in placeholders:
        if rest.count(placeholder) != 1:
            return None
        before, _, rest = rest.partition(placeholder)
        parts.append(before)
    parts.append(rest)
    return tuple(parts)


@register.simple_tag
def record_url(name: str, *args: object) -> str:
    """`{% url name args %}` for integer arguments (ids), from the cached pattern."""
    if all(type(arg) is int for arg in args):
        parts = _url_pattern(name, len(args), get_script_prefix(), get_urlconf())
        if parts is not None:
            pieces = [parts[0]]
            for arg, part in zip(args, parts[1:], strict=True):
                pieces.append(str(arg))
                pieces.append(part)
            return "".join(pieces)
    return reverse(name, args=args)
