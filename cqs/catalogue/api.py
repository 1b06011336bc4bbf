"""Public catalogue API: GET /api/v1/procedures and /api/v1/procedures/{code}."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from cqs.catalogue.models import Procedure
from cqs.catalogue.selectors import procedure_get, procedure_search
from cqs.core.api_schemas import ErrorOut

router = Router(tags=["Thủ tục hành chính"])


class TimeLimitOut(Schema):
    value: float
    unit: Literal["working_days", "working_hours", "calendar_days"]
    note: str = ""


class FeeOut(Schema):
    name: str
    amount: int | None = None
    formula: str | None = None
    note: str = ""


class SectorOut(Schema):
    code: str
    name: str


class ProcedureListItem(Schema):
    code: str
    name: str
    sector: SectorOut
    level: Literal["central", "province", "commune"]
    time_limit: TimeLimitOut
    fees: list[FeeOut]
    online_level: Literal["full", "partial", "none"]


class DocumentOut(Schema):
    position: int
    name: str
    originals: int
    copies: int
    form: str | None
    form_url: str | None = Field(
        None, description="đường dẫn tải mẫu đơn, tờ khai (đường dẫn tuyệt đối trên máy chủ)"
    )
    form_type: str | None = Field(None, description="PDF, DOC, DOCX, XLS, XLSX, ODT, ODS")
    form_size: int | None = Field(None, description="dung lượng tệp mẫu (byte)")
    form_sha256: str | None = None
    mandatory: bool
    note: str


class StepOut(Schema):
    position: int
    name: str
    role: str
    agency_kind: str
    share_percent: Decimal


class AgencyRef(Schema):
    code: str
    name: str


class ProcedureDetail(ProcedureListItem):
    implementing_agency: str
    agencies: list[AgencyRef]
    applicant_kinds: list[str]
    submission_channels: list[str]
    requirements: str
    legal_basis: list[str]
    results: list[str]
    supplement_policy: str
    documents: list[DocumentOut]
    steps: list[StepOut]
    form_schema: dict[str, object]


class ProcedurePage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[ProcedureListItem]


class ProcedureFilters(Schema):
    q: str = Field("", max_length=200, description="tìm theo tên hoặc mã, có dấu hoặc không dấu")
    sector: str = Field("", max_length=60)
    level: Literal["", "central", "province", "commune"] = ""
    online_level: Literal["", "full", "partial", "none"] = ""
    agency: str = Field("", max_length=35, description="mã định danh cơ quan giải quyết")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=100)


def _list_item(p: Procedure) -> dict[str, object]:
    return {
        "code": p.code,
        "name": p.name,
        "sector": {"code": p.sector.code, "name": p.sector.name},
        "level": p.level,
        "time_limit": {
            "value": p.time_limit_value,
            "unit": p.time_limit_unit,
            "note": p.time_limit_note,
        },
        "fees": p.fees,
        "online_level": p.online_level,
    }


@router.get("/procedures", response=ProcedurePage, auth=None, summary="Danh sách thủ tục")
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilters]) -> dict[str, object]:
    qs = procedure_search(
        q=filters.q,
        sector=filters.sector,
        level=filters.level,
        online_level=filters.online_level,
        agency=filters.agency,
    )
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    items = [_list_item(p) for p in qs[start : start + filters.page_size]]
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "pages": (count + filters.page_size - 1) // filters.page_size,
        "items": items,
    }


@router.get(
    "/procedures/{code}",
    response={200: ProcedureDetail, 404: ErrorOut},
    auth=None,
    summary="Chi tiết thủ tục",
)
def get_procedure(request: HttpRequest, code: str) -> dict[str, object]:
    p = procedure_get(code)
    return {
        **_list_item(p),
        "implementing_agency": p.implementing_agency,
        "agencies": [{"code": a.code, "name": a.name} for a in p.agencies.all()],
        "applicant_kinds": p.applicant_kinds,
        "submission_channels": p.submission_channels,
        "requirements": p.requirements,
        "legal_basis": p.legal_basis,
        "results": p.results,
        "supplement_policy": p.supplement_policy,
        "documents": [
            {
                "position": d.position,
                "name": d.name,
                "originals": d.originals,
                "copies": d.copies,
                "form": d.form_name or None,
                "form_url": d.form_url or None,
                "form_type": d.form_type_label or None,
                "form_size": d.form_size if d.form_file else None,
                "form_sha256": d.form_sha256 or None,
                "mandatory": d.mandatory,
                "note": d.note,
            }
            for d in p.documents.all()
        ],
        "steps": [
            {
                "position": s.position,
                "name": s.name,
                "role": s.role,
                "agency_kind": s.agency_kind,
                "share_percent": s.share_percent,
            }
            for s in p.steps.all()
        ],
        "form_schema": p.form_schema,
    }
