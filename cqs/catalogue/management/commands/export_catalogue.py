import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.catalogue.selectors import procedure_search
from cqs.catalogue.services import catalogue_export
from cqs.catalogue.xlsx import write_catalogue


class Command(BaseCommand):
    help = "Export the catalogue as JSON (default, to stdout or FILE.json) or XLSX (FILE.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-")

    def handle(self, *args: Any, **options: Any) -> None:
        data = json.loads(json.dumps(catalogue_export(procedure_search()), default=str))
        target = options["file"]
        if target == "-":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        path = Path(target)
        if path.suffix == ".json":
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
        elif path.suffix == ".xlsx":
            path.write_bytes(write_catalogue(data))
        else:
            raise CommandError("FILE must end in .json or .xlsx")
        self.stdout.write(f"exported {len(data)} procedures to {path}")
