from __future__ import annotations

from typing import ClassVar

from django.db import models


class CalendarOverride(models.Model):
    """Ngày nghỉ bù / ngày làm bù: a day the government declares off, or a make-up working day.

    The `holidays` package knows the statutory holidays (Labour Code 2019, Article 112) and
    most announced swaps; this table lets the province add what the package lacks.
    """

    day = models.DateField("ngày", unique=True)
    is_working_day = models.BooleanField(
        "là ngày làm việc", help_text="Bật: ngày làm bù. Tắt: ngày nghỉ."
    )
    reason = models.CharField("lý do / văn bản", max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ngày nghỉ bù / làm bù"
        verbose_name_plural = "ngày nghỉ bù / làm bù"
        ordering: ClassVar = ["-day"]

    def __str__(self) -> str:
        kind = "làm bù" if self.is_working_day else "nghỉ"
        return f"{self.day:%d/%m/%Y} ({kind})"
