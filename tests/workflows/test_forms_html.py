"""Posted form data to typed answers and back: every kind of question, good and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from workflows import forms_html
from workflows.forms_engine import MAX_REPEATS, check_schema

SCHEMA: dict[str, Any] = {
    "form": "visit",
    "version": 1,
    "title": "Home visit",
    "sections": [
        {
            "key": "visit",
            "title": "The visit",
            "description": "",
            "fields": [
                {"key": "visit_date", "label": "Date of visit", "kind": "date", "required": True},
                {"key": "seen_alone", "label": "Seen alone", "kind": "yes_no", "required": True},
                {
                    "key": "not_seen_reason",
                    "label": "Why not seen alone",
                    "kind": "long_text",
                    "required": True,
                    "max_length": 50,
                    "show_if": {"field": "seen_alone", "equals": False},
                },
                {"key": "place", "label": "Place", "kind": "text", "required": False},
                {
                    "key": "visitors",
                    "label": "Visitors",
                    "kind": "number",
                    "required": False,
                    "min": "0",
                    "max": "20",
                },
                {"key": "cost", "label": "Cost", "kind": "money", "required": False},
            ],
        },
        {
            "key": "concerns",
            "title": "Concerns",
            "description": "",
            "fields": [
                {
                    "key": "level",
                    "label": "Level",
                    "kind": "choice",
                    "required": True,
                    "choices": [["low", "Low"], ["high", "High"]],
                },
                {
                    "key": "agency",
                    "label": "Agency",
                    "kind": "choice",
                    "required": False,
                    "choices": [[f"a{n}", f"Agency {n}"] for n in range(12)],
                },
                {
                    "key": "factors",
                    "label": "Factors",
                    "kind": "multiple_choice",
                    "required": False,
                    "choices": [
                        ["dv", "Domestic abuse"],
                        ["mh", "Mental health"],
                        ["sm", "Substance misuse"],
                    ],
                },
                {"key": "lead", "label": "Lead contact", "kind": "person", "required": False},
                {"key": "documents", "label": "Documents", "kind": "attachment", "required": False},
                {
                    "key": "present",
                    "label": "People present",
                    "kind": "repeating_group",
                    "required": False,
                    "fields": [
                        {"key": "name", "label": "Name", "kind": "text", "required": True},
                        {
                            "key": "born",
                            "label": "Date of birth",
                            "kind": "date",
                            "required": False,
                        },
                        {
                            "key": "relative",
                            "label": "Relative",
                            "kind": "person",
                            "required": False,
                        },
                    ],
                },
            ],
        },
    ],
}


def _post(**values: Any) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        name = name.replace("__", ".")
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def _convert(
    data: QueryDict, *, complete: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    return forms_html.answers_from_raw(
        SCHEMA, forms_html.raw_from_post(SCHEMA, data), complete=complete
    )


def test_the_schema_is_one_the_engine_accepts() -> None:
    check_schema(SCHEMA)


def test_every_kind_is_typed_exactly() -> None:
    # Given every question answered the way a worker types
    data = _post(
        q__visit_date__day="3",
        q__visit_date__month="2",
        q__visit_date__year="2026",
        q__seen_alone="yes",
        q__place="  Kitchen  ",
        q__visitors="1,2",
        q__cost="£1,234.5",
        q__level="high",
        q__agency="a11",
        q__factors=["mh", "dv", "mh"],
        q__lead="42",
        q__documents="12, 13 14",
        **{
            "q.present.rows": "3",
            "q.present.0.name": "Ann Whitmore",
            "q.present.0.born.day": "1",
            "q.present.0.born.month": "12",
            "q.present.0.born.year": "1990",
            "q.present.1.name": "",
            "q.present.2.name": "Lee",
            "q.present.2.relative": "7",
        },
    )

    # When they are converted
    answers, errors = _convert(data)

    # Then each is in the engine's typed format
    assert errors == {}
    assert answers == {
        "visit_date": "2026-02-03",
        "seen_alone": True,
        "place": "Kitchen",
        "visitors": 12,
        "cost": "1234.50",
        "level": "high",
        "agency": "a11",
        "factors": ["dv", "mh"],
        "lead": 42,
        "documents": [12, 13, 14],
        "present": [
            {"name": "Ann Whitmore", "born": "1990-12-01"},
            {"name": "Lee", "relative": 7},
        ],
    }


def test_decimals_and_no() -> None:
    answers, errors = _convert(_post(q__visitors="2.5", q__seen_alone="no", q__cost="0"))
    assert errors == {}
    assert answers == {"visitors": 2.5, "seen_alone": False, "cost": "0.00"}


def test_nothing_typed_is_no_answers() -> None:
    answers, errors = _convert(_post(**{"q.present.rows": "2"}))
    assert (answers, errors) == ({}, {})


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        (
            {"q.visit_date.day": "31", "q.visit_date.month": "2", "q.visit_date.year": "2026"},
            "visit_date",
            "Date of visit must be a real date",
        ),
        (
            {"q.visit_date.day": "3", "q.visit_date.year": "2026"},
            "visit_date",
            "Date of visit must include a month",
        ),
        ({"q.visit_date.month": "3"}, "visit_date", "Date of visit must include a day and a year"),
        (
            {"q.visit_date.day": "3", "q.visit_date.month": "2", "q.visit_date.year": "26"},
            "visit_date",
            "The year in date of visit must include 4 numbers",
        ),
        (
            {"q.visit_date.day": "three", "q.visit_date.month": "2", "q.visit_date.year": "2026"},
            "visit_date",
            "Date of visit must be a real date",
        ),
        (
            {"q.visit_date.day": "1", "q.visit_date.month": "1", "q.visit_date.year": "1066"},
            "visit_date",
            "Date of visit must be between 1900 and 2100",
        ),
        ({"q.visitors": "lots"}, "visitors", "Visitors must be a number"),
        ({"q.visitors": "NaN"}, "visitors", "Visitors must be a number"),
        ({"q.visitors": "Infinity"}, "visitors", "Visitors must be a number"),
        ({"q.visitors": "21"}, "visitors", "Visitors must be 20 or less"),
        ({"q.visitors": "-1"}, "visitors", "Visitors must be 0 or more"),
        ({"q.cost": "12.345"}, "cost", "Cost must be in pounds and pence, like 12.50"),
        ({"q.cost": "9" * 400}, "cost", "Cost is too large"),
        ({"q.seen_alone": "maybe"}, "seen_alone", "Select yes or no for seen alone"),
        ({"q.level": "<script>"}, "level", "Select an option for level"),
        ({"q.factors": ["dv", "zz"]}, "factors", "Select only the listed options for factors"),
        ({"q.lead": "Jayden"}, "lead", "Choose a person for lead contact"),
        ({"q.lead": "0"}, "lead", "Choose a person for lead contact"),
        ({"q.lead": "-4"}, "lead", "Choose a person for lead contact"),
        ({"q.documents": "12, twelve"}, "documents", "Documents must be a list of documents"),
        ({"q.place": "x" * 501}, "place", "Place must be 500 characters or fewer"),
    ],
)
def test_bad_input_is_named_on_its_question(values: dict[str, Any], key: str, message: str) -> None:
    data = _post()
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    _, errors = _convert(data)
    assert errors[key] == [message]
    assert list(errors) == [key]


def test_required_questions_at_completion_and_hidden_ones_ignored() -> None:
    # Given a worker who says the child was seen alone, so the reason is not asked
    data = _post(q__seen_alone="yes", q__not_seen_reason="typed before changing the answer")

    # When the answers are checked for completion
    answers, errors = _convert(data, complete=True)

    # Then the hidden question's answer is dropped and its requiredness ignored
    assert "not_seen_reason" not in answers
    assert errors == {
        "visit_date": ["Enter date of visit"],
        "level": ["Select level"],
    }


def test_a_shown_conditional_question_is_required_and_checked() -> None:
    _, errors = _convert(_post(q__seen_alone="no"), complete=True)
    assert errors["not_seen_reason"] == ["Enter why not seen alone"]

    _, errors = _convert(_post(q__seen_alone="no", q__not_seen_reason="y" * 51))
    assert errors == {"not_seen_reason": ["Why not seen alone must be 50 characters or fewer"]}


def test_entry_messages_keep_the_numbers_on_the_page() -> None:
    # Given an empty second entry (dropped) and problems in the first and third
    data = _post(
        **{
            "q.present.rows": "3",
            "q.present.0.born.day": "30",
            "q.present.0.born.month": "2",
            "q.present.0.born.year": "2001",
            "q.present.2.name": "Lee",
            "q.present.2.relative": "somebody",
        }
    )

    _, errors = _convert(data, complete=True)

    assert errors["present-0-born"] == ["Date of birth must be a real date (entry 1)"]
    assert errors["present-0-name"] == ["Enter name in entry 1"]
    assert errors["present-2-relative"] == ["Choose a person for relative (entry 3)"]
    assert "present-1-name" not in errors


def test_partial_date_in_an_entry() -> None:
    data = _post(**{"q.present.rows": "1", "q.present.0.name": "A", "q.present.0.born.day": "4"})
    _, errors = _convert(data)
    assert errors == {"present-0-born": ["Date of birth must include a month and a year (entry 1)"]}


def test_hostile_post_data_is_read_safely() -> None:
    # Given row counts that are not numbers or far too many, and control characters
    for rows in ("-1", "abc", "1e9", "99999999999"):
        raw = forms_html.raw_from_post(SCHEMA, _post(**{"q.present.rows": rows}))
        assert len(raw["present"]) <= MAX_REPEATS
    raw = forms_html.raw_from_post(
        SCHEMA, _post(q__place="a\x00b", q__not_seen_reason="one\r\ntwo\rthree", version="x")
    )
    # Then NUL (which PostgreSQL cannot store) is dropped and line endings are one kind
    assert raw["place"] == "ab"
    assert raw["not_seen_reason"] == "one\ntwo\nthree"
    assert forms_html.VERSION_KEY not in raw


def test_the_version_rides_with_the_raw_answers() -> None:
    raw = forms_html.raw_from_post(SCHEMA, _post(version="7"))
    assert raw[forms_html.VERSION_KEY] == 7


def test_typed_answers_round_trip_through_the_form() -> None:
    answers = {
        "visit_date": "2026-02-03",
        "seen_alone": False,
        "not_seen_reason": "Asleep",
        "visitors": 2,
        "cost": "12.50",
        "level": "low",
        "factors": ["dv"],
        "lead": 42,
        "documents": [3, 4],
        "present": [{"name": "Ann", "born": "1990-12-01"}],
    }
    raw = forms_html.raw_from_answers(SCHEMA, answers)
    assert raw["visit_date"] == {"day": "3", "month": "2", "year": "2026"}
    assert raw["seen_alone"] == "no"
    assert raw["documents"] == "3, 4"
    again, errors = forms_html.answers_from_raw(SCHEMA, raw)
    assert errors == {}
    assert again == answers


def test_the_form_keeps_everything_typed_and_links_each_error() -> None:
    data = _post(
        q__visit_date__day="31",
        q__visit_date__month="2",
        q__visit_date__year="2026",
        q__visitors="lots",
        q__agency="a3",
        q__factors=["mh"],
        **{"q.present.rows": "1", "q.present.0.name": "", "q.present.0.born.day": "9"},
    )
    raw = forms_html.raw_from_post(SCHEMA, data)
    _, errors = forms_html.answers_from_raw(SCHEMA, raw)

    form = forms_html.build_form(SCHEMA, raw, errors)

    fields = {field.key: field for section in form.sections for field in section.fields}
    date = fields["visit_date"]
    assert (date.day, date.month, date.year) == ("31", "2", "2026")
    assert date.errors == ["Date of visit must be a real date"]
    assert fields["visitors"].value == "lots"
    # More than ten options: a drop-down
    assert fields["agency"].widget == "select"
    assert [o.value for o in fields["agency"].options if o.selected] == ["a3"]
    assert fields["level"].widget == "radios"
    assert [o.selected for o in fields["factors"].options] == [False, True, False]
    entry = fields["present"].entries[0]
    assert entry.fields[1].day == "9"
    assert entry.fields[1].id == "f-present.0.born"
    assert form.error_links == [
        ("f-visit_date.day", "Date of visit must be a real date"),
        ("f-visitors", "Visitors must be a number"),
        ("f-present.0.born.day", "Date of birth must include a month and a year (entry 1)"),
    ]


def test_messages_no_question_shows_still_reach_the_summary() -> None:
    form = forms_html.build_form(SCHEMA, {}, {"__all__": ["Something went wrong"]})
    assert form.error_links == [("step-form", "Something went wrong")]


def test_adding_and_removing_entries() -> None:
    raw = forms_html.raw_from_post(
        SCHEMA, _post(**{"q.present.rows": "1", "q.present.0.name": "A"})
    )
    focus = forms_html.change_rows(SCHEMA, raw, "add:present")
    assert len(raw["present"]) == 2
    assert focus == "f-present.1.name"
    raw["present"][1]["name"] = "B"
    forms_html.change_rows(SCHEMA, raw, "remove:present:0")
    assert [entry["name"] for entry in raw["present"]] == ["B"]
    # Nonsense is ignored
    assert forms_html.change_rows(SCHEMA, raw, "remove:present:99") == "f-present"
    assert forms_html.change_rows(SCHEMA, raw, "add:place") is None
    assert forms_html.change_rows(SCHEMA, raw, "explode:present") is None
    assert len(raw["present"]) == 1


def test_no_more_entries_than_the_engine_allows() -> None:
    raw: dict[str, Any] = {"present": [{"name": str(n)} for n in range(MAX_REPEATS)]}
    forms_html.change_rows(SCHEMA, raw, "add:present")
    assert len(raw["present"]) == MAX_REPEATS
    assert forms_html.build_form(SCHEMA, raw).sections[1].fields[-1].can_add is False


def test_unknown_people_are_named_with_page_entry_numbers() -> None:
    raw = forms_html.raw_from_post(
        SCHEMA,
        _post(
            q__lead="42",
            **{
                "q.present.rows": "2",
                "q.present.0.name": "",
                "q.present.1.name": "Lee",
                "q.present.1.relative": "99",
            },
        ),
    )
    answers, _ = forms_html.answers_from_raw(SCHEMA, raw)
    assert forms_html.raw_person_ids(SCHEMA, raw) == {42, 99}
    errors = forms_html.unknown_people(SCHEMA, raw, answers, known={42})
    assert errors == {"present-1-relative": ["There is no one with person ID 99 (entry 2)"]}


def test_answers_in_words_and_differences() -> None:
    answers = {
        "visit_date": "2026-02-03",
        "seen_alone": True,
        "cost": "1234.50",
        "level": "high",
        "factors": ["dv", "mh"],
        "lead": 42,
        "documents": [3],
        "present": [{"name": "Ann", "born": "1990-12-01"}],
    }
    sections = forms_html.display_answers(SCHEMA, answers, {42: "Jayden Whitmore"})
    rows = {row.key: row for section in sections for row in section.rows}
    assert rows["visit_date"].text == "3 February 2026"
    assert rows["seen_alone"].text == "Yes"
    assert rows["cost"].text == "£1,234.50"
    assert rows["level"].text == "High"
    assert rows["factors"].items == ["Domestic abuse", "Mental health"]
    assert rows["lead"].text == "Jayden Whitmore (person ID 42)"
    assert rows["documents"].text == "Document 3"
    assert rows["present"].table_rows == [["Ann", "1 December 1990", "Not answered"]]
    assert rows["place"].answered is False
    # A question the answers hide is not shown
    assert "not_seen_reason" not in rows

    theirs = dict(answers, level="low", visitors=3)
    found = forms_html.differences(SCHEMA, dict(answers, visitors=3.0), theirs, {})
    assert [(d.key, d.theirs, d.mine) for d in found] == [("level", "Low", "High")]


def test_everything_drawn_is_escaped() -> None:
    hostile = '"><script>alert(1)</script>'
    schema = {
        "sections": [
            {
                "key": "s",
                "title": "S",
                "fields": [
                    {
                        "key": "t",
                        "label": hostile,
                        "hint": hostile,
                        "kind": "text",
                        "required": False,
                    },
                    {
                        "key": "c",
                        "label": "C",
                        "kind": "choice",
                        "required": False,
                        "choices": [[hostile, hostile]],
                    },
                    {"key": "p", "label": hostile, "kind": "person", "required": False},
                    {
                        "key": "g",
                        "label": hostile,
                        "kind": "repeating_group",
                        "required": False,
                        "fields": [{"key": "n", "label": hostile, "kind": "long_text"}],
                    },
                ],
            }
        ]
    }
    raw = {"t": hostile, "c": hostile, "p": hostile, "g": [{"n": hostile}]}
    form = forms_html.build_form(
        schema, raw, {"t": [hostile]}, people={}, find_person_url='/find/"x', search_url="/s/"
    )
    html = form.sections[0].html
    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'hx-get="/find/&quot;x?target=f-p"' in html
