"""Reads of the DX plan: each target with its current value, progress and status; blockers.

A target bound to a system metric is measured over its scope (``scope_code``, default the
province) from 1 January of the current year to now; any other target takes the value of
its owner's latest report. Status follows ``rules.dx_status``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cqs.dashboard import rules
from cqs.dashboard.metrics import SYSTEM_METRICS, metric_value
from cqs.dashboard.models import DxBlocker, DxReport, DxTarget, Pillar

STATUS_LABELS = {
    "achieved": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ chậm",
    "late": "Chậm tiến độ",
}


def _scope_args(code: str) -> tuple[Any, list[int]]:
    from cqs.dashboard.selectors import home_province_code, resolve_scope, scope_agency_ids

    scope = resolve_scope(code or home_province_code())
    return scope.dossier_q, scope_agency_ids(scope)


def target_rows(*, today: date | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start = datetime.combine(date(today.year, 1, 1), time.min, tzinfo=tz)
    end = datetime.combine(date.fromordinal(today.toordinal() + 1), time.min, tzinfo=tz)
    latest: dict[int, DxReport] = {}
    for r in DxReport.objects.order_by("target_id", "-reported_at", "-id"):
        latest.setdefault(r.target_id, r)
    open_blockers: dict[int, int] = {}
    for tid in DxBlocker.objects.filter(resolved_at=None, target__isnull=False).values_list(
        "target_id", flat=True
    ):
        open_blockers[tid] = open_blockers.get(tid, 0) + 1
    rows: list[dict[str, Any]] = []
    for t in DxTarget.objects.select_related("owner").order_by("pillar", "code"):
        basis = ""
        report = None
        if t.metric:
            q, ids = _scope_args(t.scope_code)
            current, num, den = metric_value(t.metric, q, ids, start, end, now)
            basis = f"{num}/{den} ({SYSTEM_METRICS[t.metric].label.lower()}, {today.year})"
        else:
            report = latest.get(t.pk)
            current = report.value if report else None
        status = rules.dx_status(
            baseline=t.baseline,
            target=t.target_value,
            current=current,
            start=t.start,
            deadline=t.deadline,
            today=today,
        )
        progress = rules.dx_progress(t.baseline, t.target_value, current)
        rows.append(
            {
                "target": t,
                "code": t.code,
                "pillar": t.pillar,
                "pillar_label": Pillar(t.pillar).label,
                "name": t.name,
                "metric": t.metric,
                "unit_label": t.unit_label,
                "baseline": t.baseline,
                "target_value": t.target_value,
                "current": current,
                "progress": round(float(progress) * 100) if progress is not None else None,
                "basis": basis,
                "report": report,
                "deadline": t.deadline,
                "start": t.start,
                "owner": t.owner,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "open_blockers": open_blockers.get(t.pk, 0),
            }
        )
    return rows


def blockers(*, open_only: bool = False) -> QuerySet[DxBlocker]:
    qs = DxBlocker.objects.select_related("must_act", "target", "created_by")
    if open_only:
        qs = qs.filter(resolved_at=None)
    return qs.order_by("resolved_at", "since", "id")


def plan_json(*, today: date | None = None, now: datetime | None = None) -> dict[str, Any]:
    """What ``GET /api/v1/dx-plan`` returns."""

    def num(v: Decimal | None) -> float | None:
        return float(v) if v is not None else None

    targets = [
        {
            "code": r["code"],
            "pillar": r["pillar"],
            "name": r["name"],
            "metric": r["metric"] or None,
            "unit": r["unit_label"],
            "baseline": num(r["baseline"]),
            "target": num(r["target_value"]),
            "current": num(r["current"]),
            "progress": r["progress"],
            "start": r["start"].isoformat(),
            "deadline": r["deadline"].isoformat(),
            "owner": {"code": r["owner"].code, "name": r["owner"].name},
            "status": r["status"],
            "open_blockers": r["open_blockers"],
        }
        for r in target_rows(today=today, now=now)
    ]
    summary = {
        p.value: {
            s: sum(1 for t in targets if t["pillar"] == p.value and t["status"] == s)
            for s in STATUS_LABELS
        }
        for p in Pillar
    }
    return {
        "targets": targets,
        "summary": summary,
        "blockers": [
            {
                "id": b.pk,
                "description": b.description,
                "target": b.target.code if b.target else None,
                "must_act": {"code": b.must_act.code, "name": b.must_act.name},
                "since": b.since.isoformat(),
                "resolved_at": b.resolved_at.isoformat() if b.resolved_at else None,
                "resolution": b.resolution,
            }
            for b in blockers()
        ],
    }
