"""Errors of the signing app (Vietnamese messages, shown as they are)."""

from __future__ import annotations

from cqs.core.errors import ApplicationError


class SigningError(ApplicationError):
    """Signing is refused: no usable certificate (none, revoked, expired, key unavailable) or
    the input is not a PDF. 422 in the API."""

    status = 422
    code = "signing_error"
    default_message = "Không thể ký số tài liệu này."
