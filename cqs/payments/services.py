"""Every state change of a payment: start an online payment, take the gateway's IPN, record a
counter payment, issue the e-receipt. One transaction each, with its audit row.

Concurrency: every writer locks the dossier row first (then the payment row), so two IPNs,
an IPN and a counter payment, or two starts for one dossier queue up; the partial unique
constraint ``payment_paid_once`` is the last line: a dossier is paid exactly once.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import (
    ApplicationError,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from cqs.dossiers.models import Dossier
from cqs.dossiers.services import dossier_record_fee_payment
from cqs.dossiers.workflow import Status
from cqs.payments import gateway, rules
from cqs.payments.gateway import GatewayError
from cqs.payments.models import EReceipt, Gateway, Method, Payment, PaymentStatus
from cqs.payments.permissions import (
    can_query_payment,
    can_record_counter_payment,
    is_applicant,
)
from cqs.payments.receipt_pdf import ReceiptData, render_receipt
from cqs.payments.selectors import fee_due, fee_names
from cqs.units.models import Agency

logger = logging.getLogger(__name__)

# Fees are not taken for dossiers that ended without a decision.
_NO_PAYMENT = {Status.REJECTED.value, Status.WITHDRAWN.value}
_PREFIXES = ("Phường ", "Xã ", "Đặc khu ", "Thành phố ", "Tỉnh ")
_DOSSIER_FIELDS = (
    "id", "code", "status", "fee_amount", "desk_id", "applicant_user_id", "applicant_name",
    "applicant_id_number", "applicant_address", "procedure__id", "procedure__name",
    "procedure__fees", "agency__id", "agency__code", "agency__name",
)  # fmt: skip


def _lock_dossier(code: str = "", *, pk: int | None = None) -> Dossier:
    # Only what payments read: the procedure's and the dossier's large JSON stay unread.
    qs = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .only(*_DOSSIER_FIELDS)
    )
    dossier = (qs.filter(pk=pk) if pk is not None else qs.filter(code=code)).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ «{code}».")
    return dossier


def _check_payable(dossier: Dossier) -> int:
    if dossier.status in _NO_PAYMENT:
        raise TransitionNotAllowed(
            f"Hồ sơ {dossier.code} đã kết thúc ({dossier.status_label}): không thu phí, lệ phí."
        )
    due = fee_due(dossier)
    if due <= 0:
        raise ValidationError(
            f"Hồ sơ {dossier.code} không còn phí, lệ phí phải nộp.", code="nothing_to_pay"
        )
    return due


def _txn_ref(now: datetime) -> str:
    # vnp_TxnRef must be unique for the merchant (per day at VNPAY; here for ever).
    return f"{rules.vnpay_time(now)[2:]}{secrets.token_hex(5).upper()}"


# --- Online payment (VNPAY) -----------------------------------------------------------------


class PaymentUnavailable(ApplicationError):
    status = 503
    code = "payment_unavailable"
    default_message = (
        "Thanh toán trực tuyến tạm thời chưa sẵn sàng. Vui lòng nộp phí tại Bộ phận Một cửa."
    )


def gateway_url() -> str:
    """The payment page: the configured VNPAY URL, or the built-in sandbox's path."""
    return settings.CQS_VNPAY_URL or "/sandbox-vnpay/paymentv2/vpcpay.html"


def payment_start(
    *,
    actor: Any,
    code: str,
    client_ip: str,
    return_url: str,
    now: datetime | None = None,
) -> tuple[Payment, str]:
    """Create a pending online payment of what the dossier still owes and return the signed
    VNPAY payment URL to redirect the applicant to."""
    if not settings.CQS_VNPAY_URL and not settings.CQS_PAYMENT_SANDBOX:
        raise PaymentUnavailable
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(code)
        if not is_applicant(actor, dossier):
            raise NotFound(f"Không tìm thấy hồ sơ «{code}» của bạn.")
        due = _check_payable(dossier)
        payment = Payment.objects.create(
            dossier=dossier,
            agency=dossier.agency,
            amount=due,
            method=Method.ONLINE,
            gateway=Gateway.VNPAY,
            txn_ref=_txn_ref(now),
            created_by=actor,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="payment.start",
            obj=payment,
            changes={"dossier": dossier.code, "amount": due},
        )
    params = {
        "vnp_Version": rules.VNPAY_VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": settings.CQS_VNPAY_TMN_CODE,
        "vnp_Amount": rules.vnpay_amount(due),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": payment.txn_ref,
        "vnp_OrderInfo": f"Nop phi le phi ho so {dossier.code}",
        "vnp_OrderType": "billpayment",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": client_ip or "127.0.0.1",
        "vnp_CreateDate": rules.vnpay_time(now),
        "vnp_ExpireDate": rules.vnpay_time(
            now + timedelta(minutes=settings.CQS_PAYMENT_EXPIRE_MINUTES)
        ),
    }
    return payment, rules.signed_url(gateway_url(), params, settings.CQS_VNPAY_HASH_SECRET)


def payment_ipn(*, params: Mapping[str, str], now: datetime | None = None) -> tuple[str, str]:
    """Take VNPAY's server-to-server notification; returns (RspCode, Message).

    Order of checks as VNPAY's guide gives it: signature (97), order (01), amount (04),
    already confirmed (02). Only a verified, matching, first notification changes anything;
    a success marks the payment paid, issues the e-receipt and records the fee on the dossier.
    """
    if not rules.verify(params, settings.CQS_VNPAY_HASH_SECRET):
        return rules.IPN_INVALID_SIGNATURE
    if params.get("vnp_TmnCode") != settings.CQS_VNPAY_TMN_CODE:
        return rules.IPN_ORDER_NOT_FOUND
    found = (
        Payment.objects.filter(txn_ref=str(params.get("vnp_TxnRef", ""))[:40], method=Method.ONLINE)
        .only("id", "amount", "dossier_id")
        .first()
    )
    if found is None:
        return rules.IPN_ORDER_NOT_FOUND
    amount = str(params.get("vnp_Amount", ""))
    if not (amount.isascii() and amount.isdigit()) or int(amount) != found.amount * 100:
        return rules.IPN_INVALID_AMOUNT
    return _settle(found, result=params, stored=params, actor=None, now=now or timezone.now())


def _settle(
    found: Payment,
    *,
    result: Mapping[str, str],
    stored: Mapping[str, str],
    actor: Any,
    now: datetime,
    source: str = "",
) -> tuple[str, str]:
    """The one path from the gateway's verified word to the payment (the IPN's, and the
    transaction query's when the IPN never came): under the dossier and payment locks, only a
    pending payment changes; a success pays it (receipt, fee on the dossier), anything else
    fails it. ``result`` carries the IPN's field names; ``stored`` is kept as the gateway's
    signed statement. Returns the IPN answer (00 changed, 02 already confirmed)."""
    extra = {"source": source} if source else {}
    with transaction.atomic():
        dossier = _lock_dossier(pk=found.dossier_id)
        payment = Payment.objects.select_for_update().get(pk=found.pk)
        if payment.status != PaymentStatus.PENDING:
            return rules.IPN_ALREADY_CONFIRMED
        payment.ipn_params = {k: str(v) for k, v in stored.items()}
        payment.gateway_txn_no = str(result.get("vnp_TransactionNo", ""))[:40]
        payment.bank_code = str(result.get("vnp_BankCode", ""))[:20]
        payment.card_type = str(result.get("vnp_CardType", ""))[:20]
        payment.response_code = str(result.get("vnp_ResponseCode", ""))[:4]
        payment.pay_date = rules.parse_vnpay_time(str(result.get("vnp_PayDate", "")))
        if not rules.is_success(result):
            payment.status = PaymentStatus.FAILED
            payment.save()
            audit_record(
                actor=actor,
                action="payment.failed",
                obj=payment,
                changes={"response_code": payment.response_code, **extra},
            )
            return rules.IPN_SUCCESS
        if Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID).exists():
            payment.status = PaymentStatus.REFUND
            payment.save()
            audit_record(
                actor=actor,
                action="payment.duplicate",
                obj=payment,
                changes={"gateway_txn_no": payment.gateway_txn_no, **extra},
            )
            return rules.IPN_ALREADY_CONFIRMED
        payment.status = PaymentStatus.PAID
        payment.paid_at = now
        payment.save()
        receipt = _issue_receipt(payment, dossier=dossier, collector=None, now=now)
        dossier_record_fee_payment(
            actor=None,
            code=dossier.code,
            amount=payment.amount,
            online=True,
            paid_at=now,
            receipt=str(receipt),
        )
        audit_record(
            actor=actor,
            action="payment.paid",
            obj=payment,
            changes={
                "amount": payment.amount,
                "gateway_txn_no": payment.gateway_txn_no,
                "receipt": str(receipt),
                **extra,
            },
        )
    return rules.IPN_SUCCESS


# --- Transaction query (querydr): the IPN that never came -----------------------------------


@dataclass(frozen=True)
class QueryOutcome:
    """What the gateway said about one payment and what CQS did with it."""

    payment: Payment
    response_code: str  # of the query ("00": the gateway answered about the transaction)
    transaction_status: str  # of the payment at the gateway ("" when it has none)
    changed: bool
    message: str


# A payment the gateway reports as failed, or still unfinished / unknown once the payment
# window closed, is recorded failed with this response code ("11": hết hạn chờ thanh toán).
_EXPIRED_CODE = "11"
_FAILED_CODE = "99"
# Answers that may change a payment: they must be signed and about this very transaction.
_DECISIVE = {rules.QUERYDR_OK, "91"}


def payment_query(*, actor: Any, payment: Payment, now: datetime | None = None) -> QueryOutcome:
    """Ask VNPAY (querydr, signed) what became of a pending online payment and settle it the
    way a late IPN would: paid (same amount only) with its e-receipt, or failed when the
    gateway says it failed or the payment window closed without a payment there. A pending
    payment the gateway still processes stays pending. ``actor`` None is the system (cron).

    Refused, changing nothing: an answer with a wrong signature, another transaction's or
    merchant's answer, a different amount. Every answered query is audited.
    """
    if actor is not None and not can_query_payment(actor, payment):
        raise PermissionDenied("Chỉ cán bộ thu phí hoặc quản trị của cơ quan thu được kiểm tra.")
    if payment.method != Method.ONLINE or payment.gateway != Gateway.VNPAY:
        raise ValidationError(
            "Chỉ giao dịch trực tuyến qua VNPAY mới kiểm tra được với cổng thanh toán.",
            code="not_a_gateway_payment",
        )
    if payment.status != PaymentStatus.PENDING:
        return QueryOutcome(
            payment, "", "", False,
            f"Giao dịch {payment.txn_ref} đã ở trạng thái «{payment.get_status_display()}».",
        )  # fmt: skip
    now = now or timezone.now()
    secret = settings.CQS_VNPAY_HASH_SECRET
    request = {
        "vnp_RequestId": secrets.token_hex(16),  # unique per day, [1,32] alphanumeric
        "vnp_Version": rules.VNPAY_VERSION,
        "vnp_Command": "querydr",
        "vnp_TmnCode": settings.CQS_VNPAY_TMN_CODE,
        "vnp_TxnRef": payment.txn_ref,
        "vnp_OrderInfo": f"Kiem tra giao dich {payment.txn_ref}",
        # The payment URL's vnp_CreateDate (payment_start stores the same instant).
        "vnp_TransactionDate": rules.vnpay_time(payment.created_at),
        "vnp_CreateDate": rules.vnpay_time(now),
        "vnp_IpAddr": "127.0.0.1",
    }
    request["vnp_SecureHash"] = rules.querydr_sign(request, secret, rules.QUERYDR_REQUEST_FIELDS)
    answer = gateway.post_json(gateway.api_url(), request)
    code = answer.get("vnp_ResponseCode", "")
    status = answer.get("vnp_TransactionStatus", "") if code == rules.QUERYDR_OK else ""
    facts = {"request_id": request["vnp_RequestId"], "response_code": code, "status": status}
    signed = bool(answer.get("vnp_SecureHash"))
    problem = ""
    if signed and not rules.querydr_verify(answer, secret, rules.QUERYDR_RESPONSE_FIELDS):
        problem = "Phản hồi của cổng thanh toán có chữ ký không hợp lệ"
    elif code in _DECISIVE and not signed:
        problem = "Phản hồi của cổng thanh toán không có chữ ký"
    elif code in _DECISIVE and (
        answer.get("vnp_TxnRef", "" if code == rules.QUERYDR_OK else payment.txn_ref)
        != payment.txn_ref
        or answer.get("vnp_TmnCode", settings.CQS_VNPAY_TMN_CODE) != settings.CQS_VNPAY_TMN_CODE
    ):
        problem = "Cổng thanh toán trả lời về một giao dịch khác"
    elif status == rules.TRANSACTION_PAID and answer.get("vnp_Amount") != rules.vnpay_amount(
        payment.amount
    ):
        problem = (
            f"Số tiền cổng thanh toán báo ({answer.get('vnp_Amount', '')[:-2] or '0'} đồng) khác "
            f"số tiền giao dịch ({payment.amount} đồng)"
        )
    if problem:
        with transaction.atomic():
            audit_record(
                actor=actor, action="payment.query_refused", obj=payment,
                changes={**facts, "problem": problem},
            )  # fmt: skip
        raise GatewayError(f"{problem}: không ghi nhận gì. Cần đối soát với VNPAY.")

    expired = payment.created_at + timedelta(minutes=settings.CQS_PAYMENT_EXPIRE_MINUTES) < now
    result: dict[str, str] | None = None
    if status == rules.TRANSACTION_PAID:
        result = {**answer, "vnp_ResponseCode": "00"}
    elif status == rules.TRANSACTION_FAILED:
        result = {**answer, "vnp_ResponseCode": _FAILED_CODE}
    elif expired and (status == rules.TRANSACTION_PENDING or code == "91"):
        result = {**answer, "vnp_ResponseCode": _EXPIRED_CODE, "vnp_TransactionStatus": "02"}
    if result is not None:
        _settle(payment, result=result, stored=answer, actor=actor, now=now, source="querydr")
    payment.refresh_from_db()
    # Changed by this answer (or, in a race, by the IPN settling it first: same outcome).
    changed = payment.status != PaymentStatus.PENDING
    with transaction.atomic():
        audit_record(
            actor=actor, action="payment.query", obj=payment, changes={**facts, "changed": changed}
        )
    return QueryOutcome(payment, code, status, changed, _query_message(payment, code, status))


def _query_message(payment: Payment, code: str, status: str) -> str:
    ref = payment.txn_ref
    if payment.status == PaymentStatus.PAID:
        return f"Cổng thanh toán xác nhận giao dịch {ref} thành công: đã ghi nhận và lập biên lai."
    if payment.status == PaymentStatus.REFUND:
        return f"Giao dịch {ref} thành công nhưng hồ sơ đã nộp đủ phí: cần hoàn tiền."
    if payment.status == PaymentStatus.FAILED:
        why = (
            rules.response_message(payment.response_code)
            if payment.response_code == _EXPIRED_CODE
            else rules.transaction_status_message(status)
        )
        return f"Giao dịch {ref} không thành công ({why}): đã ghi nhận."
    if code == rules.QUERYDR_OK:
        return f"Giao dịch {ref}: {rules.transaction_status_message(status)}. Chưa thay đổi gì."
    return f"Giao dịch {ref}: {rules.querydr_message(code)}. Chưa thay đổi gì."


# --- Counter payment ------------------------------------------------------------------------


def payment_record_counter(
    *,
    actor: Any,
    code: str,
    gateway: str = Gateway.CASH,
    amount: int | None = None,
    now: datetime | None = None,
) -> Payment:
    """The receiving officer records fees paid at the counter (cash or card): the payment is
    paid at once and the e-receipt issued."""
    if gateway not in {Gateway.CASH, Gateway.CARD}:
        raise ValidationError(
            "Hình thức thu tại quầy phải là tiền mặt hoặc thẻ.", details={"gateway": [gateway]}
        )
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(code)
        if not can_record_counter_payment(actor, dossier):
            raise PermissionDenied(
                f"Chỉ cán bộ tiếp nhận của {dossier.agency.name} được thu phí hồ sơ này."
            )
        due = _check_payable(dossier)
        if amount is not None and amount != due:
            raise ValidationError(
                f"Số tiền thu ({amount:,} đồng) phải bằng số phí, lệ phí còn phải nộp "
                f"({due:,} đồng).".replace(",", "."),
                details={"amount": [str(amount)]},
            )
        payment = Payment.objects.create(
            dossier=dossier,
            agency=dossier.agency,
            amount=due,
            method=Method.COUNTER,
            gateway=gateway,
            txn_ref=_txn_ref(now),
            status=PaymentStatus.PAID,
            paid_at=now,
            created_by=actor,
            created_at=now,
        )
        receipt = _issue_receipt(payment, dossier=dossier, collector=actor, now=now)
        dossier_record_fee_payment(
            actor=actor,
            code=dossier.code,
            amount=due,
            online=False,
            paid_at=now,
            receipt=str(receipt),
        )
        audit_record(
            actor=actor,
            action="payment.counter",
            obj=payment,
            changes={"amount": due, "gateway": gateway, "receipt": str(receipt)},
        )
    return payment


# --- E-receipt ------------------------------------------------------------------------------


def _next_receipt_number(agency_code: str, series: str, year: int) -> int:
    # One upsert per receipt on the (agency, series, year) row, inside the receipt's
    # transaction: the row stays locked until commit, so numbers never repeat, and a rollback
    # returns the number, so they never skip (SQLite >= 3.35 and PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_receiptcounter (agency_code, series, year, last) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (agency_code, series, year) "
            "DO UPDATE SET last = payments_receiptcounter.last + 1 RETURNING last",
            [agency_code, series, year],
        )
        row = cursor.fetchone()
    return int(row[0])


def _place(agency: Agency) -> str:
    name = agency.unit.name
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def verify_url(code: str) -> str:
    return f"{settings.CQS_PUBLIC_BASE_URL.rstrip('/')}/bien-lai/xac-minh/{code}/"


def _seal(pdf: bytes, receipt: EReceipt) -> bytes:
    # The signing app's automatic agency seal (contract in cqs/signing/services.py). Until it
    # lands, the receipt PDF is unsealed; once present it seals, or raises SigningError when
    # CQS_SIGNING_REQUIRED is on and the agency has no seal (nothing is stored then).
    from cqs.signing import services as signing

    seal = getattr(signing, "pdf_seal_system", None)
    if seal is None:
        return pdf
    sealed: bytes = seal(
        pdf=pdf,
        agency=receipt.agency,
        reason="Biên lai thu phí, lệ phí",
        context=f"payment:{receipt.payment_id}",
    )
    return sealed


def _issue_receipt(
    payment: Payment, *, dossier: Dossier, collector: Any, now: datetime
) -> EReceipt:
    """Number and content of the receipt, in the payment's transaction. The PDF is rendered
    from these stored fields by ``receipt_render`` (first download): rendering and sealing
    take ~100 ms and must not hold the dossier lock or slow the gateway's IPN."""
    year = now.astimezone(ZoneInfo(settings.TIME_ZONE)).year
    series = rules.receipt_series(settings.CQS_RECEIPT_SERIES, year)
    number = _next_receipt_number(dossier.agency.code, series, year)
    collector_name = (
        (getattr(collector, "full_name", "") or getattr(collector, "username", ""))
        if collector
        else ""
    )
    # Audited by the calling service's row ("payment.paid" / "payment.counter": the receipt).
    return EReceipt.objects.create(
        payment=payment,
        agency=dossier.agency,
        template_symbol=settings.CQS_RECEIPT_TEMPLATE,
        series=series,
        year=year,
        number=number,
        payer_name=dossier.applicant_name,
        payer_id_number=dossier.applicant_id_number,
        payer_address=dossier.applicant_address,
        fee_name=fee_names(dossier)[:500],
        amount=payment.amount,
        amount_words=rules.amount_in_words(payment.amount),
        method=payment.method,
        issued_at=now,
        collector_name=collector_name,
        verify_code=secrets.token_urlsafe(12),
    )


def receipt_data(receipt: EReceipt) -> ReceiptData:
    payment = receipt.payment
    agency = receipt.agency
    method_label = (
        f"Trực tuyến qua cổng VNPAY ({payment.bank_code})"
        if payment.method == Method.ONLINE
        else Gateway(payment.gateway).label
    )
    return ReceiptData(
        agency_name=agency.name,
        agency_parent_name=agency.parent.name if agency.parent else "",
        agency_code=agency.code,
        place=_place(agency),
        template_symbol=receipt.template_symbol,
        series=receipt.series,
        number=receipt.number_text,
        payer_name=receipt.payer_name,
        payer_id_number=receipt.payer_id_number,
        payer_address=receipt.payer_address,
        dossier_code=payment.dossier.code,
        fee_name=receipt.fee_name,
        amount=receipt.amount,
        amount_words=receipt.amount_words,
        method_label=method_label,
        gateway_ref=payment.gateway_txn_no or payment.txn_ref,
        issued_at=receipt.issued_at,
        collector_name=receipt.collector_name,
        verify_url=verify_url(receipt.verify_code),
        tz=ZoneInfo(settings.TIME_ZONE),
    )


def receipt_render(*, receipt: EReceipt) -> bytes:
    """The receipt's PDF: rendered and sealed once, then always the same stored bytes.

    Two first downloads at once both render; the receipt row lock lets one seal and store,
    and the other returns what was stored, so a receipt never has two different PDFs."""
    if receipt.sha256:
        return bytes(receipt.pdf)
    pdf = render_receipt(receipt_data(receipt), font_cache=settings.VAR_DIR / "cache" / "fonts")
    with transaction.atomic():
        locked = EReceipt.objects.select_for_update().only("pk", "sha256").get(pk=receipt.pk)
        if not locked.sha256:
            pdf = _seal(pdf, receipt)
            digest = sha256(pdf).hexdigest()
            EReceipt.objects.filter(pk=receipt.pk).update(pdf=pdf, sha256=digest)
            audit_record(
                actor=None,
                action="receipt.render",
                obj=receipt,
                changes={"sha256": digest, "bytes": len(pdf)},
            )
    fresh = EReceipt.objects.only("pdf", "sha256").get(pk=receipt.pk)
    receipt.pdf, receipt.sha256 = fresh.pdf, fresh.sha256
    return bytes(fresh.pdf)
