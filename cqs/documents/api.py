"""HTTP API of the documents app under /api/v1/: lists, detail, search, tasks, statistics.

The edXML exchange endpoint is a plain Django view at /lien-thong/edxml/ (HMAC-authenticated
machine-to-machine, not session or token based); see ``cqs.documents.views.edxml_receive``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from cqs.core.errors import NotFound
from cqs.documents import rules, selectors
from cqs.documents.permissions import visible_documents

router = Router(tags=["Văn bản và điều hành"])


class OfficialDocumentOut(Schema):
    id: int
    direction: str
    status: str
    status_label: str
    agency_code: str
    type: str
    number_notation: str
    arrival_number: int | None
    summary: str
    issuer_name: str
    issued_on: date | None
    deadline: date | None
    due_state: str
    fully_signed: bool


class RecipientOut(Schema):
    agency_code: str
    agency_name: str
    status_code: str
    status_label: str


class OfficialDocumentDetailOut(OfficialDocumentOut):
    recipients: list[RecipientOut]
    history: list[dict[str, Any]]


class TaskStatsOut(Schema):
    agency_code: str
    agency_name: str
    done_on_time: int
    done_late: int
    open_on_track: int
    open_overdue: int


def _out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "direction": d.direction,
        "status": d.status,
        "status_label": d.get_status_display(),
        "agency_code": d.agency.code,
        "type": d.doc_type.abbreviation,
        "number_notation": d.notation if d.is_incoming else d.display_number,
        "arrival_number": d.arrival_number,
        "summary": d.summary,
        "issuer_name": d.issuer_name,
        "issued_on": d.issued_on,
        "deadline": d.deadline,
        "due_state": str(selectors.due_state(d.deadline)),
        "fully_signed": d.fully_signed,
    }


@router.get(
    "/documents", response=list[OfficialDocumentOut], summary="Văn bản (có tìm kiếm toàn văn)"
)
def list_documents(request: HttpRequest, q: str = "", direction: str = "", due: str = "") -> Any:
    docs = selectors.document_list(
        request.user, direction=direction or None, query=q[:200], due=due
    )
    return [_out(d) for d in docs]


@router.get("/documents/{doc_id}", response=OfficialDocumentDetailOut, summary="Chi tiết văn bản")
def get_document(request: HttpRequest, doc_id: int) -> Any:
    doc = (
        visible_documents(request.user)
        .filter(pk=doc_id)
        .select_related("agency", "doc_type")
        .first()
    )
    if doc is None:
        raise NotFound("Không tìm thấy văn bản hoặc bạn không có quyền xem.")
    labels = {str(k): v for k, v in rules.STATUS_LABELS.items()}
    return {
        **_out(doc),
        "recipients": [
            {
                "agency_code": r.agency_code,
                "agency_name": r.agency_name,
                "status_code": r.status_code,
                "status_label": labels.get(r.status_code, ""),
            }
            for r in doc.recipients.all()
        ],
        "history": [
            {
                "at": e.at.isoformat(),
                "action": e.action,
                "status": e.status_to,
                "note": e.note,
                "data": e.data,
            }
            for e in doc.events.order_by("id")
        ],
    }


@router.get("/tasks/stats", response=list[TaskStatsOut], summary="Thống kê nhiệm vụ theo đơn vị")
def task_stats(request: HttpRequest) -> Any:
    return [
        {
            "agency_code": s.agency.code,
            "agency_name": s.agency.name,
            "done_on_time": s.done_on_time,
            "done_late": s.done_late,
            "open_on_track": s.open_on_track,
            "open_overdue": s.open_overdue,
        }
        for s in selectors.task_stats(request.user)
    ]
