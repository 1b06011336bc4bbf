"""Changes to the calendar override table."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from cqs.audit.services import audit_record
from cqs.core.errors import NotFound, ValidationError
from cqs.workdays.models import CalendarOverride
from cqs.workdays.selectors import bump_calendar_version


def calendar_override_set(
    *, actor: Any, day: date, is_working_day: bool, reason: str
) -> CalendarOverride:
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            "Cần ghi lý do hoặc văn bản quyết định.", details={"reason": ["Bắt buộc."]}
        )
    if is_working_day and day.weekday() < 5:
        raise ValidationError(
            "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.", details={"day": ["Không phải cuối tuần."]}
        )
    with transaction.atomic():
        override, created = CalendarOverride.objects.update_or_create(
            day=day, defaults={"is_working_day": is_working_day, "reason": reason}
        )
        audit_record(
            actor=actor,
            action="calendar_override.create" if created else "calendar_override.update",
            obj=override,
            changes={"day": day.isoformat(), "is_working_day": is_working_day, "reason": reason},
        )
        transaction.on_commit(bump_calendar_version)
    return override


def calendar_override_delete(*, actor: Any, day: date) -> None:
    with transaction.atomic():
        override = CalendarOverride.objects.filter(day=day).first()
        if override is None:
            raise NotFound("Không có ngày điều chỉnh này.")
        audit_record(
            actor=actor,
            action="calendar_override.delete",
            obj=override,
            changes={"day": day.isoformat()},
        )
        override.delete()
        transaction.on_commit(bump_calendar_version)
