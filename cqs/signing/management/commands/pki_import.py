"""``manage.py pki_import``: put a real certificate to work — an agency's seal or a leader's
personal certificate — from a PKCS#12 file issued by a CA, or a key that stays on a USB
token/HSM (PKCS#11). The passphrase is read from an environment variable or asked for, never
taken from the command line (it would show in the process list and the shell history)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.accounts.models import User
from cqs.core.errors import ApplicationError
from cqs.signing.certificates import certificate_import_pkcs12, certificate_register_pkcs11
from cqs.signing.models import CertificateKind
from cqs.units.models import Agency


class Command(BaseCommand):
    help = (
        "Nhập chứng thư số thật: dấu cơ quan (seal) hoặc chữ ký cá nhân (personal), từ tệp "
        "PKCS#12 (.p12/.pfx) hoặc khóa trên USB token/HSM (PKCS#11)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[CertificateKind.SEAL, CertificateKind.PERSONAL])
        parser.add_argument("--agency", required=True, help="mã định danh cơ quan")
        parser.add_argument("--user", help="tên đăng nhập của người ký (chữ ký cá nhân)")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--p12", type=Path, help="tệp PKCS#12 do tổ chức chứng thực cấp")
        source.add_argument("--cert", type=Path, help="chứng thư (PEM) của khóa trên token/HSM")
        parser.add_argument(
            "--passphrase-env",
            default="CQS_P12_PASSPHRASE",
            help="biến môi trường chứa mật khẩu tệp PKCS#12 (không có thì hỏi)",
        )
        parser.add_argument("--token", help="nhãn token PKCS#11")
        parser.add_argument("--key", help="nhãn khóa trên token")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã «{options['agency']}».")
        user = None
        if options["kind"] == CertificateKind.PERSONAL:
            if not options["user"]:
                raise CommandError("Chữ ký cá nhân cần --user (tên đăng nhập của người ký).")
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng «{options['user']}».")
        try:
            if options["p12"] is not None:
                data = options["p12"].read_bytes()
                passphrase = os.environ.get(options["passphrase_env"])
                if passphrase is None:
                    passphrase = getpass.getpass("Mật khẩu tệp PKCS#12: ")
                cert = certificate_import_pkcs12(
                    actor=None,
                    kind=options["kind"],
                    agency=agency,
                    user=user,
                    data=data,
                    passphrase=passphrase,
                )
            else:
                if not options["token"] or not options["key"]:
                    raise CommandError("Khóa trên token cần --token và --key.")
                cert = certificate_register_pkcs11(
                    actor=None,
                    kind=options["kind"],
                    agency=agency,
                    user=user,
                    certificate_pem=options["cert"].read_text("ascii", errors="replace"),
                    token_label=options["token"],
                    key_label=options["key"],
                )
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Đã nhập chứng thư {cert.get_kind_display()} của {agency.name}: {cert.subject} "
            f"(SHA-256 {cert.fingerprint}, hiệu lực đến {cert.not_after:%d/%m/%Y})."
        )
