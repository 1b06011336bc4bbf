"""Digital signatures: CQS sign+verify throughput beside pyHanko's bare sign+verify of the same
PDF with the same key, in the same run.

CQS: ``pdf_sign`` (the leader's certificate checked, visible signature image, the demo CA's CRL
embedded for LTV, ``SignatureRecord`` + audit row in one transaction) then ``pdf_verify``
(integrity, coverage, chain to the trust anchors, revocation). Bare: pyHanko's ``PdfSigner``
with the same in-memory key (invisible, ``bytes_reserved`` given) then
``validate_pdf_signature`` against the same root. Target: CQS costs at most 2× bare.
"""

from __future__ import annotations

import io
import os
import tempfile

from bench._db import bench_database, engine
from bench.harness import Result, median, timed


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_SIGN_N", "40"))
    with tempfile.TemporaryDirectory(prefix="cqs-bench-pki-") as pki_dir:
        from django.conf import settings

        previous = settings.CQS_PKI_DIR
        settings.CQS_PKI_DIR = pki_dir
        try:
            with bench_database():
                return _measure(n)
        finally:
            settings.CQS_PKI_DIR = previous


def _measure(n: int) -> list[Result]:
    from fpdf import FPDF
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from cqs.accounts.models import User
    from cqs.signing import keys
    from cqs.signing.models import Certificate
    from cqs.signing.selectors import trust_roots
    from cqs.signing.services import pdf_sign
    from cqs.signing.verify import pdf_verify

    pdf = FPDF()
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", size=14)
    pdf.multi_cell(0, 8, "Quyết định về việc cấp giấy phép — văn bản đo hiệu năng ký số. " * 20)
    data = bytes(pdf.output())

    leader = User.objects.get(username="lanhdao")
    cert = Certificate.objects.get(user=leader)
    signer = keys.pkcs12_signer(cert.key_ref)
    roots = trust_roots()

    def bare() -> None:
        meta = signers.PdfSignatureMetadata(
            field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
        )
        out = signers.PdfSigner(meta, signer=signer).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(data)), bytes_reserved=8192
        )
        sig = PdfFileReader(out).embedded_signatures[0]
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
        assert status.bottom_line

    def cqs() -> None:
        report = pdf_verify(pdf_sign(actor=leader, pdf=data, context="bench:1"))
        assert report.all_valid

    # interleave the two so both see the same machine state
    bare_samples: list[float] = []
    cqs_samples: list[float] = []
    for _ in range(max(1, n // 10)):
        bare_samples += timed(bare, repeat=10, warmup=1)
        cqs_samples += timed(cqs, repeat=10, warmup=1)
    bare_ms, cqs_ms = median(bare_samples) * 1000, median(cqs_samples) * 1000
    where = engine()
    return [
        Result(f"pyHanko bare sign+verify ({where}), median", bare_ms, 1000, "ms", False),
        Result(f"CQS pdf_sign+pdf_verify ({where}), median", cqs_ms, 2 * bare_ms, "ms", False),
        Result("CQS sign+verify throughput", 1000 / cqs_ms, 500 / bare_ms, "ops/s", True),
        Result("CQS cost / pyHanko bare cost", cqs_ms / bare_ms, 2.0, "×", False),
    ]
