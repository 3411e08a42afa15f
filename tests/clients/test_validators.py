from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients import validators
from clients.names import fold, name_keys, phonetic


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("943 476 5919", "9434765919"), ("943-476-5919", "9434765919"), ("", "")],
)
def test_nhs_numbers_are_stored_as_ten_digits(typed: str, stored: str) -> None:
    assert validators.normalise_nhs_number(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9434765918", "not a valid NHS number"),
        ("94347659", "10 digits"),
        ("943476591X", "10 digits"),
    ],
)
def test_bad_nhs_numbers_say_why(typed: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validators.normalise_nhs_number(typed)


def test_upn_check_letter_is_checked() -> None:
    assert validators.normalise_upn("h801200001001") == "H801200001001"
    with pytest.raises(ValidationError, match="check letter"):
        validators.normalise_upn("A801200001001")
    with pytest.raises(ValidationError, match="13 characters"):
        validators.normalise_upn("H8012")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        (" b33 8th ", "B33 8TH"),
        ("GIR0AA", "GIR 0AA"),
    ],
)
def test_postcodes_are_normalised(typed: str, stored: str) -> None:
    assert validators.normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["NOTAPOSTCODE", "SW1A", "12345", "QQ1 1AA"])
def test_bad_postcodes_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="real postcode"):
        validators.normalise_postcode(typed)


def test_ni_numbers() -> None:
    assert validators.normalise_ni_number("jg 10 37 94 b") == "JG103794B"
    with pytest.raises(ValidationError, match="National Insurance"):
        validators.normalise_ni_number("GB123456A")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Jay\x00den", "control character"),
        ("\u202eredlof", "text-direction"),
        ("x" * 101, "100 characters or fewer"),
    ],
)
def test_hostile_names_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validators.validate_name(text, label="First name")


def test_names_in_any_script_are_welcome() -> None:
    assert validators.validate_name(" محمد ", label="First name") == "محمد"
    assert validators.validate_name("Zoë 🌟", label="First name") == "Zoë 🌟"


def test_dates_of_birth() -> None:
    validators.validate_date_of_birth(datetime.date(2010, 1, 1))
    with pytest.raises(ValidationError, match="today or in the past"):
        validators.validate_date_of_birth(timezone.localdate() + datetime.timedelta(days=1))


def test_name_keys_fold_accents_and_punctuation_and_sound_alike() -> None:
    assert fold("Zoë O'Brien-Smith") == "zoe obriensmith"
    assert name_keys("Stephen", "Smyth") == ("stephen smyth", "STFN", "SM0")
    assert phonetic("Steven") == phonetic("Stephen")
    assert phonetic("Smith") == phonetic("Smyth")
