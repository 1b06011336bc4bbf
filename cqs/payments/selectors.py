"""Reads over payments: what a dossier still owes, its payments, receipts, the daily
reconciliation of gateway transactions against e-receipts (visibility applied)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from cqs.accounts.permissions import agency_scope
from cqs.core.errors import NotFound, PermissionDenied
from cqs.dossiers.models import Dossier
from cqs.payments.models import EReceipt, Gateway, Method, Payment, PaymentStatus
from cqs.payments.permissions import (
    QUERY_ROLES,
    can_record_counter_payment,
    can_view_receipt,
    can_view_reconciliation,
    visible_payments,
)


def catalogue_fee(dossier: Dossier) -> int:
    """The fees and charges of the dossier: fixed at intake from the catalogue, or (for a
    dossier created without it) the catalogue's fixed amounts now."""
    if dossier.fee_amount:
        return int(dossier.fee_amount)
    return sum(int(f.get("amount") or 0) for f in (dossier.procedure.fees or []))


def fee_due(dossier: Dossier) -> int:
    """VND still to pay for ``dossier``: the catalogue fee minus what is paid."""
    paid = (
        Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    return max(0, catalogue_fee(dossier) - int(paid))


def fee_names(dossier: Dossier) -> str:
    names = [str(f.get("name", "")) for f in (dossier.procedure.fees or []) if f.get("amount")]
    return "; ".join(n for n in names if n) or f"Phí, lệ phí: {dossier.procedure.name}"


def dossier_payments(dossier: Dossier) -> list[Payment]:
    """Payments of a dossier the caller may already see (newest first), with receipts."""
    return list(
        Payment.objects.filter(dossier=dossier)
        .select_related("receipt")
        .defer("receipt__pdf")
        .order_by("-created_at", "-id")
    )


def payment_by_ref(txn_ref: str) -> Payment | None:
    return (
        Payment.objects.select_related("dossier", "receipt")
        .defer("receipt__pdf")
        .filter(txn_ref=txn_ref[:40])
        .first()
    )


def payment_for_query(user: Any, txn_ref: str) -> Payment:
    """A payment the official sees (collecting agency or receiving desk), by reference."""
    found = visible_payments(user).select_related("dossier").filter(txn_ref=txn_ref).first()
    if found is None:
        raise NotFound(f"Không tìm thấy giao dịch «{txn_ref}».")
    return found


def pending_gateway_payments(*, older_than: datetime) -> QuerySet[Payment]:
    """Online VNPAY payments still pending that were started before ``older_than``."""
    return (
        Payment.objects.filter(
            status=PaymentStatus.PENDING,
            method=Method.ONLINE,
            gateway=Gateway.VNPAY,
            created_at__lt=older_than,
        )
        .select_related("dossier")
        .order_by("created_at", "id")
    )


def receipt_for(user: Any, receipt_id: int) -> EReceipt:
    receipt = (
        EReceipt.objects.select_related("payment__dossier", "agency").filter(pk=receipt_id).first()
    )
    if receipt is None or not can_view_receipt(user, receipt):
        raise NotFound("Không tìm thấy biên lai trong phạm vi của bạn.")
    return receipt


def receipt_by_verify_code(code: str) -> EReceipt:
    receipt = (
        EReceipt.objects.select_related("agency", "payment__dossier")
        .defer("pdf")
        .filter(verify_code=code[:32])
        .first()
    )
    if receipt is None:
        raise NotFound("Không tìm thấy biên lai với mã xác minh này.")
    return receipt


# --- Reconciliation -------------------------------------------------------------------------


@dataclass
class ReconRow:
    txn_ref: str
    dossier_code: str
    agency: str
    method: str
    method_label: str
    gateway: str
    gateway_label: str
    status: str
    status_label: str
    amount: int
    gateway_txn_no: str
    bank_code: str
    pay_date: datetime | None
    paid_at: datetime | None
    created_at: datetime
    receipt: str
    receipt_id: int | None
    receipt_amount: int | None
    issues: list[str] = field(default_factory=list)
    # A pending gateway payment the official may check with the gateway (querydr).
    queryable: bool = False


@dataclass
class ReconTotal:
    key: str
    label: str
    count: int = 0
    amount: int = 0


@dataclass
class Reconciliation:
    day: date
    rows: list[ReconRow]
    totals: list[ReconTotal]
    paid_count: int
    paid_amount: int
    gateway_success_count: int
    gateway_success_amount: int
    receipt_count: int
    receipt_amount: int
    mismatches: int


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def reconciliation(user: Any, day: date, *, now: datetime | None = None) -> Reconciliation:
    """Every payment of ``day`` (created or paid that day, local time) in the caller's scope,
    by channel, with totals and the rows where gateway, payment and e-receipt disagree."""
    if not can_view_reconciliation(user):
        raise PermissionDenied("Chỉ cán bộ được phân vai trò mới xem được đối soát thanh toán.")
    now = now or timezone.now()
    start, end = _day_bounds(day)
    payments = (
        visible_payments(user)
        .filter(
            Q(created_at__gte=start, created_at__lt=end) | Q(paid_at__gte=start, paid_at__lt=end)
        )
        .select_related("dossier", "agency", "receipt")
        .defer("receipt__pdf", "dossier__extra", "dossier__search_text")
        .order_by("created_at", "id")
    )
    expire = timedelta(minutes=settings.CQS_PAYMENT_EXPIRE_MINUTES)
    query_scope = agency_scope(user, QUERY_ROLES)
    rows: list[ReconRow] = []
    totals: dict[str, ReconTotal] = {}
    paid_count = paid_amount = gw_count = gw_amount = r_count = r_amount = mismatches = 0
    for p in payments:
        receipt: EReceipt | None = getattr(p, "receipt", None)
        row = ReconRow(
            txn_ref=p.txn_ref,
            dossier_code=p.dossier.code,
            agency=p.agency.name,
            method=p.method,
            method_label=p.get_method_display(),
            gateway=p.gateway,
            gateway_label=p.get_gateway_display(),
            status=p.status,
            status_label=p.get_status_display(),
            amount=p.amount,
            gateway_txn_no=p.gateway_txn_no,
            bank_code=p.bank_code,
            pay_date=p.pay_date,
            paid_at=p.paid_at,
            created_at=p.created_at,
            receipt=f"{receipt.series} {receipt.number_text}" if receipt else "",
            receipt_id=receipt.pk if receipt else None,
            receipt_amount=receipt.amount if receipt else None,
            queryable=p.status == PaymentStatus.PENDING
            and p.gateway == Gateway.VNPAY
            and (p.agency_id in query_scope or p.dossier.desk_id in query_scope),
        )
        if p.status == PaymentStatus.PAID:
            paid_count += 1
            paid_amount += p.amount
            total = totals.setdefault(p.gateway, ReconTotal(p.gateway, p.get_gateway_display()))
            total.count += 1
            total.amount += p.amount
            if receipt is None:
                row.issues.append("Đã thu tiền nhưng chưa có biên lai điện tử.")
            elif receipt.amount != p.amount:
                row.issues.append("Số tiền trên biên lai khác số tiền giao dịch.")
            if p.method == Method.ONLINE and not p.gateway_txn_no:
                row.issues.append("Thiếu mã giao dịch của cổng thanh toán.")
        if p.method == Method.ONLINE and p.status in {PaymentStatus.PAID, PaymentStatus.REFUND}:
            gw_count += 1
            gw_amount += p.amount
        if p.status == PaymentStatus.REFUND:
            row.issues.append(
                "Cổng báo thanh toán thành công cho hồ sơ đã nộp đủ phí: cần hoàn tiền cho người nộp."
            )
        if p.status == PaymentStatus.PENDING and p.created_at + expire < now:
            row.issues.append("Quá thời hạn thanh toán mà chưa nhận được thông báo (IPN) từ cổng.")
        if receipt is not None:
            r_count += 1
            r_amount += receipt.amount
        if row.issues:
            mismatches += 1
        rows.append(row)
    return Reconciliation(
        day=day,
        rows=rows,
        totals=sorted(totals.values(), key=lambda t: t.key),
        paid_count=paid_count,
        paid_amount=paid_amount,
        gateway_success_count=gw_count,
        gateway_success_amount=gw_amount,
        receipt_count=r_count,
        receipt_amount=r_amount,
        mismatches=mismatches,
    )


def dossier_payment_panel(user: Any, dossier: Dossier) -> dict[str, Any]:
    """What the back office dossier page shows about fees (the caller already sees the
    dossier): amount still due, the payments with their receipts, whether the officer may
    take the fee at the counter."""
    due = fee_due(dossier)
    return {
        "due": due,
        "payments": dossier_payments(dossier),
        "can_collect": due > 0 and can_record_counter_payment(user, dossier),
    }
