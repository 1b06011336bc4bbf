"""One error hierarchy for every service.

Services raise these; the API maps them to ``{"code", "message", "details"}`` with the
status below, and HTML views show ``message`` (Vietnamese) to the user.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base of every error a user may see. ``message`` is Vietnamese and shown as is."""

    status: int = 400
    code: str = "bad_request"
    default_message: str = "Yêu cầu không hợp lệ."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details if details is not None else {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationError(ApplicationError):
    status = 422
    code = "validation_error"
    default_message = "Dữ liệu không hợp lệ."


class AuthenticationRequired(ApplicationError):
    status = 401
    code = "authentication_required"
    default_message = "Vui lòng đăng nhập."


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"
    default_message = "Bạn không có quyền thực hiện thao tác này."


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
    default_message = "Không tìm thấy dữ liệu yêu cầu."


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    default_message = "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại và thử lại."


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_message = "Thao tác này không được phép ở trạng thái hiện tại."


class PayloadTooLarge(ApplicationError):
    status = 413
    code = "payload_too_large"
    default_message = "Tệp hoặc dữ liệu gửi lên quá lớn."


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"
    default_message = "Quá nhiều yêu cầu. Vui lòng thử lại sau."
