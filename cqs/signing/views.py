"""Public page /xac-thuc-chu-ky/: anyone uploads a PDF and sees every signature checked, or
downloads the verification report as a PDF. Nothing uploaded is stored."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cqs.core.errors import ApplicationError, PayloadTooLarge, ValidationError
from cqs.signing.report_pdf import report_pdf
from cqs.signing.verify import pdf_verify


def _read(request: HttpRequest) -> tuple[bytes, str]:
    upload = request.FILES.get("tep")
    if upload is None:
        raise ValidationError("Vui lòng chọn tệp PDF cần xác thực.")
    limit = settings.CQS_SIGNING_MAX_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise PayloadTooLarge(f"Tệp PDF vượt quá {settings.CQS_SIGNING_MAX_MB} MB.")
    data = upload.read()
    if not data:
        raise ValidationError("Tệp tải lên rỗng.")
    return data, upload.name or ""


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"max_mb": settings.CQS_SIGNING_MAX_MB}
    if request.method != "POST":
        return render(request, "signing/verify.html", ctx)
    try:
        data, name = _read(request)
        report = pdf_verify(data)
    except ApplicationError as exc:
        ctx["error"] = exc.message
        return render(request, "signing/verify.html", ctx, status=exc.status)
    if "bao_cao" in request.POST:
        response = HttpResponse(report_pdf(report, file_name=name), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="ket-qua-xac-thuc-chu-ky.pdf"'
        return response
    ctx.update({"report": report, "file_name": name})
    return render(request, "signing/verify.html", ctx)
