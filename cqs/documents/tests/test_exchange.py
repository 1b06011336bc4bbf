"""The edXML endpoint and the outbox, in one instance (the two-instance test is separate)."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cqs.documents import edxml, exchange, services
from cqs.documents.models import Document, ExchangePeer, InboxMessage, OutboxMessage
from cqs.documents.tests.conftest import COMMITTEE, make_pdf
from cqs.signing.services import pdf_sign

MINISTRY = "000.00.00.G22"
TOKEN = "bo-noi-vu-shared-token-0123456789"
URL = "/lien-thong/edxml/"


@pytest.fixture
def peer(db: Any) -> ExchangePeer:
    return exchange.peer_save(
        actor=None, agency_code=MINISTRY, name="Bộ Nội vụ", url="", token=TOKEN
    )


def signed_pdf(demo: Any, text: str = "Công văn của Bộ Nội vụ") -> bytes:
    return pdf_sign(actor=demo.user("lanhdao"), pdf=make_pdf(text), reason="Ký ban hành")


def package(
    pdf: bytes, *, document_id: str | None = None, to: str = COMMITTEE, sender: str = MINISTRY
) -> edxml.DocumentPackage:
    return edxml.DocumentPackage(
        document_id=document_id or str(uuid.uuid4()),
        sender=edxml.Party(sender, "Bộ Nội vụ"),
        recipients=(edxml.Party(to, "UBND phường Hạ Long"),),
        number="208",
        notation="BNV-CCHC",
        place="Hà Nội",
        promulgation_date=date(2026, 11, 2),
        type_code="CV",
        type_name="Công văn",
        subject="Về việc đánh giá chỉ số cải cách hành chính",
        content="",
        competence="KT. Bộ trưởng",
        function="Thứ trưởng",
        signer="Nguyễn Văn A",
        priority=1,
        promulgation_amount=1,
        pages=2,
        trace=((sender, datetime(2026, 11, 2, 8, 0, tzinfo=UTC)),),
        attachments=(edxml.Attachment("cv@bnv", "208-BNV-CCHC.pdf", "application/pdf", pdf),),
    )


def post(
    client: Client, body: bytes, ctype: str, *, sender: str = MINISTRY, token: str = TOKEN
) -> Any:
    return client.post(
        URL,
        body,
        content_type=ctype,
        HTTP_X_CQS_EDXML_FROM=sender,
        HTTP_X_CQS_EDXML_SIGNATURE=exchange.hmac_signature(token, body),
    )


def test_received_package_is_registered_once_and_status_queued(
    demo: Any, peer: Any, settings: Any
) -> None:
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    body, ctype = edxml.build(package(signed_pdf(demo)))
    client = Client()
    r = post(client, body, ctype)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
    doc = Document.objects.get(direction="incoming")
    assert doc.agency.code == COMMITTEE and doc.notation == "208/BNV-CCHC"
    assert doc.arrival_number == 1 and doc.channel == "electronic" and doc.urgency == "urgent"
    assert doc.signature_report["files"][0]["signatures"] == 1
    assert doc.signature_report["files"][0]["valid"] and doc.fully_signed
    status = OutboxMessage.objects.get(kind="status")
    parsed = edxml.parse(bytes(status.payload), status.content_type, max_bytes=10**7)
    assert isinstance(parsed, edxml.StatusPackage) and parsed.status_code == "03"
    assert status.to_code == MINISTRY
    # the same package again: acknowledged, not registered twice
    r2 = post(client, body, ctype)
    assert r2.status_code == 200 and r2.json()["status"] == "duplicate"
    assert Document.objects.filter(direction="incoming").count() == 1
    # routing it tells the sender
    services.incoming_assign(
        actor=demo.user("lanhdao"), document=doc, lead_division=demo.agency("002.00.20.H49")
    )
    codes = []
    for m in OutboxMessage.objects.filter(kind="status").order_by("id"):
        p = edxml.parse(bytes(m.payload), m.content_type, max_bytes=10**7)
        assert isinstance(p, edxml.StatusPackage)
        codes.append(p.status_code)
    assert codes == ["03", "04"]


def test_unknown_sender_and_bad_hmac_are_refused(demo: Any, peer: Any) -> None:
    body, ctype = edxml.build(package(make_pdf()))
    client = Client()
    r = post(client, body, ctype, sender="000.00.00.G99")
    assert r.status_code == 401 and r.json()["code"] == "unknown_sender"
    r = post(client, body, ctype, token="wrong-token-wrong-token")
    assert r.status_code == 401 and r.json()["message"]
    assert not Document.objects.exists() and not InboxMessage.objects.exists()


def test_sender_must_match_the_authenticated_peer(demo: Any, peer: Any) -> None:
    body, ctype = edxml.build(package(make_pdf(), sender="000.00.00.G23"))
    r = post(Client(), body, ctype)
    assert r.status_code == 422 and r.json()["code"] == "edxml_sender_mismatch"


@pytest.mark.parametrize(
    ("body", "ctype", "status", "code"),
    [
        (b"<edXML:edXMLEnvelope", "text/xml", 422, "edxml_malformed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
            "text/xml",
            422,
            "edxml_forbidden_dtd",
        ),
        (b"{}", "application/json", 422, "edxml_content_type"),
    ],
)
def test_bad_packages_get_json_4xx(
    demo: Any, peer: Any, body: bytes, ctype: str, status: int, code: str, caplog: Any
) -> None:
    r = post(Client(), body, ctype)
    assert r.status_code == status
    data = r.json()
    assert data["code"] == code and data["message"] and "details" in data
    assert any("refused" in rec.getMessage() for rec in caplog.records)
    assert not Document.objects.exists()


def test_oversized_package_is_refused_with_413(demo: Any, peer: Any, settings: Any) -> None:
    settings.CQS_EDXML_MAX_MB = 0.01
    body, ctype = edxml.build(package(make_pdf("x" * 100) + b"%" + b"0" * 20000))
    r = post(Client(), body, ctype)
    assert r.status_code == 413 and r.json()["code"] == "edxml_too_large"


def test_tampered_signed_pdf_is_refused_with_status_02(demo: Any, peer: Any, settings: Any) -> None:
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    pdf = bytearray(signed_pdf(demo))
    i = pdf.index(b"/Contents") - 200  # inside the signed byte range, before the signature
    pdf[i] = ord("A") if pdf[i] != ord("A") else ord("B")
    body, ctype = edxml.build(package(bytes(pdf)))
    r = post(Client(), body, ctype)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "signature_invalid" and "không hợp lệ" in r.json()["message"]
    assert not Document.objects.exists()
    inbox = InboxMessage.objects.get()
    assert inbox.outcome == "refused" and inbox.reason
    status = OutboxMessage.objects.get(kind="status")
    parsed = edxml.parse(bytes(status.payload), status.content_type, max_bytes=10**7)
    assert isinstance(parsed, edxml.StatusPackage) and parsed.status_code == "02"
    # the same package again is refused again, still nothing registered
    assert post(Client(), body, ctype).status_code == 422
    assert not Document.objects.exists()


def test_unknown_recipient_is_refused(demo: Any, peer: Any) -> None:
    body, ctype = edxml.build(package(make_pdf(), to="999.99.99.H99"))
    r = post(Client(), body, ctype)
    assert r.status_code == 422 and r.json()["code"] == "edxml_unknown_recipient"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_peer_down_is_retried_with_back_off_and_nothing_is_lost(demo: Any, settings: Any) -> None:
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    settings.CQS_EDXML_TIMEOUT = 2
    exchange.peer_save(
        actor=None,
        agency_code=MINISTRY,
        name="Bộ Nội vụ",
        url=f"http://127.0.0.1:{free_port()}/lien-thong/edxml/",
        token=TOKEN,
    )
    from cqs.documents.tests.test_outgoing import approved

    doc = approved(demo, external_recipients=[(MINISTRY, "Bộ Nội vụ")])
    doc = services.outgoing_sign(actor=demo.user("lanhdao"), document=doc)
    doc = services.outgoing_issue(actor=demo.user("vanthu"), document=doc)
    counts = exchange.outbox_deliver()
    assert (counts.delivered, counts.retried) == (0, 1)
    msg = OutboxMessage.objects.get()
    assert msg.delivered_at is None and msg.attempts == 1 and "Connection refused" in msg.last_error
    assert msg.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert exchange.outbox_deliver().delivered == 0  # not due yet
    counts = exchange.outbox_deliver(now=timezone.now() + timedelta(minutes=5))
    assert counts.retried == 1 and OutboxMessage.objects.get().attempts == 2
