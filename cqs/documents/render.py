"""The PDF of an outgoing document, laid out per Decree 30/2020 Appendix I, and PDF text.

The number is left blank on the page ("Số:      /QĐ-UBND"): the records clerk gives it when
issuing, after the leader signed (Decree 30/2020 Article 15.2 and Article 16), and it is then
carried by the agency's seal signature and the document's metadata.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


def render_document_pdf(
    *,
    agency_name: str,
    parent_name: str,
    place: str,
    notation: str,
    type_name: str,
    summary: str,
    body: str,
    signer_position: str,
    signer_name: str,
    day: date,
    is_letter: bool,
) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    font_dir = Path(settings.CQS_PDF_FONT_DIR)
    for style, name in _FONTS.items():
        pdf.add_font("DejaVu", style, str(font_dir / name))
    # Appendix I §I: margins top 20-25, bottom 20-25, left 30-35, right 15-20 mm.
    pdf.set_margins(30, 20, 20)
    pdf.add_page()
    half = (pdf.w - 50) / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 5, parent_name.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, agency_name.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 6, f"Số:      /{notation}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if is_letter:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(half, 5, f"V/v {summary}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    pdf.set_xy(30 + half, top)
    pdf.set_font("DejaVu", "B", 8.5)
    pdf.multi_cell(
        half,
        5,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_x(30 + half)
    pdf.multi_cell(
        half, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_x(30 + half)
    pdf.set_font("DejaVu", "I", 10)
    pdf.multi_cell(
        half,
        6,
        f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    if not is_letter:
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(0, 7, type_name.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, summary, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
    pdf.set_font("DejaVu", "", 11)
    for para in body.splitlines() or [""]:
        pdf.multi_cell(0, 6, para, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_x(pdf.w - 20 - 80)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(80, 6, signer_position.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(24)
    pdf.set_x(pdf.w - 20 - 80)
    pdf.multi_cell(80, 6, signer_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def pdf_text(content: bytes, *, limit: int = 200_000) -> str:
    """Text of a PDF via poppler's pdftotext (empty when it has none or cannot be read)."""
    tool = shutil.which("pdftotext")
    if not content.startswith(b"%PDF-") or tool is None:
        return ""
    try:
        result = subprocess.run(  # noqa: S603 - fixed tool path, bytes on stdin
            [tool, "-q", "-enc", "UTF-8", "-", "-"],
            input=content,
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.decode("utf-8", "replace")[:limit]
