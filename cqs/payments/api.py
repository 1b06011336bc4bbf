"""HTTP API of the payments app under /api/v1/: the daily reconciliation for officers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from cqs.core.api_schemas import ErrorOut
from cqs.payments.selectors import reconciliation

router = Router(tags=["Thanh toán, biên lai điện tử"])


class TotalOut(Schema):
    gateway: str
    label: str
    count: int
    amount: int


class RowOut(Schema):
    txn_ref: str
    dossier_code: str
    agency: str
    method: str
    gateway: str
    status: str
    amount: int
    gateway_txn_no: str
    bank_code: str
    pay_date: datetime | None
    paid_at: datetime | None
    receipt: str
    receipt_amount: int | None
    issues: list[str]


class ReconciliationOut(Schema):
    date: date
    paid_count: int
    paid_amount: int
    gateway_success_count: int
    gateway_success_amount: int
    receipt_count: int
    receipt_amount: int
    mismatches: int
    totals: list[TotalOut]
    rows: list[RowOut]


@router.get(
    "/payments/reconciliation",
    response={200: ReconciliationOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Đối soát thanh toán trong ngày (giao dịch cổng thanh toán, thu tại quầy, biên lai)",
)
def reconciliation_api(request: HttpRequest, date: date | None = None) -> dict[str, Any]:
    recon = reconciliation(request.user, date or timezone.localdate())
    return {
        "date": recon.day,
        "paid_count": recon.paid_count,
        "paid_amount": recon.paid_amount,
        "gateway_success_count": recon.gateway_success_count,
        "gateway_success_amount": recon.gateway_success_amount,
        "receipt_count": recon.receipt_count,
        "receipt_amount": recon.receipt_amount,
        "mismatches": recon.mismatches,
        "totals": [
            {"gateway": t.key, "label": t.label, "count": t.count, "amount": t.amount}
            for t in recon.totals
        ],
        "rows": [
            {
                "txn_ref": r.txn_ref,
                "dossier_code": r.dossier_code,
                "agency": r.agency,
                "method": r.method,
                "gateway": r.gateway,
                "status": r.status,
                "amount": r.amount,
                "gateway_txn_no": r.gateway_txn_no,
                "bank_code": r.bank_code,
                "pay_date": r.pay_date,
                "paid_at": r.paid_at,
                "receipt": r.receipt,
                "receipt_amount": r.receipt_amount,
                "issues": r.issues,
            }
            for r in recon.rows
        ],
    }
