"""The plan of the scale dataset: who exists, in which family, living where.

Everything here is a pure function of (people, seed, as_of), so a generator that stops
half way and starts again plans exactly the same world and carries on with the stage
it had not finished.
"""

from __future__ import annotations

import datetime
import heapq
import math
import random
from dataclasses import dataclass, field

from bench import pools

YEAR = 365.2425


@dataclass
class PlannedAddress:
    kind: str
    line_1: str
    line_2: str
    town: str
    postcode: str
    uprn: str
    is_confidential: bool
    start: int  # date ordinals
    end: int | None


@dataclass
class Edge:
    """`other` is `code` to `person`; the reciprocal row is written alongside."""

    person: int
    other: int
    code: str
    start: int | None = None
    end: int | None = None
    person_has_pr: bool = False  # the `other` has parental responsibility for `person`


@dataclass
class OtherName:
    person: int
    kind: str
    first_name: str
    last_name: str
    start: int | None
    end: int | None


@dataclass
class World:
    people: int
    seed: int
    as_of: int  # date ordinal of "today" in the dataset
    first: list[str] = field(default_factory=list)
    middle: list[str] = field(default_factory=list)
    last: list[str] = field(default_factory=list)
    sex: list[str] = field(default_factory=list)
    dob: list[int | None] = field(default_factory=list)
    expected_dob: list[int | None] = field(default_factory=list)
    dod: list[int | None] = field(default_factory=list)
    ethnicity: list[str] = field(default_factory=list)
    origin: list[str] = field(default_factory=list)
    unit_of: list[int] = field(default_factory=list)
    units: list[list[int]] = field(default_factory=list)
    unit_addresses: list[list[PlannedAddress]] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    other_names: list[OtherName] = field(default_factory=list)
    own_addresses: dict[int, list[PlannedAddress]] = field(default_factory=dict)
    heavy: int = -1  # index of the person with the longest history

    def person_id(self, index: int) -> int:
        return index + 1

    def age(self, index: int, on: int | None = None) -> float | None:
        born = self.dob[index]
        if born is None:
            return None
        return ((self.as_of if on is None else on) - born) / YEAR

    def addresses_of(self, index: int) -> list[PlannedAddress]:
        """The person's address history: their own, else their household's since birth."""
        own = self.own_addresses.get(index)
        if own is not None:
            return own
        born = self.dob[index]
        if born is None:
            return []
        result = []
        for address in self.unit_addresses[self.unit_of[index]]:
            if address.end is not None and address.end < born:
                continue
            if address.start >= born:
                result.append(address)
            else:
                result.append(
                    PlannedAddress(
                        address.kind,
                        address.line_1,
                        address.line_2,
                        address.town,
                        address.postcode,
                        address.uprn,
                        address.is_confidential,
                        born,
                        address.end,
                    )
                )
        return result

    def current_postcode(self, index: int) -> str:
        for address in reversed(self.addresses_of(index)):
            if address.end is None and address.start <= self.as_of:
                return address.postcode.replace(" ", "")
        return ""


# (kind, weight): the households people live in.
_UNIT_KINDS = pools.Weighted(
    [
        ("single", 30.0),
        ("couple", 18.0),
        ("family", 30.0),
        ("lone_parent", 14.0),
        ("three_generations", 4.0),
        ("child_alone", 2.0),
    ]
)
_CHILD_COUNT = pools.Weighted([("1", 35.0), ("2", 38.0), ("3", 17.0), ("4", 7.0), ("5", 3.0)])
_ADULT_AGE_BANDS = [(18, 30, 20.0), (30, 50, 30.0), (50, 70, 25.0), (70, 90, 20.0), (90, 100, 5.0)]
_MIXED = {
    frozenset({"WBRI", "BCRB"}): "MWBC",
    frozenset({"WBRI", "BAFR"}): "MWBA",
    frozenset({"WBRI", "AIND"}): "MWAS",
    frozenset({"WBRI", "APKN"}): "MWAS",
    frozenset({"WBRI", "ABAN"}): "MWAS",
}


class Planner:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = random.Random(world.seed * 1_000_003 + 1)
        self.street_names = pools.street_pool(world.seed, 4000)
        self.postcodes = pools.postcode_pool(self.rng, max(2000, world.people // 25))
        self.uprn = 100_000_000_000

    # --- people -------------------------------------------------------------------------

    def _dob(self, low_years: float, high_years: float) -> int:
        days = self.rng.uniform(low_years * YEAR, high_years * YEAR)
        return self.world.as_of - int(days)

    def _adult(self, dob: int) -> int:
        """`dob`, unless that makes an adult younger than 18: then 18 to 21 years ago."""
        if self.world.as_of - dob < 18 * YEAR:
            return self._dob(18, 21)
        return dob

    def _adult_dob(self) -> int:
        bands = _ADULT_AGE_BANDS
        roll = self.rng.random() * sum(weight for *_, weight in bands)
        for low, high, weight in bands:
            if roll < weight:
                return self._dob(low, high)
            roll -= weight
        return self._dob(18, 100)

    def _first(self, origin: pools.Origin, sex: str) -> str:
        if sex == "U":
            sex = self.rng.choice("MF")
        return (origin.male if sex == "M" else origin.female).pick(self.rng)

    def _surname_for(self, origin_key: str, surname: str, sex: str) -> str:
        if origin_key == "polish" and sex == "F":
            for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
                if surname.endswith(male):
                    return surname[: -len(male)] + female
        return surname

    def _add(
        self,
        unit: int,
        *,
        ethnicity: str,
        origin_key: str,
        sex: str,
        dob: int | None,
        surname: str | None = None,
        expected: int | None = None,
        first: str | None = None,
    ) -> int:
        world = self.world
        origin = pools.ORIGINS[origin_key]
        index = len(world.first)
        world.first.append(first or self._first(origin, sex))
        if first is None and self.rng.random() < 0.45:
            world.middle.append(self._first(origin, sex))
        else:
            world.middle.append("")
        base = surname or origin.surnames.pick(self.rng)
        world.last.append(self._surname_for(origin_key, base, sex))
        world.sex.append(sex)
        if dob is not None and world.as_of - dob >= 100 * YEAR:
            dob = self._dob(90, 100)
        world.dob.append(dob)
        world.expected_dob.append(expected)
        world.dod.append(None)
        world.ethnicity.append(ethnicity)
        world.origin.append(origin_key)
        world.unit_of.append(unit)
        world.units[unit].append(index)
        return index

    def _ethnicity(self) -> tuple[str, str]:
        code = pools.ETHNICITY.pick(self.rng)
        return code, pools.ORIGIN_BY_ETHNICITY[code].pick(self.rng)

    def _sex(self) -> str:
        roll = self.rng.random()
        return "U" if roll < 0.003 else ("M" if roll < 0.4985 else "F")

    def _pair(self, a: int, b: int, code: str, **kwargs: object) -> None:
        self.world.edges.append(Edge(a, b, code, **kwargs))  # type: ignore[arg-type]

    def _couple(self, unit: int, ethnicity: str, origin: str, dob: int) -> tuple[int, int]:
        rng = self.rng
        first_sex = rng.choice("MF")
        same_sex = rng.random() < 0.03
        second_sex = first_sex if same_sex else ("F" if first_sex == "M" else "M")
        man_first = first_sex == "M"
        partner_dob = self._adult(dob + int(rng.gauss(0, 3 * YEAR)))
        if rng.random() < 0.12:
            partner_ethnicity, partner_origin = self._ethnicity()
        else:
            partner_ethnicity, partner_origin = ethnicity, origin
        surname = pools.ORIGINS[origin].surnames.pick(rng)
        a = self._add(
            unit, ethnicity=ethnicity, origin_key=origin, sex=first_sex, dob=dob, surname=surname
        )
        shares_name = not same_sex and rng.random() < 0.6 and partner_origin == origin
        b = self._add(
            unit,
            ethnicity=partner_ethnicity,
            origin_key=partner_origin,
            sex=second_sex,
            dob=partner_dob,
            surname=surname if shares_name else None,
        )
        together = max(dob, partner_dob) + int(rng.uniform(18, 35) * YEAR)
        together = min(together, self.world.as_of - rng.randint(30, 3000))
        married = rng.random() < 0.5
        self._pair(a, b, "spouse" if married else "partner", start=together)
        wife = b if man_first else a
        if shares_name and (married or rng.random() < 0.3):
            maiden = pools.ORIGINS[partner_origin].surnames.pick(rng)
            maiden = self._surname_for(partner_origin, maiden, "F")
            if maiden != self.world.last[wife]:
                self.world.other_names.append(
                    OtherName(wife, "birth", self.world.first[wife], maiden, None, together)
                )
        return (a, b) if man_first else (b, a)

    def _children(
        self,
        unit: int,
        parents: list[int],
        ethnicity: str,
        origin: str,
        surname: str,
        count: int,
    ) -> list[int]:
        world, rng = self.world, self.rng
        # Mothers' ages at birth as in England (first child at about 29, then every 1-4
        # years); children not born yet are not on the record.
        mother = max(world.dob[p] or world.as_of for p in parents)
        age = min(42.0, max(18.0, rng.gauss(28.5, 5.5)))
        births = []
        for _ in range(count):
            born = mother + int(age * YEAR) + rng.randint(0, 364)
            if age > 45 or born > world.as_of:
                break
            births.append(born)
            age += rng.uniform(1.2, 4.5)
        if not births:
            return []
        ethnicities = {world.ethnicity[p] for p in parents}
        if len(ethnicities) > 1:
            ethnicity = _MIXED.get(frozenset(ethnicities), "MOTH")
        children = []
        for born in births:
            sex = self._sex()
            child = self._add(
                unit, ethnicity=ethnicity, origin_key=origin, sex=sex, dob=born, surname=surname
            )
            children.append(child)
            for parent in parents:
                under_18 = (world.as_of - born) < 18 * YEAR
                self._pair(child, parent, "parent", start=born, person_has_pr=under_18)
        for i, older in enumerate(children):
            for younger in children[i + 1 :]:
                self._pair(older, younger, "sibling", start=world.dob[younger])
        if rng.random() < 0.01 and world.as_of - max(births) > 300:
            unborn = self._add(
                unit,
                ethnicity=ethnicity,
                origin_key=origin,
                sex="U",
                dob=None,
                surname=surname,
                first="Baby",
                expected=world.as_of + rng.randint(20, 250),
            )
            for parent in parents:
                self._pair(unborn, parent, "parent", person_has_pr=True)
        return children

    def _new_unit(self) -> int:
        self.world.units.append([])
        return len(self.world.units) - 1

    def _plan_unit(self) -> None:
        rng, world = self.rng, self.world
        kind = _UNIT_KINDS.pick(rng)
        unit = self._new_unit()
        ethnicity, origin = self._ethnicity()
        if kind == "single":
            self._add(
                unit, ethnicity=ethnicity, origin_key=origin, sex=self._sex(), dob=self._adult_dob()
            )
        elif kind == "couple":
            self._couple(unit, ethnicity, origin, self._adult_dob())
        elif kind == "family":
            father, mother = self._couple(unit, ethnicity, origin, self._dob(20, 62))
            count = int(_CHILD_COUNT.pick(rng))
            self._children(unit, [father, mother], ethnicity, origin, world.last[father], count)
        elif kind == "lone_parent":
            sex = "F" if rng.random() < 0.9 else "M"
            parent = self._add(
                unit, ethnicity=ethnicity, origin_key=origin, sex=sex, dob=self._dob(18, 55)
            )
            parents = [parent]
            surname = world.last[parent]
            if rng.random() < 0.4:
                # The other parent lives elsewhere but is on the record.
                elsewhere = self._new_unit()
                other_ethnicity, other_origin = (
                    self._ethnicity() if rng.random() < 0.15 else (ethnicity, origin)
                )
                other = self._add(
                    elsewhere,
                    ethnicity=other_ethnicity,
                    origin_key=other_origin,
                    sex="M" if sex == "F" else "F",
                    dob=self._adult(
                        (world.dob[parent] or world.as_of) + int(rng.gauss(2, 4) * YEAR)
                    ),
                )
                self._pair(parent, other, "former-partner")
                parents.append(other)
                if rng.random() < 0.4 and other_origin == origin:
                    surname = world.last[other]
            count = int(_CHILD_COUNT.pick(rng))
            self._children(unit, parents, ethnicity, origin, surname, min(count, 4))
        elif kind == "three_generations":
            grandparent_dob = self._dob(60, 95)
            if rng.random() < 0.6:
                grandparents = list(self._couple(unit, ethnicity, origin, grandparent_dob))
            else:
                grandparents = [
                    self._add(
                        unit, ethnicity=ethnicity, origin_key=origin, sex="F", dob=grandparent_dob
                    )
                ]
            parents = self._children(
                unit, grandparents, ethnicity, origin, world.last[grandparents[0]], 1
            )
            if parents and world.age(parents[0]) and (world.age(parents[0]) or 0) >= 18:
                grandchildren = self._children(
                    unit,
                    parents,
                    ethnicity,
                    origin,
                    world.last[parents[0]],
                    int(_CHILD_COUNT.pick(rng)),
                )
                for grandchild in grandchildren:
                    for grandparent in grandparents:
                        self._pair(grandchild, grandparent, "grandparent")
        else:  # a child or young person on their own: in care, or a young carer's record
            self._add(
                unit, ethnicity=ethnicity, origin_key=origin, sex=self._sex(), dob=self._dob(0, 18)
            )

    # --- addresses ----------------------------------------------------------------------

    def _address(self, kind: str, start: int, end: int | None) -> PlannedAddress:
        rng = self.rng
        self.uprn += rng.randint(1, 400)
        line_2 = ""
        street = rng.choice(self.street_names)
        if rng.random() < 0.15:
            line_1 = f"Flat {rng.randint(1, 40)}"
            line_2 = f"{rng.randint(1, 200)} {street}"
        else:
            line_1 = f"{rng.randint(1, 250)} {street}"
        return PlannedAddress(
            kind=kind,
            line_1=line_1,
            line_2=line_2,
            town=rng.choice(pools.TOWNS),
            postcode=rng.choice(self.postcodes),
            uprn=str(self.uprn),
            is_confidential=rng.random() < 0.005,
            start=start,
            end=end,
        )

    def _plan_addresses(self, unit: int) -> list[PlannedAddress]:
        world, rng = self.world, self.rng
        members = world.units[unit]
        born = [world.dob[m] for m in members if world.dob[m] is not None]
        oldest = min(born) if born else world.as_of
        earliest = max(oldest + int(16 * YEAR), world.as_of - int(25 * YEAR))
        if earliest >= world.as_of - 60:
            earliest = oldest
        roll = rng.random()
        count = 1 if roll < 0.5 else (2 if roll < 0.85 else 3)
        latest = world.as_of - 30
        earliest = min(earliest, latest)
        starts = sorted(rng.randint(earliest, latest) for _ in range(count))
        addresses = []
        for i, start in enumerate(starts):
            end = starts[i + 1] - 1 if i + 1 < count else None
            if end is not None and end < start:
                continue
            kind = "temporary" if (end is not None and rng.random() < 0.05) else "home"
            addresses.append(self._address(kind, start, end))
        return addresses

    # --- the person with the longest history --------------------------------------------

    def _plan_heavy(self) -> None:
        """A 15-year-old in care since infancy: 20 relationships, 10 addresses."""
        world, rng = self.world, self.rng
        candidates = []
        for unit, members in enumerate(world.units):
            children = [m for m in members if (world.age(m) or 0) < 18 and world.dob[m]]
            if len(members) - len(children) == 2 and 2 <= len(children) <= 4:
                for child in children:
                    if 14.5 <= (world.age(child) or 0) <= 15.5:
                        candidates.append((unit, child))
            if len(candidates) >= 50:
                break
        if not candidates:
            raise RuntimeError("The planned population has no 15-year-old in a family.")
        unit, heavy = candidates[rng.randrange(len(candidates))]
        world.heavy = heavy
        # Ten addresses: the family home, then placements; the last one current.
        born = world.dob[heavy] or world.as_of
        care_start = world.as_of - int(10.5 * YEAR)
        history = [self._address("home", born, care_start - 1)]
        moves = sorted(rng.sample(range(care_start + 30, world.as_of - 60), 8))
        starts = [care_start, *moves]
        for i, start in enumerate(starts):
            end = starts[i + 1] - 1 if i + 1 < len(starts) else None
            history.append(self._address("placement" if i % 4 else "temporary", start, end))
        history[-1].kind = "placement"
        world.own_addresses[heavy] = history
        # Twenty relationships: family, then carers, wider family and a friend.
        have = sum(1 for edge in world.edges if heavy in (edge.person, edge.other))
        wanted = [
            ("foster-carer", "adult"),
            ("foster-carer", "adult"),
            ("foster-carer", "adult"),
            ("foster-carer", "adult"),
            ("grandparent", "old"),
            ("grandparent", "old"),
            ("aunt-uncle", "adult"),
            ("aunt-uncle", "adult"),
            ("aunt-uncle", "adult"),
            ("half-sibling", "child"),
            ("half-sibling", "child"),
            ("step-parent", "adult"),
            ("carer", "adult"),
            ("friend", "child"),
            ("neighbour", "adult"),
            ("household-member", "child"),
            ("foster-carer", "adult"),
            ("foster-carer", "adult"),
            ("half-sibling", "child"),
            ("aunt-uncle", "adult"),
        ][: max(0, 20 - have)]
        used = {heavy, *world.units[unit]}
        for position, (code, age) in enumerate(wanted):
            while True:
                other = rng.randrange(len(world.first))
                years = world.age(other)
                if other in used or years is None:
                    continue
                if (age == "child" and years < 18) or (age == "old" and years >= 60):
                    break
                if age == "adult" and 25 <= years < 70:
                    break
            used.add(other)
            start = care_start + rng.randint(0, int(9 * YEAR))
            ended = code == "foster-carer" and position < 5
            end = start + rng.randint(60, 700) if ended else None
            self._pair(heavy, other, code, start=start, end=min(end, world.as_of) if end else None)

    # --- deaths, names, the whole plan ---------------------------------------------------

    def _plan_deaths(self) -> None:
        world, rng = self.world, self.rng
        for index, born in enumerate(world.dob):
            if born is None or index == world.heavy:
                continue
            age = (world.as_of - born) / YEAR
            if age > 70 and rng.random() < 0.05:
                world.dod[index] = world.as_of - rng.randint(1, min(1800, int((age - 70) * YEAR)))

    def _plan_aliases(self) -> None:
        world, rng = self.world, self.rng
        for index in range(len(world.first)):
            roll = rng.random()
            if roll < 0.02:
                origin = pools.ORIGINS[world.origin[index]]
                known_as = self._first(origin, world.sex[index])
                if known_as != world.first[index]:
                    world.other_names.append(
                        OtherName(index, "alias", known_as, world.last[index], None, None)
                    )
            elif roll < 0.025 and world.dob[index] is not None:
                born = world.dob[index] or world.as_of
                changed = born + rng.randint(0, max(1, world.as_of - born))
                former = pools.ORIGINS[world.origin[index]].surnames.pick(rng)
                if former != world.last[index]:
                    world.other_names.append(
                        OtherName(index, "former", world.first[index], former, None, changed)
                    )

    def plan(self) -> World:
        world = self.world
        while len(world.first) < world.people:
            self._plan_unit()
        # The last household may overshoot: drop the extra people and every link to them.
        extra = len(world.first) - world.people
        if extra:
            for column in (
                world.first,
                world.middle,
                world.last,
                world.sex,
                world.dob,
                world.expected_dob,
                world.dod,
                world.ethnicity,
                world.origin,
                world.unit_of,
            ):
                del column[world.people :]
            for members in world.units[-3:]:
                members[:] = [m for m in members if m < world.people]
            world.edges = [e for e in world.edges if max(e.person, e.other) < world.people]
            world.other_names = [n for n in world.other_names if n.person < world.people]
        world.unit_addresses = [self._plan_addresses(unit) for unit in range(len(world.units))]
        self._plan_heavy()
        self._plan_deaths()
        self._plan_aliases()
        return world


def plan_world(*, people: int, seed: int, as_of: datetime.date) -> World:
    return Planner(World(people=people, seed=seed, as_of=as_of.toordinal())).plan()


def weighted_sample(rng: random.Random, weights: list[float], k: int) -> list[int]:
    """k distinct indices drawn with probability proportional to weight (Efraimidis-Spirakis)."""
    keyed = (
        (math.log(rng.random() or 1e-300) / weight, index)
        for index, weight in enumerate(weights)
        if weight > 0
    )
    return [index for _, index in heapq.nlargest(k, keyed)]
