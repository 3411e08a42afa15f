"""Finding people: by name (with typos and sound-alikes), date of birth, identifier, postcode.

Every search starts from ``clients.selectors.person_list_visible_to(user)``, so it can
never find someone the user may not see, and never finds a record merged into another.

What is stored
--------------
The person services keep, on every name change (``clients.names``): ``search_name``, the
folded name ("Zoë O'Brien" -> "zoe obrien"), and Metaphone codes of the first and last
names. Former names and aliases (``PersonName``) have a folded ``search_name`` too.
Search reads these indexed columns, never a function of the raw names.

How a search runs
-----------------
1. **Filters.** Date of birth (a full date, month and year, a year, or day and month),
   identifier (NHS number, UPN, NI number, person ID, or an id in another system) and
   postcode (full, or its first half) are filters, applied in SQL.

2. **Candidates.** With a name as well:

   * If a filter leaves only a handful of people (an exact date of birth: about 30 people
     per day of birth at 1M records; a full postcode; an identifier), all of them are
     candidates, fetched with their other names in one query.
   * Otherwise the name finds its candidates through indexes, each source capped at
     ``CANDIDATE_LIMIT`` rows, most similar first: trigram similarity on ``search_name``
     (``%`` for several words, word similarity ``%>`` for a single word) with the
     threshold raised to ``TRIGRAM_THRESHOLD`` by ``SET LOCAL`` so the GIN index does the
     work; the (last, first) Metaphone index for sound-alikes; and the trigram index on
     former names and aliases.

3. **Score.** Each candidate name (current, former or alias) is scored in Python::

       exact name   +3      the words typed are the person's first and last name (one
                            word alone: their last or first name)
       spelling     0..1    mean Damerau-Levenshtein similarity of first and last name
       sound        0..0.5  +0.25 each for a first and last name whose Metaphone matches
       trigram      0..1    pg_trgm similarity of the whole name

   so an exact name always comes first; a sound-alike ("Steven" for "Stephen", "Smyth"
   for "Smith") beats a name that merely shares letters; and among the rest the closer
   spelling wins. Names are read several ways (first word + rest, all but last + last
   word, first + last word skipping middle names, and reversed), and the best reading
   counts. A person's best name counts; a former name or alias scores 0.05 below the same
   current name. A candidate matches when its name is exact, sounds the same in any word,
   is spelt at least 60% the same, or has trigram similarity of 0.3 or more.

   For likely duplicates (``likely_duplicates``) other facts add to the name's score:
   the same NHS number +5, the same date of birth +1, one digit different or day and
   month swapped +0.5, the same current postcode +0.3.

4. **Rank and page.** Score, then last name, first name and id; 20 to a page. The total
   counts every match; when a source reached its cap the total is a lower bound and
   ``SearchResults.is_capped`` says so ("add a date of birth to narrow the search").

At 1M people: name and exact date of birth reads ~30 rows by the date of birth index; a
name alone reads the trigram and Metaphone indexes plus at most ``CANDIDATE_LIMIT``
rows per source.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import jellyfish
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject, Length
from django.utils import timezone

from casemgmt.types import AnyUser
from clients import validators
from clients.models import Person, PersonIdentifier, PersonName
from clients.names import fold, phonetic
from clients.selectors import person_list_hidden_from, person_list_visible_to

PAGE_SIZE = 20
CANDIDATE_LIMIT = 500  # rows per candidate source when a name has to find its own candidates
SMALL_SET_LIMIT = 2000  # beyond this a "selective" filter is not selective: use the name indexes
TRIGRAM_THRESHOLD = 0.4  # pg_trgm.similarity_threshold for `%` during a search
WORD_THRESHOLD = 0.5  # pg_trgm.word_similarity_threshold for `%>` (a single word)
MAX_NAME_LENGTH = 200
MAX_IDENTIFIER_LENGTH = 60
MAX_AGE_YEARS = 130  # as clients.validators.validate_date_of_birth

EXACT_WEIGHT = 3.0
SOUND_WEIGHT = 0.25  # for each of the first and last names
OTHER_NAME_PENALTY = 0.05
MATCH_TRIGRAM = 0.3
MATCH_SPELLING = 0.6

_NAME_PUNCTUATION = set(" -'\u2019.,")
_IDENTIFIER_CHARACTERS = re.compile(r"^[A-Za-z0-9 ./_-]*$")
_OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_NHS_SHAPE = re.compile(r"^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$")
_UPN_SHAPE = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


# --- what the caller asks for, and what it gets back ----------------------------------


@dataclass(frozen=True)
class SearchCriteria:
    """What to look for. Any subset of the date of birth's parts may be given.

    ``date_of_birth`` is a convenience for callers holding one value: a date, or text
    like "14/03/2015", "03/2015", "2015" or "2015-03-14". It fills the parts.
    """

    name: str = ""
    dob_day: int | None = None
    dob_month: int | None = None
    dob_year: int | None = None
    identifier: str = ""
    postcode: str = ""
    page: int = 1
    date_of_birth: datetime.date | str | None = None

    def describe(self) -> str:
        """The criteria in words, for the audit trail."""
        parts = []
        if self.name:
            parts.append(f'name "{self.name[:100]}"')
        dob = self._dob_text()
        if dob:
            parts.append(f"born {dob}")
        if self.identifier:
            parts.append(f'identifier "{self.identifier[:60]}"')
        if self.postcode:
            parts.append(f'postcode "{self.postcode[:10]}"')
        return ", ".join(parts) or "nothing"

    def _dob_text(self) -> str:
        if self.date_of_birth:
            return str(self.date_of_birth)[:20]
        parts = (self.dob_day, self.dob_month, self.dob_year)
        if all(part is None for part in parts):
            return ""
        return "/".join("?" if part is None else str(part) for part in parts)


@dataclass
class PersonMatch:
    """One person found, with why they matched."""

    person: Person
    score: float = 0.0
    matched_name: str = ""  # a former name or alias, when that is what matched
    matched_name_kind: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def postcode(self) -> str:
        return format_postcode(self.person.current_postcode)


@dataclass
class SearchResults:
    """One page of results, best first, and how many there are in all."""

    matches: list[PersonMatch]
    total: int
    page: int
    per_page: int = PAGE_SIZE
    is_capped: bool = False  # a candidate source hit its cap: `total` is a lower bound

    def __iter__(self) -> Iterator[PersonMatch]:
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.matches else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.matches)

    def page_numbers(self) -> list[int | None]:
        """Pages to link to, GOV.UK style: first, last, and the current one's neighbours."""
        wanted = {1, self.page_count, self.page - 1, self.page, self.page + 1}
        numbers = sorted(n for n in wanted if 1 <= n <= self.page_count)
        result: list[int | None] = []
        for number in numbers:
            if result and result[-1] is not None and number - result[-1] > 1:
                result.append(None)
            result.append(number)
        return result


def format_postcode(compact: str) -> str:
    """'SW1A1AA' -> 'SW1A 1AA'."""
    compact = (compact or "").replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


# --- checking the criteria -------------------------------------------------------------


@dataclass
class _DateOfBirth:
    day: int | None = None
    month: int | None = None
    year: int | None = None

    @property
    def is_full(self) -> bool:
        return None not in (self.day, self.month, self.year)

    @property
    def is_given(self) -> bool:
        return any(part is not None for part in (self.day, self.month, self.year))

    def exact(self) -> datetime.date | None:
        if self.is_full:
            return datetime.date(self.year, self.month, self.day)  # type: ignore[arg-type]
        return None

    def q(self) -> Q:
        """The filter on Person.date_of_birth; every form but 'day only'/'month only' uses the index."""
        today = timezone.localdate()
        exact = self.exact()
        if exact is not None:
            return Q(date_of_birth=exact)
        if self.year is not None:
            if self.month is not None:
                start = datetime.date(self.year, self.month, 1)
                end = _add_month(start)
            else:
                start, end = datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)
            condition = Q(date_of_birth__gte=start, date_of_birth__lt=end)
            if self.day is not None:
                condition &= Q(date_of_birth__day=self.day)
            return condition
        if self.day is not None and self.month is not None:
            # Every year's birthday, so the date of birth index still does the work.
            days = [
                datetime.date(year, self.month, self.day)
                for year in range(today.year - MAX_AGE_YEARS, today.year + 1)
                if self.day <= calendar.monthrange(year, self.month)[1]
            ]
            return Q(date_of_birth__in=days)
        if self.month is not None:
            return Q(date_of_birth__month=self.month)
        return Q(date_of_birth__day=self.day)


def _add_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass
class _Name:
    """A typed name, folded, and the ways it can be read as (first, last)."""

    folded: str
    words: list[str]
    readings: list[tuple[str, str]]

    @property
    def is_single_word(self) -> bool:
        return len(self.words) == 1

    @property
    def phonetic_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for first, last in self.readings:
            codes = (phonetic(first), phonetic(last))
            if all(codes) and codes not in pairs:
                pairs.append(codes)
        return pairs


def _read_name(text: str) -> _Name:
    if "," in text:
        # "Whitmore, Jayden": the register style, last name first.
        last, _, first = text.partition(",")
        text = f"{first} {last}"
    folded = fold(text)
    words = folded.split()
    readings: list[tuple[str, str]] = []
    if len(words) >= 2:
        candidates = [
            (words[0], " ".join(words[1:])),
            (" ".join(words[:-1]), words[-1]),
            (words[0], words[-1]),
            (words[-1], words[0]),
            (" ".join(words[1:]), words[0]),
        ]
        for reading in candidates:
            if reading not in readings:
                readings.append(reading)
    return _Name(folded=folded, words=words, readings=readings)


@dataclass
class _Identifier:
    raw: str
    nhs_number: str = ""
    upper: str = ""
    person_id: int | None = None

    def person_q(self) -> Q:
        condition = Q(upn=self.upper) | Q(ni_number=self.upper)
        if self.nhs_number:
            condition |= Q(nhs_number=self.nhs_number)
        if self.person_id is not None:
            condition |= Q(pk=self.person_id)
        return condition


@dataclass
class _Plan:
    name: _Name | None
    dob: _DateOfBirth
    identifier: _Identifier | None
    postcode: str  # compact, full
    outward_code: str
    page: int


def _check_name(value: str) -> _Name:
    text = validators.validate_name(value or "", label="Name")
    if any(ch.isdigit() for ch in text):
        raise ValidationError(
            "A name cannot contain numbers. To search by NHS number or another ID, use Identifier."
        )
    for character in text:
        category = unicodedata.category(character)
        if not (category[0] in "LM" or character in _NAME_PUNCTUATION):
            raise ValidationError(
                "Name can only include letters, spaces, hyphens, apostrophes and full stops."
            )
    name = _read_name(text)
    if not name.folded:
        raise ValidationError("Enter the name using the letters A to Z.")
    if len(name.folded.replace(" ", "")) < 2:
        raise ValidationError("Enter at least 2 letters of the name.")
    return name


_DOB_FORMATS = (
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), ("day", "month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})[/.-](\d{4})$"), ("month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("year", "month")),
    (re.compile(r"^(\d{4})$"), ("year",)),
)


def _dob_parts(criteria: SearchCriteria) -> _DateOfBirth:
    value = criteria.date_of_birth
    parts = _DateOfBirth(criteria.dob_day, criteria.dob_month, criteria.dob_year)
    if value in (None, ""):
        return parts
    if parts.is_given:
        raise ValidationError("Give the date of birth once, either as parts or as one date.")
    if isinstance(value, datetime.date):
        return _DateOfBirth(value.day, value.month, value.year)
    text = str(value).strip()
    for pattern, names in _DOB_FORMATS:
        found = pattern.match(text)
        if found:
            values = dict(zip(names, (int(group) for group in found.groups()), strict=True))
            return _DateOfBirth(values.get("day"), values.get("month"), values.get("year"))
    raise ValidationError(
        "Enter a date of birth like 14/03/2015, a month and year like 03/2015, or a year like 2015."
    )


def check_date_of_birth(dob: _DateOfBirth) -> None:
    """Raise ValidationError unless the parts given make a possible, past date of birth."""
    today = timezone.localdate()
    if dob.day is not None and not 1 <= dob.day <= 31:
        raise ValidationError("Day of birth must be between 1 and 31.")
    if dob.month is not None and not 1 <= dob.month <= 12:
        raise ValidationError("Month of birth must be between 1 and 12.")
    if dob.year is not None:
        if not 1000 <= dob.year <= 9999:
            raise ValidationError("Year of birth must include 4 numbers.")
        if dob.year > today.year:
            raise ValidationError("Date of birth must be today or in the past.")
        if dob.year < today.year - MAX_AGE_YEARS:
            raise ValidationError(f"Date of birth must be within the last {MAX_AGE_YEARS} years.")
    if dob.day is not None and dob.month is not None:
        longest = (
            calendar.monthrange(dob.year, dob.month)[1]
            if dob.year is not None
            else max(calendar.monthrange(2000, dob.month)[1], 1)
        )
        if dob.day > longest:
            raise ValidationError("Date of birth must be a real date.")
    exact = dob.exact()
    if exact is not None and exact > today:
        raise ValidationError("Date of birth must be today or in the past.")
    if dob.year == today.year and dob.month is not None and dob.month > today.month:
        raise ValidationError("Date of birth must be today or in the past.")


def _check_identifier(value: str) -> _Identifier:
    text = validators.validate_text(
        value or "", label="Identifier", max_length=MAX_IDENTIFIER_LENGTH
    )
    if not _IDENTIFIER_CHARACTERS.match(text):
        raise ValidationError(
            "Identifier can only include letters, numbers, spaces, hyphens, slashes and full stops."
        )
    identifier = _Identifier(raw=text, upper=re.sub(r"\s", "", text).upper())
    if _NHS_SHAPE.match(text):
        identifier.nhs_number = validators.normalise_nhs_number(text)
    elif _UPN_SHAPE.match(identifier.upper):
        validators.normalise_upn(identifier.upper)
    if identifier.upper.isdigit() and len(identifier.upper) <= 18:
        identifier.person_id = int(identifier.upper)
    return identifier


def _check_postcode(value: str) -> tuple[str, str]:
    text = validators.validate_text(value or "", label="Postcode", max_length=20)
    compact = re.sub(r"\s", "", text).upper()
    if _OUTWARD_CODE.match(compact):
        return "", compact
    try:
        return validators.normalise_postcode(compact).replace(" ", ""), ""
    except ValidationError:
        raise ValidationError(
            "Enter a full postcode, like SW1A 1AA, or its first half, like SW1A."
        ) from None


def check_criteria(criteria: SearchCriteria) -> _Plan:
    """Validate the criteria; raise ValidationError({field: [messages]}) naming each bad one.

    Fields: "name", "date_of_birth", "identifier", "postcode", and "__all__" when nothing
    (or not enough) was given.
    """
    errors: dict[str, list[str]] = {}
    name = identifier = None
    dob = _DateOfBirth()
    postcode = outward = ""
    if (criteria.name or "").strip():
        try:
            name = _check_name(criteria.name)
        except ValidationError as error:
            errors["name"] = error.messages
    try:
        dob = _dob_parts(criteria)
        check_date_of_birth(dob)
    except ValidationError as error:
        errors["date_of_birth"] = error.messages
    if (criteria.identifier or "").strip():
        try:
            identifier = _check_identifier(criteria.identifier)
        except ValidationError as error:
            errors["identifier"] = error.messages
    if (criteria.postcode or "").strip():
        try:
            postcode, outward = _check_postcode(criteria.postcode)
        except ValidationError as error:
            errors["postcode"] = error.messages
    if not errors:
        if not (name or dob.is_given or identifier or postcode or outward):
            errors["__all__"] = [
                "Enter a name, a date of birth, an identifier or a postcode to search."
            ]
        elif dob.is_given and dob.year is None and not (name or identifier or postcode or outward):
            errors["date_of_birth"] = [
                "Add the year of birth, or search with a name, identifier or postcode as well."
            ]
    if errors:
        raise ValidationError(errors)
    return _Plan(
        name=name,
        dob=dob,
        identifier=identifier,
        postcode=postcode,
        outward_code=outward,
        page=max(1, min(int(criteria.page or 1), 10_000)),
    )


# --- scoring ----------------------------------------------------------------------------


def _spelling(typed: str, stored: str) -> float:
    if not typed or not stored:
        return 0.0
    distance = jellyfish.damerau_levenshtein_distance(typed, stored)
    return max(0.0, 1.0 - distance / max(len(typed), len(stored)))


@dataclass
class _Candidate:
    """A name of a person, as read from the database, waiting to be scored."""

    person_id: int
    first_name: str
    last_name: str
    trigram: float
    first_code: str | None = None  # Metaphone codes, when stored (current names)
    last_code: str | None = None
    other_kind: str = ""  # set for a former name or alias


class _Scorer:
    """Scores candidate names against one typed name; remembers names already scored."""

    def __init__(self, name: _Name) -> None:
        self.name = name
        self.reading_codes = [(phonetic(first), phonetic(last)) for first, last in name.readings]
        self.word_code = phonetic(name.folded) if name.is_single_word else ""
        self._memo: dict[tuple[str, str, str | None, str | None], tuple[float, bool]] = {}

    def name_score(self, candidate: _Candidate) -> tuple[float, bool]:
        """(score without trigram similarity, whether it is a match on its own)."""
        key = (
            candidate.first_name,
            candidate.last_name,
            candidate.first_code,
            candidate.last_code,
        )
        known = self._memo.get(key)
        if known is None:
            known = self._score(*key)
            self._memo[key] = known
        return known

    def _score(
        self, first_name: str, last_name: str, first_code: str | None, last_code: str | None
    ) -> tuple[float, bool]:
        first, last = fold(first_name), fold(last_name)
        first_code = phonetic(first_name) if first_code is None else first_code
        last_code = phonetic(last_name) if last_code is None else last_code
        first_word = first.split(" ", 1)[0]
        if self.name.is_single_word:
            word = self.name.folded
            exact = word in (first, last, last.replace(" ", ""))
            sound_last = bool(self.word_code) and self.word_code == last_code
            sound_first = bool(self.word_code) and self.word_code == first_code
            as_last = max(_spelling(word, last), _spelling(word, last.replace(" ", "")))
            as_first = max(_spelling(word, first), _spelling(word, first_word))
            spelling_and_sound = max(
                as_last + 2 * SOUND_WEIGHT * sound_last,
                0.9 * (as_first + 2 * SOUND_WEIGHT * sound_first),
            )
            spelling = max(as_last, as_first)
            sounds = sound_last or sound_first
        else:
            exact = False
            spelling_and_sound = spelling = 0.0
            sounds = False
            for (typed_first, typed_last), (code_first, code_last) in zip(
                self.name.readings, self.reading_codes, strict=True
            ):
                if (typed_first, typed_last) == (first, last):
                    exact = True
                same_first = bool(code_first) and code_first == first_code
                same_last = bool(code_last) and code_last == last_code
                sounds = sounds or same_first or same_last
                reading_spelling = (
                    max(_spelling(typed_first, first), _spelling(typed_first, first_word))
                    + max(_spelling(typed_last, last), _spelling(typed_last, last.replace(" ", "")))
                ) / 2
                spelling = max(spelling, reading_spelling)
                spelling_and_sound = max(
                    spelling_and_sound,
                    reading_spelling + SOUND_WEIGHT * (same_first + same_last),
                )
        score = EXACT_WEIGHT * exact + spelling_and_sound
        return score, exact or sounds or spelling >= MATCH_SPELLING

    def score(self, candidate: _Candidate) -> tuple[float, bool]:
        score, is_match = self.name_score(candidate)
        score += candidate.trigram
        if candidate.other_kind:
            score -= OTHER_NAME_PENALTY
        return score, is_match or candidate.trigram >= MATCH_TRIGRAM


@dataclass
class _Best:
    score: float
    candidate: _Candidate


def _best_by_person(
    scorer: _Scorer, candidates: Sequence[_Candidate], *, require_match: bool = True
) -> dict[int, _Best]:
    best: dict[int, _Best] = {}
    for candidate in candidates:
        score, is_match = scorer.score(candidate)
        if require_match and not is_match:
            continue
        current = best.get(candidate.person_id)
        if current is None or score > current.score:
            best[candidate.person_id] = _Best(score, candidate)
    return best


# --- reading candidates -----------------------------------------------------------------


def _similarity(name: _Name, column: str) -> TrigramSimilarity | TrigramWordSimilarity:
    if name.is_single_word:
        return TrigramWordSimilarity(name.folded, column)
    return TrigramSimilarity(column, name.folded)


def _name_condition(name: _Name, prefix: str = "") -> Q:
    lookup = "trigram_word_similar" if name.is_single_word else "trigram_similar"
    return Q(**{f"{prefix}search_name__{lookup}": name.folded})


def _set_trigram_thresholds() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true),"
            " set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(TRIGRAM_THRESHOLD), str(WORD_THRESHOLD)],
        )


def _indexed_candidates(name: _Name, people: QuerySet[Person]) -> tuple[list[_Candidate], bool]:
    """Candidates found through the name indexes; and whether a source reached its cap."""
    sounds_like = Q()
    if name.is_single_word:
        code = phonetic(name.folded)
        if code:
            sounds_like = Q(last_name_phonetic=code)
    else:
        for first_code, last_code in name.phonetic_pairs:
            sounds_like |= Q(last_name_phonetic=last_code, first_name_phonetic=first_code)
    with transaction.atomic():
        # SET LOCAL: the raised thresholds let the GIN index discard most rows itself.
        _set_trigram_thresholds()
        current = list(
            people.filter(_name_condition(name) | sounds_like)
            .annotate(similarity=_similarity(name, "search_name"))
            .order_by("-similarity", "pk")
            .values_list(
                "pk",
                "first_name",
                "last_name",
                "first_name_phonetic",
                "last_name_phonetic",
                "similarity",
            )[:CANDIDATE_LIMIT]
        )
        others = list(
            people.filter(_name_condition(name, "other_names__"))
            .annotate(similarity=_similarity(name, "other_names__search_name"))
            .order_by("-similarity", "pk")
            .values_list(
                "pk",
                "other_names__first_name",
                "other_names__last_name",
                "other_names__kind",
                "similarity",
            )[:CANDIDATE_LIMIT]
        )
    candidates = [
        _Candidate(pk, first, last, similarity or 0.0, first_code, last_code)
        for pk, first, last, first_code, last_code, similarity in current
    ] + [
        _Candidate(pk, first or "", last or "", similarity or 0.0, other_kind=kind)
        for pk, first, last, kind, similarity in others
    ]
    return candidates, CANDIDATE_LIMIT in (len(current), len(others))


def _all_candidates(name: _Name, people: QuerySet[Person]) -> list[_Candidate] | None:
    """Every person of a small filtered set, with their other names; None if the set is big."""
    other_names = ArraySubquery(
        PersonName.objects.filter(person_id=OuterRef("pk"))
        .order_by("pk")
        .values(
            json=JSONObject(
                first="first_name",
                last="last_name",
                kind="kind",
                similarity=_similarity(name, "search_name"),
            )
        )
    )
    rows = list(
        people.annotate(similarity=_similarity(name, "search_name"), names=other_names)
        .order_by("pk")
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "first_name_phonetic",
            "last_name_phonetic",
            "similarity",
            "names",
        )[: SMALL_SET_LIMIT + 1]
    )
    if len(rows) > SMALL_SET_LIMIT:
        return None
    candidates = []
    for pk, first, last, first_code, last_code, similarity, names in rows:
        candidates.append(_Candidate(pk, first, last, similarity or 0.0, first_code, last_code))
        for other in names or ():
            candidates.append(
                _Candidate(
                    pk,
                    other.get("first") or "",
                    other.get("last") or "",
                    float(other.get("similarity") or 0.0),
                    other_kind=other.get("kind") or PersonName.Kind.ALIAS,
                )
            )
    return candidates


def _filtered(user: AnyUser, plan: _Plan) -> QuerySet[Person]:
    people: QuerySet[Person] = person_list_visible_to(user=user)
    if plan.dob.is_given:
        people = people.filter(plan.dob.q())
    if plan.postcode:
        people = people.filter(current_postcode=plan.postcode)
    elif plan.outward_code:
        # The inward code is a digit and two letters: a range the postcode index can
        # serve whatever the collation, and a length that rules out longer outward codes.
        people = people.annotate(postcode_length=Length("current_postcode")).filter(
            current_postcode__gte=plan.outward_code + "0",
            current_postcode__lte=plan.outward_code + "9ZZ",
            postcode_length=len(plan.outward_code) + 3,
        )
    if plan.identifier is not None:
        condition = plan.identifier.person_q()
        # A separate, tiny query: an OR across the join would defeat the unique indexes.
        system_ids = list(
            PersonIdentifier.objects.filter(
                value__in={plan.identifier.raw, plan.identifier.raw.upper()}
            ).values_list("person_id", flat=True)[:100]
        )
        if system_ids:
            condition |= Q(pk__in=system_ids)
        people = people.filter(condition)
    return people


def _is_selective(plan: _Plan) -> bool:
    return plan.dob.is_full or bool(plan.postcode) or plan.identifier is not None


# --- the public functions -----------------------------------------------------------


def search_people(*, user: AnyUser, criteria: SearchCriteria) -> SearchResults:
    """People `user` may see who match `criteria`, ranked best first, one page at a time.

    Raises ValidationError({field: [messages]}) for criteria that cannot be searched.
    """
    plan = check_criteria(criteria)
    people = _filtered(user, plan)
    if plan.name is None:
        return _page_by_name_order(people, plan.page)

    scorer = _Scorer(plan.name)
    is_capped = False
    candidates = _all_candidates(plan.name, people) if _is_selective(plan) else None
    if candidates is None:
        candidates, is_capped = _indexed_candidates(plan.name, people)
    best = _best_by_person(scorer, candidates)
    return _page_of_best(best, plan.page, is_capped=is_capped)


def _page_by_name_order(people: QuerySet[Person], page: int) -> SearchResults:
    total = people.count()
    page = min(page, max(1, math.ceil(total / PAGE_SIZE)))
    start = (page - 1) * PAGE_SIZE
    found = list(people.order_by("last_name", "first_name", "pk")[start : start + PAGE_SIZE])
    return SearchResults(
        matches=[PersonMatch(person=person) for person in found], total=total, page=page
    )


def _ranked(best: dict[int, _Best]) -> list[int]:
    return sorted(
        best,
        key=lambda pk: (
            -round(best[pk].score, 6),
            fold(best[pk].candidate.last_name),
            fold(best[pk].candidate.first_name),
            pk,
        ),
    )


def _page_of_best(best: dict[int, _Best], page: int, *, is_capped: bool) -> SearchResults:
    ranked = _ranked(best)
    total = len(ranked)
    page = min(page, max(1, math.ceil(total / PAGE_SIZE)))
    page_ids = ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return SearchResults(
        matches=_matches(page_ids, best), total=total, page=page, is_capped=is_capped
    )


def _matches(ids: list[int], best: dict[int, _Best]) -> list[PersonMatch]:
    if not ids:
        return []
    people = Person.objects.in_bulk(ids)
    matches = []
    for pk in ids:
        person = people.get(pk)
        if person is None:
            continue
        chosen = best[pk]
        match = PersonMatch(person=person, score=round(chosen.score, 4))
        if chosen.candidate.other_kind:
            match.matched_name = (
                f"{chosen.candidate.first_name} {chosen.candidate.last_name}".strip()
            )
            match.matched_name_kind = PersonName.Kind(chosen.candidate.other_kind).label
        matches.append(match)
    return matches


def _dob_closeness(typed: datetime.date, stored: datetime.date) -> float:
    """1 for the same date; 0.5 for a likely typing slip (one digit, or day and month swapped)."""
    if typed == stored:
        return 1.0
    if (typed.year, typed.month, typed.day) == (stored.year, stored.day, stored.month):
        return 0.5
    distance = jellyfish.damerau_levenshtein_distance(
        typed.strftime("%Y%m%d"), stored.strftime("%Y%m%d")
    )
    return 0.5 if distance <= 1 else 0.0


def likely_duplicates(
    *,
    user: AnyUser,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    nhs_number: str | None = None,
    postcode: str | None = None,
    limit: int = 10,
    exclude_id: int | None = None,
) -> list[PersonMatch]:
    """People `user` may see who may be the person about to be added, most likely first.

    Someone is a likely duplicate if they have the same NHS number; or a similar name
    (a search match) and the same date of birth, a date one slip of the keyboard away, or
    no date of birth on one side; or a similar name at the same current postcode.
    """
    return _likely_duplicates_among(
        person_list_visible_to(user=user),
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        nhs_number=nhs_number,
        postcode=postcode,
        limit=limit,
        exclude_id=exclude_id,
    )


def hidden_duplicate_may_match(
    *,
    user: AnyUser,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    nhs_number: str | None = None,
    postcode: str | None = None,
    exclude_id: int | None = None,
) -> bool:
    """Whether a restricted or sealed record `user` may not open is a likely duplicate.

    The answer is a yes or no and nothing more, so the page can say "a record you cannot
    see may match: ask your manager" without telling whose record, or what matched.
    """
    hidden = person_list_hidden_from(user=user)
    if not hidden.exists():
        return False
    return bool(
        _likely_duplicates_among(
            hidden,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            nhs_number=nhs_number,
            postcode=postcode,
            limit=1,
            exclude_id=exclude_id,
        )
    )


def _likely_duplicates_among(
    visible: QuerySet[Person],
    *,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    nhs_number: str | None,
    postcode: str | None,
    limit: int,
    exclude_id: int | None,
) -> list[PersonMatch]:
    if exclude_id is not None:
        visible = visible.exclude(pk=exclude_id)
    name = _read_name(f"{first_name} {last_name}")
    if not name.folded:
        return []
    if len(name.words) >= 2:
        # The caller knows which is the first name and which the last: read it that way first.
        first, last = fold(first_name), fold(last_name)
        if first and last:
            name.readings = [(first, last), (last, first)] + [
                r for r in name.readings if r not in ((first, last), (last, first))
            ]
    scorer = _Scorer(name)
    postcode_compact = re.sub(r"\s", "", postcode or "").upper()

    candidates: list[_Candidate] = []
    if date_of_birth is not None:
        candidates += _all_candidates(name, visible.filter(date_of_birth=date_of_birth)) or []
    if postcode_compact:
        candidates += _all_candidates(name, visible.filter(current_postcode=postcode_compact)) or []
    indexed, _ = _indexed_candidates(name, visible)
    candidates += indexed
    best = _best_by_person(scorer, candidates)

    same_nhs: set[int] = set()
    if nhs_number:
        same_nhs = set(visible.filter(nhs_number=nhs_number).values_list("pk", flat=True))
        for pk in same_nhs - set(best):
            best[pk] = _Best(0.0, _Candidate(pk, "", "", 0.0))
    if not best:
        return []
    facts = {
        row["pk"]: row
        for row in Person.objects.filter(pk__in=list(best)).values(
            "pk", "date_of_birth", "current_postcode"
        )
    }
    scored: dict[int, _Best] = {}
    reasons: dict[int, list[str]] = {}
    for pk, chosen in best.items():
        row = facts.get(pk)
        if row is None:
            continue
        why: list[str] = []
        score = chosen.score
        if pk in same_nhs:
            score += 5.0
            why.append("Same NHS number")
        else:
            why.append("Same name" if chosen.score >= EXACT_WEIGHT else "Similar name")
        stored_dob = row["date_of_birth"]
        closeness = 0.0
        if date_of_birth is not None and stored_dob is not None:
            closeness = _dob_closeness(date_of_birth, stored_dob)
            if closeness == 1.0:
                why.append("Same date of birth")
            elif closeness:
                why.append("Date of birth one slip away")
        elif date_of_birth is None or stored_dob is None:
            why.append("No date of birth to compare")
        same_postcode = bool(postcode_compact) and row["current_postcode"] == postcode_compact
        if same_postcode:
            why.append("Same postcode")
        dates_disagree = date_of_birth is not None and stored_dob is not None and closeness == 0.0
        if pk not in same_nhs and dates_disagree and not same_postcode:
            continue
        score += closeness + 0.3 * same_postcode
        scored[pk] = _Best(score, chosen.candidate)
        reasons[pk] = why
    ranked = _ranked(scored)[:limit]
    matches = _matches(ranked, scored)
    for match in matches:
        match.reasons = reasons[match.person.pk]
    return matches


def merged_person_ids(person: Person) -> list[int]:
    """Ids of every record merged into `person` (directly, or into one merged into it)."""
    found: list[int] = []
    frontier = [person.pk]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=[*found, person.pk])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        found.extend(frontier)
    return found


__all__ = [
    "PAGE_SIZE",
    "PersonMatch",
    "SearchCriteria",
    "SearchResults",
    "check_criteria",
    "format_postcode",
    "hidden_duplicate_may_match",
    "likely_duplicates",
    "merged_person_ids",
    "search_people",
]
