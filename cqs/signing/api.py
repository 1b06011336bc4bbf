"""HTTP API of the signing app under /api/v1/: verify (public), sign, dashboard figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from cqs.accounts.permissions import DASHBOARD_ROLES, agency_scope
from cqs.core.api_schemas import ErrorOut
from cqs.core.errors import PayloadTooLarge, PermissionDenied, ValidationError
from cqs.signing.report_pdf import report_pdf
from cqs.signing.selectors import signed_share
from cqs.signing.services import pdf_seal, pdf_sign
from cqs.signing.verify import pdf_verify

router = Router(tags=["Chữ ký số"])


class SignatureOut(Schema):
    field_name: str
    signer: str
    signer_subject: str
    issuer: str
    serial: str
    fingerprint: str
    kind: str
    is_demo: bool
    reason: str
    signing_time: str | None
    valid: bool
    integrity: str
    integrity_label: str
    document_intact: bool
    cryptographically_valid: bool
    chain_trusted: bool
    chain_message: str
    revocation: str
    revocation_label: str
    timestamp: str | None
    timestamp_valid: bool | None


class VerificationOut(Schema):
    sha256: str
    size: int
    signature_count: int
    all_valid: bool
    signatures: list[SignatureOut]


class ShareOut(Schema):
    agency_id: int
    agency_name: str
    level: str
    kind: str
    signed: int
    total: int | None
    share: float | None


def read_upload(upload: UploadedFile | None) -> bytes:
    """The uploaded PDF's bytes, bounded by ``CQS_SIGNING_MAX_MB``."""
    if upload is None:
        raise ValidationError("Vui lòng chọn tệp PDF.", details={"file": "required"})
    limit = settings.CQS_SIGNING_MAX_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise PayloadTooLarge(f"Tệp PDF vượt quá {settings.CQS_SIGNING_MAX_MB} MB.")
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"Tệp PDF vượt quá {settings.CQS_SIGNING_MAX_MB} MB.")
    if not data:
        raise ValidationError("Tệp tải lên rỗng.", details={"file": "empty"})
    return data


@router.post(
    "/signatures/verify",
    auth=None,
    response={200: VerificationOut, 413: ErrorOut, 422: ErrorOut},
    summary="Xác thực chữ ký số trong tệp PDF (công khai)",
)
def verify(request: HttpRequest, file: File[UploadedFile] = None) -> dict[str, Any]:  # type: ignore[assignment]
    return pdf_verify(read_upload(file)).as_dict()


@router.post(
    "/signatures/verify/report",
    auth=None,
    response={200: None, 413: ErrorOut, 422: ErrorOut},
    summary="Tải báo cáo xác thực chữ ký số (PDF)",
)
def verify_report(request: HttpRequest, file: File[UploadedFile] = None) -> HttpResponse:  # type: ignore[assignment]
    data = read_upload(file)
    body = report_pdf(pdf_verify(data), file_name=(file.name if file else "") or "")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="ket-qua-xac-thuc-chu-ky.pdf"'
    return response


@router.post(
    "/signatures/sign",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Ký số tệp PDF bằng chứng thư của người gọi, hoặc đóng dấu cơ quan (văn thư)",
)
def sign(
    request: HttpRequest,
    file: File[UploadedFile] = None,  # type: ignore[assignment]
    seal: Form[bool] = False,
    reason: Form[str] = "",
    context: Form[str] = "",
) -> HttpResponse:
    data = read_upload(file)
    if seal:
        signed = pdf_seal(actor=request.user, pdf=data, reason=reason, context=context[:100])
    else:
        signed = pdf_sign(actor=request.user, pdf=data, reason=reason, context=context[:100])
    response = HttpResponse(signed, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="da-ky-so.pdf"'
    return response


@router.get(
    "/signatures/stats",
    response={200: list[ShareOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Tỷ lệ kết quả, văn bản được ký số theo cơ quan và cấp",
)
def stats(
    request: HttpRequest, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    scope = agency_scope(request.user, DASHBOARD_ROLES)
    if not scope:
        raise PermissionDenied("Bạn không có quyền xem số liệu ký số.")
    today = timezone.localdate()
    end = end or today
    start = start or end.replace(day=1)
    if start > end:
        raise ValidationError(
            "Ngày bắt đầu phải trước ngày kết thúc.", details={"start": "after end"}
        )
    tz = timezone.get_current_timezone()
    rows = signed_share(
        scope,
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )
    return [
        {
            "agency_id": r.agency_id,
            "agency_name": r.agency_name,
            "level": r.level,
            "kind": r.prefix,
            "signed": r.signed,
            "total": r.total,
            "share": r.share,
        }
        for r in rows
    ]
