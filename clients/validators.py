"""Validators for the identifiers and values a person record holds.

Check digits come from python-stdnum (NHS number modulus 11, UPN check letter);
the messages are the ones a worker should see next to the field.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import nhs, upn

# The Royal Mail format, as published for validating UK postcodes (GIR 0AA included).
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_NI_NUMBER = re.compile(
    r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$"
)
MAX_NAME_LENGTH = 100


def normalise_nhs_number(value: str) -> str:
    """Digits only, checked: '943 476 5919' -> '9434765919'."""
    compact = re.sub(r"[\s-]", "", value or "")
    if not compact:
        return ""
    if not compact.isdigit() or len(compact) != 10:
        raise ValidationError(
            "Enter an NHS number with 10 digits, like 943 476 5919.", code="format"
        )
    try:
        nhs.validate(compact)
    except StdnumError as error:
        raise ValidationError(
            "This is not a valid NHS number: check you have typed it correctly.", code="checksum"
        ) from error
    return compact


def normalise_upn(value: str) -> str:
    """A unique pupil number: 13 characters, check letter first."""
    compact = re.sub(r"\s", "", value or "").upper()
    if not compact:
        return ""
    if len(compact) != 13 or not re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", compact):
        raise ValidationError(
            "Enter a UPN with 13 characters: a letter, 11 digits, then a digit or letter.",
            code="format",
        )
    try:
        upn.validate(compact)
    except StdnumError as error:
        raise ValidationError(
            "This is not a valid UPN: the check letter does not match.", code="checksum"
        ) from error
    return compact


def normalise_ni_number(value: str) -> str:
    compact = re.sub(r"\s", "", value or "").upper()
    if not compact:
        return ""
    if not _NI_NUMBER.fullmatch(compact):
        raise ValidationError(
            "Enter a National Insurance number in the right format, like QQ 12 34 56 C.",
            code="format",
        )
    return compact


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: 'sw1a1aa' -> 'SW1A 1AA'."""
    compact = re.sub(r"\s", "", value or "").upper()
    if not compact:
        return ""
    if not _POSTCODE.fullmatch(compact):
        raise ValidationError("Enter a real postcode, like SW1A 1AA.", code="format")
    return f"{compact[:-3]} {compact[-3:]}"


def validate_text(value: str, *, label: str, max_length: int) -> str:
    """Printable text only: no NUL or other control characters, no bidirectional overrides."""
    if value is None:
        return ""
    if len(value) > max_length:
        raise ValidationError(
            f"{label} must be {max_length} characters or fewer (you entered {len(value)}).",
            code="max_length",
        )
    for character in value:
        category = unicodedata.category(character)
        if character in "\n\r\t":
            continue
        if category == "Cc":
            raise ValidationError(
                f"{label} contains a control character that cannot be stored.", code="control"
            )
        # Bidirectional embedding/override/isolate controls can disguise what text says.
        if (
            category == "Cf"
            and character in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        ):
            raise ValidationError(
                f"{label} contains hidden text-direction characters; please type it again.",
                code="bidi",
            )
    return value.strip()


def validate_name(value: str, *, label: str) -> str:
    cleaned = validate_text(value, label=label, max_length=MAX_NAME_LENGTH)
    if "\n" in cleaned or "\r" in cleaned:
        raise ValidationError(f"{label} must be on one line.", code="newline")
    return cleaned


def validate_date_of_birth(value: datetime.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth must be today or in the past.", code="future")
    if value.year < today.year - 130:
        raise ValidationError("Date of birth must be within the last 130 years.", code="too_old")


def validate_expected_date_of_birth(value: datetime.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if not today - datetime.timedelta(days=60) <= value <= today + datetime.timedelta(days=300):
        raise ValidationError(
            "Expected date of birth must be within the next 10 months.", code="range"
        )
