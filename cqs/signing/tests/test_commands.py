"""Management commands: pki_init (idempotent), sign_pdf, pki_trust_anchor."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command

from cqs.signing import pki
from cqs.signing.certificates import demo_root
from cqs.signing.models import Certificate, CertificateKind, TrustAnchor
from cqs.signing.tests.conftest import make_pdf
from cqs.signing.verify import pdf_verify

pytestmark = pytest.mark.django_db


def test_pki_init_is_idempotent_and_marks_demo(demo):
    before = Certificate.objects.count()
    out = io.StringIO()
    call_command("pki_init", stdout=out)
    assert Certificate.objects.count() == before
    assert "+0 chứng thư cơ quan, +0 chứng thư cá nhân" in out.getvalue()
    assert "KHÔNG DÙNG THẬT" in out.getvalue()
    root = demo_root()
    assert "KHÔNG DÙNG THẬT" in root.certificate.subject.rfc4514_string()
    leader_cert = Certificate.objects.get(kind=CertificateKind.PERSONAL, user=demo.user("lanhdao"))
    assert leader_cert.is_demo
    assert Certificate.objects.filter(
        kind=CertificateKind.SEAL, agency=demo.agency("000.00.15.H49")
    ).exists()
    # division has no seal of its own
    assert not Certificate.objects.filter(agency=demo.agency("002.00.20.H49")).exists()


def test_sign_pdf_command_signs_and_seals(demo, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(make_pdf())
    signed, sealed = tmp_path / "signed.pdf", tmp_path / "sealed.pdf"
    call_command("sign_pdf", str(src), str(signed), "--as", "lanhdao", stdout=io.StringIO())
    call_command(
        "sign_pdf", str(signed), str(sealed), "--as", "vanthu", "--seal", stdout=io.StringIO()
    )
    report = pdf_verify(sealed.read_bytes())
    assert [s.kind for s in report.signatures] == ["personal", "seal"]
    assert report.all_valid
    out = subprocess.run(
        ["pdfsig", str(sealed)], check=False, capture_output=True, text=True
    ).stdout
    assert out.count("Signature is Valid") == 2
    with pytest.raises(CommandError, match="Chưa có chứng thư số"):
        call_command("sign_pdf", str(src), str(signed), "--as", "xuly")
    with pytest.raises(CommandError, match="Không có tài khoản"):
        call_command("sign_pdf", str(src), str(signed), "--as", "nobody")


def test_trust_anchor_command_accepts_pem_and_der(demo, tmp_path):
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives import serialization

    other = pki.make_root("Root CA thử nghiệm", now=datetime.now(tz=UTC))
    der = tmp_path / "root.cer"
    der.write_bytes(other.certificate.public_bytes(serialization.Encoding.DER))
    call_command("pki_trust_anchor", "Root CA thử", str(der), stdout=io.StringIO())
    assert TrustAnchor.objects.filter(fingerprint=other.fingerprint).exists()
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(CommandError, match="Chứng thư gốc không hợp lệ"):
        call_command("pki_trust_anchor", "x", str(bad))
