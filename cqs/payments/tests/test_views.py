from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cqs.payments.models import EReceipt, Payment, PaymentStatus
from cqs.payments.selectors import fee_due
from cqs.payments.services import payment_ipn, payment_record_counter
from cqs.payments.tests.conftest import gateway_result

pytestmark = pytest.mark.django_db


def _client(demo: Any, username: str) -> Client:
    client = Client()
    client.force_login(demo.user(username))
    return client


def _pay_online(demo: Any, dossier: Any) -> Payment:
    client = _client(demo, "congdan")
    response = client.post(reverse("payments:start", args=[dossier.code]))
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=dossier, status="pending")
    assert payment_ipn(params=gateway_result(payment))[0] == "00"
    payment.refresh_from_db()
    return payment


def test_start_page_shows_amount_and_goes_to_the_gateway(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    client = _client(demo, "congdan")
    url = reverse("payments:start", args=[dossier.code])
    assert url == f"/thanh-toan/{dossier.code}/"
    page = client.get(url).content.decode()
    assert "8.000 đồng" in page and "Thanh toán" in page and dossier.code in page
    response = client.post(url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/sandbox-vnpay/paymentv2/vpcpay.html"
    query = dict(parse_qsl(target.query))
    assert query["vnp_ReturnUrl"] == "http://testserver/thanh-toan/vnpay/ket-qua/"
    # The sandbox accepts the signed URL and shows the bank page.
    sandbox = client.get(response["Location"])
    assert sandbox.status_code == 200
    assert "8.000 VND" in sandbox.content.decode()


def test_start_page_is_the_applicants_only(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    url = reverse("payments:start", args=[dossier.code])
    assert Client().get(url).status_code == 302  # to the login page
    assert _client(demo, "doanhnghiep").get(url).status_code == 404
    assert _client(demo, "doanhnghiep").post(url).status_code == 404
    assert not Payment.objects.exists()


def test_sandbox_refuses_a_tampered_url(demo: Any, citizen_dossier: Any) -> None:
    client = _client(demo, "congdan")
    response = client.post(reverse("payments:start", args=[citizen_dossier().code]))
    tampered = response["Location"].replace("vnp_Amount=800000", "vnp_Amount=100")
    page = client.get(tampered)
    assert page.status_code == 400
    assert "Sai chữ ký" in page.content.decode()


def test_return_url_never_marks_paid(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    client = _client(demo, "congdan")
    client.post(reverse("payments:start", args=[dossier.code]))
    payment = Payment.objects.get(dossier=dossier)
    # A correctly signed "success" arrives in the browser before (or without) the IPN.
    response = client.get(reverse("payments:return"), gateway_result(payment))
    assert response.status_code == 200
    assert "đang chờ xác nhận" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and fee_due(dossier) == 8000
    # After the IPN the same page shows the receipt.
    payment_ipn(params=gateway_result(payment))
    page = client.get(reverse("payments:return"), gateway_result(payment)).content.decode()
    receipt = EReceipt.objects.get(payment=payment)
    assert "Thanh toán thành công" in page
    assert reverse("payments:receipt_pdf", args=[receipt.pk]) in page
    assert "/ca-nhan/" in page or dossier.code in page
    # A forged return is refused outright.
    forged = {**gateway_result(payment), "vnp_SecureHash": "00" * 64}
    assert client.get(reverse("payments:return"), forged).status_code == 400


def test_ipn_endpoint_answers_vnpay_json(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    _client(demo, "congdan").post(reverse("payments:start", args=[dossier.code]))
    payment = Payment.objects.get(dossier=dossier)
    client = Client()
    url = reverse("payments:ipn")
    forged = {**gateway_result(payment), "vnp_SecureHash": "ab" * 64}
    assert client.get(url, forged).json() == {"RspCode": "97", "Message": "Invalid signature"}
    assert client.get(url, gateway_result(payment, vnp_Amount="1")).json()["RspCode"] == "04"
    assert client.get(url, gateway_result(payment)).json() == {
        "RspCode": "00",
        "Message": "Confirm Success",
    }
    assert client.get(url, gateway_result(payment)).json()["RspCode"] == "02"
    assert client.get(url, {}).json()["RspCode"] == "97"
    assert Payment.objects.filter(status="paid").count() == 1


def test_receipt_download_permissions(demo: Any, citizen_dossier: Any) -> None:
    payment = _pay_online(demo, citizen_dossier())
    url = reverse("payments:receipt_pdf", args=[payment.receipt.pk])
    response = _client(demo, "congdan").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert bytes(response.content).startswith(b"%PDF")
    assert _client(demo, "tiepnhan").get(url).status_code == 200
    assert _client(demo, "doanhnghiep").get(url).status_code == 404
    assert _client(demo, "tiepnhan2").get(url).status_code == 404  # Bãi Cháy desk
    verify = (
        Client()
        .get(reverse("payments:receipt_verify", args=[payment.receipt.verify_code]))
        .content.decode()
    )
    assert payment.receipt.number_text in verify and "Nguyễn Văn An" not in verify


def test_counter_payment_from_the_back_office(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    client = _client(demo, "tiepnhan")
    page = client.get(reverse("backoffice:dossier_detail", args=[dossier.code])).content.decode()
    assert "Thu phí và lập biên lai" in page and "8.000 đồng" in page
    response = client.post(
        reverse("payments:counter", args=[dossier.code]), {"gateway": "cash", "amount": "8.000"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Đã thu phí, lệ phí và lập biên lai" in page
    assert "0000001" in page
    assert fee_due(dossier) == 0
    # Wrong amount: message, nothing written.
    other = citizen_dossier()
    client.post(reverse("payments:counter", args=[other.code]), {"amount": "5000"})
    assert fee_due(other) == 8000
    # Another agency's officer cannot even see the dossier.
    response = _client(demo, "tiepnhan2").post(reverse("payments:counter", args=[other.code]))
    assert response.status_code == 404
    assert fee_due(other) == 8000


def test_reconciliation_report(demo: Any, citizen_dossier: Any) -> None:
    online = _pay_online(demo, citizen_dossier())
    counter = payment_record_counter(
        actor=demo.user("tiepnhan"), code=citizen_dossier().code, gateway="card"
    )
    failed_dossier = citizen_dossier()
    _client(demo, "congdan").post(reverse("payments:start", args=[failed_dossier.code]))
    failed = Payment.objects.get(dossier=failed_dossier)
    payment_ipn(params=gateway_result(failed, success=False))
    # A receipt whose amount disagrees with its payment (e.g. edited in the database).
    EReceipt.objects.filter(pk=counter.receipt.pk).update(amount=7000)
    today = timezone.localdate().isoformat()
    client = _client(demo, "tiepnhan")
    page = client.get(reverse("payments:reconciliation"), {"ngay": today}).content.decode()
    assert online.txn_ref in page and counter.txn_ref in page and failed.txn_ref in page
    assert "Số tiền trên biên lai khác số tiền giao dịch." in page
    data = client.get("/api/v1/payments/reconciliation", {"date": today}).json()
    assert data["paid_count"] == 2 and data["paid_amount"] == 16000
    assert data["gateway_success_count"] == 1 and data["gateway_success_amount"] == 8000
    assert data["receipt_count"] == 2 and data["receipt_amount"] == 15000
    assert data["mismatches"] == 1
    assert {t["gateway"]: t["count"] for t in data["totals"]} == {"vnpay": 1, "card": 1}
    csv_response = client.get(
        reverse("payments:reconciliation"), {"ngay": today, "dinh-dang": "csv"}
    )
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã giao dịch" and len(rows) == 4
    # Other agency: nothing; a citizen: 403; a bad date: 422 / a clear message.
    other = _client(demo, "tiepnhan2").get("/api/v1/payments/reconciliation", {"date": today})
    assert other.json()["paid_count"] == 0 and other.json()["rows"] == []
    citizen = _client(demo, "congdan").get("/api/v1/payments/reconciliation")
    assert citizen.status_code == 403 and citizen.json()["code"] == "permission_denied"
    bad = client.get("/api/v1/payments/reconciliation", {"date": "2026-13-45"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    bad_page = client.get(reverse("payments:reconciliation"), {"ngay": "hôm qua"})
    assert bad_page.status_code == 400
    assert "Ngày đối soát không hợp lệ" in bad_page.content.decode()


def test_sandbox_off_when_disabled(settings: Any) -> None:
    settings.CQS_PAYMENT_SANDBOX = False
    assert Client().get("/sandbox-vnpay/paymentv2/vpcpay.html").status_code == 404


def test_online_payment_unavailable_without_gateway(
    demo: Any, citizen_dossier: Any, settings: Any
) -> None:
    settings.CQS_PAYMENT_SANDBOX = False
    settings.CQS_VNPAY_URL = ""
    dossier = citizen_dossier()
    response = _client(demo, "congdan").post(reverse("payments:start", args=[dossier.code]))
    assert response.status_code == 503
    assert "nộp phí tại Bộ phận Một cửa" in response.content.decode()
    assert not Payment.objects.exists()
