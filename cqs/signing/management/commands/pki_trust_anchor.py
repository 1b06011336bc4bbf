"""``manage.py pki_trust_anchor NAME FILE``: trust a root CA (PEM or DER), e.g. Vietnam's
national root CA or the government CA, for verifying signatures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.core.errors import ApplicationError
from cqs.signing.certificates import trust_anchor_add


class Command(BaseCommand):
    help = "Add a trust anchor (root CA certificate, PEM or DER)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = options["file"].read_bytes()
            anchor = trust_anchor_add(actor=None, name=options["name"], pem=data)
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã tin cậy: {anchor.name} (SHA-256 {anchor.fingerprint})")
