"""The demo council: teams, staff with demo logins, and a few thousand fake but realistic people.

`manage.py seed_demo` calls `seed_demo_council`. Every household is generated from its
own seeded `random.Random`, so the same options always give the same council, and each
demo person carries a legacy "LCS" id naming their household: a household already in
the database is never loaded twice.

Nothing is real: NHS numbers come from the range NHS England reserves for testing
(999 000 0000 to 999 999 9999), postcodes from "DB", which is not a UK postcode area,
and telephone numbers from Ofcom's ranges for drama. People are written in bulk, so
their search keys are computed here exactly as clients.services.people computes them.
"""

from __future__ import annotations

import datetime
import importlib
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group as RoleGroup
from django.db import transaction
from django.db.models import OuterRef, Subquery
from stdnum.gb import nhs, upn

from casemgmt.mfa.services import DEMO_DEVICE_NAME, script_device_ensure
from casemgmt.models import AuditEvent, Team, TeamMembership, User
from casemgmt.roles import Role, sync_default_roles
from clients import demo_data as data
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
    Relationship,
    RelationshipType,
)
from clients.names import fold, name_keys

DEFAULT_PASSWORD = "demo-council-2026"  # noqa: S105  (development only; see demo_password)
DEFAULT_PEOPLE = 3000
MAX_PEOPLE = 10_000  # NHS numbers are drawn from the test range per household slot
LEGACY_SYSTEM = "LCS"
_LEGACY_BASE = 1_000_000
_MEMBERS_PER_HOUSEHOLD = 20  # legacy id = base + household * 20 + member
_SEED = 2026
_UPN_FALLBACK_LA = "201"

T = TypeVar("T")


def demo_password() -> str:
    """The one password every demo login has: $DEMO_PASSWORD, else a development default."""
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


# ---------------------------------------------------------------------------
# The organisation
# ---------------------------------------------------------------------------

SERVICE_AREAS = (("childrens", "Children's services"), ("adults", "Adult social care"))
TEAMS = (
    ("mash", "MASH and front door", "childrens"),
    ("assessment-north", "Assessment team north", "childrens"),
    ("assessment-south", "Assessment team south", "childrens"),
    ("child-protection", "Child protection team", "childrens"),
    ("looked-after-children", "Looked after children team", "childrens"),
    ("disabled-children", "Disabled children's team", "childrens"),
    ("hospital-discharge", "Hospital discharge team", "adults"),
    ("locality-east", "Locality team east", "adults"),
    ("locality-west", "Locality team west", "adults"),
    ("occupational-therapy", "Occupational therapy", "adults"),
    ("safeguarding-adults", "Safeguarding adults team", "adults"),
)


@dataclass(frozen=True)
class StaffMember:
    username: str
    first_name: str
    last_name: str
    role: str
    team: str | None  # a team or service area code
    job_title: str
    is_manager: bool = False
    is_login: bool = False  # a demo login (printed by --print-logins); others cannot sign in


P, TM, SM = Role.PRACTITIONER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER
STAFF = (
    # The demo logins: memorable usernames, one for each role.
    StaffMember("practitioner", "Hannah", "Price", P, "assessment-north", "Social worker", is_login=True),
    StaffMember("manager", "David", "Okonkwo", TM, "assessment-north", "Team manager", True, True),
    StaffMember("senior", "Rachel", "Lindqvist", SM, "childrens", "Head of children's social care", True, True),
    StaffMember("finance", "Gareth", "Hughes", Role.FINANCE_OFFICER, None, "Social care finance officer", is_login=True),
    StaffMember("support", "Bev", "Collins", Role.BUSINESS_SUPPORT, "assessment-north", "Business support officer", is_login=True),
    StaffMember("admin", "Sunil", "Mehta", Role.SYSTEM_ADMINISTRATOR, None, "Systems administrator", is_login=True),
    StaffMember("adults", "Joanne", "Fletcher", P, "locality-east", "Social worker (adults)", is_login=True),
    StaffMember("governance", "Ida", "Okafor", Role.INFORMATION_GOVERNANCE, None, "Information governance officer", is_login=True),
    # A second officer: a destruction, and a subject access disclosure, need a second pair of eyes.
    StaffMember("dpo", "Marcus", "Adeyemi", Role.INFORMATION_GOVERNANCE, None, "Data protection officer", is_login=True),
    # Colleagues who hold cases and write notes.
    StaffMember("tom.bradley", "Tom", "Bradley", P, "assessment-north", "Senior social worker"),
    StaffMember("amara.okoye", "Amara", "Okoye", P, "assessment-north", "Social worker"),
    StaffMember("lucy.chen", "Lucy", "Chen", P, "assessment-north", "Social worker"),
    StaffMember("kerry.walsh", "Kerry", "Walsh", P, "assessment-north", "Family support worker"),
    StaffMember("nadia.hussain", "Nadia", "Hussain", TM, "assessment-south", "Team manager", True),
    StaffMember("ben.fraser", "Ben", "Fraser", P, "assessment-south", "Senior social worker"),
    StaffMember("chloe.adams", "Chloe", "Adams", P, "assessment-south", "Social worker"),
    StaffMember("marcus.reid", "Marcus", "Reid", P, "assessment-south", "Social worker"),
    StaffMember("sophie.turner", "Sophie", "Turner", P, "assessment-south", "Family support worker"),
    StaffMember("claire.donnelly", "Claire", "Donnelly", TM, "mash", "MASH team manager", True),
    StaffMember("james.osei", "James", "Osei", P, "mash", "Social worker"),
    StaffMember("emma.wright", "Emma", "Wright", P, "mash", "Social worker"),
    StaffMember("fiona.macleod", "Fiona", "MacLeod", TM, "child-protection", "Team manager", True),
    StaffMember("daniel.asante", "Daniel", "Asante", P, "child-protection", "Advanced practitioner"),
    StaffMember("rebecca.hall", "Rebecca", "Hall", P, "child-protection", "Social worker"),
    StaffMember("priya.patel", "Priya", "Patel", P, "child-protection", "Social worker"),
    StaffMember("mark.jennings", "Mark", "Jennings", TM, "looked-after-children", "Team manager", True),
    StaffMember("olivia.king", "Olivia", "King", P, "looked-after-children", "Social worker"),
    StaffMember("samuel.mensah", "Samuel", "Mensah", P, "looked-after-children", "Social worker"),
    StaffMember("helen.forbes", "Helen", "Forbes", P, "looked-after-children", "Independent reviewing officer"),
    StaffMember("gemma.roberts", "Gemma", "Roberts", TM, "disabled-children", "Team manager", True),
    StaffMember("yusuf.ali", "Yusuf", "Ali", P, "disabled-children", "Social worker"),
    StaffMember("laura.evans", "Laura", "Evans", P, "disabled-children", "Social worker"),
    StaffMember("alison.grant", "Alison", "Grant", SM, "adults", "Head of adult social care", True),
    StaffMember("karen.smith", "Karen", "Smith", TM, "hospital-discharge", "Team manager", True),
    StaffMember("grace.adeyemi", "Grace", "Adeyemi", P, "hospital-discharge", "Social worker"),
    StaffMember("peter.nowak", "Peter", "Nowak", P, "hospital-discharge", "Social care assessor"),
    StaffMember("stephen.clarke", "Stephen", "Clarke", TM, "locality-east", "Team manager", True),
    StaffMember("aisha.rahman", "Aisha", "Rahman", P, "locality-east", "Social worker"),
    StaffMember("matthew.green", "Matthew", "Green", P, "locality-east", "Social care assessor"),
    StaffMember("julie.thompson", "Julie", "Thompson", TM, "locality-west", "Team manager", True),
    StaffMember("ravi.sharma", "Ravi", "Sharma", P, "locality-west", "Social worker"),
    StaffMember("natalie.brooks", "Natalie", "Brooks", P, "locality-west", "Social worker"),
    StaffMember("sarah.oneill", "Sarah", "O'Neill", TM, "occupational-therapy", "Lead occupational therapist", True),
    StaffMember("megan.lloyd", "Megan", "Lloyd", P, "occupational-therapy", "Occupational therapist"),
    StaffMember("ian.campbell", "Ian", "Campbell", P, "occupational-therapy", "Occupational therapist"),
    StaffMember("diane.foster", "Diane", "Foster", TM, "safeguarding-adults", "Team manager", True),
    StaffMember("kwame.boateng", "Kwame", "Boateng", P, "safeguarding-adults", "Social worker"),
    StaffMember("rachel.moore", "Rachel", "Moore", P, "safeguarding-adults", "Social worker"),
)  # fmt: skip
del P, TM, SM
DEMO_LOGINS = tuple(member for member in STAFF if member.is_login)
_STAFF_START = datetime.date(2019, 4, 1)
# Children (or adults) a worker carries before new cases wait in the team, unallocated.
_CASELOAD_CAP = {"practitioner": 21, "adults": 24}
_DEFAULT_CAP = 24


def login_lines() -> list[str]:
    """One line per demo login: username, role and team, in columns."""
    team_names = dict(SERVICE_AREAS) | {code: name for code, name, _ in TEAMS}
    rows = [
        (member.username, Role(member.role).label, team_names.get(member.team or "", "-"))
        for member in DEMO_LOGINS
    ]
    width_user = max(len(row[0]) for row in rows) + 2
    width_role = max(len(row[1]) for row in rows) + 2
    return [f"  {user:<{width_user}}{role:<{width_role}}{team}" for user, role, team in rows]


# ---------------------------------------------------------------------------
# What a run produces
# ---------------------------------------------------------------------------


@dataclass
class HouseholdRows:
    """Every row one household brings, unsaved, linked by Python references."""

    index: int
    kind: str
    people: list[Person] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    identifiers: list[PersonIdentifier] = field(default_factory=list)
    other_names: list[PersonName] = field(default_factory=list)
    disabilities: list[PersonDisability] = field(default_factory=list)
    relationships: list[tuple[Relationship, Relationship]] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    memberships: list[GroupMembership] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)
    amendments: list[CaseNote] = field(default_factory=list)
    chronology: list[ChronologyEntry] = field(default_factory=list)
    note_entries: list[tuple[ChronologyEntry, CaseNote]] = field(default_factory=list)


@dataclass
class SeedResult:
    teams: int
    staff: int
    people_before: int
    people_created: int
    households_created: int
    rows: dict[str, int]
    seconds: float

    @property
    def people(self) -> int:
        return self.people_before + self.people_created


# ---------------------------------------------------------------------------
# Reference data and the organisation
# ---------------------------------------------------------------------------


def ensure_reference_data() -> None:
    """The code lists a council starts with (migration 0003) and the roles, even after a flush."""
    migration = importlib.import_module("clients.migrations.0003_reference_data")
    migration.forwards(django_apps, None)
    sync_default_roles()


def ensure_organisation() -> dict[str, User]:
    """Service areas, teams and staff (idempotent); the staff by username."""
    teams: dict[str, Team] = {}
    for code, name in SERVICE_AREAS:
        teams[code], _ = Team.objects.get_or_create(
            code=code, defaults={"name": name, "kind": Team.Kind.SERVICE_AREA}
        )
    for code, name, area in TEAMS:
        teams[code], _ = Team.objects.get_or_create(
            code=code, defaults={"name": name, "kind": Team.Kind.TEAM, "parent": teams[area]}
        )
    roles = {group.name: group for group in RoleGroup.objects.filter(name__in=Role.values)}
    staff: dict[str, User] = {}
    password = demo_password()
    for member in STAFF:
        user = User.objects.filter(username=member.username).first()
        if user is None:
            is_admin = member.role == Role.SYSTEM_ADMINISTRATOR
            user = User(
                username=member.username,
                first_name=member.first_name,
                last_name=member.last_name,
                email=f"{member.username}@demoborough.example",
                job_title=member.job_title,
                is_staff=is_admin,
            )
            if member.is_login:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        if member.is_login:
            # A demo login works without a phone: `manage.py demo_code <username>` prints its code.
            script_device_ensure(user=user, name=DEMO_DEVICE_NAME)
        user.groups.add(roles[member.role])
        if (
            member.team
            and not TeamMembership.objects.filter(
                user=user, team=teams[member.team], end_date__isnull=True
            ).exists()
        ):
            TeamMembership.objects.create(
                user=user,
                team=teams[member.team],
                is_manager=member.is_manager,
                start_date=_STAFF_START,
            )
        staff[member.username] = user
    return staff


# ---------------------------------------------------------------------------
# The council: shared state while households are generated
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Street:
    name: str
    locality: data.Locality
    postcodes: tuple[str, ...]


class Council:
    """What every household draws on: staff, teams, code lists, streets and caseloads."""

    def __init__(self, *, staff: dict[str, User], today: datetime.date, seed: int = _SEED) -> None:
        self.today = today
        self.seed = seed
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.staff = staff
        self.teams = {team.code: team for team in Team.objects.all()}
        self.relationship_types = {
            kind.code: kind for kind in RelationshipType.objects.select_related("reciprocal")
        }
        self.note_types = {kind.code: kind for kind in NoteType.objects.all()}
        self.alert_types = {kind.code: kind for kind in AlertType.objects.all()}
        self.involvement_roles = {role.code: role for role in InvolvementRole.objects.all()}
        self.la_code = settings.LA_CODE if _valid_la_code(settings.LA_CODE) else _UPN_FALLBACK_LA
        by_team: dict[str, list[StaffMember]] = {}
        for member in STAFF:
            if member.team and member.username in staff:
                by_team.setdefault(member.team, []).append(member)
        self.managers = {
            team: staff[member.username]
            for team, members in reversed(list(by_team.items()))
            for member in reversed(members)
            if member.is_manager
        }
        self.workers = {
            team: [
                staff[m.username]
                for m in members
                if not m.is_manager
                and m.role == Role.PRACTITIONER
                and m.job_title not in {"Family support worker", "Independent reviewing officer"}
            ]
            for team, members in by_team.items()
        }
        self.family_support = [
            staff[m.username]
            for m in STAFF
            if m.job_title == "Family support worker" and m.username in staff
        ]
        self.iro = staff.get("helen.forbes")
        self.support = staff.get("support")
        self.caseload: Counter[int] = Counter()
        self.practitioner_drafts = 0
        self.streets = self._streets()

    def _streets(self) -> dict[str, list[Street]]:
        rng = random.Random(f"casemgmt-demo:{self.seed}:streets")  # noqa: S311  (fake data)
        streets: dict[str, list[Street]] = {}
        used: set[str] = set()
        for locality in data.LOCALITIES:
            streets[locality.name] = []
            while len(streets[locality.name]) < 24:
                name = f"{rng.choice(data.STREET_STEMS)} {rng.choice(data.STREET_SUFFIXES)}"
                if name in used:
                    continue
                used.add(name)
                postcodes = tuple(
                    f"{locality.district} {rng.randint(1, 9)}"
                    f"{rng.choice(data.POSTCODE_UNIT_LETTERS)}{rng.choice(data.POSTCODE_UNIT_LETTERS)}"
                    for _ in range(rng.randint(1, 2))
                )
                streets[locality.name].append(Street(name, locality, postcodes))
        return streets

    def allocate(self, team: str, cases: int) -> User | None:
        """A worker in `team` with room for `cases` more, or None (the team holds it unallocated)."""
        for worker in self.workers.get(team, []):
            cap = _CASELOAD_CAP.get(worker.username, _DEFAULT_CAP)
            if self.caseload[worker.pk] + cases <= cap:
                self.caseload[worker.pk] += cases
                return worker
        return None

    def manager_of(self, team: str) -> User | None:
        return self.managers.get(team)


def _valid_la_code(code: str) -> bool:
    sample = f"{code}200026001"
    return len(code) == 3 and code.isdigit() and upn.is_valid(upn.calc_check_digit(sample) + sample)


def nhs_number_for(slot: int) -> str:
    """A unique NHS number from the test range for a person slot (household * 20 + member)."""
    base = 999_000_000 + slot * 11
    for prefix in range(base, base + 11):
        digits = str(prefix)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            number = f"{digits}{check}"
            assert nhs.is_valid(number)  # noqa: S101  (a wrong number here is a bug in this module)
            return number
    raise AssertionError("no valid NHS number in the slot")  # eleven prefixes always hold one


def upn_for(slot: int, *, la_code: str, issued: int) -> str:
    """A unique pupil number with a correct check letter."""
    body = f"{la_code}{2000 + slot // 1000:04d}{issued % 100:02d}{slot % 1000:03d}"
    return upn.calc_check_digit(body) + body


# ---------------------------------------------------------------------------
# One household
# ---------------------------------------------------------------------------


class Household:
    """Builds the rows of one household with its own random generator."""

    def __init__(self, council: Council, index: int, kind: str) -> None:
        self.council = council
        self.today = council.today
        self.rng = random.Random(f"casemgmt-demo:{council.seed}:{index}")  # noqa: S311
        self.rows = HouseholdRows(index=index, kind=kind)
        self.locality = self.rng.choice(data.LOCALITIES)
        self._next_member = 0

    # -- small helpers ------------------------------------------------------

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def weighted(self, options: Iterable[tuple[T, int]]) -> T:
        values, weights = zip(*options, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def born(self, age: int) -> datetime.date:
        """A date of birth for someone `age` years old today."""
        birthday = _years_before(self.today, age)
        return birthday - datetime.timedelta(days=self.rng.randint(1, 364))

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        day = start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))
        # Most work happens on weekdays.
        if day.weekday() >= 5 and self.chance(0.85):
            day -= datetime.timedelta(days=day.weekday() - 4)
        return max(day, start)

    def moment(self, day: datetime.date, *, earliest_hour: int = 8) -> datetime.datetime:
        hour = self.rng.randint(earliest_hour, 17)
        minute = self.rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50))
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.council.zone)

    def age_of(self, person: Person) -> int:
        return _age(person.date_of_birth, self.today) if person.date_of_birth else 0

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    # -- people ---------------------------------------------------------------

    def first_name(self, heritage: data.Heritage, sex: str, born: datetime.date | None) -> str:
        modern = born is not None and born.year >= 2004
        if sex == "M":
            return self.pick(heritage.boys if modern and heritage.boys else heritage.male)
        return self.pick(heritage.girls if modern and heritage.girls else heritage.female)

    def surname_for(self, surname: str, sex: str, heritage: data.Heritage, *, adult: bool) -> str:
        if heritage.key == "polish" and sex == "F":
            for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
                if surname.endswith(masculine):
                    return surname[: -len(masculine)] + feminine
        if adult and sex == "F":
            if heritage.key == "bangladeshi" and self.chance(0.5):
                return "Begum"
            if heritage.key == "indian" and surname == "Singh":
                return "Kaur"
        return surname

    def person(
        self,
        *,
        first: str,
        last: str,
        sex: str,
        born: datetime.date | None,
        heritage: data.Heritage,
        ethnicity: str | None = None,
        expected: datetime.date | None = None,
        died: datetime.date | None = None,
        middle: str = "",
        title: str | None = None,
    ) -> Person:
        member = self._next_member
        self._next_member += 1
        slot = self.rows.index * _MEMBERS_PER_HOUSEHOLD + member
        age = _age(born, self.today) if born else None
        adult = age is not None and age >= 18
        language = self.weighted(heritage.languages)
        if age is not None and age < 16 and language != "English" and self.chance(0.6):
            language = "English"  # children born here mostly speak English first
        interpreter = (
            adult and language != "English" and self.chance(heritage.interpreter_share * 1.5)
        )
        person = Person(
            title=title if title is not None else (_title(sex, age, self.rng) if adult else ""),
            first_name=first,
            middle_names=middle,
            last_name=last,
            date_of_birth=born,
            expected_date_of_birth=expected,
            date_of_death=died,
            sex=sex,
            gender_identity=_gender_identity(age, self.rng),
            ethnicity=ethnicity or heritage.ethnicity,
            first_language=language,
            interpreter_required=interpreter,
            religion=self.weighted(heritage.religions) if born else "",
            gp_practice_code=self.locality.gp_code if born else "",
            gp_practice_name=self.locality.gp_name if born else "",
            created_at=self.moment(self.ago(self.rng.randint(400, 3000))),
        )
        if born and self.chance(0.92):
            person.nhs_number = nhs_number_for(slot)
        if age is not None and 4 <= age <= 17 and self.chance(0.85) and born:
            person.upn = upn_for(slot, la_code=self.council.la_code, issued=born.year + 4)
        if adult and not died and self.chance(0.45):
            person.ni_number = f"JZ{slot:06d}{'ABCD'[slot % 4]}"
        if adult and not died:
            if self.chance(0.7):
                person.mobile = f"07700 900{self.rng.randint(0, 999):03d}"
            if age and age > 60 and self.chance(0.6):
                person.phone = f"0116 496 0{self.rng.randint(0, 999):03d}"
            if self.chance(0.35):
                person.email = f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '')}{self.rng.randint(1, 99)}@example.com"
        if self.chance(0.05) and born and len(first) > 4:
            person.preferred_name = first[:3] if not first[:3].endswith(("a", "e")) else first[:4]
        keys = name_keys(first, last)
        person.search_name = keys.search_name
        person.first_name_phonetic = keys.first_name_phonetic
        person.last_name_phonetic = keys.last_name_phonetic
        person.updated_at = person.created_at
        self.rows.people.append(person)
        self.rows.identifiers.append(
            PersonIdentifier(person=person, system=LEGACY_SYSTEM, value=str(_LEGACY_BASE + slot))
        )
        return person

    def other_name(self, person: Person, kind: str, first: str, last: str) -> None:
        self.rows.other_names.append(
            PersonName(
                person=person,
                kind=kind,
                first_name=first,
                last_name=last,
                search_name=f"{fold(first)} {fold(last)}".strip(),
            )
        )

    def disable(self, person: Person, options: Iterable[tuple[str, int]], most: int = 2) -> None:
        options = list(options)
        codes = {self.weighted(options) for _ in range(self.rng.randint(1, most))}
        for code in sorted(codes):
            self.rows.disabilities.append(PersonDisability(person=person, code=code))

    def relate(
        self,
        person: Person,
        other: Person,
        code: str,
        *,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        responsibility: bool = False,
    ) -> None:
        """`other` is `code` to `person`; the reciprocal row is written too."""
        kind = self.council.relationship_types[code]
        forward = Relationship(
            person=person,
            other=other,
            type=kind,
            start_date=start,
            end_date=end,
            is_parental_responsibility=responsibility,
        )
        backward = Relationship(
            person=other, other=person, type=kind.reciprocal, start_date=start, end_date=end
        )
        self.rows.relationships.append((forward, backward))

    def home(
        self,
        people: Sequence[Person],
        *,
        since: datetime.date,
        until: datetime.date | None = None,
        kind: str = Address.Kind.HOME,
        locality: data.Locality | None = None,
    ) -> None:
        locality = locality or self.locality
        street = self.pick(self.council.streets[locality.name])
        number = self.rng.randint(1, 140)
        line_1, line_2 = f"{number} {street.name}", locality.name
        if self.chance(0.15):
            block = f"{street.name.split()[0]} {self.pick(data.BLOCK_NAMES)}"
            line_1, line_2 = (
                f"Flat {self.rng.randint(1, 48)}, {block}",
                f"{street.name}, {locality.name}",
            )
        postcode = self.pick(street.postcodes)
        uprn = str(10_090_000_000 + self.rng.randint(0, 999_999))
        for person in people:
            # Nobody lived anywhere before they were born.
            start = max(since, person.date_of_birth) if person.date_of_birth else since
            if until is not None and until < start:
                continue
            self.rows.addresses.append(
                Address(
                    person=person,
                    kind=kind,
                    line_1=line_1,
                    line_2=line_2,
                    town=data.TOWN,
                    postcode=postcode,
                    uprn=uprn,
                    start_date=start,
                    end_date=until,
                )
            )

    def household_group(self, name: str, members: Sequence[tuple[Person, str]]) -> Group:
        group = Group(
            kind=Group.Kind.HOUSEHOLD, name=name, start_date=self.ago(self.rng.randint(200, 3000))
        )
        self.rows.groups.append(group)
        for person, role in members:
            self.rows.memberships.append(
                GroupMembership(group=group, person=person, role=role, start_date=group.start_date)
            )
        return group

    def alert(
        self,
        person: Person,
        code: str,
        description: str,
        *,
        start: datetime.date,
        end: datetime.date | None = None,
        by: User | None = None,
    ) -> None:
        self.rows.alerts.append(
            Alert(
                person=person,
                type=self.council.alert_types[code],
                description=description,
                start_date=start,
                end_date=end,
                created_by=by,
                created_at=self.moment(start),
            )
        )

    def involve(
        self,
        person: Person,
        team: str,
        worker: User | None,
        *,
        start: datetime.date,
        end: datetime.date | None = None,
        end_reason: str = "",
        role: str = "allocated-social-worker",
    ) -> Involvement | None:
        if start > self.today:
            return None
        if worker is None and role == "allocated-social-worker":
            role = "team-involvement"
        involvement = Involvement(
            person=person,
            worker=worker,
            team=self.council.teams[team],
            role=self.council.involvement_roles[role],
            start_date=start,
            end_date=end,
            end_reason=end_reason,
        )
        self.rows.involvements.append(involvement)
        return involvement

    def milestone(
        self,
        person: Person,
        day: datetime.date,
        category: str,
        summary: str,
        *,
        by: User | None,
    ) -> None:
        # Recorded as a worker's own entry: no workflow exists yet to have written it.
        if day >= self.today:
            return
        entry = ChronologyEntry(
            person=person,
            event_date=day,
            recorded_at=self.moment(day),
            category=category,
            summary=summary,
            source=ChronologyEntry.Source.MANUAL,
            created_by=by,
        )
        if self.chance(0.02):
            entry.is_hidden = True
            entry.hidden_reason = (
                "Recorded on the wrong child's chronology; added to the sibling's."
            )
            entry.hidden_by = by
            entry.hidden_at = entry.recorded_at
        self.rows.chronology.append(entry)

    def note(
        self,
        person: Person,
        *,
        kind: str,
        subject: str,
        body: str,
        author: User,
        day: datetime.date,
        significant: bool = False,
        draft: bool = False,
    ) -> CaseNote:
        event_at = self.moment(day)
        recorded_at = event_at + datetime.timedelta(hours=self.rng.randint(1, 48))
        now = datetime.datetime.combine(self.today, datetime.time(7, 0), tzinfo=self.council.zone)
        recorded_at = min(recorded_at, max(now, event_at))
        note = CaseNote(
            person=person,
            type=self.council.note_types[kind],
            subject=subject[:200],
            body=body,
            event_at=event_at,
            recorded_at=recorded_at,
            author=author,
            is_significant=significant,
            status=CaseNote.Status.DRAFT if draft else CaseNote.Status.FINAL,
            finalised_at=None if draft else recorded_at,
            version=self.rng.randint(2, 4) if draft else 1,
        )
        self.rows.notes.append(note)
        if significant and not draft:
            entry = ChronologyEntry(
                person=person,
                event_date=day,
                recorded_at=recorded_at,
                category=note.type.name,
                summary=note.subject,
                source=ChronologyEntry.Source.CASE_NOTE,
                source_type="clients.casenote",
                created_by=author,
            )
            self.rows.note_entries.append((entry, note))
        elif not draft and self.chance(0.015):
            amendment_at = recorded_at + datetime.timedelta(days=1)
            self.rows.amendments.append(
                CaseNote(
                    person=person,
                    type=note.type,
                    subject=f"Amendment: {note.subject}"[:200],
                    body=(
                        f"Correction to the note recorded on {recorded_at:%d %B %Y}: the visit "
                        "was arranged with the family in advance, not unannounced as recorded."
                    ),
                    event_at=event_at,
                    recorded_at=amendment_at,
                    author=author,
                    status=CaseNote.Status.FINAL,
                    finalised_at=amendment_at,
                    amends=note,
                )
            )
        return note

    # -- casework -------------------------------------------------------------

    def case_notes(
        self,
        person: Person,
        *,
        service: str,
        team: str,
        worker: User | None,
        start: datetime.date,
        end: datetime.date | None,
        context: dict[str, str],
        most: int,
    ) -> None:
        """Notes written while `team` worked with `person`, with the significant ones charted."""
        last = min(end or self.ago(1), self.ago(1))
        if last < start:
            return
        months = max(1, (last - start).days // 30)
        count = min(most, max(1, int(months * self.rng.uniform(1.0, 2.2))))
        templates, weights = _note_templates(service, team)
        manager = self.council.manager_of(team)
        ctx = {"name": person.preferred_name or person.first_name, "team": team, **context}
        used: set[str] = set()  # a worker does not write the same words twice for one person
        for _ in range(count):
            kind = self.weighted(weights)
            choices = [t for t in templates.get(kind, ()) if t[1] not in used]
            if not choices:
                continue
            subject, body, significance = self.pick(choices)
            used.add(body)
            author = worker
            if kind in {"management-oversight", "supervision"}:
                author = manager or worker
            elif kind == "email-letter" and team == "assessment-north" and self.chance(0.5):
                author = self.council.support or worker
            if author is None:
                author = manager
            if author is None:
                continue
            day = self.day_between(start, last)
            ctx["day"] = (day + datetime.timedelta(days=self.rng.randint(2, 6))).strftime("%A")
            self.note(
                person,
                kind=kind,
                subject=subject.format(**ctx),
                body=body.format(**ctx),
                author=author,
                day=day,
                significant=self.chance(significance),
            )
        if (
            end is None
            and worker is not None
            and worker.username == "practitioner"
            and self.council.practitioner_drafts < 6
        ):
            self.council.practitioner_drafts += 1
            day = self.ago(self.rng.randint(1, 6))
            self.note(
                person,
                kind="home-visit",
                subject=f"Home visit to {ctx['name']} after school",
                body=(
                    f"Visited {ctx['name']} at home after school. {ctx['parent']} was present. "
                    "Notes to be completed: observations of the home, what the child said, "
                    "and actions agreed."
                ),
                author=worker,
                day=day,
                draft=True,
            )


def _note_templates(
    service: str, team: str
) -> tuple[dict[str, tuple[data.Template, ...]], tuple[tuple[str, int], ...]]:
    if service == "children":
        templates = dict(data.CHILDREN_NOTES)
        extra = {
            "child-protection": data.CHILD_PROTECTION_NOTES,
            "looked-after-children": data.LOOKED_AFTER_NOTES,
        }.get(team, {})
        for kind, more in extra.items():
            templates[kind] = more + templates.get(kind, ())
        return templates, data.CHILDREN_NOTE_WEIGHTS
    templates = dict(data.ADULTS_NOTES)
    extra = {
        "hospital-discharge": data.HOSPITAL_NOTES,
        "safeguarding-adults": data.SAFEGUARDING_ADULTS_NOTES,
    }.get(team, {})
    for kind, more in extra.items():
        templates[kind] = more + templates.get(kind, ())
    return templates, data.ADULTS_NOTE_WEIGHTS


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _title(sex: str, age: int | None, rng: random.Random) -> str:
    if sex == "M":
        return "Mr"
    if age is not None and age > 60:
        return rng.choice(("Mrs", "Mrs", "Ms", "Miss"))
    return rng.choice(("Ms", "Miss", "Mrs"))


def _gender_identity(age: int | None, rng: random.Random) -> str:
    if age is None or age < 13:
        return ""
    roll = rng.random()
    if roll < 0.9:
        return "same"
    return "not_stated" if roll < 0.985 else "different"


# ---------------------------------------------------------------------------
# Kinds of household
# ---------------------------------------------------------------------------

CHILDREN_KINDS = (
    ("single-parent", 26),
    ("two-parent", 15),
    ("step-family", 10),
    ("kinship", 4),
    ("looked-after", 5),
    ("unborn", 2),
    ("disabled-child", 4),
)
ADULTS_KINDS = (
    ("older-alone", 13),
    ("older-couple", 8),
    ("learning-disability", 5),
    ("working-age-adult", 8),
    ("carer-family", 4),
)
ALL_KINDS = CHILDREN_KINDS + ADULTS_KINDS
_ADULT_KIND_NAMES = {kind for kind, _ in ADULTS_KINDS}

_CLOSE_REASONS_CHILDREN = (
    "Closed: no further action",
    "Stepped down to early help",
    "Child protection plan ended; closed",
    "Family moved out of the area",
    "Child in need plan completed",
)
_CLOSE_REASONS_ADULTS = (
    "Care and support plan in place; review annually",
    "Reablement completed; no ongoing needs",
    "Moved into residential care out of area",
    "Needs met by family; no services required",
)


def _heritage(household: Household) -> data.Heritage:
    return household.weighted((heritage, heritage.weight) for heritage in data.HERITAGES)


def _partner_heritage(household: Household, heritage: data.Heritage) -> data.Heritage:
    if household.chance(0.1):
        return _heritage(household)
    return heritage


def _child_ethnicity(mother: data.Heritage, father: data.Heritage) -> str:
    if mother.ethnicity == father.ethnicity:
        return mother.ethnicity
    pair = {mother.ethnicity, father.ethnicity}
    if "WBRI" in pair:
        other = (pair - {"WBRI"}).pop()
        return data.MIXED_ETHNICITY.get(other, "MOTH")
    return "MOTH"


class _Family:
    """A children's services household: the people, then the case history."""

    def __init__(self, house: Household) -> None:
        self.h = house
        self.mother_heritage = _heritage(house)
        self.father_heritage = _partner_heritage(house, self.mother_heritage)
        self.surname = house.pick(self.father_heritage.surnames)
        self.children: list[Person] = []
        self.in_home: list[tuple[Person, str]] = []

    def adult(
        self,
        heritage: data.Heritage,
        sex: str,
        age: int,
        surname: str,
        *,
        died: datetime.date | None = None,
    ) -> Person:
        born = self.h.born(age)
        return self.h.person(
            first=self.h.first_name(heritage, sex, born),
            last=self.h.surname_for(surname, sex, heritage, adult=True),
            sex=sex,
            born=born,
            heritage=heritage,
            died=died,
        )

    def child(
        self,
        age: int,
        surname: str,
        *,
        mother: Person,
        father: Person | None,
        ethnicity: str,
        heritage: data.Heritage,
    ) -> Person:
        sex = self.h.pick(("M", "F"))
        born = self.h.born(age)
        child = self.h.person(
            first=self.h.first_name(heritage, sex, born),
            middle=self.h.first_name(heritage, sex, born) if self.h.chance(0.4) else "",
            last=self.h.surname_for(surname, sex, heritage, adult=False),
            sex=sex,
            born=born,
            heritage=heritage,
            ethnicity=ethnicity,
        )
        self.h.relate(child, mother, "parent", responsibility=True)
        if father is not None:
            self.h.relate(child, father, "parent", responsibility=self.h.chance(0.7))
        for sibling in self.children:
            same_father = father is not None and any(
                rel.other is father
                for pair in self.h.rows.relationships
                for rel in pair
                if rel.person is sibling and rel.type.code == "parent"
            )
            self.h.relate(child, sibling, "sibling" if same_father else "half-sibling")
        self.children.append(child)
        return child


def _build_children_household(house: Household) -> list[Person]:
    """People and relationships for a children's household; returns the children worked with."""
    family = _Family(house)
    h = house
    kind = h.rows.kind
    # The eldest child's age first, so families spread over all of childhood.
    eldest = h.rng.randint(0, 17) if kind != "unborn" else h.rng.randint(0, 6)
    mother_age = eldest + (h.rng.randint(18, 32) if kind != "unborn" else h.rng.randint(17, 24))
    mother = family.adult(
        family.mother_heritage, "F", mother_age, h.pick(family.mother_heritage.surnames)
    )
    family.in_home.append((mother, "Parent"))
    count = h.weighted(((1, 30), (2, 35), (3, 22), (4, 9), (5, 4)))
    if kind == "unborn":
        count = h.weighted(((0, 50), (1, 35), (2, 15)))
    younger = (h.rng.randint(max(0, eldest - 12), eldest) for _ in range(count - 1))
    ages = [eldest, *sorted(younger, reverse=True)][:count]
    ethnicity = _child_ethnicity(family.mother_heritage, family.father_heritage)
    kids_heritage = family.father_heritage if h.chance(0.5) else family.mother_heritage
    worked_with: list[Person] = []

    def father_of(age_gap: int, *, at_home: bool, relation: str) -> Person:
        father = family.adult(
            family.father_heritage,
            "M",
            min(80, mother_age + age_gap),
            family.surname if at_home else h.pick(family.father_heritage.surnames),
        )
        partnered = h.ago(h.rng.randint(365 * 3, 365 * 15))
        if relation == "former-partner":
            h.relate(mother, father, "former-partner", start=partnered)
        else:
            h.relate(mother, father, relation, start=partnered)
        return father

    if kind in {"two-parent", "disabled-child"}:
        father = father_of(
            h.rng.randint(-2, 8), at_home=True, relation=h.pick(("spouse", "partner"))
        )
        family.in_home.append((father, "Parent"))
        if any(r.type.code == "spouse" for pair in h.rows.relationships for r in pair):
            h.other_name(mother, PersonName.Kind.BIRTH, mother.first_name, mother.last_name)
            _rename(
                mother,
                mother.first_name,
                h.surname_for(family.surname, "F", family.father_heritage, adult=False),
            )
        for age in ages:
            family.child(
                age,
                father.last_name,
                mother=mother,
                father=father,
                ethnicity=ethnicity,
                heritage=kids_heritage,
            )
        if h.chance(0.15):
            grandmother = family.adult(
                family.mother_heritage,
                "F",
                mother_age + h.rng.randint(19, 30),
                h.pick(family.mother_heritage.surnames),
            )
            h.relate(mother, grandmother, "parent")
            for child in family.children:
                h.relate(child, grandmother, "grandparent")
            family.in_home.append((grandmother, "Grandparent"))
        if kind == "disabled-child" and family.children:
            h.disable(family.children[0], data.CHILD_DISABILITIES)
    elif kind == "kinship":
        grandmother = family.adult(
            family.mother_heritage,
            "F",
            mother_age + h.rng.randint(18, 28),
            h.pick(family.mother_heritage.surnames),
        )
        h.relate(mother, grandmother, "parent")
        family.in_home = [(grandmother, "Special guardian")]
        if h.chance(0.5):
            grandfather = family.adult(
                family.mother_heritage,
                "M",
                mother_age + h.rng.randint(20, 32),
                grandmother.last_name,
            )
            h.relate(grandmother, grandfather, "spouse", start=h.ago(365 * 30))
            h.relate(mother, grandfather, "parent")
            family.in_home.append((grandfather, "Special guardian"))
        father = father_of(h.rng.randint(0, 6), at_home=False, relation="former-partner")
        h.home([father], since=h.ago(h.rng.randint(100, 1500)), locality=h.pick(data.LOCALITIES))
        for age in ages or [h.rng.randint(2, 12)]:
            child = family.child(
                age,
                mother.last_name,
                mother=mother,
                father=father,
                ethnicity=ethnicity,
                heritage=kids_heritage,
            )
            for carer, _ in family.in_home:
                h.relate(child, carer, "grandparent")
        h.home([mother], since=h.ago(h.rng.randint(30, 400)), locality=h.pick(data.LOCALITIES))
    else:
        # A mother with her children; their father (or fathers) live elsewhere.
        fathers = [father_of(h.rng.randint(-1, 9), at_home=False, relation="former-partner")]
        if len(ages) > 1 and h.chance(0.3):
            fathers.append(
                father_of(h.rng.randint(-1, 9), at_home=False, relation="former-partner")
            )
        for position, age in enumerate(ages):
            father = fathers[0] if position < max(1, len(ages) // 2) else fathers[-1]
            family.child(
                age,
                father.last_name if h.chance(0.5) else mother.last_name,
                mother=mother,
                father=father,
                ethnicity=ethnicity,
                heritage=kids_heritage,
            )
        for father in fathers:
            h.home([father], since=h.ago(h.rng.randint(60, 2000)), locality=h.pick(data.LOCALITIES))
        if kind == "step-family":
            step = family.adult(
                h.pick((family.mother_heritage, family.father_heritage)),
                "M",
                mother_age + h.rng.randint(-3, 8),
                h.pick(family.father_heritage.surnames),
            )
            h.relate(mother, step, "partner", start=h.ago(h.rng.randint(300, 2500)))
            for child in list(family.children):
                h.relate(child, step, "step-parent")
            family.in_home.append((step, "Partner of parent"))
            if h.chance(0.5):
                family.child(
                    h.rng.randint(0, 3),
                    step.last_name,
                    mother=mother,
                    father=step,
                    ethnicity=ethnicity,
                    heritage=kids_heritage,
                )
        if kind == "unborn":
            unborn = h.person(
                first="Unborn",
                last=mother.last_name,
                sex="U",
                born=None,
                heritage=family.mother_heritage,
                expected=h.today + datetime.timedelta(days=h.rng.randint(40, 200)),
                title="",
            )
            h.relate(unborn, mother, "parent", responsibility=True)
            for sibling in family.children:
                h.relate(unborn, sibling, "half-sibling")
            family.children.append(unborn)
        if h.chance(0.35):
            nan = family.adult(
                family.mother_heritage,
                "F",
                mother_age + h.rng.randint(18, 28),
                h.pick(family.mother_heritage.surnames),
            )
            h.relate(mother, nan, "parent")
            for child in family.children:
                h.relate(child, nan, "grandparent")
            h.home([nan], since=h.ago(h.rng.randint(800, 8000)))

    moved_in = h.ago(h.rng.randint(60, 2500))
    at_home = [person for person, _ in family.in_home] + [
        c for c in family.children if c.date_of_birth
    ]
    if kind == "looked-after":
        # The children are placed with foster carers; the birth family home is their past address.
        placed = h.ago(h.rng.randint(60, 1100))
        at_home = [person for person, _ in family.in_home]
        h.home(at_home, since=moved_in)
        h.home(
            [c for c in family.children if c.date_of_birth],
            since=min(moved_in, placed - datetime.timedelta(days=30)),
            until=placed - datetime.timedelta(days=1),
        )
        foster_heritage = _heritage(h)
        foster_surname = h.pick(foster_heritage.surnames)
        carers = [
            family.adult(foster_heritage, "F", h.rng.randint(38, 62), foster_surname),
            family.adult(foster_heritage, "M", h.rng.randint(38, 64), foster_surname),
        ]
        h.relate(carers[0], carers[1], "spouse", start=h.ago(365 * 15))
        foster_locality = h.pick(data.LOCALITIES)
        h.home(carers, since=h.ago(365 * 8), locality=foster_locality)
        placed_children = [c for c in family.children if c.date_of_birth][:2]
        h.home(placed_children, since=placed, kind=Address.Kind.PLACEMENT, locality=foster_locality)
        for child in placed_children:
            for carer in carers:
                h.relate(child, carer, "foster-carer", start=placed)
        h.household_group(
            f"{foster_surname} foster household",
            [(carers[0], "Foster carer"), (carers[1], "Foster carer")]
            + [(c, "Child in placement") for c in placed_children],
        )
        worked_with = placed_children
        h.household_group(f"{mother.last_name} household", family.in_home)
        _case_looked_after(
            h, worked_with, mother=mother, carers=carers, placed=placed, locality=foster_locality
        )
    else:
        if kind == "two-parent" or kind == "disabled-child" or h.chance(0.4):
            h.home(
                at_home,
                since=h.ago(h.rng.randint(2600, 5000)),
                until=moved_in - datetime.timedelta(days=1),
                locality=h.pick(data.LOCALITIES),
            )
        h.home(at_home, since=moved_in)
        h.household_group(
            f"{family.in_home[0][0].last_name} household",
            family.in_home + [(c, "Child") for c in family.children if c.date_of_birth],
        )
        worked_with = family.children
        _case_children(
            h, worked_with, parent=family.in_home[0][0], others=[p for p, _ in family.in_home[1:]]
        )
    _family_alerts(h, mother, [p for p, _ in family.in_home])
    return worked_with


def _family_alerts(h: Household, mother: Person, adults: list[Person]) -> None:
    if h.chance(0.08):
        h.alert(
            mother,
            "domestic-abuse",
            "MARAC case. Do not discuss the case with the ex-partner; speak to the mother alone.",
            start=h.ago(h.rng.randint(30, 900)),
        )
    if h.chance(0.05):
        h.alert(
            mother,
            "animals-at-property",
            "Two large dogs. Ask for them to be shut in the garden before entering.",
            start=h.ago(h.rng.randint(30, 1500)),
        )
    for adult in adults:
        if adult.sex == "M" and h.chance(0.05):
            h.alert(
                adult,
                "risk-to-staff",
                "Verbally aggressive to staff during a visit; visit in pairs and tell the office when you leave.",
                start=h.ago(h.rng.randint(30, 900)),
            )
    for adult in adults:
        if adult.interpreter_required:
            h.alert(
                adult,
                "interpreter-needed",
                f"{adult.first_language} interpreter needed for visits and meetings.",
                start=h.ago(h.rng.randint(30, 1500)),
            )


def _rename(person: Person, first: str, last: str) -> None:
    person.first_name, person.last_name = first, last
    keys = name_keys(first, last)
    person.search_name = keys.search_name
    person.first_name_phonetic = keys.first_name_phonetic
    person.last_name_phonetic = keys.last_name_phonetic


def _status(h: Household) -> str:
    return h.weighted((("open", 30), ("closed", 40), ("none", 30)))


def _context_for_child(
    h: Household, child: Person, parent: Person, others: list[Person]
) -> dict[str, str]:
    age = _age(child.date_of_birth, h.today) if child.date_of_birth else 0
    school = h.locality.primary_school if age < 11 else h.locality.secondary_school
    if age < 4:
        school = f"{h.locality.name} Children's Centre"
    other = next((p.first_name for p in others if p.sex == "M"), "dad")
    return {
        "parent": parent.first_name,
        "other_parent": other,
        "school": school,
        "gp": h.locality.gp_name,
        "carer": parent.first_name,
        "place": h.locality.name,
    }


def _case_children(
    h: Household,
    children: list[Person],
    *,
    parent: Person,
    others: list[Person],
    status: str | None = None,
    protection: bool | None = None,
) -> None:
    """A children's services case history: MASH, assessment, perhaps child protection."""
    status = status or _status(h)
    council = h.council
    contact = h.ago(h.rng.randint(40, 1000) if status == "open" else h.rng.randint(400, 3000))
    # A baby born since the family's contact is not (yet) part of the case.
    children = [c for c in children if c.date_of_birth is None or c.date_of_birth < contact]
    if not children:
        return
    referrer = h.pick(data.REFERRERS)
    mash_worker = h.pick(council.workers.get("mash") or [None])
    if status == "none":
        if h.chance(0.4):
            for child in children:
                h.involve(
                    child,
                    "mash",
                    None,
                    start=contact,
                    end=contact + datetime.timedelta(days=1),
                    end_reason="No further action: advice given",
                    role="team-involvement",
                )
                h.milestone(
                    child,
                    contact,
                    "Contact",
                    f"Contact received from {referrer}; no further action",
                    by=mash_worker,
                )
        return
    kind = h.rows.kind
    cp = protection if protection is not None else (kind == "unborn" or h.chance(0.25))
    team = "disabled-children" if kind == "disabled-child" else h.locality.children_team
    decided = contact + datetime.timedelta(days=1)
    closed = None
    if status == "closed":
        closed = min(h.ago(30), decided + datetime.timedelta(days=h.rng.randint(60, 700)))
    cases = sum(1 for c in children if c.date_of_birth or c.expected_date_of_birth)
    assessment_end = None
    if cp:
        cp_start = min(
            decided + datetime.timedelta(days=h.rng.randint(10, 45)),
            (closed or h.ago(2)) - datetime.timedelta(days=1),
        )
        assessment_end = cp_start
    worker = (
        council.allocate(team, cases)
        if (status == "open" and not cp)
        else (h.pick(council.workers.get(team) or [None]))
    )
    cp_worker = (
        council.allocate("child-protection", cases)
        if (cp and status == "open")
        else h.pick(council.workers.get("child-protection") or [None])
    )
    fsw = h.pick(council.family_support) if council.family_support and h.chance(0.3) else None
    category = h.pick(data.CP_CATEGORIES)
    for child in children:
        context = _context_for_child(h, child, parent, others)
        h.involve(
            child,
            "mash",
            mash_worker,
            start=contact,
            end=decided,
            end_reason="Progressed to assessment",
            role="team-involvement",
        )
        h.milestone(child, contact, "Contact", f"Contact received from {referrer}", by=mash_worker)
        h.milestone(
            child,
            decided,
            "Referral",
            "MASH decision: referral to children's social care for assessment",
            by=council.manager_of("mash"),
        )
        first_end = assessment_end or closed
        reason = (
            "Transferred to the child protection team"
            if cp
            else (h.pick(_CLOSE_REASONS_CHILDREN) if closed else "")
        )
        h.involve(child, team, worker, start=decided, end=first_end, end_reason=reason)
        h.milestone(
            child,
            decided + datetime.timedelta(days=2),
            "Assessment",
            "Child and family assessment started",
            by=worker,
        )
        h.case_notes(
            child,
            service="children",
            team=team,
            worker=worker,
            start=decided,
            end=first_end,
            context=context,
            most=14 if status == "open" else 5,
        )
        if not cp and (closed or h.ago(1)) > decided + datetime.timedelta(days=35):
            h.milestone(
                child,
                decided + datetime.timedelta(days=35),
                "Assessment",
                "Child and family assessment completed: child in need plan",
                by=worker,
            )
        if cp and assessment_end:
            h.milestone(
                child,
                assessment_end - datetime.timedelta(days=8),
                "Strategy discussion",
                "Strategy discussion: section 47 enquiry to start",
                by=worker,
            )
            h.milestone(
                child,
                assessment_end,
                "Child protection",
                f"Initial child protection conference: child protection plan, category {category}",
                by=council.manager_of("child-protection"),
            )
            h.involve(
                child,
                "child-protection",
                cp_worker,
                start=assessment_end,
                end=closed,
                end_reason="Child protection plan ended; closed" if closed else "",
            )
            h.case_notes(
                child,
                service="children",
                team="child-protection",
                worker=cp_worker,
                start=assessment_end,
                end=closed,
                context=context,
                most=16 if status == "open" else 5,
            )
            h.alert(
                child,
                "child-protection-plan",
                f"Subject to a child protection plan (category: {category}).",
                start=assessment_end,
                end=closed,
                by=cp_worker,
            )
            if closed:
                h.milestone(
                    child,
                    closed,
                    "Child protection",
                    "Child protection plan ended",
                    by=council.manager_of("child-protection"),
                )
        if fsw is not None and status == "open":
            h.involve(
                child,
                team if team != "disabled-children" else h.locality.children_team,
                fsw,
                start=decided + datetime.timedelta(days=20),
                role="family-support-worker",
            )
        if closed:
            h.milestone(
                child,
                closed,
                "Case closed",
                "Case closed to children's social care",
                by=council.manager_of(team),
            )


def _case_looked_after(
    h: Household,
    children: list[Person],
    *,
    mother: Person,
    carers: list[Person],
    placed: datetime.date,
    locality: data.Locality,
) -> None:
    council = h.council
    status = h.weighted((("open", 80), ("closed", 20)))
    worker = (
        council.allocate("looked-after-children", len(children))
        if status == "open"
        else h.pick(council.workers.get("looked-after-children") or [None])
    )
    before = placed - datetime.timedelta(days=h.rng.randint(90, 400))
    end = None
    if status == "closed":
        end = min(h.ago(20), placed + datetime.timedelta(days=h.rng.randint(100, 600)))
    for child in children:
        context = {
            "parent": carers[0].first_name,
            "other_parent": mother.first_name,
            "school": locality.primary_school
            if (child.date_of_birth and _age(child.date_of_birth, h.today) < 11)
            else locality.secondary_school,
            "gp": locality.gp_name,
            "carer": carers[0].first_name,
            "place": locality.name,
        }
        h.involve(
            child,
            h.locality.children_team,
            h.pick(council.workers.get(h.locality.children_team) or [None]),
            start=before,
            end=placed,
            end_reason="Became looked after; transferred to the looked after children team",
        )
        h.milestone(
            child,
            before,
            "Referral",
            "Referral to children's social care",
            by=council.manager_of("mash"),
        )
        h.milestone(
            child,
            placed,
            "Looked after",
            h.pick(
                (
                    "Became looked after (section 20, accommodated with consent)",
                    "Became looked after (interim care order, section 38)",
                )
            ),
            by=worker,
        )
        h.milestone(
            child,
            placed,
            "Placement",
            f"Placed with foster carers {carers[0].first_name} and {carers[1].first_name} {carers[1].last_name}",
            by=worker,
        )
        h.involve(
            child,
            "looked-after-children",
            worker,
            start=placed,
            end=end,
            end_reason="Returned home to mother" if end else "",
        )
        if council.iro is not None:
            h.involve(
                child,
                "looked-after-children",
                council.iro,
                start=placed + datetime.timedelta(days=7),
                end=end,
                role="independent-reviewing-officer",
            )
        h.case_notes(
            child,
            service="children",
            team="looked-after-children",
            worker=worker,
            start=placed,
            end=end,
            context=context,
            most=14,
        )
        if end:
            h.milestone(
                child, end, "Looked after", "Ceased to be looked after: returned home", by=worker
            )


def _build_adults_household(house: Household) -> list[Person]:
    h = house
    kind = h.rows.kind
    heritage = _heritage(h)
    surname = h.pick(heritage.surnames)
    worked_with: list[Person] = []
    carer: Person | None = None

    def adult(sex: str, age: int, last: str = surname, died: datetime.date | None = None) -> Person:
        born = h.born(age)
        return h.person(
            first=h.first_name(heritage, sex, born),
            last=h.surname_for(last, sex, heritage, adult=True),
            sex=sex,
            born=born,
            heritage=heritage,
            died=died,
        )

    if kind in {"older-alone", "older-couple"}:
        sex = h.weighted((("F", 62), ("M", 38)))
        main = adult(sex, h.rng.randint(72, 96))
        worked_with = [main]
        if kind == "older-couple":
            spouse = adult("M" if sex == "F" else "F", h.age_of(main) + h.rng.randint(-4, 4))
            h.relate(main, spouse, "spouse", start=h.ago(365 * h.rng.randint(35, 60)))
            h.relate(main, spouse, "carer")
            h.home([main, spouse], since=h.ago(h.rng.randint(3000, 12000)))
            h.household_group(f"{surname} household", [(main, "Resident"), (spouse, "Carer")])
            carer = spouse
        else:
            if h.chance(0.5):
                died = h.ago(h.rng.randint(200, 3000))
                late = adult("M" if sex == "F" else "F", h.rng.randint(72, 96), died=died)
                h.relate(main, late, "spouse", start=h.ago(365 * 50), end=died)
            h.home([main], since=h.ago(h.rng.randint(3000, 12000)))
        child_sex = h.pick(("M", "F"))
        child = adult(
            child_sex,
            h.rng.randint(40, 66),
            surname if child_sex == "M" or h.chance(0.3) else h.pick(heritage.surnames),
        )
        h.relate(main, child, "child")
        h.home([child], since=h.ago(h.rng.randint(500, 6000)), locality=h.pick(data.LOCALITIES))
        if carer is None:
            h.relate(main, child, "carer")
            carer = child
        if h.chance(0.4):
            h.disable(main, data.ADULT_DISABILITIES)
        if h.chance(0.3):
            h.alert(
                main,
                "key-safe",
                "Key safe by the front door; the code is held by the home care agency.",
                start=h.ago(h.rng.randint(30, 1500)),
            )
    elif kind == "learning-disability":
        main = adult(h.pick(("M", "F")), h.rng.randint(19, 45))
        mum = adult("F", h.age_of(main) + h.rng.randint(20, 35))
        h.relate(main, mum, "parent")
        h.relate(main, mum, "carer")
        h.home([main, mum], since=h.ago(h.rng.randint(3000, 9000)))
        h.household_group(f"{surname} household", [(mum, "Parent"), (main, "Adult child")])
        h.disable(main, (("LD", 60), ("AUT", 30), ("COMM", 20)), most=3)
        h.alert(
            main,
            "communication-needs",
            h.pick(
                (
                    "Uses Makaton and some words; easy read letters please.",
                    "Needs extra time to answer; avoid long questions.",
                )
            ),
            start=h.ago(h.rng.randint(200, 3000)),
        )
        worked_with, carer = [main], mum
    elif kind == "carer-family":
        main = adult(h.pick(("M", "F")), h.rng.randint(70, 90))
        child = adult(h.pick(("M", "F")), h.age_of(main) - h.rng.randint(22, 36))
        h.relate(main, child, "child")
        h.relate(main, child, "carer")
        h.home([main, child], since=h.ago(h.rng.randint(400, 5000)))
        h.household_group(f"{surname} household", [(main, "Resident"), (child, "Carer")])
        h.disable(main, (("DDA", 40), ("PC", 40), ("MOB", 30)))
        worked_with, carer = [main], child
    else:
        main = adult(h.pick(("M", "F")), h.rng.randint(22, 64))
        h.home([main], since=h.ago(h.rng.randint(100, 4000)), until=None)
        if h.chance(0.3):
            h.home(
                [main],
                since=h.ago(h.rng.randint(4100, 6000)),
                until=h.ago(h.rng.randint(4000, 4099)),
                locality=h.pick(data.LOCALITIES),
            )
        if h.chance(0.5):
            sibling = adult(h.pick(("M", "F")), h.age_of(main) + h.rng.randint(-6, 6))
            h.relate(main, sibling, "sibling")
            h.home(
                [sibling], since=h.ago(h.rng.randint(100, 4000)), locality=h.pick(data.LOCALITIES)
            )
            carer = sibling
        if h.chance(0.4):
            h.disable(main, (("MOB", 30), ("DDA", 50), ("VIS", 10), ("HEAR", 10)))
        if h.chance(0.1):
            h.alert(
                main,
                "risk-to-staff",
                "Has threatened staff when unwell; joint visits only, and tell the office before and after.",
                start=h.ago(h.rng.randint(60, 1500)),
            )
        if h.chance(0.1):
            h.alert(
                main,
                "lone-working",
                "Do not visit alone: the flat is in a block with no phone signal.",
                start=h.ago(h.rng.randint(60, 1500)),
            )
        worked_with = [main]
    for person in h.rows.people:
        if person.interpreter_required:
            h.alert(
                person,
                "interpreter-needed",
                f"{person.first_language} interpreter needed.",
                start=h.ago(h.rng.randint(30, 1500)),
            )
    _case_adults(h, worked_with[0], carer=carer)
    return worked_with


def _case_adults(
    h: Household, person: Person, *, carer: Person | None, status: str | None = None
) -> None:
    council = h.council
    status = status or _status(h)
    if status == "none":
        return
    kind = h.rows.kind
    start = h.ago(h.rng.randint(20, 900) if status == "open" else h.rng.randint(400, 3000))
    end = None
    if status == "closed":
        end = min(h.ago(20), start + datetime.timedelta(days=h.rng.randint(30, 500)))
    context = {
        "parent": carer.first_name if carer else "the family",
        "other_parent": "",
        "school": "",
        "gp": h.locality.gp_name,
        "carer": carer.first_name if carer else "the neighbour",
        "place": h.locality.name,
    }
    team = h.locality.adults_team
    if kind in {"older-alone", "older-couple"} and h.chance(0.3):
        team = "hospital-discharge"
    elif kind in {"working-age-adult", "learning-disability"} and h.chance(0.15):
        team = "safeguarding-adults"
    worker = (
        council.allocate(team, 1)
        if status == "open"
        else h.pick(council.workers.get(team) or [None])
    )
    reason = h.pick(_CLOSE_REASONS_ADULTS) if end else ""
    h.involve(person, team, worker, start=start, end=end, end_reason=reason)
    if team == "hospital-discharge":
        h.milestone(
            person,
            start - datetime.timedelta(days=3),
            "Hospital",
            "Admitted to hospital after a fall at home",
            by=worker,
        )
        if (end or h.ago(1)) > start + datetime.timedelta(days=10):
            h.milestone(
                person,
                start + datetime.timedelta(days=10),
                "Hospital",
                "Discharged home with reablement",
                by=worker,
            )
    elif team == "safeguarding-adults":
        h.milestone(
            person,
            start,
            "Safeguarding",
            "Safeguarding concern raised: section 42 enquiry started",
            by=worker,
        )
    else:
        h.milestone(person, start, "Assessment", "Care Act assessment started", by=worker)
        if (end or h.ago(1)) > start + datetime.timedelta(days=28):
            h.milestone(
                person,
                start + datetime.timedelta(days=28),
                "Care and support plan",
                "Care and support plan agreed",
                by=worker,
            )
    h.case_notes(
        person,
        service="adults",
        team=team,
        worker=worker,
        start=start,
        end=end,
        context=context,
        most=14 if status == "open" else 5,
    )
    if kind in {"older-alone", "older-couple", "carer-family"} and h.chance(0.3):
        ot = h.pick(council.workers.get("occupational-therapy") or [None])
        ot_start = start + datetime.timedelta(days=h.rng.randint(3, 20))
        if ot_start < h.today:
            h.involve(
                person,
                "occupational-therapy",
                ot,
                start=ot_start,
                end=end,
                role="occupational-therapist",
            )
            h.milestone(
                person,
                ot_start + datetime.timedelta(days=7),
                "Equipment",
                "Bath lift and stair rail fitted after an occupational therapy assessment",
                by=ot,
            )
    if end:
        h.milestone(
            person,
            end,
            "Case closed",
            f"Case closed: {reason.lower()}",
            by=council.manager_of(team),
        )


# ---------------------------------------------------------------------------
# The showcase households: named, always the first, used by the README and browser tests
# ---------------------------------------------------------------------------

SHOWCASE_KINDS = ("whitmore", "campbell", "khan", "whitman")


def _build_whitmore(h: Household) -> None:
    """Jayden Whitmore and his family: the practitioner's best-known case."""
    british = data.HERITAGE_BY_KEY["white-british"]
    h.locality = data.LOCALITIES[0]  # Northgate: Assessment team north
    kelly = h.person(
        first="Kelly",
        last="Whitmore",
        sex="F",
        born=datetime.date(1994, 6, 2),
        heritage=british,
        title="Ms",
    )
    jayden = h.person(
        first="Jayden",
        middle="Lee",
        last="Whitmore",
        sex="M",
        born=datetime.date(2015, 3, 14),
        heritage=british,
    )
    ruby = h.person(
        first="Ruby", last="Whitmore", sex="F", born=datetime.date(2018, 9, 27), heritage=british
    )
    alfie = h.person(
        first="Alfie", last="Hayes", sex="M", born=datetime.date(2023, 1, 8), heritage=british
    )
    lee = h.person(
        first="Lee",
        last="Whitmore",
        sex="M",
        born=datetime.date(1990, 11, 19),
        heritage=british,
        title="Mr",
    )
    connor = h.person(
        first="Connor",
        last="Hayes",
        sex="M",
        born=datetime.date(1997, 4, 30),
        heritage=british,
        title="Mr",
    )
    sandra = h.person(
        first="Sandra",
        last="Barker",
        sex="F",
        born=datetime.date(1968, 1, 22),
        heritage=british,
        title="Mrs",
    )
    for person in (kelly, jayden, ruby, alfie, lee, connor, sandra):
        person.ethnicity, person.first_language, person.interpreter_required = (
            "WBRI",
            "English",
            False,
        )
    kelly.mobile = "07700 900123"
    h.other_name(kelly, PersonName.Kind.BIRTH, "Kelly", "Barker")
    h.other_name(jayden, PersonName.Kind.ALIAS, "Jay", "Whitmore")
    h.relate(
        kelly, lee, "former-partner", start=datetime.date(2013, 5, 1), end=datetime.date(2021, 8, 1)
    )
    h.relate(kelly, connor, "partner", start=datetime.date(2022, 2, 1))
    h.relate(kelly, sandra, "parent")
    for child, father in ((jayden, lee), (ruby, lee), (alfie, connor)):
        h.relate(child, kelly, "parent", responsibility=True)
        h.relate(child, father, "parent", responsibility=True)
        h.relate(child, sandra, "grandparent")
    h.relate(jayden, ruby, "sibling")
    h.relate(jayden, alfie, "half-sibling")
    h.relate(ruby, alfie, "half-sibling")
    h.relate(jayden, connor, "step-parent")
    h.relate(ruby, connor, "step-parent")
    moved = datetime.date(2022, 3, 14)
    h.home(
        [kelly, jayden, ruby],
        since=datetime.date(2016, 7, 1),
        until=moved - datetime.timedelta(days=1),
        locality=data.LOCALITIES[3],
    )
    h.home([kelly, jayden, ruby, alfie, connor], since=moved)
    h.home([lee], since=datetime.date(2021, 8, 1), locality=data.LOCALITIES[4])
    h.home([sandra], since=datetime.date(1999, 5, 1))
    h.household_group(
        "Whitmore household",
        [
            (kelly, "Parent"),
            (connor, "Partner of parent"),
            (jayden, "Child"),
            (ruby, "Child"),
            (alfie, "Child"),
        ],
    )
    council = h.council
    practitioner = council.staff.get("practitioner")
    if practitioner is not None:
        council.caseload[practitioner.pk] += 3
    mash = council.staff.get("james.osei")
    manager = council.staff.get("manager")
    contact = h.ago(150)
    h.alert(
        kelly,
        "domestic-abuse",
        "MARAC case (high risk). Lee Whitmore must not know the address.",
        start=h.ago(140),
        by=practitioner,
    )
    h.alert(
        lee,
        "risk-to-staff",
        "Threatened a social worker in the car park; never visit alone.",
        start=h.ago(120),
        by=practitioner,
    )
    for child in (jayden, ruby, alfie):
        h.involve(
            child,
            "mash",
            mash,
            start=contact,
            end=contact + datetime.timedelta(days=1),
            end_reason="Progressed to assessment",
            role="team-involvement",
        )
        h.milestone(
            child,
            contact,
            "Contact",
            "Contact from the police: domestic incident at the family home",
            by=mash,
        )
        h.involve(
            child, "assessment-north", practitioner, start=contact + datetime.timedelta(days=1)
        )
        h.milestone(
            child,
            contact + datetime.timedelta(days=3),
            "Strategy discussion",
            "Strategy discussion: single agency section 47 enquiry",
            by=manager,
        )
        h.milestone(
            child,
            contact + datetime.timedelta(days=40),
            "Assessment",
            "Child and family assessment completed: child in need plan",
            by=practitioner,
        )
    if practitioner is None:
        return
    context = {
        "parent": "Kelly",
        "other_parent": "Lee",
        "school": "Northgate Primary School",
        "gp": h.locality.gp_name,
        "carer": "Kelly",
        "place": "Northgate",
    }
    h.case_notes(
        jayden,
        service="children",
        team="assessment-north",
        worker=practitioner,
        start=contact + datetime.timedelta(days=1),
        end=None,
        context=context,
        most=12,
    )
    h.case_notes(
        ruby,
        service="children",
        team="assessment-north",
        worker=practitioner,
        start=contact + datetime.timedelta(days=1),
        end=None,
        context=context,
        most=6,
    )
    h.note(
        jayden,
        kind="direct-work",
        subject="Direct work with Jayden: wishes and feelings",
        body=(
            "Met Jayden at Northgate Primary School. Jayden drew his family and put his nan Sandra "
            "closest to him. He said he does not want to see his dad until 'he stops shouting', and "
            "that Connor 'is all right'. He worries about his mum when she cries. His views will be "
            "shared at the child in need meeting."
        ),
        author=practitioner,
        day=h.ago(12),
        significant=False,
    )


def _build_campbell(h: Household) -> None:
    """Hyacinth Campbell, 84: home from hospital after a fall; her daughter is her carer."""
    caribbean = data.HERITAGE_BY_KEY["caribbean"]
    h.locality = data.LOCALITIES[1]  # Hillcrest: Locality team east
    hyacinth = h.person(
        first="Hyacinth", last="Campbell", sex="F", born=h.born(84), heritage=caribbean, title="Mrs"
    )
    winston = h.person(
        first="Winston",
        last="Campbell",
        sex="M",
        born=h.born(88),
        heritage=caribbean,
        died=h.ago(1400),
        title="Mr",
    )
    marcia = h.person(
        first="Marcia",
        last="Campbell-Reid",
        sex="F",
        born=h.born(56),
        heritage=caribbean,
        title="Mrs",
    )
    for person in (hyacinth, winston, marcia):
        person.ethnicity, person.first_language, person.interpreter_required = (
            "BCRB",
            "English",
            False,
        )
    h.relate(
        hyacinth, winston, "spouse", start=datetime.date(1962, 8, 18), end=winston.date_of_death
    )
    h.relate(hyacinth, marcia, "child")
    h.relate(hyacinth, marcia, "carer")
    h.home([hyacinth], since=datetime.date(1979, 3, 1))
    h.home([marcia], since=datetime.date(2004, 6, 1), locality=data.LOCALITIES[6])
    h.disable(hyacinth, (("MOB", 1),), most=1)
    h.alert(
        hyacinth,
        "key-safe",
        "Key safe by the back door; code held by Marcia and the home care agency.",
        start=h.ago(60),
    )
    _case_adults(h, hyacinth, carer=marcia, status="open")


def _build_khan(h: Household) -> None:
    """The Khan family: Zain, 12, is autistic; the disabled children's team works with them."""
    pakistani = data.HERITAGE_BY_KEY["pakistani"]
    h.locality = data.LOCALITIES[5]  # Riverside
    imran = h.person(
        first="Imran", last="Khan", sex="M", born=h.born(41), heritage=pakistani, title="Mr"
    )
    ayesha = h.person(
        first="Ayesha", last="Khan", sex="F", born=h.born(37), heritage=pakistani, title="Mrs"
    )
    rashida = h.person(
        first="Rashida", last="Bibi", sex="F", born=h.born(68), heritage=pakistani, title="Mrs"
    )
    zain = h.person(first="Zain", last="Khan", sex="M", born=h.born(12), heritage=pakistani)
    maryam = h.person(first="Maryam", last="Khan", sex="F", born=h.born(8), heritage=pakistani)
    rashida.first_language, rashida.interpreter_required = "Urdu", True
    for child in (zain, maryam):
        child.first_language = "English"
        h.relate(child, imran, "parent", responsibility=True)
        h.relate(child, ayesha, "parent", responsibility=True)
        h.relate(child, rashida, "grandparent")
    h.relate(zain, maryam, "sibling")
    h.relate(imran, ayesha, "spouse", start=h.ago(365 * 15))
    h.relate(imran, rashida, "parent")
    h.home([imran, ayesha, rashida, zain, maryam], since=h.ago(365 * 9))
    h.household_group(
        "Khan household",
        [
            (imran, "Parent"),
            (ayesha, "Parent"),
            (rashida, "Grandparent"),
            (zain, "Child"),
            (maryam, "Child"),
        ],
    )
    h.disable(zain, (("AUT", 1), ("COMM", 1)), most=2)
    h.alert(
        rashida,
        "interpreter-needed",
        "Urdu interpreter needed; Mrs Bibi prefers a female interpreter.",
        start=h.ago(300),
    )
    h.rows.kind = "disabled-child"
    _case_children(h, [zain], parent=ayesha, others=[imran], status="open", protection=False)


def _build_whitman(h: Household) -> None:
    """A family whose names sound like the Whitmores': search must still rank the right child first."""
    british = data.HERITAGE_BY_KEY["white-british"]
    h.locality = data.LOCALITIES[6]
    donna = h.person(
        first="Donna", last="Whitman", sex="F", born=h.born(39), heritage=british, title="Ms"
    )
    jaden = h.person(first="Jaden", last="Whitman", sex="M", born=h.born(15), heritage=british)
    jade = h.person(first="Jade", last="Whitmore", sex="F", born=h.born(19), heritage=british)
    for person in (donna, jaden, jade):
        person.ethnicity, person.first_language, person.interpreter_required = (
            "WBRI",
            "English",
            False,
        )
    h.relate(jaden, donna, "parent", responsibility=True)
    h.relate(jade, donna, "parent", responsibility=True)
    h.relate(jaden, jade, "half-sibling")
    h.home([donna, jaden, jade], since=h.ago(365 * 4))
    h.household_group(
        "Whitman household", [(donna, "Parent"), (jaden, "Child"), (jade, "Adult child")]
    )
    _case_children(h, [jaden], parent=donna, others=[], status="closed", protection=False)


_SHOWCASE_BUILDERS: dict[str, Callable[[Household], None]] = {
    "whitmore": _build_whitmore,
    "campbell": _build_campbell,
    "khan": _build_khan,
    "whitman": _build_whitman,
}
_SHOWCASE_NAMES = {("jayden", "whitmore"), ("jaden", "whitman"), ("hyacinth", "campbell")}


def _kind_for(index: int) -> str:
    if index < len(SHOWCASE_KINDS):
        return SHOWCASE_KINDS[index]
    rng = random.Random(f"casemgmt-demo:kind:{index}")  # noqa: S311
    values, weights = zip(*ALL_KINDS, strict=True)
    return rng.choices(values, weights=weights)[0]


def build_household(council: Council, index: int) -> HouseholdRows:
    """Every row of household `index`: the same rows each time for the same council and date."""
    kind = _kind_for(index)
    house = Household(council, index, kind)
    if kind in _SHOWCASE_BUILDERS:
        _SHOWCASE_BUILDERS[kind](house)
    elif kind in _ADULT_KIND_NAMES:
        _build_adults_household(house)
    else:
        _build_children_household(house)
    # A random family must not take the showcase people's names: the demo's search depends on it.
    if index >= len(SHOWCASE_KINDS):
        for person in house.rows.people:
            if (fold(person.first_name), fold(person.last_name)) in _SHOWCASE_NAMES:
                _rename(person, "Joseph" if person.sex == "M" else "Josephine", person.last_name)
    _set_current_postcodes(house.rows, council.today)
    _set_created_at(house)
    return house.rows


def _set_created_at(house: Household) -> None:
    """A record is made when the council first hears of someone: after birth, by the first contact."""
    first_contact: dict[int, datetime.date] = {}
    for involvement in house.rows.involvements:
        key = id(involvement.person)
        first_contact[key] = min(
            first_contact.get(key, involvement.start_date), involvement.start_date
        )
    for person in house.rows.people:
        created = person.created_at
        if person.date_of_birth is not None:
            created = max(created, house.moment(person.date_of_birth + datetime.timedelta(days=3)))
        else:
            created = house.moment(house.ago(house.rng.randint(20, 60)))
        if id(person) in first_contact:
            created = min(created, house.moment(first_contact[id(person)], earliest_hour=8))
        created = min(created, house.moment(house.ago(1)))
        person.created_at = person.updated_at = created


def _set_current_postcodes(rows: HouseholdRows, today: datetime.date) -> None:
    """As clients.services.people.person_refresh_current_postcode does for one person."""
    current: dict[int, list[Address]] = {}
    for address in rows.addresses:
        if address.start_date <= today and (address.end_date is None or address.end_date >= today):
            current.setdefault(id(address.person), []).append(address)
    for person in rows.people:
        candidates = current.get(id(person), [])
        candidates.sort(key=lambda a: (a.kind != Address.Kind.HOME, -a.start_date.toordinal()))
        person.current_postcode = candidates[0].postcode.replace(" ", "") if candidates else ""


def plan_households(council: Council, people: int) -> list[HouseholdRows]:
    """Households, in order, until there are at least `people` people."""
    households: list[HouseholdRows] = []
    total = 0
    index = 0
    while total < people:
        rows = build_household(council, index)
        households.append(rows)
        total += len(rows.people)
        index += 1
    return households


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def existing_household_indexes() -> set[int]:
    values = PersonIdentifier.objects.filter(system=LEGACY_SYSTEM).values_list("value", flat=True)
    indexes = set()
    for value in values:
        if value.isdigit() and int(value) >= _LEGACY_BASE:
            indexes.add((int(value) - _LEGACY_BASE) // _MEMBERS_PER_HOUSEHOLD)
    return indexes


def write_households(households: list[HouseholdRows]) -> dict[str, int]:
    """Insert every row of `households` in bulk; the counts written, by table."""

    def gather(name: str) -> list[Any]:
        return [row for household in households for row in getattr(household, name)]

    batch = 1000
    people = gather("people")
    Person.objects.bulk_create(people, batch_size=batch)
    counts = {"people": len(people)}
    for name, model in (
        ("addresses", Address),
        ("identifiers", PersonIdentifier),
        ("other_names", PersonName),
        ("disabilities", PersonDisability),
        ("groups", Group),
        ("memberships", GroupMembership),
        ("involvements", Involvement),
        ("alerts", Alert),
        ("notes", CaseNote),
        ("amendments", CaseNote),
        ("chronology", ChronologyEntry),
    ):
        rows = gather(name)
        model.objects.bulk_create(rows, batch_size=batch)
        counts[name] = len(rows)
    pairs: list[tuple[Relationship, Relationship]] = gather("relationships")
    forwards = [forward for forward, _ in pairs]
    Relationship.objects.bulk_create(forwards, batch_size=batch)
    backwards = []
    for forward, backward in pairs:
        backward.reciprocal = forward
        backwards.append(backward)
    Relationship.objects.bulk_create(backwards, batch_size=batch)
    # Point each first row at its pair, in one statement rather than one per row.
    Relationship.objects.filter(
        pk__in=[forward.pk for forward in forwards], reciprocal__isnull=True
    ).update(
        reciprocal=Subquery(Relationship.objects.filter(reciprocal=OuterRef("pk")).values("pk")[:1])
    )
    counts["relationships"] = 2 * len(pairs)
    entries: list[ChronologyEntry] = []
    for entry, note in gather("note_entries"):
        entry.source_id = str(note.pk)
        entries.append(entry)
    ChronologyEntry.objects.bulk_create(entries, batch_size=batch)
    counts["chronology"] += len(entries)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                occurred_at=person.created_at,
                kind=AuditEvent.Kind.CHANGE,
                action="create",
                actor_username="seed_demo",
                person_id=person.pk,
                object_type="clients.person",
                object_id=str(person.pk),
                summary="Created by the demo data loader (fake person)",
            )
            for person in people
        ],
        batch_size=batch,
    )
    counts["audit_events"] = len(people)
    return counts


def restrict_demo_records(staff: dict[str, User]) -> None:
    """One restricted record the demo practitioner works with (and so may open), and one
    sealed record worked by another team's social worker (which the practitioner may not).

    Idempotent: once the demo has a record that is not ordinary, nothing more is done.
    """
    from clients import record_access

    if Person.objects.exclude(access_level=Person.AccessLevel.ORDINARY).exists():
        return
    practitioner, senior = staff.get("practitioner"), staff.get("senior")
    if practitioner is None or senior is None:
        return
    open_involvements = Involvement.objects.filter(end_date__isnull=True, worker__isnull=False)
    # The walkthrough's family (the Whitmores) stays ordinary; the latest households are used.
    candidates = Person.objects.current().exclude(last_name="Whitmore").order_by("-pk")
    restricted = candidates.filter(
        pk__in=open_involvements.filter(worker=practitioner).values("person_id")
    ).first()
    practitioner_teams = practitioner.memberships.values("team_id")
    sealed = (
        candidates.filter(pk__in=open_involvements.exclude(worker=practitioner).values("person_id"))
        .exclude(involvements__worker=practitioner)
        .exclude(involvements__team_id__in=practitioner_teams)
        .exclude(relationships__other__involvements__worker=practitioner)
        .first()
    )
    if restricted is not None:
        record_access.record_access_level_set(
            actor=senior,
            person=restricted,
            access_level=Person.AccessLevel.RESTRICTED,
            reason="Demo: a family member works for the council, so the record is restricted.",
        )
    if sealed is not None:
        record_access.record_access_level_set(
            actor=senior,
            person=sealed,
            access_level=Person.AccessLevel.SEALED,
            reason="Demo: an adoption record, sealed to its named workers.",
        )


def seed_demo_council(
    *,
    people: int = DEFAULT_PEOPLE,
    today: datetime.date,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Create the demo council, or add whatever of it is missing; never duplicates a row."""
    if not 0 <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be between 0 and {MAX_PEOPLE}")
    started = time.monotonic()
    say = progress or (lambda message: None)
    with transaction.atomic():
        ensure_reference_data()
        staff = ensure_organisation()
        before = PersonIdentifier.objects.filter(system=LEGACY_SYSTEM).count()
        rows: dict[str, int] = {}
        created = households_created = 0
        if before < people:
            council = Council(staff=staff, today=today)
            planned = plan_households(council, people)
            existing = existing_household_indexes()
            missing = [household for household in planned if household.index not in existing]
            say(
                f"Writing {sum(len(h.people) for h in missing)} people in {len(missing)} households"
            )
            rows = write_households(missing)
            created, households_created = rows["people"], len(missing)
        restrict_demo_records(staff)
    return SeedResult(
        teams=len(SERVICE_AREAS) + len(TEAMS),
        staff=len(STAFF),
        people_before=before,
        people_created=created,
        households_created=households_created,
        rows=rows,
        seconds=time.monotonic() - started,
    )
