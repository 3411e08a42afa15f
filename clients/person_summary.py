"""The reads behind a person's summary page: the whole record's short lists in one statement.

The summary page is the page workers open most. Its lists are short and index-backed, so
PostgreSQL answers each in well under a millisecond; what cost the time was Django
building and compiling a dozen querysets on every request. Here each list is one
`ARRAY(SELECT json_build_object(...))` column of a single statement whose SQL is built
once per process from the models' metadata (`Shape`), and the JSON rows come back as
model instances with only the fields the page shows, so the templates read them as
they would rows from a queryset.

The rules of what may be seen are the same as elsewhere: the caller has already passed
`access_person`, and the notes list applies `clients.services.notes.notes_visible_to`'s
rule (final notes, and the user's own drafts), pinned by a test against it.
"""

# ruff: noqa: S608 (the SQL is put together from the models' own table and column names and
# constants, once per process; every value comes in as a parameter)
from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, models
from django.utils import timezone

from casemgmt import sql as sql_statements
from casemgmt.models import Team, TeamMembership, User
from clients.genogram import DRAWN_KINDS
from clients.models import (
    Address,
    Alert,
    AlertType,
    CaseNote,
    ChronologyEntry,
    Group,
    GroupMembership,
    Involvement,
    InvolvementRole,
    NoteType,
    Person,
    PersonDisability,
    PersonIdentifier,
    PersonName,
    RecordAccessGrant,
    Relationship,
    RelationshipType,
)

NOTE_LIMIT = 10
CHRONOLOGY_LIMIT = 10
ADDRESS_LIMIT = 25
INVOLVEMENT_LIMIT = 25
# Rows for the genogram: the person's own relationships and their close relatives'.
RELATIONSHIP_ROWS_LIMIT = 1000
GROUP_MEMBER_LIMIT = 200


def _parse_date(value: str | None) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def _parse_datetime(value: str | None) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromisoformat(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "DateField": _parse_date,
    "DateTimeField": _parse_datetime,
}


@dataclass(frozen=True)
class Shape:
    """Which fields of `model` a list carries: SQL that builds them as JSON, and a reader.

    `related` names foreign keys whose row comes along, each with its own shape: it is
    read by a correlated subquery on the primary key rather than a join, which leaves
    PostgreSQL's planner no join orders to weigh. `extra` names annotations kept as
    attributes.
    """

    model: type[models.Model]
    fields: tuple[str, ...]
    related: tuple[tuple[str, Shape], ...] = ()
    extra: tuple[str, ...] = ()
    _columns: list[tuple[str, str, Callable[[Any], Any] | None]] = field(
        init=False, repr=False, compare=False, default_factory=list
    )

    def __post_init__(self) -> None:
        wanted = set(self.fields)
        unknown = wanted - {f.name for f in self.model._meta.concrete_fields}
        if unknown:
            raise ValueError(f"{self.model.__name__} has no fields {sorted(unknown)}")
        # Model.from_db takes the values in the order of the model's concrete fields.
        for model_field in self.model._meta.concrete_fields:
            if model_field.name in wanted:
                converter = _CONVERTERS.get(model_field.get_internal_type())
                self._columns.append((model_field.attname, str(model_field.column), converter))

    def json(self, alias: str) -> str:
        """`json_build_object(...)` of this shape's columns of the table aliased `alias`."""
        parts = [f"'{attname}', {alias}.\"{column}\"" for attname, column, _ in self._columns]
        for name, shape in self.related:
            foreign_key = cast(models.ForeignKey[Any, Any], self.model._meta.get_field(name))
            related_alias = f"{alias}_{name}"
            related_table = _table(shape.model)
            primary_key = shape.model._meta.pk.column
            parts.append(
                f"'{name}', (SELECT {shape.json(related_alias)} FROM {related_table}"
                f' {related_alias} WHERE {related_alias}."{primary_key}"'
                f' = {alias}."{foreign_key.column}")'
            )
        parts.extend(f"'{name}', {name}" for name in self.extra)
        return f"json_build_object({', '.join(parts)})"

    def build(self, row: Mapping[str, Any]) -> Any:
        """A model instance (only this shape's fields loaded) from one JSON row."""
        attnames = []
        values = []
        for attname, _, converter in self._columns:
            value = row[attname]
            attnames.append(attname)
            values.append(converter(value) if converter is not None else value)
        instance = self.model.from_db(DEFAULT_DB_ALIAS, attnames, values)
        for name, shape in self.related:
            related = row[name]
            related_field = self.model._meta.get_field(name)
            related_field.set_cached_value(  # type: ignore[union-attr]
                instance, None if related is None else shape.build(related)
            )
        for name in self.extra:
            setattr(instance, name, row[name])
        return instance

    def build_all(self, rows: Sequence[Mapping[str, Any]] | None) -> list[Any]:
        return [self.build(row) for row in rows or ()]


def _table(model: type[models.Model]) -> str:
    return f'"{model._meta.db_table}"'


def _array(select: str) -> str:
    # One JSON array rather than an array of JSON values: one parse on the way back.
    return f"array_to_json(ARRAY({select}))"


# --- the shapes the page shows -----------------------------------------------------------

_WORKER = Shape(User, ("id", "username", "first_name", "last_name", "phone"))
_INVOLVEMENT = Shape(
    Involvement,
    tuple(f.name for f in Involvement._meta.concrete_fields),
    related=(
        ("worker", _WORKER),
        ("team", Shape(Team, ("id", "name"))),
        ("role", Shape(InvolvementRole, ("id", "name", "is_allocation"))),
    ),
)
_ALERT = Shape(
    Alert,
    ("id", "person", "type", "description", "start_date", "end_date"),
    related=(("type", Shape(AlertType, ("id", "code", "name", "severity"))),),
)
_OTHER_NAME = Shape(
    PersonName, ("id", "person", "kind", "first_name", "last_name", "start_date", "end_date")
)
_IDENTIFIER = Shape(PersonIdentifier, ("id", "person", "system", "value"))
_ADDRESS = Shape(
    Address,
    (
        "id",
        "person",
        "kind",
        "line_1",
        "line_2",
        "town",
        "county",
        "postcode",
        "uprn",
        "is_confidential",
        "start_date",
        "end_date",
    ),
)
RELATIONSHIP = Shape(
    Relationship,
    tuple(f.name for f in Relationship._meta.concrete_fields),
    related=(
        (
            "type",
            Shape(
                RelationshipType,
                (
                    "id",
                    "code",
                    "name",
                    "male_name",
                    "female_name",
                    "genogram",
                    "sort_order",
                    "category",
                ),
            ),
        ),
        (
            "other",
            Shape(
                Person,
                (
                    "id",
                    "first_name",
                    "last_name",
                    "sex",
                    "date_of_birth",
                    "expected_date_of_birth",
                    "date_of_death",
                ),
            ),
        ),
    ),
)
_MEMBERSHIP = Shape(
    GroupMembership,
    tuple(f.name for f in GroupMembership._meta.concrete_fields),
    related=(
        ("group", Shape(Group, tuple(f.name for f in Group._meta.concrete_fields))),
        ("person", Shape(Person, ("id", "first_name", "last_name"))),
    ),
)
_NOTE = Shape(
    CaseNote,
    tuple(f.name for f in CaseNote._meta.concrete_fields if f.name != "body"),
    related=(
        ("type", Shape(NoteType, ("id", "name"))),
        ("author", Shape(User, ("id", "username", "first_name", "last_name"))),
    ),
    extra=("is_amended",),
)
_CHRONOLOGY = Shape(
    ChronologyEntry, ("id", "person", "event_date", "category", "summary", "source")
)


# --- the SQL --------------------------------------------------------------------------------
# Parameters: %(person)s the person's id, %(today)s the council's date, %(user)s the
# reader's id, %(now)s the time, %(drawn)s the relationship kinds the genogram draws.


def openable(column: str) -> str:
    """SQL: the person whose id is in `column` is one the reader may open.

    The same rule as `clients.selectors.person_list_visible_to` (tested against it): an
    ordinary record, or a restricted or sealed one granted to the reader by name, or a
    restricted one granted to a team the reader is in today; grants not expired. The two
    grant lookups are uncorrelated, so PostgreSQL reads the reader's few grants once.
    """
    grant = _table(RecordAccessGrant)
    return (
        f"EXISTS (SELECT 1 FROM {_table(Person)} openable WHERE openable.id = {column} AND ("
        f" openable.access_level = '{Person.AccessLevel.ORDINARY.value}'"
        f" OR openable.id IN (SELECT by_name.person_id FROM {grant} by_name"
        "   WHERE by_name.user_id = %(user)s"
        "   AND (by_name.expires_at IS NULL OR by_name.expires_at > %(now)s))"
        f" OR (openable.access_level = '{Person.AccessLevel.RESTRICTED.value}'"
        f"   AND openable.id IN (SELECT by_team.person_id FROM {grant} by_team"
        f"   JOIN {_table(TeamMembership)} reader ON reader.team_id = by_team.team_id"
        "    WHERE reader.user_id = %(user)s AND reader.start_date <= %(today)s"
        "    AND (reader.end_date IS NULL OR reader.end_date >= %(today)s)"
        "    AND (by_team.expires_at IS NULL OR by_team.expires_at > %(now)s)))))"
    )


_ALERTS_SQL = _array(
    f"SELECT {_ALERT.json('alert')} FROM {_table(Alert)} alert"
    f" JOIN {_table(AlertType)} alert_type ON alert_type.id = alert.type_id"
    " WHERE alert.person_id = %(person)s AND alert.start_date <= %(today)s"
    " AND (alert.end_date IS NULL OR alert.end_date >= %(today)s)"
    " ORDER BY alert_type.severity, alert_type.name, alert.id"
)

_INVOLVEMENT_FROM = f" FROM {_table(Involvement)} involvement"

# The allocated worker and team the banner shows: the latest open allocation.
_ALLOCATION_SQL = (
    f"(SELECT {_INVOLVEMENT.json('involvement')}{_INVOLVEMENT_FROM}"
    " WHERE involvement.person_id = %(person)s AND involvement.end_date IS NULL"
    f" AND involvement.role_id IN (SELECT id FROM {_table(InvolvementRole)} WHERE is_allocation)"
    " ORDER BY involvement.start_date DESC, involvement.id DESC LIMIT 1)"
)

_INVOLVEMENTS_SQL = _array(
    f"SELECT {_INVOLVEMENT.json('involvement')}{_INVOLVEMENT_FROM}"
    " WHERE involvement.person_id = %(person)s"
    " ORDER BY involvement.end_date DESC NULLS FIRST, involvement.start_date DESC,"
    f" involvement.id DESC LIMIT {INVOLVEMENT_LIMIT + 1}"
)

_OTHER_NAMES_SQL = _array(
    f"SELECT {_OTHER_NAME.json('name')} FROM {_table(PersonName)} name"
    " WHERE name.person_id = %(person)s ORDER BY name.end_date DESC NULLS FIRST, name.id"
)

_IDENTIFIERS_SQL = _array(
    f"SELECT {_IDENTIFIER.json('identifier')} FROM {_table(PersonIdentifier)} identifier"
    " WHERE identifier.person_id = %(person)s ORDER BY identifier.system, identifier.value"
)

_DISABILITIES_SQL = _array(
    f"SELECT disability.code FROM {_table(PersonDisability)} disability"
    " WHERE disability.person_id = %(person)s ORDER BY disability.code"
)

_ADDRESSES_SQL = _array(
    f"SELECT {_ADDRESS.json('address')} FROM {_table(Address)} address"
    " WHERE address.person_id = %(person)s"
    f" ORDER BY address.start_date DESC, address.id DESC LIMIT {ADDRESS_LIMIT + 1}"
)

# The person's relationships, and those of the relatives the genogram draws: grandparents,
# grandchildren, parents' partners and half-siblings come from the relatives' own rows.
# One IN list (the person and their relatives) lets PostgreSQL use the person index; an
# OR of "the person" and "a relative" made it scan the whole table.
_RELATIONSHIPS_SQL = _array(
    f"SELECT {RELATIONSHIP.json('relationship')} FROM {_table(Relationship)} relationship"
    f" JOIN {_table(RelationshipType)} relationship_type"
    " ON relationship_type.id = relationship.type_id"
    " WHERE relationship.person_id IN ("
    f"   SELECT mine.other_id FROM {_table(Relationship)} mine"
    f"   JOIN {_table(RelationshipType)} mine_type ON mine_type.id = mine.type_id"
    "    WHERE mine.person_id = %(person)s AND mine_type.genogram = ANY(%(drawn)s)"
    "   UNION SELECT %(person)s)"
    " AND (relationship.person_id = %(person)s OR relationship_type.genogram = ANY(%(drawn)s))"
    " AND relationship.other_id <> %(person)s"
    # A relative whose record the reader may not open is, here too, nobody.
    f" AND {openable('relationship.person_id')} AND {openable('relationship.other_id')}"
    " ORDER BY relationship.person_id <> %(person)s, relationship.person_id, relationship.id"
    f" LIMIT {RELATIONSHIP_ROWS_LIMIT}"
)

# Every member of every household or family group the person is or was in.
_GROUPS_SQL = _array(
    f"SELECT {_MEMBERSHIP.json('membership')} FROM {_table(GroupMembership)} membership"
    f" JOIN {_table(Group)} grp ON grp.id = membership.group_id"
    f" JOIN {_table(Person)} member ON member.id = membership.person_id"
    " WHERE membership.group_id IN ("
    f"   SELECT mine.group_id FROM {_table(GroupMembership)} mine"
    "    WHERE mine.person_id = %(person)s)"
    f" AND {openable('membership.person_id')}"
    " ORDER BY grp.name, membership.group_id, membership.end_date DESC NULLS FIRST,"
    f" member.last_name, member.first_name LIMIT {GROUP_MEMBER_LIMIT}"
)

# clients.services.notes.notes_visible_to: every final note, and only the reader's drafts.
_NOTES_SQL = _array(
    f"SELECT {_NOTE.json('note')} FROM ("
    "   SELECT note.*, EXISTS("
    f"     SELECT 1 FROM {_table(CaseNote)} amendment WHERE amendment.amends_id = note.id"
    "   ) AS is_amended"
    f"   FROM {_table(CaseNote)} note"
    "    WHERE note.person_id = %(person)s"
    f"   AND (note.status = '{CaseNote.Status.FINAL.value}' OR note.author_id = %(user)s)"
    "    ORDER BY note.event_at DESC, note.id DESC"
    f"   LIMIT {NOTE_LIMIT + 1}"
    " ) note"
    " ORDER BY note.event_at DESC, note.id DESC"
)

_CHRONOLOGY_SQL = _array(
    f"SELECT {_CHRONOLOGY.json('entry')} FROM {_table(ChronologyEntry)} entry"
    " WHERE entry.person_id = %(person)s AND NOT entry.is_hidden"
    f" ORDER BY entry.event_date DESC, entry.id DESC LIMIT {CHRONOLOGY_LIMIT + 1}"
)


@functools.cache
def _summary_sql(*, with_notes: bool, with_chronology: bool) -> str:
    columns = [
        f"{_ALERTS_SQL} AS alerts",
        f"{_ALLOCATION_SQL} AS allocation",
        f"{_OTHER_NAMES_SQL} AS other_names",
        f"{_IDENTIFIERS_SQL} AS identifiers",
        f"{_DISABILITIES_SQL} AS disabilities",
        f"{_ADDRESSES_SQL} AS addresses",
        f"{_INVOLVEMENTS_SQL} AS involvements",
        f"{_RELATIONSHIPS_SQL} AS relationships",
        f"{_GROUPS_SQL} AS groups",
        f"{_NOTES_SQL if with_notes else 'NULL'} AS notes",
        f"{_CHRONOLOGY_SQL if with_chronology else 'NULL'} AS chronology",
    ]
    return "SELECT " + ",\n  ".join(columns)


def _fetch(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    # Prepared on the connection: the summary statement took longer to plan than to run.
    return sql_statements.fetch_one_dict(sql, params)


# --- what the callers get ---------------------------------------------------------------------


@dataclass
class Banner:
    """What the banner on every page of a person's record shows besides the person."""

    alerts: list[Alert]
    allocation: Involvement | None


@dataclass
class PersonSummary:
    banner: Banner
    other_names: list[PersonName]
    identifiers: list[PersonIdentifier]
    disability_codes: list[str]
    addresses: list[Address]  # newest first, up to ADDRESS_LIMIT + 1
    involvements: list[Involvement]  # open first, up to INVOLVEMENT_LIMIT + 1
    # The relationship rows as JSON: read into Relationship rows by `relationships()`,
    # and what the rendered relationships section is cached by.
    relationship_rows: list[dict[str, Any]]
    memberships: list[GroupMembership]
    notes: list[CaseNote] | None  # None: the reader may not see case notes
    chronology: list[ChronologyEntry] | None  # None: the reader may not see the chronology

    def relationships(self) -> list[Relationship]:
        return list(RELATIONSHIP.build_all(self.relationship_rows))


def person_banner(*, person: Person, today: datetime.date) -> Banner:
    """The person's current alerts and allocation (one query)."""
    row = _fetch(
        f"SELECT {_ALERTS_SQL} AS alerts, {_ALLOCATION_SQL} AS allocation",
        {"person": person.pk, "today": today},
    )
    return _banner(row)


def _banner(row: Mapping[str, Any]) -> Banner:
    allocation = row["allocation"]
    return Banner(
        alerts=_ALERT.build_all(row["alerts"]),
        allocation=None if allocation is None else _INVOLVEMENT.build(allocation),
    )


def person_summary(
    *,
    user: User,
    person: Person,
    today: datetime.date,
    with_notes: bool,
    with_chronology: bool,
) -> PersonSummary:
    """Everything the summary page lists about `person`, in one query.

    `person` must have come through `clients.permissions.access_person` for `user`;
    `with_notes` and `with_chronology` say whether the user may see those lists.
    """
    row = _fetch(
        _summary_sql(with_notes=with_notes, with_chronology=with_chronology),
        {
            "person": person.pk,
            "today": today,
            "now": timezone.now(),
            "user": user.pk,
            "drawn": list(DRAWN_KINDS),
        },
    )
    return PersonSummary(
        banner=_banner(row),
        other_names=_OTHER_NAME.build_all(row["other_names"]),
        identifiers=_IDENTIFIER.build_all(row["identifiers"]),
        disability_codes=list(row["disabilities"] or ()),
        addresses=_ADDRESS.build_all(row["addresses"]),
        involvements=_INVOLVEMENT.build_all(row["involvements"]),
        relationship_rows=list(row["relationships"] or ()),
        memberships=_MEMBERSHIP.build_all(row["groups"]),
        notes=None if row["notes"] is None else _NOTE.build_all(row["notes"]),
        chronology=None if row["chronology"] is None else _CHRONOLOGY.build_all(row["chronology"]),
    )


def relationship_rows(person: Person, *, user: User) -> list[Relationship]:
    """The person's relationships, and those of the relatives the genogram draws (one query),
    leaving out relatives whose records `user` may not open."""
    row = _fetch(
        f"SELECT {_RELATIONSHIPS_SQL} AS relationships",
        {
            "person": person.pk,
            "today": timezone.localdate(),
            "now": timezone.now(),
            "user": user.pk,
            "drawn": list(DRAWN_KINDS),
        },
    )
    return list(RELATIONSHIP.build_all(row["relationships"]))
