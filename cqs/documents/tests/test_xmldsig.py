"""The envelope's XML-DSig ``Signature`` (QCVN 102:2016): signed by the sender's seal key,
checked on receipt against the trust anchors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import Client

from cqs.documents import edxml, exchange, xmldsig
from cqs.documents.models import Document, InboxMessage, OutboxMessage
from cqs.documents.tests.conftest import COMMITTEE, make_pdf
from cqs.documents.tests.test_exchange import package, peer, post  # noqa: F401 - fixture

SUBJECT = "Về việc đánh giá chỉ số cải cách hành chính"
DS = b"http://www.w3.org/2000/09/xmldsig#"


def signed_body(demo: Any, p: edxml.DocumentPackage | None = None) -> tuple[bytes, str]:
    sign = exchange._envelope_signer(COMMITTEE)  # the Hạ Long seal (demo PKI)
    assert sign is not None
    return edxml.build(p or package(make_pdf()), sign=sign)


def test_signed_package_verifies_and_round_trips(demo: Any) -> None:
    p = package(make_pdf())
    body, ctype = signed_body(demo, p)
    parsed, envelope = edxml.parse_with_envelope(body, ctype, max_bytes=10**7)
    assert xmldsig.has_signature(envelope)
    assert b"<ds:Signature" in envelope and DS in envelope
    assert b"xml-exc-c14n#" in envelope and b"<ds:X509Certificate>" in envelope
    exchange._check_envelope_signature(envelope)  # does not raise
    assert parsed == p  # the signature changes nothing in the package's content


def test_signed_package_is_received(demo: Any, peer: Any, settings: Any) -> None:  # noqa: F811
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    settings.CQS_SIGNING_REQUIRED = True
    body, ctype = signed_body(demo)
    r = post(Client(), body, ctype)
    assert r.status_code == 200, r.content
    assert Document.objects.get().summary == SUBJECT


def test_subject_tampered_after_signing_is_refused_with_status_02(
    demo: Any,
    peer: Any,  # noqa: F811
    settings: Any,
) -> None:
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    body, ctype = signed_body(demo)
    tampered = body.replace(SUBJECT.encode(), "Về việc hủy bỏ kế hoạch".encode())
    assert tampered != body
    r = post(Client(), tampered, ctype)
    assert r.status_code == 422, r.content
    answer = r.json()
    assert answer["code"] == "edxml_signature_invalid"
    assert "Chữ ký số (XML-DSig) của gói edXML không hợp lệ" in answer["message"]
    assert not Document.objects.exists()
    assert InboxMessage.objects.get().outcome == "refused"
    status = OutboxMessage.objects.get(kind="status")
    parsed = edxml.parse(bytes(status.payload), status.content_type, max_bytes=10**7)
    assert isinstance(parsed, edxml.StatusPackage) and parsed.status_code == "02"


def test_unsigned_package_is_refused_when_signatures_are_required(
    demo: Any,
    peer: Any,  # noqa: F811
    settings: Any,
) -> None:
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    body, ctype = edxml.build(package(make_pdf()))
    settings.CQS_SIGNING_REQUIRED = True
    r = post(Client(), body, ctype)
    assert r.status_code == 422 and r.json()["code"] == "edxml_signature_missing"
    assert not Document.objects.exists()
    settings.CQS_SIGNING_REQUIRED = False
    other, ctype = edxml.build(package(make_pdf()))
    assert post(Client(), other, ctype).status_code == 200  # optional when not required


def test_signature_by_an_untrusted_certificate_is_refused(
    demo: Any,
    peer: Any,  # noqa: F811
    settings: Any,
) -> None:
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bộ Nội vụ (tự ký)")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    body, ctype = edxml.build(package(make_pdf()), sign=lambda xml: xmldsig.sign(xml, key, [cert]))
    r = post(Client(), body, ctype)
    assert r.status_code == 422 and r.json()["code"] == "edxml_signature_invalid"
    assert not Document.objects.exists()
