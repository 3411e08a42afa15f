"""Loading people, their other names, identifiers, disabilities, addresses and relationships."""

from __future__ import annotations

import datetime
import random
from typing import Any

import psycopg
from stdnum.gb import nhs, upn

from bench import pools
from bench.bulk import NULL, columns, copy_rows, date, flag, timestamp
from bench.world import YEAR, World


def _nhs_numbers(rng: random.Random) -> list[str]:
    """Every valid NHS number in the reserved test range 999 000 0000 - 999 999 9999."""
    numbers = []
    weights = range(10, 1, -1)
    for base in range(999_000_000, 1_000_000_000):
        digits = str(base)
        remainder = sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11
        check = 11 - remainder
        if check == 11:
            check = 0
        if check == 10:
            continue
        numbers.append(f"{digits}{check}")
    rng.shuffle(numbers)
    return numbers


_NI_PREFIXES = [
    first + second
    for first in "ABCEGHJKLMNOPRSTWXYZ"
    for second in "ABCEGHJKLMNPRSTWXYZ"
    if first + second not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
]
_PERSON_COLUMNS = columns(
    "id title first_name middle_names last_name preferred_name date_of_birth "
    "date_of_birth_is_estimated expected_date_of_birth date_of_death sex gender_identity "
    "ethnicity first_language interpreter_required religion nhs_number upn ni_number phone "
    "mobile email gp_practice_code gp_practice_name current_postcode merged_into_id "
    "created_at created_by_id updated_at access_level"
)
_DISABILITIES = [
    "MOB",
    "HAND",
    "PC",
    "INC",
    "COMM",
    "LD",
    "HEAR",
    "VIS",
    "BEH",
    "CON",
    "AUT",
    "DDA",
]


def _weighted_choice(rng: random.Random, options: list[tuple[str, float]]) -> str:
    total = sum(weight for _, weight in options)
    roll = rng.random() * total
    for value, weight in options:
        if roll < weight:
            return value
        roll -= weight
    return options[-1][0]


def load_people(cursor: psycopg.Cursor[Any], world: World, seed: int) -> dict[str, int]:
    from clients.names import NameKeys, fold, name_keys

    rng = random.Random(seed * 11 + 5)
    nhs_pool = _nhs_numbers(rng)
    # The generator's own arithmetic, checked against python-stdnum on a sample.
    assert all(nhs.is_valid(number) for number in nhs_pool[:5000])
    gp_practices = [
        (f"B{86000 + n:05d}", f"{town} {kind}")
        for n, (town, kind) in enumerate(
            (town, kind)
            for town in pools.TOWNS
            for kind in ("Medical Centre", "Surgery", "Health Centre", "Family Practice")
        )
    ]
    as_of = world.as_of
    counts = {"nhs": 0, "upn": 0, "ni": 0}
    ni_step = 7919
    ni_space = len(_NI_PREFIXES) * 1_000_000
    # Whatever keys clients.names computes are stored, column for column.
    key_columns = list(NameKeys._fields)
    with copy_rows(cursor, "clients_person", _PERSON_COLUMNS + key_columns) as rows:
        for index in range(world.people):
            person_id = index + 1
            first, last, sex = world.first[index], world.last[index], world.sex[index]
            born = world.dob[index]
            age = (as_of - born) / YEAR if born is not None else -1.0
            origin = pools.ORIGINS[world.origin[index]]
            adult = age >= 18
            if adult:
                title = "Mr" if sex == "M" else ("Mrs" if rng.random() < 0.55 else "Ms")
                if rng.random() < 0.01:
                    title = "Dr"
            else:
                title = ""
            language = _weighted_choice(rng, origin.languages)
            interpreter = language != "English" and age > 40 and rng.random() < 0.3
            religion = _weighted_choice(rng, origin.religions) if rng.random() < 0.8 else ""
            nhs_number = NULL
            if born is not None and rng.random() < 0.9 and counts["nhs"] < len(nhs_pool):
                nhs_number = nhs_pool[counts["nhs"]]
                counts["nhs"] += 1
            upn_value = NULL
            if 4 <= age < 19 and rng.random() < 0.7:
                serial = counts["upn"]
                counts["upn"] += 1
                body = f"383{2000 + (serial // 1000) % 8000:04d}{(datetime.date.fromordinal(born or as_of).year + 5) % 100:02d}{serial % 1000:03d}"
                upn_value = upn.calc_check_digit(body) + body
            ni_value = NULL
            if age >= 16 and rng.random() < 0.55:
                slot = (counts["ni"] * ni_step + 12345) % ni_space
                counts["ni"] += 1
                prefix, number = divmod(slot, 1_000_000)
                ni_value = f"{_NI_PREFIXES[prefix]}{number:06d}{'ABCD'[slot % 4]}"
            phone = mobile = email = ""
            if adult:
                if rng.random() < 0.6:
                    mobile = f"07700 900{rng.randint(0, 999):03d}"
                if rng.random() < 0.2:
                    phone = f"0113 496 0{rng.randint(0, 999):03d}"
                if rng.random() < 0.3:
                    email = f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '')}{rng.randint(1, 99)}@example.com"
            gp_code, gp_name = ("", "")
            if rng.random() < 0.92:
                gp_code, gp_name = gp_practices[rng.randrange(len(gp_practices))]
            keys = name_keys(first, last)
            earliest = max(born or as_of - 300, as_of - int(15 * YEAR))
            created = rng.randint(min(earliest, as_of), as_of)
            created_at = timestamp(created, rng.randint(8 * 3600, 18 * 3600))
            gender_roll = rng.random()
            gender = (
                ""
                if gender_roll < 0.7 or not adult
                else (
                    "same"
                    if gender_roll < 0.98
                    else ("not_stated" if gender_roll < 0.995 else "different")
                )
            )
            rows.add(
                str(person_id),
                title,
                first,
                world.middle[index],
                last,
                "",
                date(born),
                flag(adult and world.origin[index] != "british" and rng.random() < 0.01),
                date(world.expected_dob[index]),
                date(world.dod[index]),
                sex,
                gender,
                world.ethnicity[index],
                language,
                flag(interpreter),
                religion,
                nhs_number,
                upn_value,
                ni_value,
                phone,
                mobile,
                email,
                gp_code,
                gp_name,
                world.current_postcode(index),
                NULL,
                created_at,
                NULL,
                created_at,
                "ordinary",
                *keys,
            )
    counts["people"] = world.people

    with copy_rows(
        cursor,
        "clients_personname",
        [
            "id",
            "person_id",
            "kind",
            "first_name",
            "last_name",
            "search_name",
            "start_date",
            "end_date",
        ],
    ) as rows:
        for number, name in enumerate(world.other_names, start=1):
            rows.add(
                str(number),
                str(name.person + 1),
                name.kind,
                name.first_name,
                name.last_name,
                f"{fold(name.first_name)} {fold(name.last_name)}".strip(),
                date(name.start),
                date(name.end),
            )
        counts["other_names"] = rows.count

    with copy_rows(
        cursor, "clients_personidentifier", ["id", "person_id", "system", "value"]
    ) as rows:
        for index in range(world.people):
            roll = rng.random()
            if roll < 0.35:
                rows.add(str(rows.count + 1), str(index + 1), "CareFirst", f"CF{1_000_000 + index}")
            elif roll < 0.43:
                rows.add(str(rows.count + 1), str(index + 1), "LCS", f"LCS{index:08d}")
        counts["identifiers"] = rows.count

    with copy_rows(cursor, "clients_persondisability", ["id", "person_id", "code"]) as rows:
        for index in range(world.people):
            if rng.random() < 0.04:
                for code in rng.sample(_DISABILITIES, rng.choice((1, 1, 2))):
                    rows.add(str(rows.count + 1), str(index + 1), code)
        counts["disabilities"] = rows.count
    return counts


def load_addresses(cursor: psycopg.Cursor[Any], world: World) -> dict[str, int]:
    columns = [
        "id",
        "person_id",
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
    ]
    with copy_rows(cursor, "clients_address", columns) as rows:
        for index in range(world.people):
            person_id = str(index + 1)
            for address in world.addresses_of(index):
                rows.add(
                    str(rows.count + 1),
                    person_id,
                    address.kind,
                    address.line_1,
                    address.line_2,
                    address.town,
                    "West Yorkshire" if address.postcode[:2] in ("LS", "WF", "BD") else "",
                    address.postcode,
                    address.uprn,
                    flag(address.is_confidential),
                    date(address.start),
                    date(address.end),
                )
        return {"addresses": rows.count}


def _relationship_types(cursor: psycopg.Cursor[Any]) -> tuple[dict[str, int], dict[str, str]]:
    cursor.execute(
        "SELECT t.code, t.id, r.code FROM clients_relationshiptype t"
        " JOIN clients_relationshiptype r ON r.id = t.reciprocal_id"
    )
    ids, reciprocals = {}, {}
    for code, type_id, reciprocal in cursor.fetchall():
        ids[code] = type_id
        reciprocals[code] = reciprocal
    return ids, reciprocals


def load_relationships(cursor: psycopg.Cursor[Any], world: World) -> dict[str, int]:
    type_ids, reciprocals = _relationship_types(cursor)
    columns = [
        "id",
        "person_id",
        "other_id",
        "type_id",
        "reciprocal_id",
        "start_date",
        "end_date",
        "is_parental_responsibility",
        "notes",
    ]
    with copy_rows(cursor, "clients_relationship", columns) as rows:
        next_id = 1
        for edge in world.edges:
            first, second = next_id, next_id + 1
            next_id += 2
            start, end = date(edge.start), date(edge.end)
            rows.add(
                str(first),
                str(edge.person + 1),
                str(edge.other + 1),
                str(type_ids[edge.code]),
                str(second),
                start,
                end,
                flag(edge.person_has_pr),
                "",
            )
            rows.add(
                str(second),
                str(edge.other + 1),
                str(edge.person + 1),
                str(type_ids[reciprocals[edge.code]]),
                str(first),
                start,
                end,
                "f",
                "",
            )
        return {"relationships": rows.count}
