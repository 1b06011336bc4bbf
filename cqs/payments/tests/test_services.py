from __future__ import annotations

import subprocess
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings

from cqs.audit.models import AuditEvent
from cqs.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.dossiers.services import dossier_act
from cqs.payments import rules
from cqs.payments.models import EReceipt, Payment, PaymentStatus
from cqs.payments.selectors import fee_due
from cqs.payments.services import (
    payment_ipn,
    payment_record_counter,
    payment_start,
    receipt_render,
)
from cqs.payments.tests.conftest import FREE, gateway_result

pytestmark = pytest.mark.django_db

RETURN = "http://testserver/thanh-toan/vnpay/ket-qua/"


def _start(demo: Any, dossier: Any) -> tuple[Payment, str]:
    return payment_start(
        actor=demo.user("congdan"), code=dossier.code, client_ip="10.0.0.7", return_url=RETURN
    )


def _snapshot(payment: Payment) -> tuple[Any, ...]:
    payment.refresh_from_db()
    return (
        payment.status,
        payment.gateway_txn_no,
        payment.ipn_params,
        EReceipt.objects.count(),
        fee_due(payment.dossier),
        AuditEvent.objects.count(),
    )


def test_start_creates_pending_payment_and_signed_url(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    assert fee_due(dossier) == 8000
    payment, url = _start(demo, dossier)
    assert payment.status == PaymentStatus.PENDING and payment.amount == 8000
    parts = urlsplit(url)
    assert parts.path == "/sandbox-vnpay/paymentv2/vpcpay.html"
    query = dict(parse_qsl(parts.query))
    assert query["vnp_Amount"] == "800000"
    assert query["vnp_TxnRef"] == payment.txn_ref
    assert query["vnp_ReturnUrl"] == RETURN
    assert query["vnp_IpAddr"] == "10.0.0.7"
    assert query["vnp_Version"] == "2.1.0" and query["vnp_Command"] == "pay"
    assert len(query["vnp_CreateDate"]) == 14 and query["vnp_ExpireDate"] > query["vnp_CreateDate"]
    assert rules.verify(query, settings.CQS_VNPAY_HASH_SECRET)


def test_only_the_applicant_starts_a_payment(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    with pytest.raises(NotFound):
        payment_start(
            actor=demo.user("doanhnghiep"), code=dossier.code, client_ip="", return_url=RETURN
        )
    assert not Payment.objects.exists()


def test_nothing_to_pay(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier(FREE)
    assert fee_due(dossier) == 0
    with pytest.raises(ValidationError, match="không còn phí"):
        _start(demo, dossier)


def test_ipn_success_pays_once_with_receipt(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    payment, _ = _start(demo, dossier)
    assert payment_ipn(params=gateway_result(payment)) == ("00", "Confirm Success")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.gateway_txn_no == "14226112" and payment.bank_code == "NCB"
    assert fee_due(dossier) == 0
    receipt = EReceipt.objects.get(payment=payment)
    assert receipt.number == 1 and receipt.amount == 8000
    assert receipt.amount_words == "Tám nghìn đồng"
    dossier.refresh_from_db()
    assert dossier.extra["fee"]["paid_online"] is True
    assert dossier.extra["fee"]["paid"] == 8000
    assert dossier.events.filter(type="fee_paid").count() == 1
    # The same notification again: "already confirmed", nothing changes.
    before = _snapshot(payment)
    assert payment_ipn(params=gateway_result(payment)) == ("02", "Order already confirmed")
    assert _snapshot(payment) == before
    assert EReceipt.objects.count() == 1


def test_forged_ipn_is_refused_and_changes_nothing(demo: Any, citizen_dossier: Any) -> None:
    payment, _ = _start(demo, citizen_dossier())
    before = _snapshot(payment)
    forged = gateway_result(payment)
    forged["vnp_SecureHash"] = rules.sign(forged, "not-the-merchant-secret")
    assert payment_ipn(params=forged) == ("97", "Invalid signature")
    tampered = {**gateway_result(payment, success=False), "vnp_ResponseCode": "00"}
    assert payment_ipn(params=tampered)[0] == "97"
    assert _snapshot(payment) == before


def test_wrong_amount_is_refused(demo: Any, citizen_dossier: Any) -> None:
    payment, _ = _start(demo, citizen_dossier())
    before = _snapshot(payment)
    assert payment_ipn(params=gateway_result(payment, vnp_Amount="100")) == (
        "04",
        "Invalid amount",
    )
    assert _snapshot(payment) == before
    assert payment.status == PaymentStatus.PENDING


def test_unknown_order(demo: Any, citizen_dossier: Any) -> None:
    payment, _ = _start(demo, citizen_dossier())
    before = _snapshot(payment)
    assert payment_ipn(params=gateway_result(payment, vnp_TxnRef="NOPE123")) == (
        "01",
        "Order not found",
    )
    assert _snapshot(payment) == before


def test_failed_payment_is_recorded_as_failed(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    payment, _ = _start(demo, dossier)
    assert payment_ipn(params=gateway_result(payment, success=False))[0] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.response_code == "24"
    assert fee_due(dossier) == 8000
    assert not EReceipt.objects.exists()
    # The citizen may try again.
    again, _ = _start(demo, dossier)
    assert payment_ipn(params=gateway_result(again))[0] == "00"
    assert fee_due(dossier) == 0


def test_second_gateway_payment_for_a_paid_dossier_is_flagged_for_refund(
    demo: Any, citizen_dossier: Any
) -> None:
    dossier = citizen_dossier()
    first, _ = _start(demo, dossier)
    second, _ = _start(demo, dossier)  # two tabs: both pending
    assert payment_ipn(params=gateway_result(first))[0] == "00"
    assert payment_ipn(params=gateway_result(second))[0] == "02"
    second.refresh_from_db()
    assert second.status == PaymentStatus.REFUND
    assert Payment.objects.filter(dossier=dossier, status="paid").count() == 1
    assert EReceipt.objects.count() == 1


def test_counter_payment_issues_receipt_and_numbers_run_on(demo: Any, citizen_dossier: Any) -> None:
    officer = demo.user("tiepnhan")
    numbers = []
    for _ in range(3):
        dossier = citizen_dossier()
        payment = payment_record_counter(actor=officer, code=dossier.code, gateway="cash")
        numbers.append(payment.receipt.number)
        assert payment.status == PaymentStatus.PAID and payment.method == "counter"
        dossier.refresh_from_db()
        assert dossier.extra["fee"]["paid_online"] is False
        assert fee_due(dossier) == 0
    assert numbers == [1, 2, 3]
    assert payment.receipt.collector_name == (officer.full_name or officer.username)
    with pytest.raises(ValidationError, match="không còn phí"):
        payment_record_counter(actor=officer, code=dossier.code)


def test_counter_payment_refusals_change_nothing(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    with pytest.raises(ValidationError, match="phải bằng"):
        payment_record_counter(actor=demo.user("tiepnhan"), code=dossier.code, amount=5000)
    with pytest.raises(PermissionDenied):
        payment_record_counter(actor=demo.user("tiepnhan2"), code=dossier.code)
    with pytest.raises(PermissionDenied):
        payment_record_counter(actor=demo.user("congdan"), code=dossier.code)
    with pytest.raises(ValidationError):
        payment_record_counter(actor=demo.user("tiepnhan"), code=dossier.code, gateway="bitcoin")
    assert not Payment.objects.exists() and fee_due(dossier) == 8000


def test_no_fee_on_a_withdrawn_dossier(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    dossier_act(actor=demo.user("tiepnhan"), code=dossier.code, action="withdraw", reason="Rút")
    with pytest.raises(TransitionNotAllowed):
        payment_record_counter(actor=demo.user("tiepnhan"), code=dossier.code)


def test_receipt_pdf_text(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    payment = payment_record_counter(actor=demo.user("tiepnhan"), code=dossier.code)
    receipt = payment.receipt
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=receipt_render(receipt=receipt),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert f"Ký hiệu: {receipt.series}" in text and "Số: 0000001" in text
    assert "Bằng chữ: Tám nghìn đồng" in text
    assert "8.000 đồng" in text
    assert "Nguyễn Văn An" in text and dossier.code in text
    assert "Ủy ban nhân dân phường Hạ Long".upper() in text.upper()
    # Rendered once: the second call returns the stored bytes, identical.
    receipt.refresh_from_db()
    assert receipt.sha256 and receipt_render(receipt=receipt) == bytes(receipt.pdf)


def test_receipt_pdf_is_sealed_by_the_agency(
    demo: Any, citizen_dossier: Any, tmp_path: Any
) -> None:
    dossier = citizen_dossier()
    payment = payment_record_counter(actor=demo.user("tiepnhan"), code=dossier.code)
    path = tmp_path / "bien-lai.pdf"
    path.write_bytes(receipt_render(receipt=payment.receipt))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, check=False).stdout.decode()
    assert "Signature #1" in out, out
    assert "Signer Certificate Common Name: Ủy ban nhân dân phường Hạ Long" in out, out
    assert "Total document signed" in out and "Signature is Valid." in out, out


def test_paid_dossier_exports_as_a_valid_interchange_line(demo: Any, citizen_dossier: Any) -> None:
    from cqs.dossiers.interchange.exporter import dossier_line_text, lines_for
    from cqs.dossiers.interchange.schema import LineIn

    dossier = citizen_dossier()
    payment, _ = _start(demo, dossier)
    payment_ipn(params=gateway_result(payment))
    (line,) = lines_for([dossier.pk])
    parsed = LineIn.model_validate_json(dossier_line_text(line))
    assert parsed.fee.amount == 8000 and parsed.fee.paid_online is True
    assert [e.type for e in parsed.events] == ["received"]
