"""manage.py purge_files: delete stored dossier files no dossier or draft refers to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cqs.dossiers.replay import REPLAY_HOURS, replays_purge_expired
from cqs.dossiers.storage import files_purge_unreferenced


class Command(BaseCommand):
    help = (
        "Xóa các tệp hồ sơ không còn hồ sơ hay hồ sơ nháp nào dùng (giấy tờ của hồ sơ nháp đã "
        "xóa...). Tệp mới hơn --older-than-hours được giữ lại. Cũng xóa các kết quả lưu cho "
        "khóa chống gửi lặp (Idempotency-Key) đã hết hạn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true", help="chỉ đếm, không xóa")

    def handle(self, *args: Any, **options: Any) -> None:
        report = files_purge_unreferenced(
            actor=None,
            older_than=timedelta(hours=options["older_than_hours"]),
            dry_run=options["dry_run"],
        )
        verb = "sẽ xóa" if options["dry_run"] else "đã xóa"
        self.stdout.write(
            f"{report.checked} tệp đã kiểm tra; {verb} {report.deleted} tệp "
            f"({report.freed_bytes:,} byte); giữ {report.kept_recent} tệp mới chưa có hồ sơ."
        )
        if not options["dry_run"]:
            forgotten = replays_purge_expired()
            self.stdout.write(
                f"Đã xóa {forgotten} kết quả lưu cho khóa chống gửi lặp quá {REPLAY_HOURS} giờ."
            )
