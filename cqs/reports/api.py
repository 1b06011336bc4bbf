"""Dashboard feed of field reports: GET /api/v1/reports/stats (thin over the selector)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from cqs.core.api_schemas import ErrorOut
from cqs.core.errors import PermissionDenied
from cqs.reports.permissions import can_view_report_stats
from cqs.reports.selectors import report_stats

router = Router(tags=["Phản ánh hiện trường"])


class CountOut(Schema):
    code: str
    name: str
    count: int


class MonthOut(Schema):
    month: str
    count: int


class StatsOut(Schema):
    total: int
    by_category: list[CountOut]
    by_commune: list[CountOut]
    by_month: list[MonthOut]
    resolved: int
    resolved_on_time_share: float | None
    reopen_rate: float | None
    satisfaction_avg: float | None
    ratings: int


@router.get(
    "/reports/stats",
    response={200: StatsOut, 401: ErrorOut, 403: ErrorOut},
    summary="Số liệu phản ánh hiện trường trong phạm vi người xem",
)
def stats(request: HttpRequest, since: date | None = None) -> dict[str, Any]:
    if not can_view_report_stats(request.user):
        raise PermissionDenied("Bạn không có quyền xem số liệu phản ánh.")
    start = timezone.make_aware(datetime.combine(since, time.min)) if since is not None else None
    return report_stats(request.user, since=start)
