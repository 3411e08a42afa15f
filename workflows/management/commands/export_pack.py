"""Write the workflow configuration out as a configuration pack (YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.packs import PackError, pack_export


class Command(BaseCommand):
    help = (
        "Export workflows (all, or those named with --workflow), with the forms their steps "
        "use (every published version and the newest draft) and the code lists those forms "
        "use, as one configuration pack. The output is the same text every time for the "
        "same configuration, so exports can be compared and kept under version control."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workflow",
            action="append",
            dest="workflows",
            metavar="CODE",
            help="Export only this workflow (repeat for more). Default: everything.",
        )
        parser.add_argument(
            "--output", type=Path, help="Write the pack to this file instead of the terminal."
        )
        parser.add_argument("--pack", default="export", help="The pack's code (default: export).")
        parser.add_argument("--name", default="Exported configuration", help="The pack's name.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = pack_export(
                workflows=options["workflows"], pack_code=options["pack"], name=options["name"]
            )
        except PackError as error:
            raise CommandError("\n".join(error.problems)) from None
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {output} ({len(text.encode('utf-8')):,} bytes).")
