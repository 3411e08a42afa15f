"""Give the demo council's caseloads work at every stage of the shipped workflows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.demo import seed_demo_work


class Command(BaseCommand):
    help = (
        "Walk demo people through the shipped children's and adults' workflows (contacts, "
        "assessments, child protection, looked after, support plans, safeguarding, DoLS) so "
        "that trays, authorisation queues, progress maps, facts and chronologies are full. "
        "Run after seed_demo and load_packs. Does nothing if work already exists. DEBUG only "
        "unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed for the answers.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError("seed_demo_work only runs with DEBUG on, or with --force.")
        try:
            walked = seed_demo_work(seed=options["seed"])
        except LookupError as error:
            raise CommandError(str(error)) from error
        if walked:
            self.stdout.write(f"Demo work: {walked} people walked through the workflows.")
        else:
            self.stdout.write("Demo work is already there; nothing to do.")
