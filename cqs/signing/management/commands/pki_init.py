"""``manage.py pki_init``: the demo PKI (root CA, agency seals, leaders' certificates, CRL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cqs.signing.certificates import pki_init
from cqs.signing.keys import DEMO_PASSPHRASE


class Command(BaseCommand):
    help = "Create the demo PKI: root CA, a seal per agency, a certificate per leader, a CRL."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("pki_init is refused when CQS_ENV=production (demo certificates).")
        report = pki_init(actor=None)
        self.stdout.write(
            f"PKI trình diễn (KHÔNG DÙNG THẬT) tại {settings.CQS_PKI_DIR}: "
            f"CA gốc {'mới tạo' if report.root_created else 'đã có'}, "
            f"+{report.seals} chứng thư cơ quan, +{report.personal} chứng thư cá nhân."
        )
        if settings.CQS_PKI_PASSPHRASE == DEMO_PASSPHRASE:
            self.stdout.write(
                "  Khóa bí mật được mã hóa bằng mật khẩu trình diễn; đặt CQS_PKI_PASSPHRASE "
                "trước khi dùng thật."
            )
