"""Error pages (Vietnamese HTML, JSON under /api/) and the health check."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang bạn yêu cầu.",
    500: "Hệ thống gặp lỗi. Vui lòng thử lại sau ít phút.",
}
_CODES = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}


def _error_page(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    text = message or _MESSAGES[status]
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": _CODES[status], "message": text, "details": {}},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request, "error.html", {"status": status, "error": {"message": text}}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors here: the failure may come from them.
    if request.path.startswith("/api/"):
        return _error_page(request, 500)
    return HttpResponse(
        "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Lỗi hệ thống</title>"
        f"<h1>Lỗi hệ thống</h1><p>{_MESSAGES[500]}</p></html>",
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(
        request,
        403,
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang.",
    )


def api_not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return _error_page(request, 404, "Không có địa chỉ API này.")


def healthz(request: HttpRequest) -> HttpResponse:
    payload: dict[str, Any] = {"status": "ok"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    payload["database"] = connection.vendor
    return JsonResponse(payload)
