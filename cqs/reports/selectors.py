"""Reads of field reports: the staff queue, public lists, nearby suggestions, statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth

from cqs.reports import rules
from cqs.reports.models import (
    AnswerTemplate,
    Category,
    PhotoReview,
    Report,
    ReportEvent,
    ReportPhoto,
)
from cqs.reports.permissions import public_reports, visible_to
from cqs.reports.workflow import ACTIVE_STATES, Status
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("position", "code")


def answer_templates(category: Category) -> QuerySet[AnswerTemplate]:
    return category.templates.all()


def report_communes() -> QuerySet[AdministrativeUnit]:
    """Communes with a people's committee in this installation (those a report can go to)."""
    ids = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, is_active=True).values("unit_id")
    return AdministrativeUnit.objects.filter(pk__in=ids, valid_until__isnull=True).order_by("name")


def transfer_targets() -> QuerySet[Agency]:
    kinds = [AgencyKind.COMMUNE_COMMITTEE, AgencyKind.DEPARTMENT, AgencyKind.PROVINCE_COMMITTEE]
    return Agency.objects.filter(kind__in=kinds, is_active=True).order_by("code")


def report_get(code: str) -> Report | None:
    return (
        Report.objects.select_related("category", "agency", "commune", "assignee", "merged_into")
        .filter(code=code)
        .first()
    )


def report_timeline(report: Report, *, private: bool = False) -> list[ReportEvent]:
    """The report's events in order. The public timeline leaves out internal events and masks
    phone numbers, ID numbers and e-mails in notes (a reporter's reason for reopening, say)."""
    qs = report.events.select_related("agency").order_by("seq")
    if private:
        return list(qs)
    events = list(qs.filter(is_public=True))
    for e in events:  # in memory only: events are append-only and never saved again
        e.note = rules.mask_personal_data(e.note)
    return events


def report_queue(user: Any, *, box: str = "active", q: str = "") -> QuerySet[Report]:
    """The agency queue: reports in the official's scope, the most urgent first."""
    qs = visible_to(user).select_related("category", "agency", "commune", "assignee")
    if box == "active":
        qs = qs.filter(status__in=ACTIVE_STATES)
    elif box == "mine":
        qs = qs.filter(status__in=ACTIVE_STATES, assignee=user)
    elif box == "moderation":
        # Not yet public, or public with photos the reporter added since (waiting for review).
        pending = ReportPhoto.objects.filter(report=OuterRef("pk"), review=PhotoReview.PENDING)
        qs = qs.filter(Q(is_public=False) | Exists(pending), merged_into__isnull=True).exclude(
            status=Status.REJECTED
        )
    elif box == "resolved":
        qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED, Status.REJECTED])
    if q:
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(description__icontains=q.strip()))
    return qs.order_by(F("deadline").asc(nulls_last=True), "id")


@dataclass(frozen=True)
class Nearby:
    report: Report
    distance_m: int


def nearby_similar(
    *, category: Category, lat: Decimal, lon: Decimal, radius_m: int | None = None, limit: int = 5
) -> list[Nearby]:
    """Open reports of the same category within ``radius_m`` (default ~200 m), nearest first."""
    radius = radius_m or settings.CQS_REPORTS_NEARBY_METERS
    la, lo = float(lat), float(lon)
    lat_min, lat_max, lon_min, lon_max = rules.bounding_box(la, lo, radius)
    rows = Report.objects.filter(
        category=category,
        is_open__in=[True],  # an equality SQLite can use with the index (see open311)
        merged_into__isnull=True,
        lat__gte=lat_min,
        lat__lte=lat_max,
        lon__gte=lon_min,
        lon__lte=lon_max,
    ).select_related("category")[:200]
    found = []
    for r in rows:
        d = rules.distance_m(la, lo, float(r.lat or 0), float(r.lon or 0))
        if d <= radius:
            found.append(Nearby(r, round(d)))
    found.sort(key=lambda n: n.distance_m)
    return found[:limit]


@dataclass(frozen=True)
class PublicFilter:
    category: str = ""
    commune: str = ""
    status: str = ""
    since: date | None = None
    until: date | None = None


def public_list(f: PublicFilter) -> QuerySet[Report]:
    qs = public_reports().select_related("category", "commune", "agency")
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.commune:
        qs = qs.filter(commune__code=f.commune)
    if f.status == "open":
        qs = qs.filter(is_open=True)
    elif f.status == "closed":
        qs = qs.filter(is_open=False)
    elif f.status in Status.__members__.values():
        qs = qs.filter(status=f.status)
    if f.since:
        qs = qs.filter(created_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__date__lte=f.until)
    return qs.order_by("-created_at", "-id")


# --- Dashboard feed -------------------------------------------------------------------------


def report_stats(user: Any, *, since: datetime | None = None) -> dict[str, Any]:
    """Indicators over the reports in the viewer's scope."""
    qs = visible_to(user)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    by_category = [
        {"code": r["category__code"], "name": r["category__name"], "count": r["count"]}
        for r in qs.values("category__code", "category__name")
        .annotate(count=Count("id"))
        .order_by("-count", "category__code")
    ]
    by_commune = [
        {"code": r["commune__code"] or "", "name": r["commune__name"] or "", "count": r["count"]}
        for r in qs.values("commune__code", "commune__name")
        .annotate(count=Count("id"))
        .order_by("-count", "commune__code")
    ]
    by_month = [
        {"month": row["month"].strftime("%Y-%m"), "count": row["count"]}
        for row in qs.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("month")
        if row["month"] is not None
    ]
    # Resolution and its timeliness come from the append-only events, so reopened reports
    # keep the record of their first answer.
    resolved = ReportEvent.objects.filter(report__in=qs, type="resolve")
    resolved_total = resolved.values("report").distinct().count()
    first_on_time = resolved.filter(data__on_time=True).values("report").distinct().count()
    reopened = (
        ReportEvent.objects.filter(report__in=qs, type__in=["reopen", "dispute"])
        .values("report")
        .distinct()
        .count()
    )
    rated = qs.filter(rating__isnull=False).aggregate(avg=Avg("rating"), n=Count("id"))
    return {
        "total": qs.count(),
        "by_category": by_category,
        "by_commune": by_commune,
        "by_month": by_month,
        "resolved": resolved_total,
        "resolved_on_time_share": None if not resolved_total else first_on_time / resolved_total,
        "reopen_rate": None if not resolved_total else reopened / resolved_total,
        "satisfaction_avg": None if rated["avg"] is None else round(float(rated["avg"]), 2),
        "ratings": rated["n"],
    }


def time_held_by_agency(report: Report) -> list[tuple[str, int]]:
    """(agency code, office seconds held) from the events that moved the report to another
    agency (transfer, change of category or of place): SLA attribution."""
    return [
        (e.data.get("from_agency", ""), int(e.data.get("seconds_held", 0)))
        for e in report.events.filter(type__in=["transfer", "recategorized", "relocated"]).order_by(
            "seq"
        )
        if e.data.get("from_agency")
    ]
