"""Signing with a key held on a PKCS#11 token: SoftHSM2 (Debian softhsm2), a real token."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from cqs.signing import pki
from cqs.signing.certificates import certificate_register_pkcs11, demo_root
from cqs.signing.errors import SigningError
from cqs.signing.models import Certificate, CertificateKind, KeyKind
from cqs.signing.services import pdf_sign
from cqs.signing.tests.conftest import pdfsig, pdfsig_blocks
from cqs.signing.verify import pdf_verify

pytestmark = pytest.mark.django_db
MODULE = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def token(tmp_path, monkeypatch, settings):
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "cqs-token",
            "--so-pin",
            "12345678",
            "--pin",
            "5678",
        ],
        check=True,
        capture_output=True,
    )
    settings.CQS_PKCS11_MODULE = MODULE
    settings.CQS_PKCS11_PIN = "5678"
    return tmp_path


def test_sign_with_softhsm_token_key(demo, pdf, token, tmp_path):
    leader = demo.user("lanhdao")
    root = demo_root()
    assert root is not None
    now = timezone.now()
    pair = pki.issue(
        root,
        subject=pki.name("Phạm Quốc Hùng", organization="UBND phường Hạ Long", unit=pki.DEMO_MARK),
        purpose="sign",
        not_before=now - timedelta(hours=1),
        not_after=now + timedelta(days=30),
    )
    key_file = token / "key.pem"
    key_file.write_bytes(
        pair.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(key_file),
            "--token",
            "cqs-token",
            "--label",
            "lanhdao-key",
            "--id",
            "01",
            "--pin",
            "5678",
        ],
        check=True,
        capture_output=True,
    )
    key_file.unlink()  # the key now exists only on the token
    Certificate.objects.filter(user=leader).delete()
    cert = certificate_register_pkcs11(
        actor=None,
        kind=CertificateKind.PERSONAL,
        agency=demo.agency("000.00.20.H49"),
        user=leader,
        certificate_pem=pki.pem(pair.certificate),
        token_label="cqs-token",
        key_label="lanhdao-key",
    )
    assert cert.key_kind == KeyKind.PKCS11

    signed = pdf_sign(actor=leader, pdf=pdf)
    block = pdfsig_blocks(pdfsig(signed, tmp_path))[0]
    assert "Signature Validation: Signature is Valid." in block
    sig = pdf_verify(signed).signatures[0]
    assert sig.valid
    assert sig.fingerprint == cert.fingerprint


def test_wrong_pin_is_a_clear_error(demo, pdf, token, settings):
    leader = demo.user("lanhdao")
    Certificate.objects.filter(user=leader).delete()
    root = demo_root()
    certificate_register_pkcs11(
        actor=None,
        kind=CertificateKind.PERSONAL,
        agency=demo.agency("000.00.20.H49"),
        user=leader,
        certificate_pem=pki.pem(root.certificate),
        token_label="cqs-token",
        key_label="missing",
    )
    settings.CQS_PKCS11_PIN = "0000"
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=leader, pdf=pdf)
    assert exc.value.code == "key_unavailable"
    assert "USB token/HSM" in exc.value.message


def test_remote_signing_adapter_local_backend(demo, pdf, settings, tmp_path):
    """The ``local`` remote-signing adapter ("ký số từ xa"): the key stays with the signing
    service; CQS sends the data to sign and gets the signature back."""
    from cqs.signing.certificates import certificate_issue_demo

    leader = demo.user("lanhdao")
    Certificate.objects.filter(user=leader).delete()
    cert = certificate_issue_demo(
        actor=None,
        kind=CertificateKind.PERSONAL,
        agency=demo.agency("000.00.20.H49"),
        user=leader,
        key_kind=KeyKind.REMOTE,
    )
    assert cert.key_kind == KeyKind.REMOTE
    signed = pdf_sign(actor=leader, pdf=pdf)
    assert pdf_verify(signed).all_valid
    assert "Signature is Valid" in pdfsig(signed, tmp_path)
    settings.CQS_SIGNING_BACKEND = "vnpt-smartca"
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=leader, pdf=pdf)
    assert "chưa được cấu hình" in exc.value.message
