"""When a person's record may be destroyed: one SQL statement, for one person or a million.

The same statement serves the person's retention page (`retention_of`) and the nightly
review list (`retention_select_sql`, in id ranges), so the date a page shows is the date
the job acts on. What it reads, per person:

- date of birth and of death;
- last contact: the latest of their case notes' event dates, their completed steps and
  the ends of their involvements; a record with none of these counts from the day it was
  created. While an involvement is open (or ends in the future) or a step is still open,
  work is ongoing and the period has not started;
- looked after: any period of care or legal status (workflows' statutory facts);
- adopted: the date of the adoption order, which is the end of a period of care that
  ceased with adoption (SSDA903 reasons E11 and E12), or a previous permanence order of
  adoption (P1) with its date;
- foster carer: anyone in a foster-carer relationship (clients' relationship types). There
  is no fostering app yet, so approval is taken to end with the latest end date of those
  relationships, and to continue while any is open;
- adult: 18 or over (or of unknown age) with adult social care work: an episode of an
  adults' workflow, a request for support, a carer's assessment, a safeguarding concern or
  a DoLS application.

Each active rule whose category fits gives a date, "ongoing" (its trigger has not happened:
the person is alive, or work continues) or "unknown" (a date it needs is missing, such as
the date of birth). The rule that keeps the record longest applies: ongoing beats any date,
and unknown beats a date, because nobody can say the unknown one is shorter. A record
no active rule fits is unknown too. An unknown record goes to the review list at once:
it is never silently kept, nor destroyed. Whatever the rules say, a record with a date of
birth is never kept past the RETENTION_MAX_YEARS_AFTER_BIRTH anniversary of it.

Anniversaries of 29 February fall on 1 March in common years (the later of the two
candidates), so a record is never released a day early.
"""

from __future__ import annotations

import calendar
import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from clients.models import (
    CaseNote,
    Involvement,
    Person,
    Relationship,
    RelationshipType,
)
from retention.models import (
    Category,
    Combine,
    RetentionReview,
    RetentionRule,
    Trigger,
    max_years_after_birth,
)
from workflows.models import (
    CarePeriod,
    CarerAssessment,
    DoLSApplication,
    Episode,
    LegalStatus,
    PreviousPermanence,
    Request,
    SafeguardingConcern,
    Step,
    Workflow,
)

ADOPTED_REASONS = ("E11", "E12")
ADOPTION_PERMANENCE = "P1"
FOSTER_CARER = "foster-carer"
FOSTER_CHILD = "foster-child"
ADULT_AGE = 18


class Outcome(enum.IntEnum):
    """Ordered so that "the longest keeps" is the greatest."""

    DATE = 0
    UNKNOWN = 1
    ONGOING = 2


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The anniversary of `day` after `years` years; 29 February goes to 1 March."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return datetime.date(year, 3, 1)
    return day.replace(year=year)


@dataclass(frozen=True)
class RetentionFacts:
    """What the date was worked out from, shown beside it."""

    date_of_birth: datetime.date | None
    date_of_death: datetime.date | None
    last_contact: datetime.date | None
    created_on: datetime.date | None
    work_is_ongoing: bool
    is_looked_after: bool
    adoption_order: datetime.date | None
    is_foster_carer: bool
    approval_ended: datetime.date | None
    approval_is_ongoing: bool
    has_adult_work: bool


@dataclass(frozen=True)
class Retention:
    """A person's retention: a date, ongoing, or unknown (and why), and the rule that gave it."""

    outcome: Outcome
    date: datetime.date | None
    rule: RetentionRule | None
    category: str
    undetermined_reason: str
    facts: RetentionFacts

    @property
    def is_ongoing(self) -> bool:
        return self.outcome == Outcome.ONGOING

    @property
    def is_unknown(self) -> bool:
        return self.outcome == Outcome.UNKNOWN

    @property
    def undetermined_label(self) -> str:
        """Why the date cannot be worked out, as a sentence (empty when it can)."""
        if not self.undetermined_reason:
            return ""
        return str(RetentionReview.Undetermined(self.undetermined_reason).label)

    def is_due(self, today: datetime.date) -> bool:
        """Whether the record belongs on the review list today (as DUE_SQL says)."""
        if self.outcome == Outcome.UNKNOWN:
            return True
        # An ongoing record has a date only when its date of birth caps it.
        return self.date is not None and self.date < today


# ------------------------------------------------------------------------------------------
# The statement
# ------------------------------------------------------------------------------------------


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _facts_sql() -> str:
    """Per person in [lo, hi] (current records only): the facts the rules read."""
    open_steps = ", ".join(f"'{status}'" for status in Step.OPEN_STATUSES)
    adopted = ", ".join(f"'{code}'" for code in ADOPTED_REASONS)
    in_range = "person_id BETWEEN %(lo)s AND %(hi)s"
    return f"""
    people AS (
        SELECT p.id, p.date_of_birth AS dob, p.date_of_death AS dod,
               (p.created_at AT TIME ZONE %(tz)s)::date AS created_on
        FROM {_table(Person)} p
        WHERE p.id BETWEEN %(lo)s AND %(hi)s AND p.merged_into_id IS NULL
    ),
    notes AS (
        SELECT person_id, max((event_at AT TIME ZONE %(tz)s)::date) AS last_on
        FROM {_table(CaseNote)} WHERE {in_range} GROUP BY person_id
    ),
    steps AS (
        SELECT person_id,
               max((completed_at AT TIME ZONE %(tz)s)::date)
                   FILTER (WHERE status = 'completed') AS last_on,
               bool_or(status IN ({open_steps})) AS is_open
        FROM {_table(Step)} WHERE {in_range} GROUP BY person_id
    ),
    involvements AS (
        SELECT person_id, max(end_date) AS last_on,
               bool_or(end_date IS NULL OR end_date >= %(today)s) AS is_open
        FROM {_table(Involvement)} WHERE {in_range} GROUP BY person_id
    ),
    care AS (
        SELECT person_id,
               max(end_date) FILTER (WHERE reason_ceased IN ({adopted})) AS adopted_on
        FROM {_table(CarePeriod)} WHERE {in_range} GROUP BY person_id
    ),
    legal AS (
        SELECT DISTINCT person_id FROM {_table(LegalStatus)} WHERE {in_range}
    ),
    permanence AS (
        SELECT person_id, max(order_date) AS adopted_on
        FROM {_table(PreviousPermanence)}
        WHERE {in_range} AND arrangement = '{ADOPTION_PERMANENCE}' AND order_date IS NOT NULL
        GROUP BY person_id
    ),
    fostering AS (
        SELECT carer_id AS person_id, max(end_date) AS ended_on,
               bool_or(end_date IS NULL OR end_date >= %(today)s) AS is_open
        FROM (
            SELECT r.other_id AS carer_id, r.end_date
            FROM {_table(Relationship)} r JOIN {_table(RelationshipType)} t ON t.id = r.type_id
            WHERE t.code = '{FOSTER_CARER}' AND r.other_id BETWEEN %(lo)s AND %(hi)s
            UNION ALL
            SELECT r.person_id, r.end_date
            FROM {_table(Relationship)} r JOIN {_table(RelationshipType)} t ON t.id = r.type_id
            WHERE t.code = '{FOSTER_CHILD}' AND r.person_id BETWEEN %(lo)s AND %(hi)s
        ) carers
        GROUP BY carer_id
    ),
    adult_work AS (
        SELECT e.person_id FROM {_table(Episode)} e
            JOIN {_table(Workflow)} w ON w.id = e.workflow_id
            WHERE w.service = '{Workflow.Service.ADULTS}' AND e.{in_range}
        UNION SELECT person_id FROM {_table(Request)} WHERE {in_range}
        UNION SELECT person_id FROM {_table(CarerAssessment)} WHERE {in_range}
        UNION SELECT person_id FROM {_table(SafeguardingConcern)} WHERE {in_range}
        UNION SELECT person_id FROM {_table(DoLSApplication)} WHERE {in_range}
    ),
    facts AS (
        SELECT people.id, people.dob, people.dod, people.created_on,
               GREATEST(notes.last_on, steps.last_on, involvements.last_on) AS contact_on,
               COALESCE(steps.is_open, false) OR COALESCE(involvements.is_open, false)
                   AS work_open,
               (care.person_id IS NOT NULL OR legal.person_id IS NOT NULL) AS looked_after,
               GREATEST(care.adopted_on, permanence.adopted_on) AS adopted_on,
               fostering.person_id IS NOT NULL AS foster_carer,
               fostering.ended_on AS approval_ended_on,
               COALESCE(fostering.is_open, false) AS approval_open,
               adult_work.person_id IS NOT NULL
                   AND (people.dob IS NULL
                        OR retention_add_years(people.dob, {ADULT_AGE}) <= %(today)s) AS adult
        FROM people
        LEFT JOIN notes ON notes.person_id = people.id
        LEFT JOIN steps ON steps.person_id = people.id
        LEFT JOIN involvements ON involvements.person_id = people.id
        LEFT JOIN care ON care.person_id = people.id
        LEFT JOIN legal ON legal.person_id = people.id
        LEFT JOIN permanence ON permanence.person_id = people.id
        LEFT JOIN fostering ON fostering.person_id = people.id
        LEFT JOIN (SELECT DISTINCT person_id FROM adult_work) adult_work
            ON adult_work.person_id = people.id
    )"""  # noqa: S608 (table names from the models; every value is a parameter or a constant)


# (outcome, date) of each trigger, in the columns of `facts`.
_TRIGGERS: dict[str, tuple[str, str]] = {
    Trigger.BIRTH: ("CASE WHEN f.dob IS NULL THEN 1 ELSE 0 END", "f.dob"),
    # Alive: the period has not started.
    Trigger.DEATH: ("CASE WHEN f.dod IS NULL THEN 2 ELSE 0 END", "f.dod"),
    Trigger.LAST_CONTACT: (
        "CASE WHEN f.work_open THEN 2 ELSE 0 END",
        "COALESCE(f.contact_on, f.created_on)",
    ),
    Trigger.ADOPTION_ORDER: ("CASE WHEN f.adopted_on IS NULL THEN 1 ELSE 0 END", "f.adopted_on"),
    Trigger.APPROVAL_END: (
        "CASE WHEN f.approval_open THEN 2 WHEN f.approval_ended_on IS NULL THEN 1 ELSE 0 END",
        "f.approval_ended_on",
    ),
}

_APPLIES: dict[str, str] = {
    Category.LOOKED_AFTER: "f.looked_after",
    Category.ADOPTED: "f.adopted_on IS NOT NULL",
    Category.FOSTER_CARER: "f.foster_carer",
    Category.ADULT: "f.adult",
}


def _shifted(trigger: str, years: int) -> tuple[str, str]:
    kind, day = _TRIGGERS[trigger]
    return kind, f"CASE WHEN ({kind}) = 0 THEN retention_add_years({day}, {int(years)}) END"


def _rule_row(rule: RetentionRule, other_applies: str) -> str:
    """One rule as a row of (rule, precedence, category, applies, combine, k1, d1, s, k2, d2).

    `s` says whether the second date counts: 0 no, 2 yes, 1 cannot tell (the age at death
    is needed and the date of birth is missing).
    """
    applies = _APPLIES.get(rule.category, other_applies)
    k1, d1 = _shifted(rule.trigger, rule.years)
    if rule.second_trigger and rule.second_years is not None:
        k2, d2 = _shifted(rule.second_trigger, rule.second_years)
        if rule.second_only_if_died_before_age:
            age = int(rule.second_only_if_died_before_age)
            second = (
                "CASE WHEN f.dod IS NULL THEN 0 WHEN f.dob IS NULL THEN 1 "
                f"WHEN f.dod < retention_add_years(f.dob, {age}) THEN 2 ELSE 0 END"
            )
        else:
            second = "2"
        combine = rule.combine
    else:
        k2, d2, second, combine = "0", "NULL::date", "0", Combine.LATER
    return (
        f"({int(rule.pk)}, {int(rule.precedence)}, '{rule.category}', {applies}, "
        f"'{combine}', {k1}, {d1}, {second}, {k2}, {d2})"
    )


def retention_select_sql(rules: Sequence[RetentionRule]) -> str:
    """WITH ... final: (id, kind, day, rule_id, category, reason) for people in [lo, hi].

    Parameters: lo, hi (person ids), today, tz (the council's time zone), cap (years).
    """
    specific = sorted({rule.category for rule in rules} - {Category.OTHER})
    other_applies = (
        "NOT (" + " OR ".join(f"({_APPLIES[category]})" for category in specific) + ")"
        if specific
        else "true"
    )
    rows = ",\n            ".join(_rule_row(rule, other_applies) for rule in rules)
    applied = (
        f"""
    applied AS (
        SELECT f.id, r.rule_id, r.precedence, r.category,
            CASE WHEN r.s = 0 THEN r.k1
                 WHEN r.s = 1 THEN 1
                 WHEN r.comb = 'later' THEN GREATEST(r.k1, r.k2)
                 WHEN r.k1 = 1 OR r.k2 = 1 THEN 1
                 WHEN r.k1 = 2 AND r.k2 = 2 THEN 2
                 ELSE 0 END AS kind,
            CASE WHEN r.s = 0 THEN r.d1
                 WHEN r.comb = 'later' THEN GREATEST(r.d1, r.d2)
                 ELSE LEAST(r.d1, r.d2) END AS day
        FROM facts f CROSS JOIN LATERAL (VALUES
            {rows}
        ) AS r(rule_id, precedence, category, applies, comb, k1, d1, s, k2, d2)
        WHERE r.applies
    )"""  # noqa: S608 (rule values are integers and choices read from the database)
        if rules
        else """
    applied AS (
        SELECT NULL::bigint AS id, NULL::bigint AS rule_id, 0 AS precedence,
               ''::text AS category, 1 AS kind, NULL::date AS day
        WHERE false
    )"""
    )
    return f"""WITH {_facts_sql()},{applied},
    best AS (
        SELECT DISTINCT ON (id) id, rule_id, category, kind, day
        FROM applied
        ORDER BY id, kind DESC, day DESC NULLS LAST, precedence, rule_id
    ),
    capped AS (
        SELECT f.id, f.dob, b.rule_id, COALESCE(b.category, '') AS category,
               COALESCE(b.kind, 1) AS kind, b.day,
               CASE WHEN f.dob IS NOT NULL AND COALESCE(b.kind, 1) <> 1
                         AND (b.kind = 2 OR b.day > retention_add_years(f.dob, %(cap)s))
                    THEN retention_add_years(f.dob, %(cap)s) END AS cap_day
        FROM facts f LEFT JOIN best b ON b.id = f.id
    ),
    final AS (
        SELECT id, rule_id, category, kind,
               CASE WHEN kind = 1 THEN NULL
                    WHEN cap_day IS NOT NULL THEN cap_day
                    WHEN kind = 0 THEN day END AS day,
               CASE WHEN kind <> 1 THEN ''
                    WHEN rule_id IS NULL THEN 'no_rule'
                    WHEN dob IS NULL THEN 'no_date_of_birth'
                    ELSE 'missing_date' END AS reason
        FROM capped
    )"""  # noqa: S608 (rule values are integers and choices read from the database)


# Whether a row of `final` belongs on the review list on %(today)s.
DUE_SQL = "(final.kind = 1 OR (final.day IS NOT NULL AND final.day < %(today)s))"


def active_rules() -> list[RetentionRule]:
    return list(RetentionRule.objects.filter(is_active=True).order_by("precedence", "pk"))


def statement_parameters(*, lo: int, hi: int, today: datetime.date) -> dict[str, Any]:
    return {
        "lo": lo,
        "hi": hi,
        "today": today,
        "tz": settings.TIME_ZONE,
        "cap": max_years_after_birth(),
    }


def retention_of(person: Person, *, today: datetime.date | None = None) -> Retention:
    """The retention of one person's record, worked out as the nightly job works it out."""
    today = today or timezone.localdate()
    rules = active_rules()
    sql = (
        retention_select_sql(rules)  # noqa: S608 (no values in the text)
        + """
    SELECT final.kind, final.day, final.rule_id, final.category, final.reason,
           f.dob, f.dod, f.contact_on, f.created_on, f.work_open, f.looked_after,
           f.adopted_on, f.foster_carer, f.approval_ended_on, f.approval_open, f.adult
    FROM final JOIN facts f ON f.id = final.id"""
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, statement_parameters(lo=person.pk, hi=person.pk, today=today))
        row = cursor.fetchone()
    if row is None:
        raise ValueError(f"Person {person.pk} has been merged into another record.")
    (kind, day, rule_id, category, reason, *facts) = row
    by_id = {rule.pk: rule for rule in rules}
    return Retention(
        outcome=Outcome(kind),
        date=day,
        rule=by_id.get(rule_id),
        category=category,
        undetermined_reason=reason,
        facts=RetentionFacts(
            date_of_birth=facts[0],
            date_of_death=facts[1],
            last_contact=facts[2],
            created_on=facts[3],
            work_is_ongoing=facts[4],
            is_looked_after=facts[5],
            adoption_order=facts[6],
            is_foster_carer=facts[7],
            approval_ended=facts[8],
            approval_is_ongoing=facts[9],
            has_adult_work=facts[10],
        ),
    )
