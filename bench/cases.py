"""Case histories for a tenth of the people: involvements, case notes, chronology, alerts.

Each case has a span of up to ten years, an allocation history that splits it between
workers, and notes written by whoever held the case at the time. Notes stream straight
into COPY; the smaller tables are gathered in memory and copied after them.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from bench import bulk, pools, text
from bench.bulk import NULL, columns, copy_rows, date, flag, ref, timestamp
from bench.staff import Staff
from bench.world import YEAR, World, weighted_sample

Log = Callable[[str], None]

_NOTE_COLUMNS = columns(
    "id person_id type_id subject body event_at recorded_at author_id is_significant status "
    "finalised_at amends_id version"
)
_CHRONOLOGY_COLUMNS = columns(
    "id person_id event_date recorded_at category summary detail source source_type "
    "source_id created_by_id is_hidden hidden_reason hidden_by_id hidden_at"
)
_INVOLVEMENT_COLUMNS = columns(
    "id person_id worker_id team_id role_id start_date end_date end_reason"
)
_ALERT_COLUMNS = columns(
    "id person_id type_id description start_date end_date created_by_id created_at"
)
_ALERT_DESCRIPTIONS = {
    "risk-to-staff": "Father has been verbally aggressive to staff; visit in pairs.",
    "lone-working": "Do not visit alone after an incident in March.",
    "safeguarding": "Open safeguarding enquiry: see the chronology.",
    "child-protection-plan": "Subject to a child protection plan (neglect).",
    "domestic-abuse": "Heard at MARAC; do not discuss with the partner present.",
    "interpreter-needed": "Needs an interpreter for all meetings.",
    "communication-needs": "Uses Makaton; allow extra time.",
    "animals-at-property": "Two large dogs at the property: ask for them to be shut away.",
    "key-safe": "Key safe at the front door; code held by the care agency.",
}
_WORKFLOW_EVENTS_CHILD = [
    ("Referral", "Referral received from the school"),
    ("Assessment", "Child and family assessment completed"),
    ("Plan", "Child in need plan started"),
    ("Strategy", "Strategy discussion held"),
    ("Section 47", "Section 47 enquiry started"),
    ("Conference", "Initial child protection conference: plan made"),
    ("Review", "Review child protection conference"),
    ("Looked after", "Became looked after (section 20)"),
]
_WORKFLOW_EVENTS_ADULT = [
    ("Contact", "Contact received from the GP"),
    ("Assessment", "Care Act assessment completed"),
    ("Plan", "Care and support plan agreed"),
    ("Service", "Home care service started"),
    ("Review", "Annual review completed"),
    ("Safeguarding", "Section 42 enquiry started"),
]
_MANUAL_EVENTS = [
    "Admitted to hospital after a fall",
    "Moved to a new school",
    "Police called to the home",
    "Birth of a sibling",
    "Father released from prison",
    "Started college",
    "Bereavement: grandmother died",
    "Missing overnight, found by police",
]


@dataclass
class CasePlan:
    person: int
    start: int
    end: int | None
    notes: int
    segments: list[tuple[int, int | None, int, int, str]]  # start, end, worker, team, role


def _plan_cases(world: World, staff: Staff, seed: int) -> list[CasePlan]:
    rng = random.Random(seed * 13 + 7)
    as_of = world.as_of
    wanted = min(world.people // 10, world.people - 1)
    weights = []
    for index in range(world.people):
        born = world.dob[index]
        if born is None or as_of - born < 30:
            weights.append(0.0)
            continue
        age = (as_of - born) / YEAR
        weights.append(3.0 if age < 18 else 1.5 if age < 25 else 0.6 if age < 65 else 2.0)
    weights[world.heavy] = 0.0
    chosen = [world.heavy, *weighted_sample(rng, weights, wanted - 1)]
    plans = []
    for index in sorted(chosen):
        born = world.dob[index] or as_of
        died = world.dod[index]
        heavy = index == world.heavy
        earliest = max(born, as_of - int(10 * YEAR))
        if heavy:
            start, end = as_of - int(10 * YEAR) + 3, None
            notes = 3200
        else:
            start = rng.randint(earliest, as_of - 7)
            end: int | None = None
            if rng.random() > 0.10 or died is not None:
                length = int(rng.lognormvariate(math.log(1.2 * YEAR), 0.9))
                end = min(start + length, as_of - 1)
            if died is not None:
                end = min(end or died, died)
                start = min(start, end)
            notes = max(3, min(1500, round(rng.lognormvariate(math.log(15), 0.85))))
        finish = end if end is not None else as_of
        count = (
            12
            if heavy
            else min(6, 1 + int(rng.expovariate(1.5 / max(0.3, (finish - start) / YEAR))))
        )
        cuts = sorted(rng.randint(start, finish) for _ in range(count - 1))
        bounds = [start, *cuts, finish + 1]
        segments = []
        for i in range(count):
            seg_start, seg_end = bounds[i], bounds[i + 1] - 1
            if seg_end < seg_start:
                continue
            service = "children" if (seg_start - born) / YEAR < 18 else "adults"
            worker, team = staff.workers[service][rng.randrange(len(staff.workers[service]))]
            role = (
                "allocated-social-worker"
                if rng.random() < 0.85
                else ("key-worker" if service == "children" else "reablement-worker")
            )
            last = i == count - 1
            segments.append(
                (seg_start, None if (last and end is None) else seg_end, worker, team, role)
            )
        plans.append(CasePlan(index, start, end, notes, segments))
    return plans


def load_cases(
    cursor: psycopg.Cursor[Any], world: World, staff: Staff, seed: int, log: Log
) -> dict[str, Any]:
    rng = random.Random(seed * 17 + 11)
    as_of = world.as_of
    cursor.execute("SELECT code, id, name FROM clients_notetype")
    note_types = {code: (type_id, name) for code, type_id, name in cursor.fetchall()}
    cursor.execute("SELECT code, id FROM clients_involvementrole")
    role_ids = dict(cursor.fetchall())
    cursor.execute("SELECT code, id FROM clients_alerttype")
    alert_types = dict(cursor.fetchall())
    child_types = pools.Weighted([(code, w[0]) for code, w in text.NOTE_TYPES.items()])
    adult_types = pools.Weighted([(code, w[1]) for code, w in text.NOTE_TYPES.items()])
    plans = _plan_cases(world, staff, seed)
    log(f"  planned {len(plans)} case histories")
    now_seconds = 17 * 3600

    involvements: list[str] = []
    chronology: list[str] = []
    alerts: list[str] = []
    chronology_id = 0

    def chronology_row(
        person_id: int,
        day: int,
        category: str,
        summary: str,
        source: str,
        source_type: str,
        source_id: str,
        author: int | None,
        recorded: str,
    ) -> None:
        nonlocal chronology_id
        chronology_id += 1
        hidden = rng.random() < 0.01
        hider = author if hidden else None
        chronology.append(
            "\t".join(
                (
                    str(chronology_id),
                    str(person_id),
                    date(day),
                    recorded,
                    bulk.text(category[:60]),
                    bulk.text(summary[:500]),
                    "",
                    source,
                    source_type,
                    source_id,
                    ref(author),
                    flag(hidden),
                    bulk.text(text.hide_reason(rng)) if hidden else "",
                    ref(hider),
                    timestamp(min(day + 30, as_of), 10 * 3600) if hidden else NULL,
                )
            )
            + "\n"
        )

    note_id = 0
    notes_by_heavy = 0
    with copy_rows(cursor, "clients_casenote", _NOTE_COLUMNS) as rows:
        for plan in plans:
            index = plan.person
            person_id = index + 1
            name = world.first[index]
            born = world.dob[index] or as_of
            finish = plan.end if plan.end is not None else as_of
            seg_starts = [segment[0] for segment in plan.segments]
            days = sorted(rng.randint(plan.start, finish) for _ in range(plan.notes))
            previous_final: list[int] = []
            for day in days:
                note_id += 1
                segment = plan.segments[max(0, bisect.bisect_right(seg_starts, day) - 1)]
                child = (day - born) < 18 * YEAR
                service = "children" if child else "adults"
                author = (
                    segment[2]
                    if rng.random() < 0.85 or not staff.others[service]
                    else (staff.others[service][rng.randrange(len(staff.others[service]))])
                )
                type_code = (child_types if child else adult_types).pick(rng)
                type_id, type_name = note_types[type_code]
                seconds = rng.randint(8 * 3600, 19 * 3600)
                delay = int(rng.expovariate(1 / 1.5)) if rng.random() < 0.6 else 0
                recorded_day = min(day + delay, as_of)
                recorded_seconds = seconds + rng.randint(600, 7200)
                if recorded_day == as_of:
                    recorded_seconds = min(recorded_seconds, now_seconds)
                    seconds = min(seconds, recorded_seconds)
                recorded_seconds = min(recorded_seconds, 86399)
                draft = as_of - day < 14 and rng.random() < 0.25
                subject = text.note_subject(rng, type_code, name)
                significant = not draft and rng.random() < 0.07
                amends = NULL
                if not draft and previous_final and rng.random() < 0.003:
                    amends = str(previous_final[-1])
                    subject = f"Amendment: {subject}"[:200]
                recorded = timestamp(recorded_day, recorded_seconds)
                rows.add(
                    str(note_id),
                    str(person_id),
                    str(type_id),
                    bulk.text(subject),
                    bulk.text(text.note_body(rng, name, child=child)),
                    timestamp(day, seconds),
                    recorded,
                    str(author),
                    flag(significant),
                    "draft" if draft else "final",
                    NULL if draft else recorded,
                    amends,
                    "2" if draft and rng.random() < 0.3 else "1",
                )
                if not draft:
                    previous_final.append(note_id)
                if significant:
                    chronology_row(
                        person_id,
                        day,
                        type_name,
                        subject,
                        "case_note",
                        "clients.casenote",
                        str(note_id),
                        author,
                        recorded,
                    )
                if index == world.heavy:
                    notes_by_heavy += 1
            # Involvements: the allocation history, plus the odd specialist alongside.
            for seg_start, seg_end, worker, team, role in plan.segments:
                involvements.append(
                    "\t".join(
                        (
                            str(len(involvements) + 1),
                            str(person_id),
                            str(worker),
                            str(team),
                            str(role_ids[role]),
                            date(seg_start),
                            date(seg_end),
                            ""
                            if seg_end is None
                            else ("Case closed" if seg_end == finish else "Reallocated"),
                        )
                    )
                    + "\n"
                )
            specialists = (
                staff.iro if (plan.start - born) < 18 * YEAR else staff.occupational_therapists
            )
            extra = 3 if index == world.heavy else (1 if rng.random() < 0.15 else 0)
            for _ in range(extra):
                if not specialists:
                    break
                worker, team = specialists[rng.randrange(len(specialists))]
                role = (
                    "independent-reviewing-officer"
                    if specialists is staff.iro
                    else "occupational-therapist"
                )
                spec_start = rng.randint(plan.start, finish)
                spec_end = (
                    None
                    if plan.end is None and rng.random() < 0.5
                    else rng.randint(spec_start, finish)
                )
                involvements.append(
                    "\t".join(
                        (
                            str(len(involvements) + 1),
                            str(person_id),
                            str(worker),
                            str(team),
                            str(role_ids[role]),
                            date(spec_start),
                            date(spec_end),
                            "" if spec_end is None else "No longer needed",
                        )
                    )
                    + "\n"
                )
            # Workflow milestones and a few events added by hand.
            events = (
                _WORKFLOW_EVENTS_CHILD
                if (plan.start - born) < 18 * YEAR
                else _WORKFLOW_EVENTS_ADULT
            )
            milestones = 40 if index == world.heavy else rng.randint(1, min(len(events), 5))
            for step in range(milestones):
                category, summary = events[step % len(events)]
                day = min(plan.start + step * rng.randint(5, 90), finish)
                worker = plan.segments[0][2]
                chronology_row(
                    person_id,
                    day,
                    category,
                    summary,
                    "workflow",
                    "",
                    "",
                    worker,
                    timestamp(day, 16 * 3600),
                )
            manual = (
                60 if index == world.heavy else (rng.randint(1, 3) if rng.random() < 0.2 else 0)
            )
            for _ in range(manual):
                day = rng.randint(plan.start, finish)
                chronology_row(
                    person_id,
                    day,
                    "Significant event",
                    rng.choice(_MANUAL_EVENTS),
                    "manual",
                    "",
                    "",
                    plan.segments[-1][2],
                    timestamp(day, 15 * 3600),
                )
            if plan.end is not None:
                chronology_row(
                    person_id,
                    plan.end,
                    "Closure",
                    "Case closed",
                    "workflow",
                    "",
                    "",
                    plan.segments[-1][2],
                    timestamp(plan.end, 17 * 3600),
                )
        note_count = rows.count
    log(f"  notes: {note_count} ({notes_by_heavy} for the heaviest person)")

    # Alerts: common on open cases, rare elsewhere; the heaviest person has four.
    case_people = {plan.person for plan in plans}
    codes = list(alert_types)
    any_worker = staff.workers["children"] + staff.workers["adults"]
    for index in range(world.people):
        chance = 0.15 if index in case_people else 0.01
        count = 4 if index == world.heavy else (1 if rng.random() < chance else 0)
        for number in range(count):
            code = codes[number] if index == world.heavy else rng.choice(codes)
            start = rng.randint(max(world.dob[index] or world.as_of, as_of - int(8 * YEAR)), as_of)
            end = rng.randint(start, as_of) if rng.random() < 0.4 and index != world.heavy else None
            author = any_worker[rng.randrange(len(any_worker))][0]
            alerts.append(
                "\t".join(
                    (
                        str(len(alerts) + 1),
                        str(index + 1),
                        str(alert_types[code]),
                        _ALERT_DESCRIPTIONS.get(code, ""),
                        date(start),
                        date(end),
                        str(author),
                        timestamp(start, 11 * 3600),
                    )
                )
                + "\n"
            )

    for table, names, lines in (
        ("clients_involvement", _INVOLVEMENT_COLUMNS, involvements),
        ("clients_chronologyentry", _CHRONOLOGY_COLUMNS, chronology),
        ("clients_alert", _ALERT_COLUMNS, alerts),
    ):
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for start in range(0, len(lines), 5000):
                copy.write("".join(lines[start : start + 5000]))

    # Households of the families the council works with.
    groups = memberships = 0
    with copy_rows(
        cursor, "clients_group", ["id", "kind", "name", "start_date", "end_date"]
    ) as rows:
        member_lines: list[str] = []
        seen_units: set[int] = set()
        for plan in plans:
            unit = world.unit_of[plan.person]
            members = [m for m in world.units[unit] if world.dob[m] is not None]
            if unit in seen_units or len(members) < 2:
                continue
            seen_units.add(unit)
            addresses = world.unit_addresses[unit]
            start = addresses[-1].start if addresses else None
            groups += 1
            rows.add(
                str(groups),
                "household",
                bulk.text(f"{world.last[members[0]]} household"),
                date(start),
                NULL,
            )
            for member in members:
                memberships += 1
                role = "Adult" if (world.age(member) or 0) >= 18 else "Child"
                member_start = max(start, world.dob[member] or 0) if start is not None else None
                member_lines.append(
                    f"{memberships}\t{groups}\t{member + 1}\t{role}\t{date(member_start)}\t{NULL}\n"
                )
    with cursor.copy(
        "COPY clients_groupmembership (id, group_id, person_id, role, start_date, end_date) FROM STDIN"
    ) as copy:
        for start in range(0, len(member_lines), 5000):
            copy.write("".join(member_lines[start : start + 5000]))
    return {
        "case_people": len(plans),
        "case_notes": note_count,
        "heaviest_notes": notes_by_heavy,
        "chronology_entries": len(chronology),
        "involvements": len(involvements),
        "alerts": len(alerts),
        "households": groups,
        "household_members": memberships,
    }
