"""manage.py indicators --unit CODE --period 2026-10 [--format json|text]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.core.errors import ApplicationError
from cqs.dashboard import selectors


class Command(BaseCommand):
    help = "Chỉ số Quyết định 766 của một đơn vị (mã xã/tỉnh hoặc mã cơ quan) trong một kỳ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True)
        parser.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn hoặc YYYY")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = selectors.indicators(options["unit"], options["period"])
        except ApplicationError as e:
            raise CommandError(e.message) from e
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{data['unit']['name']} — {data['period']['label']}")
        for i in data["indicators"]:
            self.stdout.write(
                f"{i['id']:32} {i['numerator']!s:>7} / {i['denominator']!s:<7} "
                f"{i['points']:6.2f}/{i['max_points']}"
            )
        self.stdout.write(f"Tổng: {data['total']:.2f}/{data['max_total']}")
