"""Pages of the operations dashboard (/quan-tri/dieu-hanh/) and public statistics (/thong-ke/)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from cqs.core.errors import PermissionDenied
from cqs.dashboard import rules, selectors
from cqs.dashboard.permissions import can_open_dashboard

View = Callable[..., HttpResponseBase]
OUTCOMES = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Trễ hạn"}

TABLES: dict[str, list[tuple[str, str]]] = {
    "indicators": [
        ("id", "Mã"),
        ("name", "Chỉ số"),
        ("formula", "Công thức"),
        ("numerator", "Tử số"),
        ("denominator", "Mẫu số"),
        ("value", "Tỷ lệ"),
        ("points", "Điểm"),
        ("max_points", "Điểm tối đa"),
        ("note", "Ghi chú"),
    ],
    "groups": [("name", "Nhóm"), ("points", "Điểm"), ("max_points", "Điểm tối đa")],
    "kpis": [("label", "Chỉ tiêu"), ("value", "Giá trị"), ("unit", "Đơn vị"), ("basis", "Cơ sở")],
    "sources": [
        ("label", "Chỉ tiêu"),
        ("value", "Giá trị"),
        ("unit", "Đơn vị"),
        ("basis", "Cơ sở"),
    ],
    "communes": [
        ("rank", "Hạng"),
        ("code", "Mã"),
        ("name", "Tên"),
        ("dossiers", "Hồ sơ"),
        ("total", "Điểm"),
    ],
    "agencies": [
        ("rank", "Hạng"),
        ("code", "Mã"),
        ("name", "Tên"),
        ("dossiers", "Hồ sơ"),
        ("total", "Điểm"),
    ],
    "procedures": [
        ("code", "Mã TTHC"),
        ("name", "Thủ tục"),
        ("dossiers", "Hồ sơ"),
        ("on_time", "Đúng hạn"),
        ("not_on_time", "Không đúng hạn"),
        ("on_time_share", "Tỷ lệ đúng hạn (%)"),
    ],
    "dossiers": [
        ("code", "Mã hồ sơ"),
        ("procedure", "Thủ tục"),
        ("agency", "Cơ quan"),
        ("status", "Trạng thái"),
        ("received_at", "Tiếp nhận"),
        ("outcome", "Kết quả"),
    ],
    "trend": [
        ("month", "Tháng"),
        ("dossiers", "Hồ sơ"),
        ("on_time_share", "Đúng hạn (%)"),
        ("points", "Tổng điểm"),
    ],
}


def dashboard_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_open_dashboard(request.user):
            raise PermissionDenied("Trang điều hành dành cho lãnh đạo và cán bộ theo dõi.")
        return view(request, *args, **kwargs)

    return wrapper


def _params(request: HttpRequest) -> tuple[str, str]:
    code = request.GET.get("unit") or selectors.default_code(request.user)
    period = request.GET.get("period") or f"{timezone.localdate():%Y-%m}"
    scope = selectors.resolve_scope(code)
    if not selectors.can_view_scope(request.user, scope):
        raise PermissionDenied("Bạn không có quyền xem chỉ số của đơn vị này.")
    selectors.period_of(period)
    return code, period


def _export(table: str, rows: list[dict[str, Any]], fmt: str, name: str) -> HttpResponse:
    cols = TABLES[table]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = table[:31]
        ws.append([label for _, label in cols])
        for r in rows:
            ws.append([r.get(k) for k, _ in cols])
        buf = io.BytesIO()
        wb.save(buf)
        resp = HttpResponse(
            buf.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        out = io.StringIO()
        out.write("\ufeff")
        w = csv.writer(out)
        w.writerow([label for _, label in cols])
        for r in rows:
            w.writerow(["" if r.get(k) is None else r.get(k) for k, _ in cols])
        resp = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}-{table}.{fmt}"'
    return resp


def _bars(rows: list[dict[str, Any]], key: str, top: float = 100.0) -> list[dict[str, Any]]:
    """Coordinates of a simple server-side SVG bar chart (viewBox 0 0 600 200)."""
    n = max(len(rows), 1)
    width = 600 / n
    out = []
    for i, r in enumerate(rows):
        v = r.get(key) or 0
        h = 160 * (float(v) / top if top else 0)
        # Strings, not floats: the template would localize 4.5 as "4,5" (invalid SVG).
        out.append(
            {
                "x": f"{i * width + 4:.1f}",
                "w": f"{width - 8:.1f}",
                "y": f"{180 - h:.1f}",
                "h": f"{h:.1f}",
                "ty": f"{176 - h:.1f}",
                "label": r["month"][5:],
                "value": r.get(key),
                "tx": f"{i * width + width / 2:.1f}",
            }
        )
    return out


def _context(code: str, period: str) -> dict[str, Any]:
    data = selectors.indicators(code, period)
    scope_kind = data["unit"]["kind"]
    trend = selectors.trend(code, period)
    ctx: dict[str, Any] = {
        "data": data,
        "code": code,
        "period": period,
        "kpis": selectors.kpis(code, period),
        "procedures": selectors.by_procedure(code, period),
        "trend": trend,
        "bars": _bars(trend, "on_time_share"),
        "communes": selectors.ranking(code, period, by="unit") if scope_kind == "province" else [],
        "agencies": selectors.ranking(code, period, by="agency"),
        "sources": selectors.source_panels(code, period),
    }
    return ctx


@dashboard_required
def index(request: HttpRequest) -> HttpResponse:
    code, period = _params(request)
    ctx = _context(code, period)
    fmt = request.GET.get("export")
    table = request.GET.get("table", "indicators")
    if fmt in {"csv", "xlsx"} and table in TABLES:
        rows = {"indicators": ctx["data"]["indicators"], "groups": ctx["data"]["groups"]}.get(
            table
        ) or ctx[table]
        return _export(table, rows, fmt, f"chi-so-{code}-{period}")
    ctx["tables"] = [t for t in TABLES if t != "dossiers"]
    return render(request, "dashboard/index.html", ctx)


@dashboard_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    code, period = _params(request)
    indicator = request.GET.get("indicator", "")
    which = request.GET.get("which", "numerator")
    procedure = request.GET.get("procedure", "")
    if procedure:
        qs = selectors.dossiers_of_procedure(code, period, procedure)
        title = f"Hồ sơ của thủ tục {procedure}"
    else:
        qs = selectors.indicator_dossiers(code, period, indicator, which)
        ind = rules.BY_ID[indicator]
        title = f"{ind.name} — {'tử số' if which == 'numerator' else 'mẫu số'}: " + (
            ind.numerator if which == "numerator" else ind.denominator
        )
    rows = list(qs[:500])
    for d in rows:
        d.outcome_label = OUTCOMES.get(d.outcome, "")  # type: ignore[attr-defined]
    if request.GET.get("export") in {"csv", "xlsx"}:
        data = [
            {
                "code": d.code,
                "procedure": d.procedure.name,
                "agency": d.agency.name,
                "status": d.status_label,
                "received_at": d.received_at.isoformat() if d.received_at else "",
                "outcome": OUTCOMES.get(d.outcome, ""),
            }
            for d in qs
        ]
        return _export("dossiers", data, request.GET["export"], f"ho-so-{code}-{period}")
    return render(
        request,
        "dashboard/dossiers.html",
        {
            "rows": rows,
            "count": qs.count(),
            "title": title,
            "code": code,
            "period": period,
            "query": request.GET.urlencode(),
        },
    )


@dashboard_required
def wall(request: HttpRequest) -> HttpResponse:
    code, period = _params(request)
    data = selectors.indicators(code, period)
    return render(
        request,
        "dashboard/wall.html",
        {
            "data": data,
            "kpis": selectors.kpis(code, period),
            "code": code,
            "period": period,
            "now": timezone.localtime(),
        },
    )


def public(request: HttpRequest) -> HttpResponse:
    """Công khai: aggregate figures only (no names, no dossier codes)."""
    code = selectors.home_province_code()
    period = request.GET.get("period") or f"{timezone.localdate():%Y-%m}"
    try:
        selectors.period_of(period)
    except Exception:
        period = f"{timezone.localdate():%Y-%m}"
    data = selectors.indicators(code, period) if code else None
    trend = selectors.trend(code, period) if code else []
    communes = selectors.ranking(code, period, by="unit") if code else []
    return render(
        request,
        "dashboard/public.html",
        {
            "data": data,
            "kpis": selectors.kpis(code, period) if code else [],
            "period": period,
            "communes": communes,
            "bars": _bars(trend, "on_time_share"),
        },
    )
