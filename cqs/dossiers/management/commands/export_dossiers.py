from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.dossiers.interchange import dossiers_export, dossiers_for_export
from cqs.dossiers.management.lines import open_output
from cqs.units.models import Agency


class Command(BaseCommand):
    help = (
        "Export dossiers as interchange JSON Lines (shared/domain/interchange.md) to FILE "
        "(.gz compresses) or '-' for stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-")
        parser.add_argument("--agency", help="only dossiers this agency held or received")
        parser.add_argument("--since", help="only dossiers received on or after YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency with code {options['agency']}")
        since = None
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError(f"--since must be YYYY-MM-DD, not {options['since']}") from exc
        count = 0
        with open_output(options["file"], self.stdout) as out:
            for line in dossiers_export(dossiers_for_export(agency=agency, since=since)):
                out.write(line + "\n")
                count += 1
        self.stderr.write(f"exported {count} dossiers")
