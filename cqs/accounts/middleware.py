"""Bearer-token authentication for machine clients of the API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from cqs.accounts.services import api_token_authenticate


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return _unauthorized("Tiêu đề Authorization phải có dạng «Bearer <khóa>».")
            user = api_token_authenticate(raw.strip())
            if user is None:
                return _unauthorized("Khóa truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
            request.user = user
            # A bearer request carries no cookie, so cross-site request forgery cannot apply.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


def _unauthorized(message: str) -> JsonResponse:
    response = JsonResponse(
        {"code": "invalid_token", "message": message, "details": {}}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="cqs"'
    return response
