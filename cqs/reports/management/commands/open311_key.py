"""Issue or revoke an Open311 api_key: `open311_key create NAME` prints the key once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.core.errors import ApplicationError
from cqs.reports.models import Open311Key
from cqs.reports.services import open311_key_create, open311_key_revoke


class Command(BaseCommand):
    help = "Manage Open311 api_keys: create NAME | revoke PREFIX_OR_ID | list"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("name", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        action, name = options["action"], options["name"]
        if action == "list":
            for row in Open311Key.objects.order_by("id"):
                state = "revoked" if row.revoked_at else "active"
                self.stdout.write(f"{row.pk}\t{row.prefix}…\t{state}\t{row.name}")
            return
        if not name:
            raise CommandError(f"{action} needs a NAME (create) or a key id/prefix (revoke)")
        try:
            if action == "create":
                _, raw = open311_key_create(actor=None, name=name)
                self.stdout.write(raw)
                return
            key: Open311Key | None = Open311Key.objects.filter(prefix=name).first()
            if key is None and name.isdigit():
                key = Open311Key.objects.filter(pk=int(name)).first()
            if key is None:
                raise CommandError(f"no Open311 key {name!r}")
            open311_key_revoke(actor=None, key=key)
            self.stdout.write(f"revoked {key}")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
