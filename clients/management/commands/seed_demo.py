"""Load the demo council: teams, staff with demo logins, and a few thousand fake people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clients import demo


class Command(BaseCommand):
    help = (
        "Create the demo council (service areas, teams, staff with demo logins, and fake but "
        "realistic people with families, addresses, notes and alerts). Safe to run again: "
        "nothing already there is duplicated. Refuses to run unless DEBUG is on or --force "
        "is given, so demo people never reach a live council's database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=demo.DEFAULT_PEOPLE,
            help=f"About how many people to create, in whole households (default {demo.DEFAULT_PEOPLE}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even though DEBUG is off (a test or training server).",
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="Print the demo logins (username, role, team), one a line, and do nothing else.",
        )
        parser.add_argument(
            "--print-password",
            action="store_true",
            help="Print the demo logins' password ($DEMO_PASSWORD) and do nothing else.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_password"]:
            self.stdout.write(demo.demo_password())
            return
        if options["print_logins"]:
            for line in demo.login_lines():
                self.stdout.write(line)
            return
        if not (settings.DEBUG or options["force"]):
            raise CommandError(
                "seed_demo creates fake people and staff with a shared password, so it only runs "
                "with DEBUG on. On a test or training server, run it with --force."
            )
        people = options["people"]
        if not 0 <= people <= demo.MAX_PEOPLE:
            raise CommandError(
                f"--people must be between 0 and {demo.MAX_PEOPLE:,}; "
                "for a bigger dataset use the benchmark generator (make bench-data)."
            )
        verbose = options["verbosity"] >= 2
        result = demo.seed_demo_council(
            people=people,
            today=timezone.localdate(),
            progress=self.stdout.write if verbose else None,
        )
        if result.people_created:
            detail = ", ".join(
                f"{count:,} {name.replace('_', ' ')}" for name, count in result.rows.items()
            )
            summary = (
                f"Demo council loaded: {result.teams} teams, {result.staff} staff, "
                f"{result.people_created:,} people in {result.households_created:,} households "
                f"in {result.seconds:.1f} s."
            )
            self.stdout.write(self.style.SUCCESS(summary))
            if verbose:
                self.stdout.write(f"Rows written: {detail}.")
        else:
            self.stdout.write(
                f"Demo council already loaded ({result.people:,} demo people); nothing to add."
            )
