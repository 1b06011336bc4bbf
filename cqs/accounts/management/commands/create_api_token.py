from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cqs.accounts.models import User
from cqs.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a bearer token for USERNAME and print it once (it is stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label for the token")
        parser.add_argument("--days", type=int, default=None, help="expire after N days")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {options['username']!r}") from exc
        expires = None
        if options["days"] is not None:
            if options["days"] <= 0:
                raise CommandError("--days must be positive")
            expires = timezone.now() + timedelta(days=options["days"])
        _, raw = api_token_create(actor=None, user=user, name=options["name"], expires_at=expires)
        self.stdout.write(raw)
