"""The HTTP API under /api/v1/ (django-ninja). Each domain app contributes its router."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from cqs.accounts.rules import ROLE_LABELS, Role
from cqs.assistant.api import router as assistant_router
from cqs.catalogue.api import router as catalogue_router
from cqs.core.api_schemas import ErrorOut
from cqs.core.errors import ApplicationError
from cqs.dashboard.api import router as dashboard_router
from cqs.documents.api import router as documents_router
from cqs.dossiers.api import router as dossiers_router
from cqs.payments.api import router as payments_router
from cqs.reports.api import router as reports_router
from cqs.signing.api import router as signing_router

logger = logging.getLogger(__name__)


class SessionOrToken(SessionAuth):
    """A browser session (with CSRF) or a bearer token (checked by ApiTokenMiddleware)."""

    def __call__(self, request: HttpRequest) -> Any:
        if getattr(request, "_dont_enforce_csrf_checks", False) and request.user.is_authenticated:
            return request.user
        return super().__call__(request)


api = NinjaAPI(
    title="CQS API",
    version="1",
    description="API của nền tảng Chính quyền số. Lỗi trả về dạng {code, message, details}.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=SessionOrToken(),
)


def _error(code: str, message: str, status: int, details: Any = None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "details": details if details is not None else {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(exc.code, exc.message, exc.status, exc.details)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ())),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return _error("validation_error", "Dữ liệu gửi lên không hợp lệ.", 422, details)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error("authentication_required", "Vui lòng đăng nhập hoặc gửi khóa truy cập.", 401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error("http_error", str(exc.message), exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error("not_found", "Không tìm thấy dữ liệu yêu cầu.", 404)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error")
    return _error("server_error", "Lỗi hệ thống. Vui lòng thử lại sau.", 500)


class RoleOut(Schema):
    role: str
    label: str
    agency_code: str
    agency_name: str


class MeOut(Schema):
    username: str
    full_name: str
    kind: str
    roles: list[RoleOut]


me_router = Router(tags=["Tài khoản"])


@me_router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="Người dùng hiện tại")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    roles = [
        {
            "role": a.role,
            "label": ROLE_LABELS[Role(a.role)],
            "agency_code": a.agency.code,
            "agency_name": a.agency.name,
        }
        for a in user.role_assignments.select_related("agency").order_by("agency__code", "role")
    ]
    return {
        "username": user.username,
        "full_name": user.full_name,
        "kind": user.kind,
        "roles": roles,
    }


api.add_router("/", catalogue_router)
api.add_router("/", me_router)
api.add_router("/", dossiers_router)
api.add_router("/", reports_router)
api.add_router("/", assistant_router)
api.add_router("/", dashboard_router)
api.add_router("/", signing_router)
api.add_router("/", payments_router)
api.add_router("/", documents_router)
