"""Pages of the DX plan (/quan-tri/dieu-hanh/ke-hoach/) and the overdue heat map."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cqs.accounts.permissions import agency_scope
from cqs.core.errors import ApplicationError, PermissionDenied
from cqs.dashboard import plan, selectors, services
from cqs.dashboard.metrics import SYSTEM_METRICS
from cqs.dashboard.models import Pillar
from cqs.dashboard.permissions import PLANNER_ROLES, can_view_dx_plan
from cqs.dashboard.views import _params, dashboard_required
from cqs.dossiers.storage import Upload
from cqs.units.models import Agency


def _plan_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    rows = plan.target_rows()
    mine = agency_scope(user)
    planner_scope = agency_scope(user, PLANNER_ROLES)
    for r in rows:
        r["can_report"] = not r["metric"] and (
            r["owner"].pk in mine or r["owner"].pk in planner_scope
        )
    pillars = [
        {"id": p.value, "label": p.label, "rows": [r for r in rows if r["pillar"] == p.value]}
        for p in Pillar
    ]
    return {
        "pillars": pillars,
        "count": len(rows),
        "status_counts": [
            (s, label, sum(1 for r in rows if r["status"] == s))
            for s, label in plan.STATUS_LABELS.items()
        ],
        "blockers": list(plan.blockers()),
        "can_plan": bool(planner_scope),
        "owners": Agency.objects.filter(pk__in=planner_scope).order_by("code")
        if planner_scope
        else [],
        "reporting_agencies": Agency.objects.filter(pk__in=mine | planner_scope).order_by("code"),
        "all_agencies": Agency.objects.filter(is_active=True).order_by("code"),
        "metrics": [(k, m.label) for k, m in SYSTEM_METRICS.items()],
        "pillar_choices": Pillar.choices,
        "my_agencies": mine | planner_scope,
    }


def _render(
    request: HttpRequest, error: ApplicationError | None = None, form: str = ""
) -> HttpResponse:
    ctx = _plan_context(request)
    if error is not None:
        ctx.update(
            {"error": error.message, "details": error.details, "form": form, "posted": request.POST}
        )
    return render(request, "dashboard/plan.html", ctx, status=error.status if error else 200)


def _plan_required(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_view_dx_plan(request.user):
        raise PermissionDenied(
            _("Kế hoạch chuyển đổi số dành cho lãnh đạo, cán bộ theo dõi và cơ quan chủ trì.")
        )
    return None


@require_http_methods(["GET"])
def plan_index(request: HttpRequest) -> HttpResponse:
    return _plan_required(request) or _render(request)


@require_POST
def target_save(request: HttpRequest) -> HttpResponse:
    if (r := _plan_required(request)) is not None:
        return r
    p = request.POST
    try:
        services.dx_target_save(
            actor=request.user,
            data=services.TargetInput(
                code=p.get("code", ""),
                pillar=p.get("pillar", ""),
                name=p.get("name", ""),
                metric=p.get("metric", ""),
                scope_code=p.get("scope_code", ""),
                unit_label=p.get("unit_label", "%"),
                baseline=p.get("baseline", "0") or "0",
                target_value=p.get("target_value", ""),
                start=p.get("start", ""),
                deadline=p.get("deadline", ""),
                owner_code=p.get("owner", ""),
            ),
        )
    except ApplicationError as e:
        return _render(request, e, "target")
    return redirect("dashboard:plan")


@require_POST
def target_report(request: HttpRequest, code: str) -> HttpResponse:
    if (r := _plan_required(request)) is not None:
        return r
    f = request.FILES.get("evidence_file")
    upload = Upload(filename=f.name or "minh-chung", content=f.read()) if f else None
    try:
        services.dx_report(
            actor=request.user,
            target_code=code,
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
            evidence_link=request.POST.get("evidence_link", ""),
            evidence=upload,
        )
    except ApplicationError as e:
        return _render(request, e, f"report-{code}")
    return redirect("dashboard:plan")


@require_POST
def blocker_add(request: HttpRequest) -> HttpResponse:
    if (r := _plan_required(request)) is not None:
        return r
    try:
        services.dx_blocker_add(
            actor=request.user,
            description=request.POST.get("description", ""),
            must_act_code=request.POST.get("must_act", ""),
            target_code=request.POST.get("target", ""),
            since=request.POST.get("since") or None,
        )
    except ApplicationError as e:
        return _render(request, e, "blocker")
    return redirect("dashboard:plan")


@require_POST
def blocker_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    if (r := _plan_required(request)) is not None:
        return r
    try:
        services.dx_blocker_resolve(
            actor=request.user, blocker_id=pk, resolution=request.POST.get("resolution", "")
        )
    except ApplicationError as e:
        return _render(request, e, f"resolve-{pk}")
    return redirect("dashboard:plan")


@dashboard_required
def heat_map(request: HttpRequest) -> HttpResponse:
    code, period = _params(request)
    data = selectors.heat_map(code, period)
    scope = selectors.resolve_scope(code)
    return render(
        request,
        "dashboard/heat.html",
        {"heat": data, "code": code, "period": period, "scope": scope},
    )
