"""manage.py pki_import: a CA-issued PKCS#12 becomes the leader's signing certificate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cqs.audit.models import AuditEvent
from cqs.signing import pki
from cqs.signing.certificates import demo_root
from cqs.signing.models import Certificate
from cqs.signing.services import pdf_sign
from cqs.signing.verify import pdf_verify

pytestmark = pytest.mark.django_db


def _p12(tmp_path: Any, passphrase: str) -> tuple[Any, str]:
    root = demo_root()
    assert root is not None
    now = timezone.now()
    pair = pki.issue(
        root,
        subject=pki.name("Phạm Quốc Hùng", organization="UBND phường Hạ Long"),
        purpose="sign",
        not_before=now - timedelta(hours=1),
        not_after=now + timedelta(days=365),
    )
    path = tmp_path / "lanhdao.p12"
    path.write_bytes(pki.pkcs12_dump(pair, chain=[root.certificate], passphrase=passphrase))
    return path, pair.fingerprint


def test_imported_pkcs12_signs_for_the_leader(
    demo: Any, pdf: bytes, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    leader = demo.user("lanhdao")
    path, fingerprint = _p12(tmp_path, "mat-khau-p12")
    monkeypatch.setenv("CQS_P12_PASSPHRASE", "mat-khau-p12")
    assert Certificate.objects.filter(user=leader, is_demo=True).exists()
    call_command(
        "pki_import",
        "personal",
        "--agency",
        "000.00.20.H49",
        "--user",
        "lanhdao",
        "--p12",
        str(path),
    )
    assert fingerprint in capsys.readouterr().out
    cert = Certificate.objects.get(fingerprint=fingerprint)
    assert (cert.user, cert.agency.code, cert.is_demo) == (leader, "000.00.20.H49", False)
    assert AuditEvent.objects.filter(
        action="signing.certificate_import", object_id=str(cert.pk)
    ).exists()
    signed = pdf_sign(actor=leader, pdf=pdf)
    signature = pdf_verify(signed).signatures[0]
    assert signature.valid
    assert signature.fingerprint == fingerprint


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["personal", "--agency", "000.00.20.H49", "--user", "lanhdao"], "sai mật khẩu"),
        (["personal", "--agency", "000.00.20.H49"], "cần --user"),
        (["seal", "--agency", "999.99.99.H99"], "Không có cơ quan"),
    ],
)
def test_refusals_are_clear_and_change_nothing(
    demo: Any, tmp_path: Any, monkeypatch: Any, args: list[str], message: str
) -> None:
    path, _ = _p12(tmp_path, "dung")
    monkeypatch.setenv("CQS_P12_PASSPHRASE", "sai")
    before = Certificate.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("pki_import", *args, "--p12", str(path))
    assert Certificate.objects.count() == before
