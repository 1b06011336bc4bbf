from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.dossiers.interchange import default_workers, dossiers_import
from cqs.dossiers.management.lines import open_output, with_progress
from cqs.dossiers.synthetic import synthetic_lines


class Command(BaseCommand):
    help = (
        "Generate realistic synthetic dossiers for the agencies and procedures in the database "
        "and import them (or write the lines with --output). Deterministic for a given --seed "
        "and --end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--end", help="received before this day, YYYY-MM-DD (default today)")
        parser.add_argument("--output", help="write the lines to FILE ('-' stdout) instead")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="helper processes that validate and project lines (0: none; default: cores)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 0 or options["months"] < 1:
            raise CommandError("--count must be >= 0 and --months >= 1")
        end = None
        if options["end"]:
            try:
                end = date.fromisoformat(options["end"])
            except ValueError as exc:
                raise CommandError(f"--end must be YYYY-MM-DD, not {options['end']}") from exc
        lines = synthetic_lines(
            count=options["count"], months=options["months"], seed=options["seed"], end=end
        )
        if not options["no_progress"]:
            lines = with_progress(lines, total=options["count"], write=self._progress)
        if options["output"]:
            with open_output(options["output"], self.stdout) as out:
                for line in lines:
                    out.write(line + "\n")
            return
        report = dossiers_import(
            lines, batch_size=options["batch_size"], workers=options["workers"]
        )
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            f"generated {report.lines}, created {report.created}, "
            f"unchanged {report.unchanged}, conflicts {report.conflicts}, "
            f"errors {len(report.errors)}"
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} generated lines were not imported")

    def _progress(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()
