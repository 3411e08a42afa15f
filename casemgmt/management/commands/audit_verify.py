"""Check the audit trail's hash chain from the first seal to the last."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casemgmt.audit_chain import audit_seal, audit_verify


class Command(BaseCommand):
    help = (
        "Recompute the hash chain over the audit trail and report any event changed or "
        "deleted, any seal missing, and any settled event left unsealed. Exits 1 if the "
        "chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seal-first",
            action="store_true",
            help="Seal every settled event before verifying (what the scheduled task does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal_first"]:
            self.stdout.write(f"Sealed {audit_seal():,} events.")
        result = audit_verify()
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.intact:
            raise CommandError(
                f"The audit chain is broken: {len(result.problems)} problem(s) "
                f"in {result.checked:,} sealed events."
            )
        self.stdout.write(f"The audit chain is intact: {result.checked:,} sealed events checked.")
