import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cqs.notifications.services import notifications_deliver


class Command(BaseCommand):
    help = "Send due notifications from the outbox (retrying failed ones with back-off)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running, every 30 s")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            sent, failed = notifications_deliver()
            self.stdout.write(f"sent {sent}, failed {failed}")
            if not options["loop"]:
                return
            time.sleep(30)
