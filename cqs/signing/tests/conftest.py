"""Fixtures for signing tests: real PDFs (fpdf2 + DejaVu), poppler's pdfsig, local TSA/OCSP."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from fpdf import FPDF

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def make_pdf(
    text: str = "Quyết định cấp giấy phép xây dựng — bản thử nghiệm", pages: int = 1
) -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", FONT)
    for i in range(pages):
        pdf.add_page()
        pdf.set_font("DejaVu", size=14)
        pdf.cell(text=f"{text} (trang {i + 1})")
    return bytes(pdf.output())


def pdfsig(data: bytes, tmp_path: Path, name: str = "signed.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    return result.stdout + result.stderr


def pdfsig_blocks(output: str) -> list[str]:
    """One text block per signature of pdfsig's report."""
    return output.split("Signature #")[1:]


@pytest.fixture
def pdf() -> bytes:
    return make_pdf()


@pytest.fixture
def responders(demo: Any) -> Any:
    """A real RFC 3161 TSA and RFC 6960 OCSP responder on 127.0.0.1 for the demo CA."""
    from cqs.signing import pki
    from cqs.signing.certificates import demo_root
    from cqs.signing.responders import OcspResponder, TimestampAuthority, serve_in_thread

    root = demo_root()
    assert root is not None
    now = timezone.now()
    tsa = pki.issue(
        root,
        subject=pki.name("CQS DEMO TSA", organization="CQS", unit=pki.DEMO_MARK),
        purpose="tsa",
        not_before=now - timedelta(hours=1),
        not_after=now + timedelta(days=30),
        key=pki.new_rsa_key(),
    )
    ocsp_pair = pki.issue(
        root,
        subject=pki.name("CQS DEMO OCSP", organization="CQS", unit=pki.DEMO_MARK),
        purpose="ocsp",
        not_before=now - timedelta(hours=1),
        not_after=now + timedelta(days=30),
    )

    # The responder thread has its own database connection and cannot see the test's
    # uncommitted rows: the test says which serials are good (None) or revoked (a time).
    known: dict[int, Any] = {}

    def status(serial: int) -> Any:
        return known.get(serial, False)

    tsa_app = TimestampAuthority(tsa, [root.certificate])
    ocsp_app = OcspResponder(root, ocsp_pair, status)
    tsa_server = serve_in_thread(tsa_app)
    ocsp_server = serve_in_thread(ocsp_app)

    class Responders:
        tsa_url = tsa_server.url
        ocsp_url = ocsp_server.url
        tsa_app_ = tsa_app
        ocsp_app_ = ocsp_app
        statuses = known

    yield Responders()
    tsa_server.stop()
    ocsp_server.stop()
