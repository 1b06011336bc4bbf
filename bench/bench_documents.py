"""Documents (cqs.documents): edXML package build+parse, and register-and-route throughput.

- edXML: one package built (envelope + CQS XSD validation + MIME) and parsed back (MIME, hardened
  lxml parse, XSD validation, SHA-256 of every attachment), without an attachment and with a
  1-MB PDF attachment. Pure CPU, no database. Targets >= 200 packages/s without an attachment,
  >= 50/s with 1 MB.
- register+route: an incoming document registered by the records clerk (arrival number,
  metadata, a one-page PDF stored and hashed, its signatures verified, its text extracted and
  indexed, event, audit row) and routed by the leader to a lead division (row lock, assignment,
  event, audit row), in-process on one thread, on the engine DATABASE_URL selects.
  Target >= 100 documents/s on SQLite.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, date, datetime

from bench._db import bench_database, engine
from bench.harness import Result


def _package(attachment: bytes | None) -> object:
    from cqs.documents import edxml

    return edxml.DocumentPackage(
        document_id=str(uuid.uuid4()),
        sender=edxml.Party("000.00.20.H49", "Ủy ban nhân dân phường Hạ Long"),
        recipients=(edxml.Party("000.00.21.H49", "Ủy ban nhân dân phường Bãi Cháy"),),
        number="12",
        notation="QĐ-UBND",
        place="Hạ Long",
        promulgation_date=date(2026, 11, 20),
        type_code="QĐ",
        type_name="Quyết định",
        subject="Về việc ban hành kế hoạch chuyển đổi số",
        content="",
        competence="TM. Ủy ban nhân dân",
        function="Chủ tịch",
        signer="Phạm Quốc Hùng",
        priority=0,
        promulgation_amount=1,
        pages=3,
        trace=(("000.00.20.H49", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),),
        attachments=()
        if attachment is None
        else (edxml.Attachment("main@cqs", "12-QĐ-UBND.pdf", "application/pdf", attachment),),
    )


def _edxml_rate(attachment: bytes | None, n: int) -> float:
    from cqs.documents import edxml

    package = _package(attachment)
    for _ in range(5):
        body, ctype = edxml.build(package)  # type: ignore[arg-type]
        edxml.parse(body, ctype, max_bytes=50 * 1024 * 1024)
    start = time.perf_counter()
    for _ in range(n):
        body, ctype = edxml.build(package)  # type: ignore[arg-type]
        edxml.parse(body, ctype, max_bytes=50 * 1024 * 1024)
    return n / (time.perf_counter() - start)


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def run() -> list[Result]:
    import django

    django.setup()
    n_edxml = int(os.environ.get("BENCH_EDXML_N", "500"))
    n_route = int(os.environ.get("BENCH_ROUTE_N", "300"))
    one_mb = _pdf("Phụ lục") + b"%" + os.urandom(1024 * 1024).hex().encode()[: 1024 * 1024]
    results = [
        Result("edXML build+parse, no attachment", _edxml_rate(None, n_edxml), 200, "pkg/s", True),
        Result(
            "edXML build+parse, 1-MB attachment",
            _edxml_rate(one_mb, max(20, n_edxml // 10)),
            50,
            "pkg/s",
            True,
        ),
    ]
    with bench_database():
        from cqs.accounts.models import User
        from cqs.documents.models import DocumentType
        from cqs.documents.services import incoming_assign, incoming_register
        from cqs.dossiers.storage import Upload
        from cqs.units.models import Agency

        clerk = User.objects.get(username="vanthu")
        leader = User.objects.get(username="lanhdao")
        agency = Agency.objects.get(code="000.00.20.H49")
        division = Agency.objects.get(code="002.00.20.H49")
        letter = DocumentType.objects.get(abbreviation="CV")
        pdfs = [_pdf(f"Công văn số {i} về việc chuyển đổi số") for i in range(n_route + 10)]

        def one(i: int) -> None:
            doc = incoming_register(
                actor=clerk,
                agency=agency,
                doc_type=letter,
                summary=f"Công văn số {i}",
                issuer_name="Sở Tư pháp",
                issued_on=date(2026, 1, 5),
                number=i,
                notation="STP-VP",
                files=[Upload(f"cv-{i}.pdf", pdfs[i])],
            )
            incoming_assign(actor=leader, document=doc, lead_division=division)

        for i in range(10):
            one(i)
        start = time.perf_counter()
        for i in range(10, n_route + 10):
            one(i)
        rate = n_route / (time.perf_counter() - start)
        results.append(
            Result(f"register+route incoming, {engine()}, 1 thread", rate, 100, "doc/s", True)
        )
    return results
