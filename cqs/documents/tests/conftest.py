from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cqs.documents.models import DocumentType
from cqs.documents.services import Upload, incoming_register


def make_pdf(text: str = "Văn bản") -> bytes:
    """A real one-page PDF (DejaVu font) whose text is ``text``."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


PDF = make_pdf()
COMMITTEE = "000.00.20.H49"  # UBND phường Hạ Long
DIVISION = "002.00.20.H49"


def doc_type(abbr: str = "QĐ") -> DocumentType:
    return DocumentType.objects.get(abbreviation=abbr)


@pytest.fixture
def register(demo: Any) -> Any:
    def _register(**kw: Any) -> Any:
        defaults: dict[str, Any] = {
            "actor": demo.user("vanthu"),
            "agency": demo.agency(COMMITTEE),
            "doc_type": doc_type(kw.pop("type", "CV")),
            "summary": "Về việc triển khai chuyển đổi số năm 2026",
            "issuer_name": "Sở Tư pháp tỉnh Quảng Ninh",
            "issued_on": date(2026, 1, 5),
            "number": 15,
            "notation": "STP-VP",
            "files": [Upload("cong-van.pdf", make_pdf(str(kw.get("summary", "Văn bản"))))],
        }
        defaults.update(kw)
        return incoming_register(**defaults)

    return _register
