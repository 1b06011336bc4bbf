"""Blank application forms (mẫu đơn, tờ khai) as A4 PDFs, for the demo catalogue.

Pure module: no Django, no database (fpdf2 with the DejaVu fonts, as cqs.dossiers.pdf_forms,
which catalogue may not import: it sits below dossiers). The layout follows the citizen forms
of the civil-status and permit regulations: the national heading centred on top, the title,
"Kính gửi", labelled dotted lines for each field, the applicant's pledge, the place and date
line and the signature block. These are DEMO blanks drawn from that layout, not copies of the
gazette's annexes: every page says so, and an install publishes the official files instead.

Output is deterministic (fixed creation date), so seeding twice gives the same SHA-256.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fontTools import subset as ftsubset  # type: ignore[import-untyped]
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
_FAMILY = "DejaVu"
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_CREATED = datetime(2026, 1, 1, tzinfo=UTC)
_LINE = 7.5
_DEMO_NOTE = (
    "Mẫu trình diễn do CQS tạo theo bố cục của {ref}. Đối chiếu với mẫu ban hành kèm văn bản "
    "gốc trước khi sử dụng thật."
)


@dataclass(frozen=True)
class Line:
    """One line of the form: a field with a dotted blank, a section heading or plain text."""

    text: str
    kind: str = "field"  # "field" | "heading" | "text" | "blank"


@dataclass(frozen=True)
class BlankForm:
    title: str  # in normal case; printed in capitals
    reference: str  # the legal form it follows (the catalogue's form name)
    lines: tuple[Line, ...]
    pledge: str
    addressee: str = "Kính gửi: "
    signers: tuple[str, ...] = ("Người yêu cầu",)
    sign_hint: str = "(Ký, ghi rõ họ, chữ đệm, tên)"
    columns: tuple[str, ...] = ()  # e.g. ("Bên nữ", "Bên nam"): fields become a table
    extra: tuple[Line, ...] = field(default_factory=tuple)  # after the pledge


# Latin with every Vietnamese letter, punctuation and the ballot boxes: all these forms print.
_RANGES = ((0x20, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x2610, 0x2612))
_REDUCED: dict[tuple[str, float], Path] = {}
_REDUCED_LOCK = threading.Lock()


def _reduced_font(path: Path) -> Path:
    """``path`` cut down to ``_RANGES`` (about 500 of DejaVu's 6,000 glyphs), once per process.

    fpdf2 parses the whole font for every document; on the small font that takes a tenth of
    the time, and seeding the demo renders some thirty forms."""
    key = (str(path), path.stat().st_mtime)
    with _REDUCED_LOCK:
        if key not in _REDUCED:
            font = ttLib.TTFont(str(path), recalcTimestamp=False)
            options = ftsubset.Options(notdef_outline=True, name_IDs=["*"], name_languages=["*"])
            options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing to subset
            subsetter = ftsubset.Subsetter(options)
            subsetter.populate(unicodes=[c for lo, hi in _RANGES for c in range(lo, hi + 1)])
            subsetter.subset(font)
            directory = Path(tempfile.mkdtemp(prefix="cqs-fonts-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            target = directory / path.name
            font.save(str(target))
            _REDUCED[key] = target
        return _REDUCED[key]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FAMILY, "I", 7.5)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 3.6, self._note, align="C")  # type: ignore[attr-defined]
        self.set_text_color(0, 0, 0)


def _dotted(pdf: FPDF, label: str, *, height: float = _LINE) -> None:
    """``label`` then dots to the right margin (a label longer than a line wraps first)."""
    width = pdf.epw
    dot = pdf.get_string_width(".")
    label_w = pdf.get_string_width(label)
    if label_w > width * 0.8:
        pdf.multi_cell(width, height, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        label, label_w = "", 0.0
    dots = "." * max(3, int((width - label_w - 1) / dot))
    pdf.cell(width, height, label + dots, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_blank_form(form: BlankForm, *, font_dir: str | Path) -> bytes:
    """The bytes of ``form`` as an A4 PDF with DejaVu fonts embedded (Vietnamese text)."""
    pdf = _Pdf(format="A4")
    pdf._note = _nfc(_DEMO_NOTE.format(ref=form.reference))  # type: ignore[attr-defined]
    pdf.set_creation_date(_CREATED)
    pdf.set_title(_nfc(form.title))
    pdf.set_author("CQS")
    pdf.set_margins(20, 15, 18)
    pdf.set_auto_page_break(True, margin=20)
    for style, name in _FONTS.items():
        path = Path(font_dir) / name
        if not path.is_file() and style == "I":
            path = Path(font_dir) / _FONTS[""]
        pdf.add_font(_FAMILY, style, str(_reduced_font(path)))
    pdf.add_page()

    # National heading (Decree 30/2020/NĐ-CP, Annex I: the motto under the country's name,
    # a line under the motto).
    pdf.set_font(_FAMILY, "B", 11.5)
    pdf.cell(0, 6, NATION, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, "B", 12)
    pdf.cell(0, 6, MOTTO, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    half = pdf.get_string_width(MOTTO) / 2
    middle = pdf.l_margin + pdf.epw / 2
    pdf.line(middle - half, pdf.get_y() + 0.5, middle + half, pdf.get_y() + 0.5)
    pdf.ln(9)

    pdf.set_font(_FAMILY, "B", 14)
    pdf.multi_cell(0, 7, _nfc(form.title).upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, "I", 9)
    pdf.multi_cell(
        0, 5, f"(Theo {_nfc(form.reference)})", align="C",
        new_x=XPos.LMARGIN, new_y=YPos.NEXT,
    )  # fmt: skip
    pdf.ln(4)

    pdf.set_font(_FAMILY, "", 11)
    _dotted(pdf, _nfc(form.addressee))
    if form.columns:
        _lines(pdf, tuple(line for line in form.lines if line.kind != "field"))
        _table(pdf, form)
    else:
        _lines(pdf, form.lines)
    pdf.ln(2)
    pdf.multi_cell(0, 6, _nfc(form.pledge), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _lines(pdf, form.extra)
    pdf.ln(4)
    _signatures(pdf, form)
    return bytes(pdf.output())


def _lines(pdf: FPDF, lines: tuple[Line, ...]) -> None:
    for line in lines:
        text = _nfc(line.text)
        if line.kind == "heading":
            pdf.set_font(_FAMILY, "B", 11)
            pdf.multi_cell(0, _LINE, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font(_FAMILY, "", 11)
        elif line.kind == "text":
            pdf.multi_cell(0, _LINE, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        elif line.kind == "blank":
            _dotted(pdf, "")
        else:
            _dotted(pdf, text + ": ")


def _table(pdf: FPDF, form: BlankForm) -> None:
    """Fields × parties (marriage: the bride's and the groom's columns)."""
    label_w = pdf.epw * 0.34
    col_w = (pdf.epw - label_w) / len(form.columns)
    pdf.set_font(_FAMILY, "B", 10.5)
    pdf.cell(label_w, 8, "Thông tin", border=1, align="C")
    for name in form.columns:
        pdf.cell(col_w, 8, _nfc(name), border=1, align="C")
    pdf.ln(8)
    pdf.set_font(_FAMILY, "", 10.5)
    for line in form.lines:
        if line.kind != "field":
            continue
        pdf.cell(label_w, 10, _nfc(line.text), border=1)
        for _ in form.columns:
            pdf.cell(col_w, 10, "", border=1)
        pdf.ln(10)
    pdf.set_font(_FAMILY, "", 11)


def _signatures(pdf: FPDF, form: BlankForm) -> None:
    pdf.set_font(_FAMILY, "I", 11)
    pdf.cell(
        0, 6, "Làm tại: ................, ngày ...... tháng ...... năm ........", align="R",
        new_x=XPos.LMARGIN, new_y=YPos.NEXT,
    )  # fmt: skip
    pdf.ln(2)
    width = pdf.epw / max(2, len(form.signers))
    start = pdf.l_margin + (pdf.epw - width * len(form.signers))
    y = pdf.get_y()
    for i, signer in enumerate(form.signers):
        pdf.set_xy(start + i * width, y)
        pdf.set_font(_FAMILY, "B", 11)
        pdf.cell(width, 6, _nfc(signer).upper(), align="C")
        pdf.set_xy(start + i * width, y + 6)
        pdf.set_font(_FAMILY, "I", 9.5)
        pdf.cell(width, 5, _nfc(form.sign_hint), align="C")
    pdf.set_y(y + 35)
