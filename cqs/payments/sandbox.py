"""A local VNPAY sandbox: a simulator of the gateway (a party the demo and the tests cannot
reach) speaking its documented 2.1.0 protocol. It checks the signed payment URL like VNPAY
does, shows a bank-like page, then - like VNPAY - calls the merchant's IPN URL server to
server over real HTTP with a signed query and sends the browser to the signed return URL.

Only served when ``CQS_PAYMENT_SANDBOX`` is on (the default when no ``CQS_VNPAY_URL`` is set).
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone

from cqs.payments import rules

logger = logging.getLogger(__name__)

BANKS = (("NCB", "Ngân hàng NCB"), ("VCB", "Vietcombank"), ("BIDV", "BIDV"), ("VTB", "VietinBank"))
REQUIRED = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_ReturnUrl",
    "vnp_IpAddr",
    "vnp_CreateDate",
    "vnp_Locale",
)


def enabled() -> bool:
    return bool(settings.CQS_PAYMENT_SANDBOX)


def check_request(params: Mapping[str, str]) -> str:
    """What VNPAY would refuse in the payment URL, as a message; "" when it is acceptable."""
    missing = [k for k in REQUIRED if not params.get(k)]
    if missing:
        return f"Thiếu tham số: {', '.join(missing)}."
    if not rules.verify(params, settings.CQS_VNPAY_HASH_SECRET):
        return "Sai chữ ký (vnp_SecureHash): giao dịch bị từ chối."
    if params["vnp_TmnCode"] != settings.CQS_VNPAY_TMN_CODE:
        return "Mã website (vnp_TmnCode) không tồn tại."
    if params["vnp_Version"] != rules.VNPAY_VERSION or params["vnp_Command"] != "pay":
        return "Phiên bản hoặc lệnh không được hỗ trợ."
    if params["vnp_CurrCode"] != "VND" or not params["vnp_Amount"].isdigit():
        return "Số tiền hoặc đơn vị tiền tệ không hợp lệ."
    expire = rules.parse_vnpay_time(params.get("vnp_ExpireDate", ""))
    if expire is not None and expire < timezone.now():
        return "Giao dịch đã quá thời gian chờ thanh toán."
    return ""


def result_params(
    request: Mapping[str, str], *, success: bool, bank: str = "NCB"
) -> dict[str, str]:
    """The signed parameters VNPAY sends to the IPN and the return URL."""
    bank = bank if bank in dict(BANKS) else "NCB"
    result = {
        "vnp_Amount": request["vnp_Amount"],
        "vnp_BankCode": bank,
        "vnp_BankTranNo": f"{bank}{secrets.randbelow(10**8):08d}" if success else "",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": request["vnp_OrderInfo"],
        "vnp_PayDate": rules.vnpay_time(timezone.now()),
        "vnp_ResponseCode": "00" if success else "24",
        "vnp_TmnCode": request["vnp_TmnCode"],
        "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}" if success else "0",
        "vnp_TransactionStatus": "00" if success else "02",
        "vnp_TxnRef": request["vnp_TxnRef"],
    }
    result = {k: v for k, v in result.items() if v}
    result["vnp_SecureHash"] = rules.sign(result, settings.CQS_VNPAY_HASH_SECRET)
    return result


def notify_merchant(
    ipn_url: str, result: Mapping[str, str], *, attempts: int = 3
) -> dict[str, Any]:
    """Call the merchant's IPN like VNPAY: GET with the signed query; retry on no answer or
    "99"; return the merchant's JSON answer."""
    url = f"{ipn_url}?{rules.signed_query(result, settings.CQS_VNPAY_HASH_SECRET)}"
    answer: dict[str, Any] = {}
    for _ in range(attempts):
        try:
            # The URL is this server's own IPN endpoint (http on 127.0.0.1 in the demo/tests).
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                answer = json.loads(response.read().decode())
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            logger.warning("sandbox: IPN call to %s failed: %s", ipn_url, exc)
            answer = {"error": str(exc)}
            continue
        if answer.get("RspCode") != "99":
            break
    return answer


def return_url(base: str, result: Mapping[str, str]) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}{rules.signed_query(result, settings.CQS_VNPAY_HASH_SECRET)}"
