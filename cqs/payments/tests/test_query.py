"""The VNPAY transaction query (querydr): CQS asks the gateway over real HTTP (the sandbox on
pytest-django's live server) about payments whose IPN never came, and settles them."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cqs.audit.models import AuditEvent
from cqs.core.errors import PermissionDenied
from cqs.payments import rules, sandbox
from cqs.payments.gateway import GatewayError
from cqs.payments.models import EReceipt, Payment, PaymentStatus
from cqs.payments.selectors import fee_due
from cqs.payments.services import (
    payment_ipn,
    payment_query,
    payment_record_counter,
    payment_start,
)

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")

API = "/sandbox-vnpay/merchant_webapi/api/transaction"


@pytest.fixture
def gateway(live_server: Any, settings: Any, tmp_path: Any) -> str:
    """The sandbox gateway on the live server; its transaction records in a fresh folder."""
    settings.CQS_PUBLIC_BASE_URL = live_server.url
    settings.CQS_VNPAY_API_URL = ""
    settings.CQS_PAYMENT_SANDBOX = True
    settings.VAR_DIR = tmp_path
    return str(live_server.url)


def _start(demo: Any, dossier: Any, **kw: Any) -> tuple[Payment, str]:
    return payment_start(
        actor=demo.user("congdan"),
        code=dossier.code,
        client_ip="10.0.0.7",
        return_url="http://testserver/thanh-toan/vnpay/ket-qua/",
        **kw,
    )


def _at_gateway(url: str, outcome: str | None, *, ipn: bool = False) -> None:
    """The citizen's browser at the sandbox: opens the payment page, then pays or cancels
    (``outcome`` None: leaves). ``ipn`` False: the sandbox's notification is lost."""
    browser = Client()
    page = browser.get(url)
    assert page.status_code == 200 and "Mô phỏng: không gửi IPN" in page.content.decode()
    if outcome is None:
        return
    form = {**dict(parse_qsl(urlsplit(url).query)), "ket-qua": outcome, "bank": "VCB"}
    if not ipn:
        form["khong-gui-ipn"] = "1"
    assert browser.post(urlsplit(url).path, form).status_code == 302


def _post(url: str, body: Any) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the live server
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def test_a_payment_whose_ipn_never_came_is_settled_like_the_ipn(
    demo: Any, citizen_dossier: Any, gateway: str
) -> None:
    dossier = citizen_dossier()
    payment, url = _start(demo, dossier)
    _at_gateway(url, "pay")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and fee_due(dossier) == 8000

    outcome = payment_query(actor=demo.user("tiepnhan"), payment=payment)
    assert outcome.changed and outcome.response_code == "00"
    assert outcome.transaction_status == "00"
    assert "thành công" in outcome.message and "lập biên lai" in outcome.message
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.bank_code == "VCB"
    assert payment.gateway_txn_no and payment.pay_date is not None
    assert fee_due(dossier) == 0
    receipt = EReceipt.objects.get(payment=payment)
    assert receipt.amount == 8000 and receipt.amount_words == "Tám nghìn đồng"
    assert dossier.events.filter(type="fee_paid").count() == 1
    actions = list(
        AuditEvent.objects.filter(object_id=str(payment.pk)).values_list("action", flat=True)
    )
    assert "payment.paid" in actions and "payment.query" in actions

    # Nothing more to ask; the IPN arriving late changes nothing (already confirmed).
    again = payment_query(actor=None, payment=payment)
    assert not again.changed and "Đã thanh toán" in again.message
    late = sandbox.result_params(dict(parse_qsl(urlsplit(url).query)), success=True)
    assert payment_ipn(params=late) == rules.IPN_ALREADY_CONFIRMED
    assert EReceipt.objects.filter(payment__dossier=dossier).count() == 1


def test_cancelled_at_the_gateway_is_recorded_failed(
    demo: Any, citizen_dossier: Any, gateway: str
) -> None:
    dossier = citizen_dossier()
    payment, url = _start(demo, dossier)
    _at_gateway(url, "cancel")
    outcome = payment_query(actor=None, payment=payment)
    assert outcome.changed and outcome.transaction_status == "02"
    assert "không thành công" in outcome.message
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert fee_due(dossier) == 8000 and not EReceipt.objects.exists()


def test_paid_at_the_counter_meanwhile_is_flagged_for_refund(
    demo: Any, citizen_dossier: Any, gateway: str
) -> None:
    dossier = citizen_dossier()
    payment, url = _start(demo, dossier)
    _at_gateway(url, "pay")
    payment_record_counter(actor=demo.user("tiepnhan"), code=dossier.code)
    outcome = payment_query(actor=None, payment=payment)
    assert outcome.changed and "cần hoàn tiền" in outcome.message
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUND
    assert EReceipt.objects.filter(payment__dossier=dossier).count() == 1


def test_unfinished_or_unknown_stays_pending_until_the_payment_window_closes(
    demo: Any, citizen_dossier: Any, gateway: str
) -> None:
    at_page, url = _start(demo, citizen_dossier())
    _at_gateway(url, None)  # the citizen opened the gateway page and left
    never, _ = _start(demo, citizen_dossier())  # never reached the gateway
    first = payment_query(actor=None, payment=at_page)
    assert (first.response_code, first.transaction_status, first.changed) == ("00", "01", False)
    assert "chưa hoàn tất" in first.message
    unknown = payment_query(actor=None, payment=never)
    assert (unknown.response_code, unknown.changed) == ("91", False)
    assert "Không tìm thấy giao dịch" in unknown.message
    for p in (at_page, never):
        p.refresh_from_db()
        assert p.status == PaymentStatus.PENDING

    later = timezone.now() + timedelta(minutes=settings.CQS_PAYMENT_EXPIRE_MINUTES + 1)
    for p in (at_page, never):
        outcome = payment_query(actor=None, payment=p, now=later)
        assert outcome.changed and "hết hạn chờ thanh toán" in outcome.message
        p.refresh_from_db()
        assert p.status == PaymentStatus.FAILED and p.response_code == "11"


class _Tamper(BaseHTTPRequestHandler):
    """A man in the middle: forwards the query to the sandbox and alters its answer."""

    upstream = ""
    change: dict[str, str] = {}  # noqa: RUF012 - set per test
    resign = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = _post(self.upstream, body)
        answer.update(self.change)
        if self.resign:
            answer["vnp_SecureHash"] = rules.querydr_sign(
                answer, settings.CQS_VNPAY_HASH_SECRET, rules.QUERYDR_RESPONSE_FIELDS
            )
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def tamper(gateway: str, settings: Any) -> Iterator[type[_Tamper]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tamper)
    _Tamper.upstream = f"{gateway}{API}"
    settings.CQS_VNPAY_API_URL = f"http://127.0.0.1:{server.server_address[1]}/api"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Tamper
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("change", "resign", "says"),
    [
        ({"vnp_TransactionStatus": "00", "vnp_Amount": "100"}, False, "chữ ký không hợp lệ"),
        ({"vnp_Amount": "100"}, True, "khác số tiền giao dịch"),
        ({"vnp_TxnRef": "KHAC123"}, True, "giao dịch khác"),
        ({"vnp_SecureHash": ""}, False, "không có chữ ký"),
    ],
)
def test_an_answer_that_cannot_be_trusted_changes_nothing(
    demo: Any,
    citizen_dossier: Any,
    tamper: type[_Tamper],
    change: dict[str, str],
    resign: bool,
    says: str,
) -> None:
    dossier = citizen_dossier()
    payment, url = _start(demo, dossier)
    _at_gateway(url, "pay")
    tamper.change, tamper.resign = change, resign
    with pytest.raises(GatewayError, match=says):
        payment_query(actor=demo.user("tiepnhan"), payment=payment)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and fee_due(dossier) == 8000
    assert not EReceipt.objects.exists()
    assert AuditEvent.objects.filter(
        action="payment.query_refused", object_id=str(payment.pk)
    ).exists()


def test_the_sandbox_answers_querydr_with_vnpays_codes(
    demo: Any, citizen_dossier: Any, gateway: str
) -> None:
    payment, url = _start(demo, citizen_dossier())
    _at_gateway(url, "pay")
    secret = settings.CQS_VNPAY_HASH_SECRET
    request = {
        "vnp_RequestId": "REQ0001",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": settings.CQS_VNPAY_TMN_CODE,
        "vnp_TxnRef": payment.txn_ref,
        "vnp_OrderInfo": "Kiem tra",
        "vnp_TransactionDate": rules.vnpay_time(payment.created_at),
        "vnp_CreateDate": rules.vnpay_time(timezone.now()),
        "vnp_IpAddr": "127.0.0.1",
    }
    signed = {**request, "vnp_SecureHash": rules.querydr_sign(request, secret, FIELDS)}
    answer = _post(f"{gateway}{API}", signed)
    assert answer["vnp_ResponseCode"] == "00" and answer["vnp_TransactionStatus"] == "00"
    assert answer["vnp_Amount"] == "800000" and answer["vnp_BankCode"] == "VCB"
    assert rules.querydr_verify(answer, secret, rules.QUERYDR_RESPONSE_FIELDS)
    # The same request id again within the day: 94.
    assert _post(f"{gateway}{API}", signed)["vnp_ResponseCode"] == "94"
    # A request signed with another secret: 97; another merchant: 02.
    forged = {**request, "vnp_RequestId": "REQ0002"}
    forged["vnp_SecureHash"] = rules.querydr_sign(forged, "not-the-secret", FIELDS)
    assert _post(f"{gateway}{API}", forged)["vnp_ResponseCode"] == "97"
    other = {**request, "vnp_RequestId": "REQ0003", "vnp_TmnCode": "KHACXXXX"}
    other["vnp_SecureHash"] = rules.querydr_sign(other, secret, FIELDS)
    assert _post(f"{gateway}{API}", other)["vnp_ResponseCode"] == "02"
    # No such transaction (or not on that date): 91; not the documented shape: 03.
    unknown = {**request, "vnp_RequestId": "REQ0004", "vnp_TxnRef": "KHONGCO1"}
    unknown["vnp_SecureHash"] = rules.querydr_sign(unknown, secret, FIELDS)
    assert _post(f"{gateway}{API}", unknown)["vnp_ResponseCode"] == "91"
    assert _post(f"{gateway}{API}", ["not", "an", "object"])["vnp_ResponseCode"] == "03"
    assert _post(f"{gateway}{API}", {"vnp_TxnRef": "../../etc"})["vnp_ResponseCode"] == "03"


FIELDS = rules.QUERYDR_REQUEST_FIELDS


def test_officer_checks_a_pending_payment_from_the_reconciliation_page(
    demo: Any, citizen_dossier: Any, gateway: str
) -> None:
    dossier = citizen_dossier()
    payment, url = _start(demo, dossier)
    _at_gateway(url, "pay")
    page_url = reverse("payments:reconciliation")
    query_url = reverse("payments:query", args=[payment.txn_ref])
    viewer = Client()
    viewer.force_login(demo.user("xuly"))  # sees the day's payments, may not settle them
    page = viewer.get(page_url).content.decode()
    assert payment.txn_ref in page and "Kiểm tra với cổng thanh toán" not in page
    assert viewer.post(query_url).status_code == 403
    outsider = Client()
    outsider.force_login(demo.user("tiepnhan2"))  # another commune's desk
    assert outsider.post(query_url).status_code == 404

    officer = Client()
    officer.force_login(demo.user("tiepnhan"))
    page = officer.get(page_url).content.decode()
    assert "Kiểm tra với cổng thanh toán" in page and query_url in page
    response = officer.post(query_url, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert f"Cổng thanh toán xác nhận giao dịch {payment.txn_ref} thành công" in text
    assert "Kiểm tra với cổng thanh toán" not in text  # nothing pending any more
    assert fee_due(dossier) == 0
    with pytest.raises(PermissionDenied):
        payment_query(actor=demo.user("xuly"), payment=payment)


def test_gateway_down_is_a_message_not_a_500(
    demo: Any, citizen_dossier: Any, gateway: str, settings: Any
) -> None:
    payment, _ = _start(demo, citizen_dossier())
    settings.CQS_VNPAY_API_URL = "http://127.0.0.1:9/api"  # discard port: refused
    officer = Client()
    officer.force_login(demo.user("tiepnhan"))
    response = officer.post(reverse("payments:query", args=[payment.txn_ref]), follow=True)
    assert response.status_code == 200
    assert "Không kết nối được với cổng thanh toán" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_cron_command_closes_payments_whose_ipn_never_arrived(
    demo: Any, citizen_dossier: Any, gateway: str, settings: Any
) -> None:
    paid_dossier = citizen_dossier()
    paid, url = _start(demo, paid_dossier)
    _at_gateway(url, "pay")
    long_ago = timezone.now() - timedelta(minutes=settings.CQS_PAYMENT_EXPIRE_MINUTES + 5)
    abandoned, _ = _start(demo, citizen_dossier(), now=long_ago)

    out = StringIO()
    call_command("payments_query_pending", "--older-than", "15m", stdout=out)
    assert "Đã kiểm tra 1 giao dịch: 1 đã ghi nhận kết quả" in out.getvalue()
    abandoned.refresh_from_db()
    paid.refresh_from_db()
    assert abandoned.status == PaymentStatus.FAILED  # older than 15 minutes, unknown at VNPAY
    assert paid.status == PaymentStatus.PENDING  # too recent for this run

    out = StringIO()
    call_command("payments_query_pending", "--older-than", "0m", stdout=out)
    assert f"{paid.txn_ref}: Cổng thanh toán xác nhận" in out.getvalue()
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.PAID and fee_due(paid_dossier) == 0

    pending, _ = _start(demo, citizen_dossier())
    settings.CQS_VNPAY_API_URL = "http://127.0.0.1:9/api"
    err = StringIO()
    with pytest.raises(CommandError, match="1 giao dịch không kiểm tra được"):
        call_command("payments_query_pending", "--older-than", "0m", stdout=StringIO(), stderr=err)
    assert pending.txn_ref in err.getvalue()
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("payments_query_pending", "--older-than", "mười phút")
