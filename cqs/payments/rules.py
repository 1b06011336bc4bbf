"""Pure rules of payments: the VNPAY 2.1.0 signature, amounts in Vietnamese words, e-receipt
numbers. No Django, no database.

VNPAY payment gateway, API version 2.1.0 ("Hướng dẫn tích hợp Cổng thanh toán VNPAY",
https://sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html and
https://sandbox.vnpayment.vn/apis/docs/chuyen-doi-thuat-toan/changeTypeHash.html):

- the payment URL carries the ``vnp_*`` parameters sorted by name, each value URL-encoded
  the way VNPAY's own samples do it (``urllib.parse.quote_plus``: a space becomes "+");
- ``vnp_SecureHash`` = HMAC-SHA512, keyed with the merchant's secret (``vnp_HashSecret``), of
  exactly that query string; ``vnp_SecureHash`` and ``vnp_SecureHashType`` are left out of it
  (version 2.1.0 no longer sends ``vnp_SecureHashType``);
- ``vnp_Amount`` is the amount in VND multiplied by 100; dates are ``yyyyMMddHHmmss`` in
  GMT+7;
- the IPN (server-to-server GET, same signed parameters) is answered with JSON
  ``{"RspCode", "Message"}`` using the codes below; ``vnp_ResponseCode`` and
  ``vnp_TransactionStatus`` "00" mean the payment succeeded.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

VNPAY_VERSION = "2.1.0"
GMT7 = timezone(timedelta(hours=7), "GMT+7")
SIGNATURE_FIELDS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})

# IPN answers (merchant -> VNPAY), as VNPAY's integration guide lists them.
IPN_SUCCESS = ("00", "Confirm Success")
IPN_ORDER_NOT_FOUND = ("01", "Order not found")
IPN_ALREADY_CONFIRMED = ("02", "Order already confirmed")
IPN_INVALID_AMOUNT = ("04", "Invalid amount")
IPN_INVALID_SIGNATURE = ("97", "Invalid signature")
IPN_UNKNOWN_ERROR = ("99", "Unknown error")

# vnp_ResponseCode values the sandbox produces and the result page explains (VNPAY's table).
RESPONSE_MESSAGES: dict[str, str] = {
    "00": "Giao dịch thành công",
    "07": "Trừ tiền thành công nhưng giao dịch bị nghi ngờ",
    "09": "Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking",
    "11": "Đã hết hạn chờ thanh toán",
    "12": "Thẻ/tài khoản bị khóa",
    "24": "Khách hàng hủy giao dịch",
    "51": "Tài khoản không đủ số dư",
    "65": "Tài khoản đã vượt quá hạn mức giao dịch trong ngày",
    "75": "Ngân hàng thanh toán đang bảo trì",
    "99": "Lỗi khác",
}


def hash_data(params: Mapping[str, str]) -> str:
    """The string VNPAY signs: ``vnp_*`` fields sorted by name, ``key=quote_plus(value)``."""
    items = sorted(
        (k, str(v)) for k, v in params.items() if k.startswith("vnp_") and k not in SIGNATURE_FIELDS
    )
    return "&".join(f"{k}={quote_plus(v)}" for k, v in items)


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), hash_data(params).encode(), hashlib.sha512).hexdigest()


def verify(params: Mapping[str, str], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", "")).lower()
    return bool(given) and hmac.compare_digest(given, sign(params, secret))


def signed_url(base_url: str, params: Mapping[str, str], secret: str) -> str:
    return f"{base_url}?{hash_data(params)}&vnp_SecureHash={sign(params, secret)}"


def signed_query(params: Mapping[str, str], secret: str) -> str:
    return f"{hash_data(params)}&vnp_SecureHash={sign(params, secret)}"


def vnpay_time(value: datetime) -> str:
    """An aware datetime as VNPAY writes it: yyyyMMddHHmmss in GMT+7."""
    return value.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def parse_vnpay_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=GMT7)
    except ValueError:
        return None


def vnpay_amount(amount_vnd: int) -> str:
    """VND as VNPAY carries it: multiplied by 100, digits only."""
    return str(amount_vnd * 100)


def is_success(params: Mapping[str, str]) -> bool:
    return params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus") == "00"


def response_message(code: str) -> str:
    return RESPONSE_MESSAGES.get(code, RESPONSE_MESSAGES["99"])


# --- Transaction query (querydr) -------------------------------------------------------------
# VNPAY "API querydr, refund" (https://sandbox.vnpayment.vn/apis/docs/truy-van-hoan-tien/
# querydr&refund.html): the merchant POSTs JSON to the merchant API URL
# (sandbox: https://sandbox.vnpayment.vn/merchant_webapi/api/transaction). Unlike the payment
# URL, the checksum is HMAC-SHA512 over the values (not key=value) joined by "|" in the fixed
# order below, an absent value being the empty string; the answer carries its own
# vnp_SecureHash over its own field list, in its own order.
QUERYDR_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERYDR_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)

# vnp_ResponseCode of a querydr answer (about the query, not the payment).
QUERYDR_OK = "00"
QUERYDR_MESSAGES: dict[str, str] = {
    "00": "Yêu cầu thành công",
    "02": "Mã định danh kết nối không hợp lệ (kiểm tra lại vnp_TmnCode)",
    "03": "Dữ liệu gửi sang không đúng định dạng",
    "91": "Không tìm thấy giao dịch yêu cầu",
    "94": "Yêu cầu bị trùng lặp trong thời gian giới hạn của API",
    "97": "Checksum không hợp lệ",
    "99": "Các lỗi khác",
}
# vnp_TransactionStatus: what happened to the payment itself.
TRANSACTION_PAID = "00"
TRANSACTION_PENDING = "01"
TRANSACTION_FAILED = "02"
TRANSACTION_STATUS_MESSAGES: dict[str, str] = {
    "00": "Giao dịch thanh toán thành công",
    "01": "Giao dịch chưa hoàn tất",
    "02": "Giao dịch bị lỗi",
    "04": "Giao dịch đảo (khách hàng đã bị trừ tiền tại ngân hàng nhưng giao dịch chưa thành "
    "công ở VNPAY)",
    "05": "VNPAY đang xử lý giao dịch này (hoàn tiền)",
    "06": "VNPAY đã gửi yêu cầu hoàn tiền sang ngân hàng",
    "07": "Giao dịch bị nghi ngờ gian lận",
    "09": "Giao dịch hoàn trả bị từ chối",
}


def querydr_hash_data(params: Mapping[str, object], fields: tuple[str, ...]) -> str:
    return "|".join("" if params.get(f) is None else str(params.get(f)) for f in fields)


def querydr_sign(params: Mapping[str, object], secret: str, fields: tuple[str, ...]) -> str:
    data = querydr_hash_data(params, fields).encode()
    return hmac.new(secret.encode(), data, hashlib.sha512).hexdigest()


def querydr_verify(params: Mapping[str, object], secret: str, fields: tuple[str, ...]) -> bool:
    given = str(params.get("vnp_SecureHash") or "").lower()
    return bool(given) and hmac.compare_digest(given, querydr_sign(params, secret, fields))


def querydr_message(code: str) -> str:
    return QUERYDR_MESSAGES.get(code, QUERYDR_MESSAGES["99"])


def transaction_status_message(code: str) -> str:
    return TRANSACTION_STATUS_MESSAGES.get(code, f"Trạng thái giao dịch «{code}»")


# --- Amount in words ------------------------------------------------------------------------
# Decree 123/2020/NĐ-CP, Article 32 (content of fee and charge receipts) asks for the amount;
# receipts, like invoices (Article 10.11), print it in digits and in words ("Bằng chữ").

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", " nghìn", " triệu", " tỷ")


def _three(n: int, *, full: bool) -> str:
    """Read 0-999; ``full`` reads the hundreds and "linh" even when they are zero (a group
    after a higher one: 1.005.000 = "một triệu không trăm linh năm nghìn")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """8000 -> "Tám nghìn đồng"; capitalised, ending in "đồng" as receipts print it."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    n = amount
    while n:
        groups.append(n % 1000)
        n //= 1000
    parts: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        group = groups[i]
        if group == 0:
            # Every third group ("tỷ") is kept so that 10^12 reads "một nghìn tỷ".
            if i % 3 == 0 and i and any(groups[i + 1 : i + 3]):
                parts.append(_SCALES[3].strip())
            continue
        text = _three(group, full=bool(parts))
        scale = _SCALES[3] if i % 3 == 0 and i else _SCALES[i % 3]
        parts.append(text + scale)
    words = " ".join(parts)
    return words[0].upper() + words[1:] + " đồng"


# --- E-receipt numbers ----------------------------------------------------------------------
# Decree 123/2020/NĐ-CP, Article 32.1(c): the receipt number is its sequence number within one
# series, in Arabic digits; numbering restarts for each series and each year (verify the
# maximum width; 7 digits as on the printed receipt forms of Circular 303/2016/TT-BTC).
NUMBER_WIDTH = 7


def receipt_number(n: int) -> str:
    if n < 1 or n >= 10**NUMBER_WIDTH:
        raise ValueError("receipt number out of range")
    return f"{n:0{NUMBER_WIDTH}d}"


def receipt_series(pattern: str, year: int) -> str:
    """The series symbol for ``year``: ``{yy}`` in the configured pattern is the year."""
    return pattern.replace("{yy}", f"{year % 100:02d}")
