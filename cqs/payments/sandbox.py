"""A local VNPAY sandbox: a simulator of the gateway (a party the demo and the tests cannot
reach) speaking its documented 2.1.0 protocol. It checks the signed payment URL like VNPAY
does, shows a bank-like page, then - like VNPAY - calls the merchant's IPN URL server to
server over real HTTP with a signed query and sends the browser to the signed return URL.
It keeps what it saw of each transaction (a JSON file per vnp_TxnRef under
``VAR_DIR/vnpay-sandbox``, so every worker process sees it) and answers the merchant API's
transaction query (``querydr``) from it, with VNPAY's codes.

Only served when ``CQS_PAYMENT_SANDBOX`` is on (the default when no ``CQS_VNPAY_URL`` is set).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
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
    if params["vnp_CurrCode"] != "VND" or not (
        params["vnp_Amount"].isascii() and params["vnp_Amount"].isdigit()
    ):
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


# --- What the sandbox remembers, and the transaction query ---------------------------------

_REF = re.compile(r"[A-Za-z0-9]{1,100}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9]{1,32}")


def _store() -> Path:
    path = Path(settings.VAR_DIR) / "vnpay-sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write(txn_ref: str, record: Mapping[str, str]) -> None:
    folder = _store()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".txn-")
    with os.fdopen(fd, "w") as f:
        json.dump(record, f)
    os.replace(tmp, folder / f"{txn_ref}.json")


def transaction(txn_ref: str) -> dict[str, str] | None:
    """The sandbox's record of a transaction: status "01" (customer at the payment page),
    "00" (paid) or "02" (failed / cancelled), with the payment facts."""
    if not _REF.fullmatch(txn_ref):
        return None
    try:
        data = json.loads((_store() / f"{txn_ref}.json").read_text())
    except (OSError, ValueError):
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def record_request(params: Mapping[str, str]) -> None:
    """The customer reached the payment page: VNPAY now knows the transaction (unfinished)."""
    ref = params.get("vnp_TxnRef", "")
    if _REF.fullmatch(ref) and transaction(ref) is None:
        _write(
            ref,
            {
                "vnp_TxnRef": ref,
                "vnp_TmnCode": params["vnp_TmnCode"],
                "vnp_Amount": params["vnp_Amount"],
                "vnp_OrderInfo": params["vnp_OrderInfo"],
                "vnp_CreateDate": params["vnp_CreateDate"],
                "vnp_TransactionStatus": "01",
            },
        )


def record_result(params: Mapping[str, str], result: Mapping[str, str]) -> None:
    ref = params.get("vnp_TxnRef", "")
    if _REF.fullmatch(ref):
        record = transaction(ref) or {}
        record.update({k: v for k, v in result.items() if k != "vnp_SecureHash"})
        record["vnp_CreateDate"] = params["vnp_CreateDate"]
        _write(ref, record)


def is_final(txn_ref: str) -> bool:
    record = transaction(txn_ref)
    return record is not None and record.get("vnp_TransactionStatus") != "01"


def _claim_request_id(request_id: str) -> bool:
    """False when the id was already used today (VNPAY answers 94 to a repeated request)."""
    day = rules.vnpay_time(timezone.now())[:8]
    folder = _store() / "requests"
    folder.mkdir(exist_ok=True)
    try:
        with open(folder / f"{day}-{request_id}", "x"):
            return True
    except FileExistsError:
        return False


def _answer(
    code: str, request: Mapping[str, Any], record: Mapping[str, str] | None
) -> dict[str, str]:
    answer = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": "querydr",
        "vnp_ResponseCode": code,
        "vnp_Message": rules.querydr_message(code),
        "vnp_TmnCode": str(request.get("vnp_TmnCode", "")),
        "vnp_TxnRef": str(request.get("vnp_TxnRef", "")),
    }
    if record is not None:
        answer.update(
            {
                "vnp_Amount": record.get("vnp_Amount", ""),
                "vnp_OrderInfo": record.get("vnp_OrderInfo", ""),
                "vnp_BankCode": record.get("vnp_BankCode", ""),
                "vnp_PayDate": record.get("vnp_PayDate", ""),
                "vnp_TransactionNo": record.get("vnp_TransactionNo", ""),
                "vnp_TransactionType": "01",  # a payment (02/03: refunds)
                "vnp_TransactionStatus": record.get("vnp_TransactionStatus", ""),
            }
        )
    answer["vnp_SecureHash"] = rules.querydr_sign(
        answer, settings.CQS_VNPAY_HASH_SECRET, rules.QUERYDR_RESPONSE_FIELDS
    )
    return answer


QUERYDR_REQUIRED = (*rules.QUERYDR_REQUEST_FIELDS, "vnp_SecureHash")


def answer_querydr(request: Any) -> dict[str, str]:
    """The merchant API's answer to a querydr request body, as VNPAY documents it: 03 bad
    format, 97 bad checksum, 02 unknown merchant, 94 repeated request id, 91 no such
    transaction (reference and transaction date), else 00 with the transaction's status."""
    if not isinstance(request, dict):
        return _answer("03", {}, None)
    fields = {k: request.get(k) for k in QUERYDR_REQUIRED}
    if any(not isinstance(v, str) or not v for v in fields.values()):
        return _answer("03", request, None)
    if not rules.querydr_verify(
        request, settings.CQS_VNPAY_HASH_SECRET, rules.QUERYDR_REQUEST_FIELDS
    ):
        return _answer("97", request, None)
    if request["vnp_TmnCode"] != settings.CQS_VNPAY_TMN_CODE:
        return _answer("02", request, None)
    if (
        request["vnp_Version"] != rules.VNPAY_VERSION
        or request["vnp_Command"] != "querydr"
        or not _REQUEST_ID.fullmatch(request["vnp_RequestId"])
    ):
        return _answer("03", request, None)
    if not _claim_request_id(request["vnp_RequestId"]):
        return _answer("94", request, None)
    record = transaction(request["vnp_TxnRef"])
    if record is None or record.get("vnp_CreateDate") != request["vnp_TransactionDate"]:
        return _answer("91", request, None)
    return _answer("00", request, record)
