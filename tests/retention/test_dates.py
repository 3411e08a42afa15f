"""The retention date of a person: every shipped rule with exact dates, leap days, the cap,
a missing date of birth, and the precedence of the rule that keeps a record longest."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from clients.models import Person
from retention.dates import Outcome, Retention, add_years, retention_of
from retention.models import Category, RetentionRule
from tests.factories import InvolvementFactory
from tests.retention.records import (
    TODAY,
    adopted,
    adult_work,
    aware,
    foster_carer,
    involvement,
    looked_after,
    note,
    person,
    previous_adoption,
    request_for_support,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def of(someone: Person) -> Retention:
    return retention_of(someone, today=TODAY)


# -- the anniversary arithmetic -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2000, 3, 14), 75, D(2075, 3, 14)),
        (D(2008, 2, 29), 75, D(2083, 3, 1)),  # 2083 has no 29 February: the day after
        (D(2012, 2, 29), 100, D(2112, 2, 29)),  # a leap year again
        (D(2015, 2, 28), 1, D(2016, 2, 28)),
        (D(2015, 3, 1), 1, D(2016, 3, 1)),
        (D(2016, 2, 29), 4, D(2020, 2, 29)),
        (D(2016, 12, 31), 150, D(2166, 12, 31)),
    ],
)
def test_anniversaries_in_python_and_in_the_database_agree(
    day: datetime.date, years: int, expected: datetime.date
) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT retention_add_years(%s, %s)", [day, years])
        in_database = cursor.fetchone()[0]
    assert (add_years(day, years), in_database) == (expected, expected)


# -- looked-after children: 75th birthday, or 15 years after a death before 18 --------------


def test_a_looked_after_child_is_kept_to_their_75th_birthday(
    rules: dict[str, RetentionRule],
) -> None:
    child = person(date_of_birth=D(2000, 3, 14))
    looked_after(child, start=D(2009, 5, 1), end=D(2018, 3, 14), reason="E13")

    retention = of(child)

    assert (retention.outcome, retention.date) == (Outcome.DATE, D(2075, 3, 14))
    assert retention.rule == rules[Category.LOOKED_AFTER]
    assert retention.facts.is_looked_after


def test_a_looked_after_child_who_died_before_18_is_kept_15_years_from_death(
    rules: dict[str, RetentionRule],
) -> None:
    child = person(date_of_birth=D(2010, 5, 1), date_of_death=D(2020, 2, 10))
    looked_after(child, start=D(2015, 1, 5), end=D(2020, 2, 10), reason="E2")

    retention = of(child)

    assert (retention.outcome, retention.date) == (Outcome.DATE, D(2035, 2, 10))
    assert retention.rule == rules[Category.LOOKED_AFTER]


def test_death_on_the_18th_birthday_is_not_before_18() -> None:
    child = person(date_of_birth=D(2000, 6, 1), date_of_death=D(2018, 6, 1))
    looked_after(child, start=D(2015, 1, 5))

    assert of(child).date == D(2075, 6, 1)


def test_death_the_day_before_the_18th_birthday_is_before_18() -> None:
    child = person(date_of_birth=D(2000, 6, 1), date_of_death=D(2018, 5, 31))
    looked_after(child, start=D(2015, 1, 5))

    assert of(child).date == D(2033, 5, 31)


def test_a_child_born_on_29_february_is_kept_to_1_march_of_a_common_year() -> None:
    child = person(date_of_birth=D(2008, 2, 29))
    looked_after(child, start=D(2010, 1, 1), end=D(2012, 1, 1))

    assert of(child).date == D(2083, 3, 1)


def test_a_looked_after_child_with_no_date_of_birth_goes_to_review() -> None:
    child = person(date_of_birth=None)
    looked_after(child, start=D(2010, 1, 1), end=D(2012, 1, 1))

    retention = of(child)

    assert (retention.outcome, retention.date) == (Outcome.UNKNOWN, None)
    assert retention.undetermined_reason == "no_date_of_birth"
    assert retention.is_due(TODAY)


def test_a_child_who_died_with_no_date_of_birth_goes_to_review() -> None:
    # Nobody can tell whether they died before 18, so neither date can be chosen.
    child = person(date_of_birth=None, date_of_death=D(2015, 4, 2))
    looked_after(child, start=D(2010, 1, 1), end=D(2015, 4, 2), reason="E2")

    assert (of(child).outcome, of(child).undetermined_reason) == (
        Outcome.UNKNOWN,
        "no_date_of_birth",
    )


# -- adoption: 100 years from the order -----------------------------------------------------


def test_an_adopted_child_is_kept_100_years_from_the_order(
    rules: dict[str, RetentionRule],
) -> None:
    child = person(date_of_birth=D(2008, 9, 9))
    adopted(child, placed=D(2009, 1, 10), order=D(2010, 6, 30))

    retention = of(child)

    # Looked after too (to 2083), but the adoption rule keeps the record longer.
    assert (retention.date, retention.rule) == (D(2110, 6, 30), rules[Category.ADOPTED])
    assert retention.facts.adoption_order == D(2010, 6, 30)


def test_an_order_on_29_february_runs_to_29_february_a_century_later() -> None:
    child = person(date_of_birth=D(2010, 1, 1))
    adopted(child, placed=D(2011, 1, 1), order=D(2012, 2, 29))

    assert of(child).date == D(2112, 2, 29)


def test_a_previous_adoption_order_counts_too() -> None:
    child = person(date_of_birth=D(2004, 4, 4))
    previous_adoption(child, order=D(2006, 11, 20))

    assert of(child).date == D(2106, 11, 20)


def test_a_decision_to_place_for_adoption_without_an_order_is_not_adoption(
    rules: dict[str, RetentionRule],
) -> None:
    child = person(date_of_birth=D(2015, 3, 3))
    looked_after(child, start=D(2016, 1, 1), end=D(2018, 1, 1), reason="E41")

    retention = of(child)

    assert (retention.date, retention.rule) == (D(2090, 3, 3), rules[Category.LOOKED_AFTER])


# -- foster carers: 10 years after approval ends ---------------------------------------------


def test_a_foster_carer_is_kept_10_years_from_the_latest_placement_end(
    rules: dict[str, RetentionRule],
) -> None:
    carer = person(date_of_birth=D(1960, 7, 1))
    foster_carer(
        carer, person(date_of_birth=D(2005, 1, 1)), start=D(2008, 1, 1), end=D(2012, 4, 30)
    )
    foster_carer(
        carer, person(date_of_birth=D(2007, 1, 1)), start=D(2013, 1, 1), end=D(2015, 8, 31)
    )

    retention = of(carer)

    assert (retention.date, retention.rule) == (D(2025, 8, 31), rules[Category.FOSTER_CARER])
    assert retention.is_due(TODAY)


def test_a_foster_carer_still_caring_has_not_started_their_period() -> None:
    carer = person(date_of_birth=D(1960, 7, 1))
    foster_carer(carer, person(), start=D(2008, 1, 1), end=D(2012, 4, 30))
    foster_carer(carer, person(), start=D(2020, 1, 1), end=None)

    retention = of(carer)

    # Ongoing, so only the cap bounds it: 150 years from the date of birth.
    assert (retention.outcome, retention.date) == (Outcome.ONGOING, D(2110, 7, 1))
    assert retention.facts.approval_is_ongoing
    assert not retention.is_due(TODAY)


# -- adults: 8 years after last contact ------------------------------------------------------


def test_an_adult_is_kept_8_years_from_the_last_contact(rules: dict[str, RetentionRule]) -> None:
    adult = person(date_of_birth=D(1950, 1, 1))
    adult_work(adult, opened=D(2015, 2, 1), closed=D(2016, 1, 1))
    note(adult, on=D(2016, 3, 3))
    note(adult, on=D(2017, 3, 3))
    involvement(adult, start=D(2015, 2, 1), end=D(2016, 12, 31))

    retention = of(adult)

    assert (retention.date, retention.rule) == (D(2025, 3, 3), rules[Category.ADULT])
    assert retention.facts.last_contact == D(2017, 3, 3)


def test_an_involvement_ending_last_is_the_last_contact() -> None:
    adult = person(date_of_birth=D(1950, 1, 1))
    request_for_support(adult, on=D(2014, 5, 5))
    note(adult, on=D(2016, 3, 3))
    involvement(adult, start=D(2014, 5, 5), end=D(2018, 2, 28))

    assert of(adult).date == D(2026, 2, 28)


def test_an_open_involvement_means_the_period_has_not_started() -> None:
    adult = person(date_of_birth=D(1950, 1, 1))
    adult_work(adult, opened=D(2010, 2, 1))
    note(adult, on=D(2011, 3, 3))
    InvolvementFactory(person=adult, start_date=D(2010, 2, 1), end_date=None)

    retention = of(adult)

    assert retention.facts.work_is_ongoing
    assert not retention.is_due(TODAY)


def test_an_involvement_ending_in_the_future_is_still_open() -> None:
    adult = person(date_of_birth=D(1950, 1, 1))
    adult_work(adult, opened=D(2010, 2, 1))
    involvement(adult, start=D(2010, 2, 1), end=TODAY + datetime.timedelta(days=30))

    assert of(adult).facts.work_is_ongoing


def test_a_child_with_an_adults_episode_is_not_an_adult(rules: dict[str, RetentionRule]) -> None:
    young = person(date_of_birth=D(2010, 8, 1))
    adult_work(young, opened=D(2016, 1, 1), closed=D(2016, 2, 1))

    assert of(young).rule == rules[Category.OTHER]


# -- everyone else: 25th birthday or 6 years after last contact, whichever is later ----------


def test_a_child_not_looked_after_is_kept_to_their_25th_birthday(
    rules: dict[str, RetentionRule],
) -> None:
    child = person(date_of_birth=D(2012, 7, 1))
    note(child, on=D(2020, 1, 1))

    retention = of(child)

    assert (retention.date, retention.rule) == (D(2037, 7, 1), rules[Category.OTHER])


def test_a_relative_with_no_contact_counts_from_when_the_record_was_made(
    rules: dict[str, RetentionRule],
) -> None:
    parent = person(date_of_birth=D(1980, 1, 1), created_at=aware(D(2019, 5, 5)))

    retention = of(parent)

    # 25th birthday 2005; six years from the record's creation on 5 May 2019.
    assert (retention.date, retention.rule) == (D(2025, 5, 5), rules[Category.OTHER])
    assert retention.facts.last_contact is None


def test_no_date_of_birth_under_the_catch_all_goes_to_review() -> None:
    someone = person(date_of_birth=None)
    note(someone, on=D(2012, 1, 1))

    retention = of(someone)

    assert (retention.outcome, retention.undetermined_reason) == (
        Outcome.UNKNOWN,
        "no_date_of_birth",
    )


def test_a_record_no_active_rule_fits_goes_to_review(rules: dict[str, RetentionRule]) -> None:
    RetentionRule.objects.filter(category=Category.OTHER).update(is_active=False)
    someone = person(date_of_birth=D(1980, 1, 1))

    retention = of(someone)

    assert (retention.outcome, retention.undetermined_reason, retention.rule) == (
        Outcome.UNKNOWN,
        "no_rule",
        None,
    )


def test_when_the_catch_all_is_off_a_foster_carer_is_still_covered(
    rules: dict[str, RetentionRule],
) -> None:
    RetentionRule.objects.filter(category=Category.OTHER).update(is_active=False)
    carer = person(date_of_birth=D(1960, 7, 1))
    foster_carer(carer, person(), start=D(2008, 1, 1), end=D(2012, 4, 30))

    assert of(carer).date == D(2022, 4, 30)


# -- several rules, and the cap ---------------------------------------------------------------


def test_the_longest_of_several_rules_keeps_the_record(rules: dict[str, RetentionRule]) -> None:
    # A former looked-after child who became a foster carer: to their 75th birthday in 2065
    # beats ten years after their approval ended.
    carer = person(date_of_birth=D(1990, 10, 10))
    looked_after(carer, start=D(1995, 1, 1), end=D(2008, 10, 10), reason="E13")
    foster_carer(carer, person(), start=D(2015, 1, 1), end=D(2020, 1, 1))

    retention = of(carer)

    assert (retention.date, retention.rule) == (D(2065, 10, 10), rules[Category.LOOKED_AFTER])


def test_ongoing_work_under_any_rule_keeps_the_record(rules: dict[str, RetentionRule]) -> None:
    carer = person(date_of_birth=D(1950, 10, 10))
    foster_carer(carer, person(), start=D(2000, 1, 1), end=D(2005, 1, 1))
    adult_work(carer, opened=D(2020, 1, 1))
    InvolvementFactory(person=carer, start_date=D(2020, 1, 1), end_date=None)

    assert not of(carer).is_due(TODAY)


def test_a_tie_goes_to_the_rule_with_the_lower_precedence(rules: dict[str, RetentionRule]) -> None:
    twin = RetentionRule.objects.create(
        name="Looked after, council policy",
        category=Category.LOOKED_AFTER,
        description="The same period, as the council's own policy.",
        trigger="birth",
        years=75,
        precedence=5,
    )
    child = person(date_of_birth=D(2000, 3, 14))
    looked_after(child, start=D(2009, 5, 1), end=D(2012, 1, 1))

    assert (of(child).date, of(child).rule) == (D(2075, 3, 14), twin)


def test_no_record_is_kept_past_the_cap_after_birth(
    settings: object, rules: dict[str, RetentionRule]
) -> None:
    settings.RETENTION_MAX_YEARS_AFTER_BIRTH = 80  # type: ignore[attr-defined]
    child = person(date_of_birth=D(2000, 1, 1))
    adopted(child, placed=D(2001, 1, 1), order=D(2005, 5, 5))

    assert of(child).date == D(2080, 1, 1)


def test_a_merged_record_has_no_retention_of_its_own() -> None:
    kept = person(date_of_birth=D(2000, 1, 1))
    duplicate = person(date_of_birth=D(2000, 1, 1))
    Person.objects.filter(pk=duplicate.pk).update(merged_into=kept)

    with pytest.raises(ValueError, match="merged"):
        of(duplicate)


# -- the rules themselves ---------------------------------------------------------------------


def _rule(**values: object) -> RetentionRule:
    defaults: dict[str, object] = {
        "name": "A rule",
        "category": Category.ADULT,
        "description": "Why.",
        "trigger": "last_contact",
        "years": 8,
    }
    return RetentionRule(**{**defaults, **values})


def test_a_period_running_past_the_cap_is_refused_with_the_cap_in_the_message() -> None:
    with pytest.raises(ValidationError) as caught:
        _rule(years=151).full_clean()

    assert caught.value.message_dict["years"] == [
        "A period of 151 years would run past the date of birth + 150 years, the longest any "
        "record may be kept. Enter 150 or fewer."
    ]


def test_the_cap_is_a_setting(settings: object) -> None:
    settings.RETENTION_MAX_YEARS_AFTER_BIRTH = 120  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as caught:
        _rule(trigger="birth", years=121).full_clean()

    assert "Enter 120 or fewer." in caught.value.message_dict["years"][0]
    _rule(trigger="birth", years=120).full_clean()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"years": 0}, "years", "Enter a period of at least 1 year."),
        (
            {"second_trigger": "death"},
            "second_years",
            "Enter the years from the second date.",
        ),
        (
            {"second_trigger": "death", "second_years": 15},
            "combine",
            "Choose whether the later or the earlier date applies.",
        ),
        (
            {"second_years": 15, "combine": "later"},
            "second_trigger",
            "Choose the second date, or clear its years and choice.",
        ),
        (
            {
                "second_trigger": "birth",
                "second_years": 25,
                "combine": "later",
                "second_only_if_died_before_age": 18,
            },
            "second_only_if_died_before_age",
            "An age at death applies only when the second date is the date of death.",
        ),
        (
            {"second_trigger": "last_contact", "second_years": 6, "combine": "later"},
            "second_trigger",
            "Choose a different date from the first.",
        ),
        (
            {"second_years": 200, "second_trigger": "death", "combine": "later"},
            "second_years",
            "A period of 200 years would run past the date of birth + 150 years, the longest any "
            "record may be kept. Enter 150 or fewer.",
        ),
    ],
)
def test_a_rule_that_does_not_add_up_is_refused_on_its_field(
    values: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _rule(**values).full_clean()

    assert caught.value.message_dict[field] == [message]


def test_the_shipped_rules_cite_their_basis(rules: dict[str, RetentionRule]) -> None:
    assert {category: rule.summary for category, rule in rules.items()} == {
        "looked_after": "Date of birth + 75 years, or date of death + 15 years if they died "
        "before 18 (whichever is earlier)",
        "adopted": "Date of the adoption order + 100 years",
        "foster_carer": "End of approval as a foster carer + 10 years",
        "adult": "Last contact + 8 years",
        "other": "Date of birth + 25 years, or last contact + 6 years (whichever is later)",
    }
    assert "regulation 50" in rules["looked_after"].description
    assert "regulation 6" in rules["adopted"].description
    assert "32(3)" in rules["foster_carer"].description
    assert "no fostering module" in rules["foster_carer"].description
    assert "Records Management Code" in rules["adult"].description
    assert "Limitation Act 1980" in rules["other"].description
