"""manage.py rebuild_rollups [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--agency CODE ...]
[--from-projection]

By default each dossier's state is folded from its event log (rollups.event_states);
``--from-projection`` reads the Dossier columns instead (faster, same result while the
projection is in step with the events)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cqs.dashboard import rollups
from cqs.units.models import Agency


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{name}: ngày không hợp lệ «{text}» (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Tính lại bảng tổng hợp chỉ số (theo ngày, theo tháng, hồ sơ đang giải quyết) từ nhật ký "
        "sự kiện hồ sơ (hoặc từ bảng hồ sơ với --from-projection); "
        "khoảng ngày được mở rộng thành tháng trọn vẹn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="ngày tiếp nhận đầu (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="ngày tiếp nhận cuối (YYYY-MM-DD)")
        parser.add_argument(
            "--agency", action="append", default=[], help="mã cơ quan (cả cơ quan cấp dưới)"
        )
        parser.add_argument(
            "--from-projection",
            action="store_true",
            help="đọc trạng thái từ bảng hồ sơ thay vì nhật ký sự kiện (nhanh hơn)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        if start and end and end < start:
            raise CommandError("--to phải từ --from trở đi.")
        codes: list[str] = options["agency"]
        known = set(Agency.objects.filter(code__in=codes).values_list("code", flat=True))
        if missing := [c for c in codes if c not in known]:
            raise CommandError(f"Không có cơ quan mã: {', '.join(missing)}.")
        t0 = time.perf_counter()
        report = rollups.rebuild(
            start=start, end=end, agency_codes=codes, from_projection=options["from_projection"]
        )
        self.stdout.write(
            f"{report.dossiers} hồ sơ → {report.daily_rows} dòng theo ngày, "
            f"{report.monthly_rows} dòng theo tháng, {report.open_dossiers} hồ sơ đang giải quyết "
            f"({time.perf_counter() - t0:.1f} s)"
        )
