"""Dossier API: counter intake, lists, details, workflow actions, forms, files, public lookup."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from cqs.catalogue.models import Procedure
from cqs.core.api_schemas import ErrorOut
from cqs.core.errors import ApplicationError, NotFound, ValidationError
from cqs.dossiers.documents import FORM_KINDS, render_form
from cqs.dossiers.models import Dossier, DossierFile
from cqs.dossiers.replay import HEADER, idempotent
from cqs.dossiers.rules import DUE_STATE_LABELS, due_soon_window, due_state, mask_name
from cqs.dossiers.selectors import dossier_for, dossier_public_rows, inbox, keyset_page
from cqs.dossiers.services import (
    Applicant,
    IntakeRequest,
    dossier_act,
    dossier_receive,
    dossiers_receive_batch,
)
from cqs.dossiers.storage import Upload
from cqs.dossiers.workflow import EVENT_LABELS, STATUS_LABELS, Action, Status, allowed_actions
from cqs.units.models import Agency
from cqs.workdays.selectors import work_calendar

router = Router(tags=["Hồ sơ"])
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


class ApplicantIn(Schema):
    kind: Literal["citizen", "business"]
    name: str = Field(max_length=255)
    id_number: str = Field("", max_length=20, description="số định danh cá nhân hoặc mã số thuế")
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=255)


class FileIn(Schema):
    filename: str = Field(max_length=255)
    content_base64: str = Field(description="nội dung tệp (PDF, JPEG, PNG), mã hóa base64")
    requirement: int | None = Field(None, description="số thứ tự thành phần hồ sơ trong thủ tục")
    name: str = Field("", max_length=255)


class IntakeIn(Schema):
    desk: str = Field(description="mã định danh Bộ phận Một cửa tiếp nhận", max_length=35)
    procedure: str = Field(description="mã thủ tục", max_length=40)
    applicant: ApplicantIn
    result_delivery: Literal["counter", "post", "online"] = "counter"
    files: list[FileIn] = Field(default_factory=list, max_length=50)


class ActionIn(Schema):
    expected_version: int | None = Field(None, description="phiên bản hồ sơ đã xem; lệch thì 409")
    reason: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)
    missing: list[str] = Field(default_factory=list, max_length=50)
    to_agency: str = Field("", max_length=35)
    new_due_at: datetime | None = None
    method: Literal["", "counter", "post", "online"] = ""
    assignee: str = Field("", max_length=150)
    files: list[FileIn] = Field(default_factory=list, max_length=50)


class EventOut(Schema):
    seq: int
    type: str
    at: datetime
    actor: str
    agency: str
    step: int | None
    data: dict[str, Any]


class FileOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str


class DossierOut(Schema):
    code: str
    version: int
    procedure: dict[str, str]
    agency: dict[str, str]
    channel: str
    status: str
    status_label: str
    step: int
    applicant: dict[str, str]
    received_at: datetime | None
    due_at: datetime | None
    step_due_at: datetime | None
    due_state: str
    due_state_label: str
    finished_at: datetime | None
    outcome: str
    assignee: str | None
    allowed_actions: list[str]


class DossierDetail(DossierOut):
    events: list[EventOut]
    files: list[FileOut]


class DossierPage(Schema):
    items: list[DossierOut]
    next: str = Field(description="con trỏ trang sau; rỗng khi hết")


class LookupQuery(Schema):
    code: str = Field(min_length=1, max_length=60, description="mã hồ sơ")


class LookupStep(Schema):
    at: datetime
    label: str
    agency: str


class LookupOut(Schema):
    code: str
    procedure: str
    applicant: str = Field(description="họ tên đã che")
    status: str
    status_label: str
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    timeline: list[LookupStep]


def _uploads(files: list[FileIn]) -> list[Upload]:
    out = []
    for i, f in enumerate(files):
        try:
            content = base64.b64decode(f.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(
                f"Tệp «{f.filename}» không phải base64 hợp lệ.", details={f"files.{i}": ["base64"]}
            ) from exc
        out.append(
            Upload(filename=f.filename, content=content, requirement=f.requirement, name=f.name)
        )
    return out


def dossier_out(d: Dossier) -> dict[str, Any]:
    cal = work_calendar()
    state = due_state(
        timezone.now(),
        d.due_at,
        cal,
        paused=d.status == Status.SUPPLEMENT_REQUESTED,
        soon=due_soon_window(cal, d.clock_started_at, d.due_at),
    )
    finished = d.finished_at is not None
    return {
        "code": d.code,
        "version": d.version,
        "procedure": {"code": d.procedure.code, "name": d.procedure.name},
        "agency": {"code": d.agency.code, "name": d.agency.name},
        "channel": d.channel,
        "status": d.status,
        "status_label": d.status_label,
        "step": d.step,
        "applicant": {
            "kind": d.applicant_kind,
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
            "address": d.applicant_address,
        },
        "received_at": d.received_at,
        "due_at": d.due_at,
        "step_due_at": d.step_due_at,
        "due_state": "" if finished else state.value,
        "due_state_label": "" if finished else DUE_STATE_LABELS[state],
        "finished_at": d.finished_at,
        "outcome": d.outcome,
        "assignee": d.assignee.username if d.assignee else None,
        "allowed_actions": [a.value for a in allowed_actions(Status(d.status))],
    }


def dossier_detail(d: Dossier) -> dict[str, Any]:
    prefetched = getattr(d, "_prefetched_objects_cache", {})
    events = (
        d.events.all()  # handed over by the service that just wrote them
        if "events" in prefetched
        else d.events.select_related("agency").order_by("seq")
    )
    return {
        **dossier_out(d),
        "events": [
            {
                "seq": e.seq,
                "type": e.type,
                "at": e.at,
                "actor": e.actor_name,
                "agency": e.agency.name if e.agency else "",
                "step": e.step,
                "data": e.data,
            }
            for e in events
        ],
        "files": [
            {
                "id": f.pk,
                "kind": f.kind,
                "name": f.name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in d.files.all()
        ],
    }


IDEMPOTENCY_DOC: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
            "description": (
                "khóa do bên gửi tạo cho mỗi yêu cầu mới (ví dụ UUID); gửi lại cùng khóa và cùng "
                "nội dung sẽ nhận lại đúng kết quả lần đầu (tiêu đề Idempotent-Replayed: true), "
                "không tạo hồ sơ thứ hai; cùng khóa khác nội dung: 422 idempotency_key_reused"
            ),
        }
    ]
}


@router.post(
    "/dossiers",
    response={201: DossierDetail, **ERRORS},
    summary="Tiếp nhận hồ sơ tại quầy",
    openapi_extra=IDEMPOTENCY_DOC,
)
def create_dossier(request: HttpRequest, payload: IntakeIn) -> HttpResponse:
    def run() -> tuple[int, dict[str, Any]]:
        req = _intake_request(payload, {}, {})
        dossier = dossier_receive(
            actor=request.user,
            desk=req.desk,
            procedure=req.procedure,
            applicant=req.applicant,
            files=req.files,
            result_delivery=req.result_delivery,
        )
        # Built from what the service just wrote; DossierDetail documents it (no re-validation).
        return 201, dossier_detail(dossier)

    return idempotent(request, "dossiers", run)


BATCH_MAX = 100


class BatchIntakeIn(Schema):
    items: list[IntakeIn] = Field(min_length=1, max_length=BATCH_MAX)


class BatchItemOut(Schema):
    index: int = Field(description="vị trí của hồ sơ trong danh sách gửi lên (từ 0)")
    status: int = Field(description="201 khi đã tiếp nhận; mã lỗi 4xx khi bị từ chối")
    dossier: DossierOut | None = None
    error: ErrorOut | None = None


class BatchIntakeOut(Schema):
    created: int
    refused: int
    results: list[BatchItemOut]


def _intake_request(
    item: IntakeIn,
    desks: dict[str, Agency | None],
    procedures: dict[str, Procedure | None],
    *,
    batch: bool = False,
) -> IntakeRequest:
    """An ``IntakeIn`` resolved to the service's request (codes looked up once per batch)."""
    if item.desk not in desks:
        desks[item.desk] = Agency.objects.filter(code=item.desk).first()
    desk = desks[item.desk]
    if desk is None:
        raise ValidationError(f"Không có cơ quan mã «{item.desk}».", details={"desk": [item.desk]})
    if item.procedure not in procedures:
        found = Procedure.objects.filter(code=item.procedure, is_active=True)
        if batch:  # read the documents and steps once for every item of the procedure
            found = found.prefetch_related("documents", "steps")
        procedures[item.procedure] = found.first()
    procedure = procedures[item.procedure]
    if procedure is None:
        raise ValidationError(
            f"Không có thủ tục mã «{item.procedure}».", details={"procedure": [item.procedure]}
        )
    return IntakeRequest(
        desk=desk,
        procedure=procedure,
        applicant=Applicant(**item.applicant.dict()),
        files=_uploads(item.files),
        result_delivery=item.result_delivery,
    )


@router.post(
    "/dossiers/batch",
    response={200: BatchIntakeOut, **ERRORS},
    summary="Tiếp nhận nhiều hồ sơ một lần",
    openapi_extra=IDEMPOTENCY_DOC,
    description=(
        f"Tối đa {BATCH_MAX} hồ sơ (một túi hồ sơ từ bưu chính công ích, một trạm số hóa, một hệ "
        "thống kết nối). Mỗi hồ sơ được kiểm tra như khi tiếp nhận riêng lẻ; hồ sơ hợp lệ được ghi "
        "cùng một giao dịch, hồ sơ bị từ chối không ghi gì và không cản các hồ sơ khác. Kết quả theo "
        "đúng thứ tự gửi lên."
    ),
)
def create_dossiers_batch(request: HttpRequest, payload: BatchIntakeIn) -> HttpResponse:
    return idempotent(request, "dossiers/batch", lambda: _batch(request, payload))


def _batch(request: HttpRequest, payload: BatchIntakeIn) -> tuple[int, dict[str, Any]]:
    desks: dict[str, Agency | None] = {}
    procedures: dict[str, Procedure | None] = {}
    prepared: list[IntakeRequest | ApplicationError] = []
    for item in payload.items:
        try:
            prepared.append(_intake_request(item, desks, procedures, batch=True))
        except ApplicationError as exc:
            prepared.append(exc)
    requests = [r for r in prepared if isinstance(r, IntakeRequest)]
    written = iter(dossiers_receive_batch(actor=request.user, requests=requests))
    results: list[dict[str, Any]] = []
    for index, resolved in enumerate(prepared):
        outcome = resolved if isinstance(resolved, ApplicationError) else next(written)
        if isinstance(outcome, ApplicationError):
            results.append({"index": index, "status": outcome.status, "error": outcome.as_dict()})
        else:
            results.append({"index": index, "status": 201, "dossier": dossier_out(outcome)})
    created = sum(1 for r in results if r["status"] == 201)
    return 200, {"created": created, "refused": len(results) - created, "results": results}


class ListFilters(Schema):
    box: Literal["mine", "unit", "due_soon", "overdue", "supplement", "done", "all"] = "unit"
    q: str = Field("", max_length=200, description="mã hồ sơ, họ tên, số định danh, điện thoại")
    status: Literal[
        "",
        "submitted",
        "processing",
        "supplement_requested",
        "result_ready",
        "returned",
        "rejected",
        "withdrawn",
    ] = ""
    procedure: str = Field("", max_length=40)
    limit: int = Field(20, ge=1, le=100)
    after: str = Field("", max_length=200, description="con trỏ từ trường next của trang trước")


@router.get(
    "/dossiers", response={200: DossierPage, **ERRORS}, summary="Danh sách hồ sơ (hộp việc)"
)
def list_dossiers(request: HttpRequest, filters: Query[ListFilters]) -> HttpResponse:
    qs = inbox(
        request.user,
        box=filters.box,
        q=filters.q,
        status=filters.status,
        procedure=filters.procedure,
    )
    rows, cursor = keyset_page(qs, after=filters.after, limit=filters.limit)
    # The officers' most frequent call: built as DossierPage documents it, not validated again.
    return JsonResponse({"items": [dossier_out(d) for d in rows], "next": cursor})


@router.get(
    "/dossiers/lookup",
    response={200: LookupOut, **ERRORS},
    auth=None,
    summary="Tra cứu công khai theo mã hồ sơ",
)
def lookup(request: HttpRequest, params: Query[LookupQuery]) -> HttpResponse:
    # The public page's hot path: the dict is already what LookupOut describes (the OpenAPI
    # schema); returning the response directly skips validating it again on every request.
    return JsonResponse(public_lookup(params.code))


_PUBLIC_EVENTS = {k: v for k, v in EVENT_LABELS.items() if k != "result_attached"}
_PUBLIC_TYPES = sorted(_PUBLIC_EVENTS)


def public_lookup(code: str) -> dict[str, Any]:
    rows = dossier_public_rows(code, _PUBLIC_TYPES)
    if not rows:
        raise NotFound(f"Không tìm thấy hồ sơ có mã «{code}».")
    d_code, status, received_at, due_at, finished_at, name, procedure = rows[0][:7]
    return {
        "code": d_code,
        "procedure": procedure,
        "applicant": mask_name(name),
        "status": status,
        "status_label": STATUS_LABELS[Status(status)],
        "received_at": received_at,
        "due_at": due_at,
        "finished_at": finished_at,
        "timeline": [
            {"at": at, "label": _PUBLIC_EVENTS[kind], "agency": agency or ""}
            for *_, at, kind, agency in rows
            if kind is not None
        ],
    }


@router.get("/dossiers/{code}", response={200: DossierDetail, **ERRORS}, summary="Chi tiết hồ sơ")
def get_dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    return dossier_detail(dossier_for(request.user, code))


@router.post(
    "/dossiers/{code}/actions/{action}",
    response={200: DossierDetail, **ERRORS},
    summary="Thực hiện một thao tác xử lý",
)
def act(request: HttpRequest, code: str, action: str, payload: ActionIn) -> dict[str, Any]:
    dossier_for(request.user, code)  # 404 when not visible, before telling anything else
    if action not in {a.value for a in Action}:
        raise NotFound(f"Không có thao tác «{action}».")
    params: dict[str, Any] = payload.dict(exclude={"expected_version", "files"})
    params = {k: v for k, v in params.items() if v not in ("", None, [])}
    if payload.files:
        params["files"] = _uploads(payload.files)
    dossier = dossier_act(
        actor=request.user,
        code=code,
        action=action,
        expected_version=payload.expected_version,
        **params,
    )
    return dossier_detail(dossier)


class SignIn(Schema):
    expected_version: int | None = None


@router.post(
    "/dossiers/{code}/files/{file_id}/{step}",
    response={200: FileOut, **ERRORS},
    summary="Ký số kết quả (sign: lãnh đạo) hoặc đóng dấu cơ quan (seal: văn thư)",
)
def sign_result(
    request: HttpRequest, code: str, file_id: int, step: str, payload: SignIn
) -> DossierFile:
    from cqs.dossiers.signatures import dossier_result_seal, dossier_result_sign

    dossier_for(request.user, code)  # 404 when not visible, before telling anything else
    service = {"sign": dossier_result_sign, "seal": dossier_result_seal}.get(step)
    if service is None:
        raise NotFound(f"Không có thao tác «{step}».")
    return service(
        actor=request.user, code=code, file_id=file_id, expected_version=payload.expected_version
    )


@router.get(
    "/dossiers/{code}/forms/{kind}",
    response={200: None, **ERRORS},
    summary="Tải phiếu (receipt, supplement, apology, control-sheet) dạng PDF",
)
def form_pdf(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    if kind not in FORM_KINDS:
        raise NotFound(f"Không có loại phiếu «{kind}».")
    dossier = dossier_for(request.user, code)
    pdf = render_form(dossier, kind)
    if kind == "receipt":
        from cqs.dossiers.signatures import receipt_pdf

        pdf = receipt_pdf(dossier, pdf)  # sealed by the agency (kept after the first time)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-{kind}.pdf"'
    return response


@router.get(
    "/dossiers/{code}/files/{file_id}", response={200: None, **ERRORS}, summary="Tải tệp hồ sơ"
)
def download_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    d = dossier_for(request.user, code)
    f = d.files.filter(pk=file_id).first()
    if f is None:
        raise NotFound("Không có tệp này trong hồ sơ.")
    return FileResponse(
        f.file.open("rb"),
        content_type=f.content_type,
        as_attachment=True,
        filename=f"{f.name}{f.extension}",
    )
