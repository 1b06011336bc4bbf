"""``manage.py sign_pdf IN.pdf OUT.pdf --as USERNAME [--seal]``: scripted and bulk signing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.core.errors import ApplicationError
from cqs.signing.pki import sha256_hex
from cqs.signing.services import pdf_seal, pdf_sign


class Command(BaseCommand):
    help = "Sign a PDF with an official's certificate, or add the agency seal (--seal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("output", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="official's username")
        parser.add_argument("--seal", action="store_true", help="agency seal (records clerk)")
        parser.add_argument("--reason", default="")
        parser.add_argument("--context", default="", help='e.g. "document:123"')

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản «{options['username']}».")
        try:
            data = options["input"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {options['input']}: {exc}") from exc
        sign = pdf_seal if options["seal"] else pdf_sign
        try:
            signed = sign(
                actor=user, pdf=data, reason=options["reason"], context=options["context"]
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        options["output"].write_bytes(signed)
        self.stdout.write(f"Đã ký: {options['output']} (SHA-256 {sha256_hex(signed)})")
