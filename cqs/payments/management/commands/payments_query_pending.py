"""Ask VNPAY about online payments still pending after a while (their IPN never came) and
settle them the way the IPN would have. For cron, e.g. every 15 minutes:

    manage.py payments_query_pending --older-than 15m
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cqs.core.errors import ApplicationError
from cqs.payments.selectors import pending_gateway_payments
from cqs.payments.services import payment_query

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_age(text: str) -> timedelta:
    """ "15m", "2h", "1d", "90s" (a bare number is minutes)."""
    found = re.fullmatch(r"\s*(\d{1,6})\s*([smhd]?)\s*", text)
    if found is None:
        msg = f"--older-than: «{text}» không hợp lệ (ví dụ 15m, 2h, 1d)."
        raise CommandError(msg)
    return timedelta(**{_UNITS[found.group(2) or "m"]: int(found.group(1))})


class Command(BaseCommand):
    help = "Kiểm tra với VNPAY (querydr) các giao dịch trực tuyến còn chờ và ghi nhận kết quả."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", default="15m", help="chỉ giao dịch tạo trước (15m)")
        parser.add_argument("--limit", type=int, default=500, help="tối đa bao nhiêu giao dịch")

    def handle(self, *args: Any, **options: Any) -> None:
        age = parse_age(str(options["older_than"]))
        payments = list(
            pending_gateway_payments(older_than=timezone.now() - age)[: max(options["limit"], 0)]
        )
        changed = unchanged = failed = 0
        for payment in payments:
            try:
                outcome = payment_query(actor=None, payment=payment)
            except ApplicationError as exc:
                failed += 1
                self.stderr.write(f"{payment.txn_ref}: {exc.message}")
                continue
            changed += outcome.changed
            unchanged += not outcome.changed
            self.stdout.write(f"{payment.txn_ref}: {outcome.message}")
        self.stdout.write(
            f"Đã kiểm tra {len(payments)} giao dịch: {changed} đã ghi nhận kết quả, "
            f"{unchanged} chưa thay đổi, {failed} lỗi."
        )
        if failed:
            msg = f"{failed} giao dịch không kiểm tra được với cổng thanh toán."
            raise CommandError(msg)
