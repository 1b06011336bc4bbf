"""Send the edXML packages waiting in the outbox (run on a timer, or with --loop)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cqs.documents.exchange import outbox_deliver


class Command(BaseCommand):
    help = "Gửi các gói edXML đang chờ trong hàng đợi liên thông (thử lại có giãn cách)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep sending every --every s")
        parser.add_argument("--every", type=float, default=10.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            counts = outbox_deliver()
            self.stdout.write(
                f"delivered={counts.delivered} retried={counts.retried} refused={counts.refused}"
            )
            if not options["loop"]:
                return
            time.sleep(options["every"])
