from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.catalogue.services import catalogue_assign_agencies, catalogue_import_file
from cqs.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Import a procedure catalogue from a .json or .xlsx file (idempotent by code)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--assign-agencies",
            action="store_true",
            help="link procedures without agencies to the agencies of their kind",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = catalogue_import_file(
                actor=None, filename=path.name, content=path.read_bytes()
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in report.errors:
            fields = "; ".join(f"{e['field']}: {e['message']}" for e in error["errors"])
            self.stderr.write(f"entry {error['index']} ({error['code']}): {fields}")
        if options["assign_agencies"]:
            catalogue_assign_agencies(actor=None)
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}, errors {len(report.errors)}"
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} entries were not imported")
