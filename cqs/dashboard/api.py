"""GET /api/v1/indicators (the Decision 766 index of one unit or agency for one period) and
GET /api/v1/dx-plan (the digital-transformation plan)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from cqs.core.api_schemas import ErrorOut
from cqs.core.errors import PermissionDenied
from cqs.dashboard import plan, selectors
from cqs.dashboard.permissions import can_view_dx_plan

router = Router(tags=["Điều hành"])


class IndicatorQuery(Schema):
    unit: str
    period: str


class IndicatorDossierQuery(IndicatorQuery):
    which: str = "numerator"


def _check(request: HttpRequest, code: str) -> None:
    scope = selectors.resolve_scope(code)
    if not selectors.can_view_scope(request.user, scope):
        raise PermissionDenied("Bạn không có quyền xem chỉ số của đơn vị này.")


@router.get(
    "/indicators",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Chỉ số Quyết định 766 của một đơn vị trong một kỳ",
)
def indicators(request: HttpRequest, q: Query[IndicatorQuery]) -> dict[str, Any]:
    _check(request, q.unit)
    return selectors.indicators(q.unit, q.period)


@router.get(
    "/indicators/{indicator_id}/dossiers",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Hồ sơ thuộc tử số hoặc mẫu số của một chỉ số",
)
def indicator_dossiers(
    request: HttpRequest, indicator_id: str, q: Query[IndicatorDossierQuery]
) -> dict[str, Any]:
    _check(request, q.unit)
    qs = selectors.indicator_dossiers(q.unit, q.period, indicator_id, q.which)
    items = [
        {
            "code": d.code,
            "procedure": d.procedure.name,
            "agency": d.agency.name,
            "status": d.status,
            "received_at": d.received_at.isoformat() if d.received_at else None,
            "outcome": d.outcome,
        }
        for d in qs[:1000]
    ]
    return {"indicator": indicator_id, "which": q.which, "count": qs.count(), "items": items}


@router.get(
    "/dx-plan",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut},
    summary="Kế hoạch chuyển đổi số: chỉ tiêu, tiến độ, trạng thái và vướng mắc",
)
def dx_plan(request: HttpRequest) -> dict[str, Any]:
    if not can_view_dx_plan(request.user):
        raise PermissionDenied("Bạn không có quyền xem kế hoạch chuyển đổi số.")
    return plan.plan_json()
