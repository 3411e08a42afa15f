"""Import configuration packs (YAML files) into the database, all of them or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.packs import PackError, pack_import_all, read_pack_file


class Command(BaseCommand):
    help = (
        "Import configuration packs: code lists, forms (every version), workflows, step types "
        "and next actions. Every file is checked whole before anything is written; on any "
        "problem nothing is imported and each problem is printed as file: path: reason. "
        "Importing the same pack again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="Pack files, imported in order.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            packs = [read_pack_file(path) for path in options["files"]]
            results = pack_import_all(actor=None, packs=packs)
        except PackError as error:
            raise CommandError(
                "\n".join([*error.problems, "Nothing was imported."]), returncode=1
            ) from None
        for result in results:
            self.stdout.write(self.style.SUCCESS(result.summary()))
