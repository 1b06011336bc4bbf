"""Mark field reports near or past their deadline, tell the agency heads; close old answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.reports.services import reports_close_expired, reports_escalate


class Command(BaseCommand):
    help = "Escalate field reports near or past their deadline (run every 15 minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO datetime with offset (for tests and replays)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError("--now must be an ISO datetime") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset")
        near, overdue = reports_escalate(now=now)
        closed = reports_close_expired(now=now)
        self.stdout.write(f"{near} sắp đến hạn, {overdue} quá hạn, {closed} đã đóng tự động")
