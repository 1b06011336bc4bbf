from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.dossiers.interchange import default_workers, dossiers_import
from cqs.dossiers.management.lines import open_lines


class Command(BaseCommand):
    help = (
        "Import dossiers from an interchange JSON Lines file (shared/domain/interchange.md); "
        "'-' reads stdin; gzip is read transparently. Idempotent by dossier code."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path, path.gz or '-' for stdin")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="helper processes that validate and project lines (0: none; default: cores)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with open_lines(options["file"], options.get("stdin")) as lines:
            report = dossiers_import(
                lines, batch_size=options["batch_size"], workers=options["workers"]
            )
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            f"lines {report.lines}, created {report.created}, unchanged {report.unchanged}, "
            f"conflicts {report.conflicts}, errors {len(report.errors)}"
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} bad lines were not imported")
