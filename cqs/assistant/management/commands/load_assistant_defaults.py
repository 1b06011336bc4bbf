"""Load the shipped synonym list of the virtual assistant (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cqs.assistant.services import assistant_defaults_load


class Command(BaseCommand):
    help = "Thêm các từ đồng nghĩa, viết tắt mặc định cho trợ lý ảo (không ghi đè chỉnh sửa)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = assistant_defaults_load()
        self.stdout.write(f"Đã thêm {added} từ đồng nghĩa mặc định.")
