"""The council's staff in the bench dataset: service areas, teams, roles and ~2,000 users.

Created through the ORM (a few thousand rows); the case generator then reads them back
grouped by service, so a resumed run allocates cases to the same people.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 (a loopback benchmark database)
BENCH_USERS = [f"bench.practitioner{i}" for i in range(1, 5)]

Log = Callable[[str], None]

_CHILDREN_TEAMS = [
    "Front Door (MASH)",
    "Assessment Team North",
    "Assessment Team South",
    "Assessment Team East",
    "Assessment Team West",
    "Child in Need Team 1",
    "Child in Need Team 2",
    "Child in Need Team 3",
    "Child Protection Team 1",
    "Child Protection Team 2",
    "Children in Care Team 1",
    "Children in Care Team 2",
    "Leaving Care Team",
    "Disabled Children's Team",
    "Fostering Team",
    "Early Help North",
    "Early Help South",
    "Independent Reviewing Service",
]
_ADULT_TEAMS = [
    "Adult Front Door",
    "Hospital Discharge Team",
    "Reablement Team",
    "Locality Team North",
    "Locality Team South",
    "Locality Team East",
    "Locality Team West",
    "Locality Team Central",
    "Learning Disability Team",
    "Mental Health Team",
    "Safeguarding Adults Team",
    "Occupational Therapy Team",
    "Review Team",
]


@dataclass
class Staff:
    """Who can be allocated and who writes notes, by service ("children" or "adults")."""

    workers: dict[str, list[tuple[int, int]]]  # service -> [(user id, team id)]
    others: dict[str, list[int]]  # managers and business support, by service
    iro: list[tuple[int, int]]
    occupational_therapists: list[tuple[int, int]]


def create_staff(people: int, seed: int, log: Log) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as Role
    from django.db import transaction
    from faker import Faker

    from casemgmt.mfa.services import BENCH_DEVICE_NAME, script_device_ensure
    from casemgmt.models import Team, TeamMembership, User
    from casemgmt.roles import Role as RoleName

    rng = random.Random(seed * 7 + 3)
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    total_staff = max(60, min(2000, people // 500))
    roles = {role.name: role for role in Role.objects.all()}
    joined = datetime.datetime(2012, 4, 1, 9, tzinfo=datetime.UTC)
    with transaction.atomic():
        areas = {
            "children": Team.objects.create(
                name="Children's services", code="bench-childrens", kind=Team.Kind.SERVICE_AREA
            ),
            "adults": Team.objects.create(
                name="Adult social care", code="bench-adults", kind=Team.Kind.SERVICE_AREA
            ),
            "resources": Team.objects.create(
                name="Resources", code="bench-resources", kind=Team.Kind.SERVICE_AREA
            ),
        }
        teams: dict[str, list[Team]] = {"children": [], "adults": [], "resources": []}
        for service, names in (("children", _CHILDREN_TEAMS), ("adults", _ADULT_TEAMS)):
            for name in names:
                teams[service].append(
                    Team.objects.create(
                        name=name,
                        code="bench-" + name.lower().replace(" ", "-").replace("'", "")[:40],
                        parent=areas[service],
                    )
                )
        finance = Team.objects.create(
            name="Finance", code="bench-finance", parent=areas["resources"]
        )
        teams["resources"].append(finance)

        users: list[User] = []
        plan: list[tuple[str, Team, bool]] = []  # role, team, is manager
        for service in ("children", "adults"):
            for team in teams[service]:
                plan.append((RoleName.TEAM_MANAGER, team, True))
        for service in ("children", "adults"):
            plan.extend((RoleName.SENIOR_MANAGER, areas[service], True) for _ in range(6))
        finance_officers = max(4, total_staff // 30)
        plan.extend((RoleName.FINANCE_OFFICER, finance, False) for _ in range(finance_officers))
        plan.extend((RoleName.SYSTEM_ADMINISTRATOR, areas["resources"], False) for _ in range(4))
        all_teams = teams["children"] + teams["adults"]
        while len(plan) < total_staff:
            team = all_teams[rng.randrange(len(all_teams))]
            role = RoleName.BUSINESS_SUPPORT if rng.random() < 0.12 else RoleName.PRACTITIONER
            plan.append((role, team, False))
        titles = {
            RoleName.PRACTITIONER: "Social worker",
            RoleName.TEAM_MANAGER: "Team manager",
            RoleName.SENIOR_MANAGER: "Head of service",
            RoleName.FINANCE_OFFICER: "Finance officer",
            RoleName.BUSINESS_SUPPORT: "Business support officer",
            RoleName.SYSTEM_ADMINISTRATOR: "Systems administrator",
        }
        for number, (role, _, _) in enumerate(plan, start=1):
            first, last = faker.first_name(), faker.last_name()
            users.append(
                User(
                    username=f"staff{number:04d}",
                    first_name=first,
                    last_name=last,
                    email=f"staff{number:04d}@council.example",
                    password="!bench-unusable",  # noqa: S106 (marks the password unusable)
                    job_title=titles[role],
                    date_joined=joined,
                )
            )
        bench_team = teams["children"][5]
        for username in BENCH_USERS:
            plan.append((RoleName.PRACTITIONER, bench_team, False))
            users.append(
                User(
                    username=username,
                    first_name="Bench",
                    last_name=username.split(".")[1].title(),
                    email=f"{username}@council.example",
                    password=make_password(BENCH_PASSWORD),
                    job_title="Social worker",
                    date_joined=joined,
                )
            )
        ordered = User.objects.bulk_create(users, batch_size=500)
        # The load test signs in with the form, so its users have authenticators it can read.
        for user in ordered:
            if user.username in BENCH_USERS:
                script_device_ensure(user=user, name=BENCH_DEVICE_NAME)
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(user_id=user.pk, group_id=roles[str(role)].pk)
                for user, (role, _, _) in zip(ordered, plan, strict=True)
            ],
            batch_size=1000,
        )
        TeamMembership.objects.bulk_create(
            [
                TeamMembership(
                    user=user,
                    team=team,
                    is_manager=is_manager,
                    start_date=datetime.date(2015, 1, 5)
                    + datetime.timedelta(days=rng.randint(0, 3000)),
                )
                for user, (_, team, is_manager) in zip(ordered, plan, strict=True)
            ],
            batch_size=1000,
        )
    log(f"staff: {len(plan)} users in {len(all_teams) + 1} teams")


def load_staff(conninfo: str) -> Staff:
    """The staff already in the database, grouped the way the case generator needs them."""
    workers: dict[str, list[tuple[int, int]]] = {"children": [], "adults": []}
    others: dict[str, list[int]] = {"children": [], "adults": []}
    iro: list[tuple[int, int]] = []
    therapists: list[tuple[int, int]] = []
    with psycopg.connect(conninfo) as connection:
        rows = connection.execute(
            """
            SELECT u.id, m.team_id, t.name, area.code, g.name
            FROM casemgmt_user u
            JOIN casemgmt_teammembership m ON m.user_id = u.id
            JOIN casemgmt_team t ON t.id = m.team_id
            JOIN casemgmt_team area ON area.id = coalesce(t.parent_id, t.id)
            JOIN casemgmt_user_groups ug ON ug.user_id = u.id
            JOIN auth_group g ON g.id = ug.group_id
            WHERE u.username LIKE 'staff%'
            ORDER BY u.id
            """
        ).fetchall()
    for user_id, team_id, team_name, area_code, role in rows:
        service = {"bench-childrens": "children", "bench-adults": "adults"}.get(area_code)
        if service is None:
            continue
        if role == "practitioner":
            if team_name == "Independent Reviewing Service":
                iro.append((user_id, team_id))
            elif team_name == "Occupational Therapy Team":
                therapists.append((user_id, team_id))
            else:
                workers[service].append((user_id, team_id))
        else:
            others[service].append(user_id)
    return Staff(workers=workers, others=others, iro=iro, occupational_therapists=therapists)
