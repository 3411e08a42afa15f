"""Load the configuration packs the product ships (workflows/packs/*.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.packs import PACKS_DIRECTORY, PackError, pack_import_all, read_pack_file


class Command(BaseCommand):
    help = (
        "Import every *.yaml pack in the packs directory, in name order, in one transaction: "
        "all of them or none. Run on every start: a pack already loaded changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=PACKS_DIRECTORY,
            help=f"Where the packs are (default: {PACKS_DIRECTORY}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        entries = sorted(path for path in directory.iterdir() if not path.name.startswith("."))
        packs = [path for path in entries if path.suffix == ".yaml" and path.is_file()]
        for path in entries:
            if path not in packs:
                # Said out loud: a pack saved as .yml would otherwise be missing without a word.
                self.stderr.write(
                    self.style.WARNING(f"Not loaded: {path.name} (packs are *.yaml files).")
                )
        if not packs:
            raise CommandError(f"There are no *.yaml packs in {directory}.")
        try:
            results = pack_import_all(
                actor=None, packs=[read_pack_file(path, name=path.name) for path in packs]
            )
        except PackError as error:
            raise CommandError(
                "\n".join([*error.problems, "Nothing was loaded."]), returncode=1
            ) from None
        for result in results:
            self.stdout.write(self.style.SUCCESS(result.summary()))
