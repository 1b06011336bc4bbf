from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.accounts.models import ApiToken
from cqs.accounts.services import api_token_revoke
from cqs.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Revoke the API tokens whose prefix (shown by the admin) is PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = list(ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True))
        if not tokens:
            raise CommandError("No active token with that prefix")
        for token in tokens:
            try:
                api_token_revoke(actor=None, token=token)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(f"Revoked {len(tokens)} token(s)")
