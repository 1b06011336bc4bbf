"""The server-to-server side of the VNPAY adapter: where the merchant API is and how CQS talks
to it (POST JSON, a bounded answer). The browser side is the signed payment URL (services)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from cqs.core.errors import ApplicationError

logger = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 64 * 1024


class GatewayError(ApplicationError):
    """The gateway did not answer usably (network, HTTP error, not JSON, bad signature)."""

    status = 502
    code = "gateway_error"
    default_message = "Không kiểm tra được giao dịch với cổng thanh toán. Vui lòng thử lại sau."


def api_url() -> str:
    """VNPAY's merchant API (querydr): CQS_VNPAY_API_URL, or the built-in sandbox's endpoint
    on this server when the sandbox is on."""
    if settings.CQS_VNPAY_API_URL:
        return str(settings.CQS_VNPAY_API_URL)
    if settings.CQS_PAYMENT_SANDBOX:
        base = str(settings.CQS_PUBLIC_BASE_URL).rstrip("/")
        return f"{base}{reverse('payments:sandbox_api')}"
    raise GatewayError(
        "Chưa cấu hình địa chỉ API của cổng thanh toán (CQS_VNPAY_API_URL).",
        code="gateway_not_configured",
    )


def post_json(url: str, body: dict[str, str], *, timeout: float = 10) -> dict[str, str]:
    """POST ``body`` as JSON; the answer's fields as strings (VNPAY hashes their text)."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise GatewayError("Địa chỉ API của cổng thanh toán không hợp lệ.", code="gateway_url")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        logger.warning("VNPAY API %s answered HTTP %s", url, exc.code)
        raise GatewayError(f"Cổng thanh toán trả lỗi HTTP {exc.code}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        logger.warning("VNPAY API %s unreachable: %s", url, exc)
        raise GatewayError("Không kết nối được với cổng thanh toán. Vui lòng thử lại sau.") from exc
    if len(raw) > MAX_ANSWER_BYTES:
        raise GatewayError("Phản hồi của cổng thanh toán quá lớn.")
    try:
        answer: Any = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise GatewayError("Phản hồi của cổng thanh toán không đúng định dạng JSON.") from exc
    if not isinstance(answer, dict):
        raise GatewayError("Phản hồi của cổng thanh toán không đúng định dạng JSON.")
    return {str(k): "" if v is None else str(v) for k, v in answer.items()}
