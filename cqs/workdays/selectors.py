"""The province's working calendar, built from the holidays package and the override table."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from cqs.core.calendar import DayOverride, WorkCalendar, WorkingHours
from cqs.workdays.models import CalendarOverride

_VERSION_KEY = "cqs:workdays:version"
_memo: dict[str, object] = {}


def bump_calendar_version() -> None:
    """Called after an override changes, so every process rebuilds its calendar."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, timeout=None)
    _memo.clear()


def calendar_overrides() -> QuerySet[CalendarOverride]:
    return CalendarOverride.objects.order_by("-day")


def work_calendar() -> WorkCalendar:
    version = cache.get(_VERSION_KEY, 0)
    cached = _memo.get("calendar")
    if _memo.get("version") == version and isinstance(cached, WorkCalendar):
        return cached
    overrides = [
        DayOverride(day=o.day, is_working_day=o.is_working_day, reason=o.reason)
        for o in CalendarOverride.objects.all()
    ]
    calendar = WorkCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        hours=WorkingHours.parse(settings.CQS_WORKING_HOURS),
        overrides=overrides,
    )
    _memo["version"] = version
    _memo["calendar"] = calendar
    return calendar
