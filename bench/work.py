"""Work at scale: about two million steps, and the four budgets of the workflows issue.

The dataset stage ("work") runs once, after the people and their cases exist: it loads
the shipped configuration packs and a bench pack with a 200-question form, then writes
each case's history of episodes and steps with COPY. Children's cases walk the
children's pack (contact, referral, assessment or S47, conference, plans, reviews,
closure), adults' cases the adults' pack (contact, assessment, support plan, annual
reviews); a case still open keeps its last step open with its worker. One bench
practitioner is then given 500 open items of their own, and their team 5,000 incoming
unallocated items, which is what the trays are measured on.

    python -m bench --only work             # build the work (and the dataset) if needed
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg

from bench import bulk
from bench.bulk import NULL, columns, copy_rows, date, ref, timestamp
from bench.config import FULL_SCALE_PEOPLE, BenchDatabase
from bench.results import Result

Log = Callable[[str], None]

WORK_FORMAT_VERSION = 1  # bump when this stage changes what it builds: the work is rebuilt
TARGET_STEPS = 2_000_000
MY_OPEN_ITEMS = 500
TEAM_INCOMING = 5_000
BIG_FORM_QUESTIONS = 200

MY_TRAY_BUDGET_MS = 20.0
TEAM_TRAY_BUDGET_MS = 50.0
COMPLETE_BUDGET_MS = 100.0
BIG_FORM_BUDGET_MS = 100.0

_STEP_COLUMNS = columns(
    "id episode_id step_type_id form_version_id person_id status assignee_id team_id answers"
    " version created_at created_by_id started_on due_date event_date submitted_at"
    " submitted_by_id pending_actions authorised_at authorised_by_id completed_at"
    " completed_by_id cancelled_reason"
)
_EPISODE_COLUMNS = columns("id workflow_id person_id opened_on closed_on closure_reason created_at")
_LINK_COLUMNS = columns("id from_step_id to_step_id transition_id")
_TABLES = ["workflows_episode", "workflows_step", "workflows_steplink"]

# The paths a case takes through the shipped packs, by weight. "*" repeats the step
# before it as many times as the case's length allows (reviews).
_CHILD_PATHS: list[tuple[int, list[str]]] = [
    (25, ["child-contact"]),
    (15, ["child-contact", "child-referral", "child-and-family-assessment", "child-case-closure"]),
    (
        25,
        [
            "child-contact",
            "child-referral",
            "child-and-family-assessment",
            "cin-plan",
            "cin-review",
            "*",
            "child-case-closure",
        ],
    ),
    (
        20,
        [
            "child-contact",
            "child-referral",
            "strategy-discussion",
            "section-47-enquiry",
            "initial-cp-conference",
            "child-protection-plan",
            "cp-first-review",
            "cp-review",
            "*",
            "child-case-closure",
        ],
    ),
    (
        15,
        [
            "child-contact",
            "child-referral",
            "child-and-family-assessment",
            "entering-care",
            "cla-first-review",
            "cla-second-review",
            "cla-review",
            "*",
        ],
    ),
]
_ADULT_PATHS: list[tuple[int, list[str]]] = [
    (30, ["adult-contact"]),
    (15, ["adult-contact", "adult-carers-assessment"]),
    (
        55,
        [
            "adult-contact",
            "adult-needs-assessment",
            "adult-support-plan",
            "adult-review",
            "*",
        ],
    ),
]


# --- the bench pack: one form of 200 questions ------------------------------------------


def big_form_pack() -> str:
    """A pack with a 200-question form in ten sections, every kind of simple question."""
    import yaml

    kinds = ["text", "long_text", "date", "number", "money", "yes_no", "choice", "multiple_choice"]
    sections = []
    for section_number in range(1, 11):
        fields: list[dict[str, Any]] = []
        for index in range(1, BIG_FORM_QUESTIONS // 10 + 1):
            kind = kinds[(section_number * 20 + index) % len(kinds)]
            key = f"s{section_number:02d}_q{index:02d}"
            field: dict[str, Any] = {
                "key": key,
                "label": f"Question {index} of section {section_number}: {kind.replace('_', ' ')}",
                "kind": kind,
                "hint": "Answer as fully as the family's circumstances allow.",
            }
            if kind in ("choice", "multiple_choice"):
                field["choices"] = [[f"c{n}", f"Option {n}"] for n in range(1, 7)]
            if kind in ("number", "money"):
                field["min"] = 0
            if index % 5 == 0:
                field["required"] = True
            fields.append(field)
        sections.append(
            {
                "key": f"section-{section_number}",
                "title": f"Section {section_number}",
                "fields": fields,
            }
        )
    pack = {
        "pack": "bench",
        "name": "Benchmark forms",
        "forms": [
            {
                "code": "bench-200-questions",
                "name": "Two hundred questions",
                "description": "The largest form the workflows budgets are measured on.",
                "versions": [
                    {"number": 1, "status": "published", "notes": "Bench", "sections": sections}
                ],
            }
        ],
        "workflows": [
            {
                "code": "bench-large-forms",
                "name": "Large forms (benchmark)",
                "service": "children",
                "description": "A workflow of one step with a 200-question form.",
                "step_types": [
                    {
                        "code": "bench-200-questions",
                        "name": "Two hundred questions",
                        "form": "bench-200-questions",
                        "subject": "person",
                        "entry_point": True,
                        "start_roles": ["practitioner", "team_manager"],
                        "default_assignee": "starter",
                        "timescale": {"amount": 10, "unit": "working_days", "from": "start"},
                    }
                ],
            }
        ],
    }
    return yaml.safe_dump(pack, sort_keys=False)


def load_configuration(log: Log) -> None:
    """The shipped packs and the bench pack, through the product's own importer."""
    from django.core.management import call_command

    from workflows.packs import pack_import

    started = time.monotonic()
    call_command("load_packs", verbosity=0)
    pack_import(actor=None, text=big_form_pack(), filename="bench.yaml")
    log(f"configuration packs loaded ({time.monotonic() - started:.1f} s)")


# --- planning each case's work ----------------------------------------------------------


@dataclass(frozen=True)
class StepTypeInfo:
    id: int
    code: str
    workflow_id: int
    form_version_id: int
    requires_authorisation: bool
    answers: list[str]  # COPY-escaped JSON answer variants


@dataclass(frozen=True)
class Case:
    person_id: int
    worker_id: int
    team_id: int
    start: int  # date ordinal
    end: int | None
    child: bool


def _step_types(rng: random.Random, as_of: datetime.date) -> dict[str, StepTypeInfo]:
    from workflows.answers import fill
    from workflows.models import FormVersion, StepType

    found: dict[str, StepTypeInfo] = {}
    for step_type in StepType.objects.select_related("form"):
        version = (
            FormVersion.objects.filter(form=step_type.form, status=FormVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )
        if version is None:
            continue
        variants = []
        for _ in range(6):
            answers = fill(
                version.schema, rng, on=as_of - datetime.timedelta(days=rng.randint(0, 900))
            )
            variants.append(bulk.text(json.dumps(answers, separators=(",", ":"))))
        found[step_type.code] = StepTypeInfo(
            id=step_type.pk,
            code=step_type.code,
            workflow_id=step_type.workflow_id,
            form_version_id=version.pk,
            requires_authorisation=step_type.requires_authorisation,
            answers=variants,
        )
    return found


def _cases(cursor: psycopg.Cursor[Any], as_of: datetime.date) -> list[Case]:
    adult_from = as_of.replace(year=as_of.year - 18)
    cursor.execute(
        "SELECT DISTINCT ON (i.person_id) i.person_id, i.worker_id, i.team_id, i.start_date,"
        " i.end_date, p.date_of_birth"
        " FROM clients_involvement i JOIN clients_person p ON p.id = i.person_id"
        " WHERE i.worker_id IS NOT NULL AND i.team_id IS NOT NULL"
        " ORDER BY i.person_id, i.start_date DESC, i.id DESC"
    )
    return [
        Case(
            person_id=person_id,
            worker_id=worker_id,
            team_id=team_id,
            start=start.toordinal(),
            end=end.toordinal() if end else None,
            child=born is not None and born > adult_from,
        )
        for person_id, worker_id, team_id, start, end, born in cursor.fetchall()
    ]


def _pick(rng: random.Random, paths: list[tuple[int, list[str]]]) -> list[str]:
    total = sum(weight for weight, _ in paths)
    roll = rng.uniform(0, total)
    for weight, path in paths:
        roll -= weight
        if roll <= 0:
            return path
    return paths[-1][1]


def _expand(path: list[str], length: int) -> list[str]:
    """The path with its repeated step ("*") filling the case up to `length` steps."""
    if "*" not in path:
        return path[:length]
    star = path.index("*")
    before, after = path[:star], path[star + 1 :]
    repeats = max(0, length - len(before) - len(after))
    return (before + [before[-1]] * repeats + after)[: max(length, len(before))]


def _episodes(rng: random.Random, case: Case, steps: int, known: set[str]) -> Iterator[list[str]]:
    paths = _CHILD_PATHS if case.child else _ADULT_PATHS
    left = steps
    while left > 0:
        path = [code for code in _pick(rng, paths) if code == "*" or code in known]
        if not path or path == ["*"]:
            return
        if "*" in path:
            base = len(path) - 1
            length = base + rng.randint(0, max(0, min(left - base, 14)))
        else:
            length = len(path)
        episode = _expand(path, length)[:left]
        left -= len(episode)
        yield episode


# --- writing the work -------------------------------------------------------------------


def _load(
    cursor: psycopg.Cursor[Any],
    *,
    seed: int,
    as_of: datetime.date,
    target: int,
    types: dict[str, StepTypeInfo],
    transitions: dict[tuple[int, int], int],
    log: Log,
) -> dict[str, int]:
    rng = random.Random(seed * 31 + 7)
    cases = _cases(cursor, as_of)
    if not cases:
        raise RuntimeError("There are no cases to give work to: build the dataset first.")
    mean = target / len(cases)
    today = as_of.toordinal()
    known = set(types)
    counts = {"episodes": 0, "steps": 0, "links": 0, "open_steps": 0}
    step_id = episode_id = link_id = 0
    links: list[tuple[int, int, int | None]] = []
    episodes: list[tuple[str, ...]] = []
    with copy_rows(cursor, "workflows_step", _STEP_COLUMNS) as rows:
        for case in cases:
            written_before = step_id
            total = max(1, round(rng.triangular(1, mean * 2.4, mean * 0.6)))
            start = max(case.start, today - 3650)
            finish = case.end or today
            span = max(total, finish - start)
            planned = list(_episodes(rng, case, total, known))
            if not planned:
                continue
            every = span / sum(len(episode) for episode in planned)
            position = 0
            for number, codes in enumerate(planned):
                episode_id += 1
                last_episode = number == len(planned) - 1
                open_episode = last_episode and case.end is None
                opened = start + int(position * every)
                previous: tuple[int, int] | None = None
                for index, code in enumerate(codes):
                    info = types[code]
                    on = min(today, start + int(position * every))
                    position += 1
                    step_id += 1
                    is_open = open_episode and index == len(codes) - 1
                    worker, team = case.worker_id, case.team_id
                    answers = info.answers[step_id % len(info.answers)]
                    if is_open:
                        status = "in_progress" if rng.random() < 0.6 else "planned"
                        counts["open_steps"] += 1
                        rows.add(
                            str(step_id),
                            str(episode_id),
                            str(info.id),
                            str(info.form_version_id),
                            str(case.person_id),
                            status,
                            str(worker),
                            str(team),
                            answers if status == "in_progress" else "{}",
                            "2" if status == "in_progress" else "1",
                            timestamp(on, 36000),
                            str(worker),
                            date(on) if status == "in_progress" else NULL,
                            date(on + rng.randint(-20, 40)),
                            NULL,
                            NULL,
                            NULL,
                            "[]",
                            NULL,
                            NULL,
                            NULL,
                            NULL,
                            "",
                        )
                    else:
                        done = timestamp(on, 50400)
                        authorised = info.requires_authorisation
                        rows.add(
                            str(step_id),
                            str(episode_id),
                            str(info.id),
                            str(info.form_version_id),
                            str(case.person_id),
                            "completed",
                            str(worker),
                            str(team),
                            answers,
                            "3",
                            timestamp(on, 36000),
                            str(worker),
                            date(on),
                            date(on + 10),
                            date(on),
                            done,
                            str(worker),
                            "[]",
                            done if authorised else NULL,
                            str(worker) if authorised else NULL,
                            done,
                            str(worker),
                            "",
                        )
                    if previous is not None:
                        link_id += 1
                        links.append(
                            (previous[0], step_id, transitions.get((previous[1], info.id)))
                        )
                    previous = (step_id, info.id)
                closed = None if open_episode else min(today, start + int(position * every))
                episodes.append(
                    (
                        str(episode_id),
                        str(types[codes[0]].workflow_id),
                        str(case.person_id),
                        date(min(opened, today)),
                        date(closed),
                        "" if closed is None else "Case closed",
                        timestamp(min(opened, today), 32400),
                    )
                )
            if step_id // 250_000 != written_before // 250_000:
                log(f"  {step_id:,} steps written")
    counts["steps"] = step_id
    with copy_rows(cursor, "workflows_episode", _EPISODE_COLUMNS) as rows:
        for episode in episodes:
            rows.add(*episode)
    counts["episodes"] = len(episodes)
    with copy_rows(cursor, "workflows_steplink", _LINK_COLUMNS) as rows:
        for number, (from_id, to_id, transition) in enumerate(links, start=1):
            rows.add(str(number), str(from_id), str(to_id), ref(transition))
    counts["links"] = len(links)
    return counts


def _transitions() -> dict[tuple[int, int], int]:
    from workflows.models import Transition

    return {
        (from_id, to_id): pk
        for pk, from_id, to_id in Transition.objects.filter(to_step_type__isnull=False).values_list(
            "pk", "from_step_type_id", "to_step_type_id"
        )
    }


def _bench_team(cursor: psycopg.Cursor[Any], username: str) -> tuple[int, int]:
    cursor.execute(
        "SELECT u.id, m.team_id FROM casemgmt_user u"
        " JOIN casemgmt_teammembership m ON m.user_id = u.id WHERE u.username = %s"
        " ORDER BY m.id LIMIT 1",
        [username],
    )
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError(f"{username} is in no team")
    return row[0], row[1]


def _shape_trays(
    cursor: psycopg.Cursor[Any], *, username: str, as_of: datetime.date, scale: float
) -> None:
    """Exactly 500 open items for the bench practitioner, 5,000 incoming for their team.

    A trial dataset smaller than full scale gets proportionally fewer (at least 20 and 50).
    """
    mine_wanted = MY_OPEN_ITEMS if scale >= 1 else max(20, int(MY_OPEN_ITEMS * scale))
    incoming_wanted = TEAM_INCOMING if scale >= 1 else max(50, int(TEAM_INCOMING * scale))
    user_id, team_id = _bench_team(cursor, username)
    today = as_of.toordinal()
    cursor.execute(
        "UPDATE workflows_step SET assignee_id = NULL, status = 'planned', started_on = NULL"
        " WHERE assignee_id = %s AND status IN ('planned', 'in_progress', 'awaiting_authorisation')",
        [user_id],
    )
    # Mine: due dates from a month overdue to two months ahead, all begun.
    cursor.execute(
        "WITH chosen AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM workflows_step"
        " WHERE status IN ('planned', 'in_progress') ORDER BY id LIMIT %s)"
        " UPDATE workflows_step s SET assignee_id = %s, team_id = %s, status = 'in_progress',"
        " started_on = coalesce(s.started_on, s.created_at::date),"
        " due_date = %s::date + ((chosen.n * 7919) %% 90 - 30)::int"
        " FROM chosen WHERE s.id = chosen.id",
        [mine_wanted, user_id, team_id, datetime.date.fromordinal(today)],
    )
    # The team's incoming: open work nobody holds yet, the newest there is.
    cursor.execute(
        "WITH chosen AS (SELECT id, row_number() OVER (ORDER BY id DESC) AS n FROM workflows_step"
        " WHERE status IN ('planned', 'in_progress') AND assignee_id IS DISTINCT FROM %s"
        " ORDER BY id DESC LIMIT %s)"
        " UPDATE workflows_step s SET assignee_id = NULL, team_id = %s, status = 'planned',"
        " started_on = NULL, answers = '{}'::jsonb, version = 1,"
        " due_date = %s::date + ((chosen.n * 7919) %% 75 - 15)::int"
        " FROM chosen WHERE s.id = chosen.id",
        [user_id, incoming_wanted, team_id, datetime.date.fromordinal(today)],
    )
    cursor.execute(
        "SELECT count(*) FILTER (WHERE assignee_id = %s),"
        " count(*) FILTER (WHERE team_id = %s AND assignee_id IS NULL AND status = 'planned')"
        " FROM workflows_step WHERE status IN ('planned', 'in_progress', 'awaiting_authorisation')",
        [user_id, team_id],
    )
    mine, incoming = cursor.fetchone() or (0, 0)
    if mine < mine_wanted or incoming < incoming_wanted:
        raise RuntimeError(
            f"the trays came out short: {mine} open items (want {mine_wanted}),"
            f" {incoming} incoming (want {incoming_wanted}); the dataset has too few open cases"
        )


def generate_work(database: BenchDatabase, *, seed: int, username: str, log: Log) -> dict[str, Any]:
    """Build the work stage once; return its counts."""
    from bench.generate import read_meta

    meta = read_meta(database.conninfo)
    done = meta.get("stage:work")
    if done and done.get("version") == WORK_FORMAT_VERSION:
        log(f"work: already built ({done['counts']['steps']:,} steps)")
        return dict(done)
    started = time.monotonic()
    as_of = datetime.date.fromisoformat(meta["as_of"])
    scale = meta["params"]["people"] / FULL_SCALE_PEOPLE
    with psycopg.connect(database.conninfo, autocommit=True) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM workflows_step")
        if (cursor.fetchone() or (0,))[0]:
            log("work: clearing an earlier, different or unfinished build")
            cursor.execute(
                "TRUNCATE workflows_steplink, workflows_stepdecision, workflows_stepdraft,"
                " workflows_step, workflows_episode RESTART IDENTITY CASCADE"
            )
    load_configuration(log)
    types = _step_types(random.Random(seed * 13 + 1), as_of)
    transitions = _transitions()
    with psycopg.connect(database.conninfo) as connection:
        cursor = connection.cursor()
        cursor.execute("SET synchronous_commit = off")
        dropped = bulk.drop_secondary(cursor, _TABLES)
        counts = _load(
            cursor,
            seed=seed,
            as_of=as_of,
            target=round(TARGET_STEPS * scale),
            types=types,
            transitions=transitions,
            log=log,
        )
        connection.commit()
    log(f"work: {counts} written ({time.monotonic() - started:.0f} s, {dropped} indexes deferred)")
    restored = bulk.restore_secondary(database.conninfo, log=log)
    with psycopg.connect(database.conninfo, autocommit=True) as connection:
        cursor = connection.cursor()
        for table in _TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 1))"
            )
        _shape_trays(cursor, username=username, as_of=as_of, scale=scale)
        for table in _TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('workflows_step'))")
        size = (cursor.fetchone() or ("?",))[0]
    seconds = round(time.monotonic() - started, 1)
    stage = {
        "version": WORK_FORMAT_VERSION,
        "counts": {**counts, "step_table_size": size},
        "seconds": seconds,
        "restored_indexes": restored,
    }
    with psycopg.connect(database.conninfo) as connection:
        bulk.meta_set(connection.cursor(), "stage:work", stage)
        connection.commit()
    log(f"work: built in {seconds / 60:.1f} minutes; workflows_step is {size}")
    return stage


# --- the benchmarks ---------------------------------------------------------------------


def _timed_gets(client: Any, urls: list[str], iterations: int) -> tuple[list[float], int, int]:
    """GET the URLs round-robin after a warm-up: timings (ms), queries and bytes of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[: max(10, iterations // 10)] * (1 if len(urls) > 1 else 10):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(urls[0])
    queries, size = len(captured.captured_queries), len(response.content)
    timings = []
    for number in range(iterations):
        url = urls[number % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings, queries, size


def _people_for_work(count: int, *, as_of: datetime.date, seed: int, children: bool) -> list[int]:
    """Case people of the right age with no open child protection plan."""
    from django.db import connection

    adult_from = as_of.replace(year=as_of.year - 18)
    age = "p.date_of_birth > %s" if children else "p.date_of_birth <= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT i.person_id FROM clients_involvement i"
            " JOIN clients_person p ON p.id = i.person_id"
            f" WHERE {age} AND i.end_date IS NULL AND p.merged_into_id IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM workflows_cpplan c"
            "   WHERE c.person_id = p.id AND c.end_date IS NULL)",
            [adult_from],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return random.Random(seed).sample(ids, min(count, len(ids)))


def _ready_steps(
    code: str,
    people: list[int],
    *,
    user: Any,
    team_id: int,
    on: datetime.date,
    seed: int,
    answers: dict[str, Any] | None = None,
) -> list[int]:
    """Steps of `code` in progress with the user, every question answered and valid."""
    from workflows.answers import fill
    from workflows.forms_engine import validate_answers
    from workflows.models import Episode, FormVersion, Step, StepType

    step_type = StepType.objects.select_related("workflow").get(code=code)
    version = (
        FormVersion.objects.filter(form_id=step_type.form_id, status=FormVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    assert version is not None
    rng = random.Random(seed)
    ids = []
    for person_id in people:
        overrides = dict(answers or {})
        if step_type.event_date_field:
            overrides[step_type.event_date_field] = on.isoformat()
        filled = fill(version.schema, rng, on=on, overrides=overrides)
        cleaned, errors = validate_answers(version.schema, filled, complete=True)
        if errors:
            raise RuntimeError(f"{code}: generated answers do not validate: {errors}")
        episode = Episode.objects.create(
            workflow=step_type.workflow, person_id=person_id, opened_on=on
        )
        step = Step.objects.create(
            episode=episode,
            step_type=step_type,
            form_version=version,
            person_id=person_id,
            status=Step.Status.IN_PROGRESS,
            assignee=user,
            team_id=team_id,
            answers=cleaned,
            created_by=user,
            started_on=on,
            due_date=on + datetime.timedelta(days=14),
        )
        ids.append(step.pk)
    return ids


def _team_manager(team_id: int) -> str:
    from casemgmt.models import TeamMembership

    membership = (
        TeamMembership.objects.filter(team_id=team_id, is_manager=True, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is None:
        raise RuntimeError(f"team {team_id} has no manager to look at its tray")
    return str(membership.user.username)


def bench_work(
    *,
    dataset: dict[str, Any],
    work: dict[str, Any],
    username: str,
    iterations: int,
    seed: int,
    log: Log,
) -> list[Result]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from bench.run import _person_page_client, bench_user
    from casemgmt.models import TeamMembership
    from workflows.models import Step, Transition

    run_started = timezone.now()
    counts = work.get("counts", {})
    shape = {
        "steps": counts.get("steps"),
        "episodes": counts.get("episodes"),
        "open_steps": counts.get("open_steps"),
        "step_table_size": counts.get("step_table_size"),
    }
    user = bench_user(username)
    team_id = (
        TeamMembership.objects.filter(user=user).order_by("id").values_list("team_id", flat=True)
    )[0]
    mine_open = Step.objects.open().filter(assignee=user).count()
    incoming = Step.objects.filter(team_id=team_id, status="planned", assignee=None).count()
    results: list[Result] = []

    # My work: the practitioner's 500 open items, the default tab and sort.
    client = _person_page_client(username)
    urls = [reverse("work-mine"), reverse("work-mine") + "?tab=overdue"]
    timings, queries, size = _timed_gets(client, urls, iterations)
    result = Result.from_timings(
        "work.my_tray",
        timings,
        dataset={**dataset, **shape},
        budget_ms=MY_TRAY_BUDGET_MS,
        extra={
            "open_items": mine_open,
            "queries": queries,
            "html_bytes": size,
            "measured_as": "GET /work/ (current and overdue tabs) in process, signed in",
        },
    )
    results.append(result)
    log(
        f"work.my_tray: p50 {result.p50_ms} ms, p95 {result.p95_ms} ms, {queries} queries,"
        f" {mine_open} open items"
    )

    # The team tray: 5,000 incoming, seen by the team's manager (who can allocate).
    manager = _team_manager(team_id)
    manager_client = _person_page_client(manager)
    tray = reverse("work-team-tray", kwargs={"team_id": team_id})
    urls = [tray, tray + "?page=2", tray + "?due=overdue", tray + "?sort=-due"]
    timings, queries, size = _timed_gets(manager_client, urls, iterations)
    result = Result.from_timings(
        "work.team_tray",
        timings,
        dataset={**dataset, **shape},
        budget_ms=TEAM_TRAY_BUDGET_MS,
        extra={
            "incoming": incoming,
            "queries": queries,
            "html_bytes": size,
            "measured_as": "GET the team tray (pages, filters, sorts) as its manager",
        },
    )
    results.append(result)
    log(
        f"work.team_tray: p50 {result.p50_ms} ms, p95 {result.p95_ms} ms, {queries} queries,"
        f" {incoming} incoming"
    )

    # Completing a contact that asks for a referral and a strategy discussion (significant
    # harm suspected): the contact fact, chronology, audit, two new steps, one transaction.
    today = timezone.localdate()
    runs = max(20, iterations // 2)
    warmup = 10
    people = _people_for_work(runs + warmup, as_of=today, seed=seed + 11, children=True)
    steps = _ready_steps(
        "child-contact",
        people,
        user=user,
        team_id=team_id,
        on=today,
        seed=seed,
        answers={"decision": "referral", "significant_harm_suspected": True},
    )
    contact = Step.objects.get(pk=steps[0]).step_type
    chosen = [
        str(t.pk)
        for t in Transition.objects.filter(
            from_step_type=contact, to_step_type__code__in=["child-referral", "strategy-discussion"]
        )
    ]
    assert len(chosen) == 2, chosen
    timings = []
    complete_queries = 0
    for number, step_id in enumerate(steps):
        url = reverse("step-complete", kwargs={"step_id": step_id})
        body = {"version": "1", "next": chosen}
        if number == warmup:
            with CaptureQueriesContext(connection) as captured:
                response = client.post(url, body)
            complete_queries = len(captured.captured_queries)
        else:
            started = time.perf_counter()
            response = client.post(url, body)
            elapsed = (time.perf_counter() - started) * 1000
            if number > warmup:
                timings.append(elapsed)
        if response.status_code != 302:
            raise RuntimeError(f"completing step {step_id} answered {response.status_code}")
    made = Step.objects.filter(links_in__from_step_id__in=steps).count()
    if made != 2 * len(steps):
        raise RuntimeError(f"completion made {made} next steps, not {2 * len(steps)}")
    result = Result.from_timings(
        "work.complete_two_next_actions",
        timings,
        dataset={**dataset, **shape},
        budget_ms=COMPLETE_BUDGET_MS,
        extra={
            "queries": complete_queries,
            "measured_as": "POST the completion of a contact with two next actions"
            " (referral, strategy discussion), in process: validation, contact fact,"
            " chronology, audit, two new steps",
        },
    )
    results.append(result)
    log(
        f"work.complete_two_next_actions: p50 {result.p50_ms} ms, p95 {result.p95_ms} ms,"
        f" {complete_queries} queries"
    )

    # A 200-question form with every question answered.
    people = _people_for_work(50, as_of=today, seed=seed + 12, children=True)
    big = _ready_steps(
        "bench-200-questions", people, user=user, team_id=team_id, on=today, seed=seed
    )
    urls = [reverse("step-detail", kwargs={"step_id": step_id}) for step_id in big]
    timings, queries, size = _timed_gets(client, urls, iterations)
    result = Result.from_timings(
        "work.form_200_questions",
        timings,
        dataset={**dataset, **shape},
        budget_ms=BIG_FORM_BUDGET_MS,
        extra={
            "questions": BIG_FORM_QUESTIONS,
            "queries": queries,
            "html_bytes": size,
            "measured_as": "GET a step page of 200 answered questions in process",
        },
    )
    results.append(result)
    log(
        f"work.form_200_questions: p50 {result.p50_ms} ms, p95 {result.p95_ms} ms,"
        f" {queries} queries, {size:,} bytes"
    )
    cleared = clear_bench_work(since=run_started)
    log(f"work: {cleared} open steps made by this run cancelled, so the trays keep their shape")
    return results


def clear_bench_work(*, since: datetime.datetime) -> int:
    """Cancel the open steps a benchmark run made (the big forms, the completions' next
    steps), so the next run measures trays of the same size."""
    from django.utils import timezone

    from workflows.models import Step

    return (
        Step.objects.open()
        .filter(created_at__gte=since, created_at__lte=timezone.now())
        .update(status=Step.Status.CANCELLED, cancelled_reason="Benchmark clean-up")
    )
