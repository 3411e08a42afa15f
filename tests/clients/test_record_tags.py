"""The record's date filters and link tag write exactly what Django's `date` and `url` do."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.urls import reverse

from clients.templatetags.record_tags import long_date, record_url, short_date


def _render(source: str, **context: object) -> str:
    return Template("{% load record_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2015, 3, 14),
        datetime.date(2024, 9, 1),
        datetime.date(1926, 12, 31),
        datetime.date(2000, 5, 9),
        # Aware datetimes either side of midnight in London, in and out of summer time
        datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 1, 31, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 30, 0, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London")),
        None,
        "",
    ],
)
def test_the_date_filters_match_django_date(value: object) -> None:
    assert _render("{{ value|short_date }}", value=value) == _render(
        '{{ value|date:"j M Y" }}', value=value
    )
    assert _render("{{ value|long_date }}", value=value) == _render(
        '{{ value|date:"j F Y" }}', value=value
    )


def test_the_date_filters_refuse_what_is_not_a_date() -> None:
    assert short_date("2015-03-14") == ""
    assert long_date(42) == ""


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("clients:search", ()),
        ("clients:person-detail", (1,)),
        ("clients:person-detail", (9_876_543_210_000,)),
        ("clients:note-detail", (12, 345)),
        ("clients:relationship-end", (7, 7)),
        ("clients:involvement-end", (3, 41)),
    ],
)
def test_record_url_matches_reverse(name: str, args: tuple[int, ...]) -> None:
    names = [f"arg{number}" for number in range(len(args))]
    tag = "{% record_url name " + " ".join(names) + " %}"

    assert record_url(name, *args) == reverse(name, args=args)
    assert _render(tag, name=name, **dict(zip(names, args, strict=True))) == reverse(
        name, args=args
    )


def test_record_url_follows_the_script_prefix() -> None:
    from django.urls import set_script_prefix

    set_script_prefix("/council/")
    try:
        assert record_url("clients:person-detail", 5) == "/council/people/5/"
    finally:
        set_script_prefix("/")
    assert record_url("clients:person-detail", 5) == "/people/5/"


def test_record_url_takes_other_arguments_through_reverse() -> None:
    assert record_url("clients:person-detail", "5") == reverse("clients:person-detail", args=["5"])
