"""PDF renderers for the one-stop (một cửa) forms issued while a dossier is processed.

Pure module: no Django, no database. Each renderer takes plain frozen dataclasses and returns
the bytes of an A4 PDF with the DejaVu Sans fonts embedded (Vietnamese needs a Unicode TrueType
font; the PDF core fonts cannot show "ễ") and, when the dossier has a code, a QR code pointing
to the public lookup page.

Layout follows the model forms in the annex of Circular 01/2018/TT-VPCP (guiding Decree
61/2018/NĐ-CP; the one-stop framework is now Decree 118/2025/NĐ-CP, taken here to keep these
forms: verify) and the presentation rules of Decree 30/2020/NĐ-CP (national heading on the right, issuing body
on the left, place and date line in italics under the motto, signature block on the
right). Verify: a secondary source (a 2026 thesis, not the gazette) says Circular 03/2025/TT-VPCP,
Annex I, renumbers the set (01 receipt, 02 supplement, 03 refusal, 04 apology and extension,
05 stop notice, 06 control sheet, 07 log book); check the gazette before quoting numbers.

Output is deterministic: the same input gives the same bytes (the PDF creation date is the
form's ``issued_at``, fonts are subset deterministically, the QR image is generated in memory).
"""

from __future__ import annotations

import copy
import io
import os
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from fontTools import subset as ftsubset  # type: ignore[import-untyped]
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import Align, TableHeadingsDisplay, VAlign, XPos, YPos
from fpdf.fonts import FontFace, SubsetMap, TTFFont

__all__ = [
    "DEFAULT_FONT_DIR",
    "FONT_DIR_ENV",
    "AgencyInfo",
    "ApplicantInfo",
    "DocumentLine",
    "FontsMissingError",
    "FormContext",
    "StepLine",
    "format_date_line",
    "format_datetime",
    "render_apology",
    "render_control_sheet",
    "render_intake_receipt",
    "render_refusal",
    "render_result_document",
    "render_supplement_request",
]

FONT_DIR_ENV = "CQS_PDF_FONT_DIR"
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"

_FAMILY = "DejaVu"
_FONT_FILES: dict[str, str] = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Italics are used for the date line and the "(Ký và ghi rõ họ tên)" hints; fonts-dejavu-core
# ships the oblique faces, and if they are absent the upright face stands in.
_OPTIONAL_FONT_FILES: dict[str, tuple[str, str]] = {
    "I": ("DejaVuSans-Oblique.ttf", ""),
    "BI": ("DejaVuSans-BoldOblique.ttf", "B"),
}

# Page geometry (mm). Decree 30/2020 asks for 20-25 mm top/bottom, 30-35 left, 15-20 right on
# official documents; the forms are printed at the desk, so the margins are kept near 20 mm.
_MARGIN_LEFT = 25.0
_MARGIN_RIGHT = 20.0
_MARGIN_TOP = 20.0
_MARGIN_BOTTOM = 12.0
_FOOTER_HEIGHT = 23.0  # room kept at the bottom of each page for the QR / lookup strip
_QR_SIZE = 20.0

_BODY_PT = 11.0
_LINE_H = 5.8
_TABLE_PT = 9.0

_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_MOTTO = "Độc lập - Tự do - Hạnh phúc"
_SIGN_HINT = "(Ký và ghi rõ họ tên)"


class FontsMissingError(RuntimeError):
    """The DejaVu TrueType fonts needed for Vietnamese text are not installed."""

    def __init__(self, font_dir: Path, missing: Sequence[str]) -> None:
        self.font_dir = font_dir
        self.missing = tuple(missing)
        super().__init__(
            f"PDF fonts missing in {font_dir}: {', '.join(self.missing)}. "
            "Install them with `apt-get install fonts-dejavu-core` "
            f"or point {FONT_DIR_ENV} at a directory holding DejaVuSans.ttf and DejaVuSans-Bold.ttf."
        )


@dataclass(frozen=True)
class AgencyInfo:
    name: str  # e.g. "Bộ phận Một cửa phường Hạ Long"
    parent_name: str  # e.g. "Ủy ban nhân dân phường Hạ Long"
    place: str  # e.g. "Hạ Long" (the place in the date line)


@dataclass(frozen=True)
class ApplicantInfo:
    name: str
    id_number: str
    phone: str
    email: str
    address: str


@dataclass(frozen=True)
class DocumentLine:
    name: str
    originals: int
    copies: int
    note: str = ""


@dataclass(frozen=True)
class StepLine:
    name: str
    agency: str
    officer: str
    received_at: datetime | None
    due_at: datetime | None
    done_at: datetime | None
    outcome: str  # "Đúng hạn" / "Trước hạn" / "Trễ hạn" / "" (in progress)


@dataclass(frozen=True)
class FormContext:
    agency: AgencyInfo
    dossier_code: str  # "" before a code exists (supplement/refusal at intake): no code, no QR
    procedure_name: str
    procedure_code: str
    applicant: ApplicantInfo
    officer_name: str
    issued_at: datetime
    tz: ZoneInfo
    lookup_url: str


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    # Decomposed input (NFD, e.g. pasted from macOS) would put combining marks after the base
    # letter, which the PDF shows as detached accents without a shaping engine.
    return unicodedata.normalize("NFC", text)


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime given to a PDF form: {value!r}; pass an aware datetime")
    return value.astimezone(tz)


def format_datetime(value: datetime, tz: ZoneInfo) -> str:
    """ "08 giờ 30 phút, ngày 21/11/2026" in the zone ``tz``."""
    local = _local(value, tz)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def format_date_line(place: str, value: datetime, tz: ZoneInfo) -> str:
    """ "Hạ Long, ngày 21 tháng 11 năm 2026".

    Decree 30/2020/NĐ-CP, Annex I: days below 10 and the months 1 and 2 take a leading zero.
    """
    local = _local(value, tz)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"{place}, ngày {local.day:02d} tháng {month} năm {local.year}"


def _maybe(value: datetime | None, tz: ZoneInfo, *, sep: str = ", ") -> str:
    if value is None:
        return ""
    return format_datetime(value, tz).replace(", ", sep)


# --------------------------------------------------------------------------------------------
# Fonts and the PDF object
# --------------------------------------------------------------------------------------------


def _resolve_font_dir(font_dir: str | os.PathLike[str] | None) -> Path:
    if font_dir is None:
        font_dir = os.environ.get(FONT_DIR_ENV) or DEFAULT_FONT_DIR
    return Path(font_dir)


def _font_paths(font_dir: Path) -> dict[str, Path]:
    missing = [f for f in _FONT_FILES.values() if not (font_dir / f).is_file()]
    if missing:
        raise FontsMissingError(font_dir, missing)
    paths = {style: font_dir / f for style, f in _FONT_FILES.items()}
    for style, (filename, fallback) in _OPTIONAL_FONT_FILES.items():
        candidate = font_dir / filename
        paths[style] = candidate if candidate.is_file() else paths[fallback]
    return paths


# Parsed fonts, per process: (path, style, mtime, size) -> (template font, the file's bytes).
# Parsing DejaVu's tables and character widths took about half of a form's rendering time.
_FONT_CACHE: dict[tuple[str, str, float, int], tuple[TTFFont, bytes]] = {}
_FONT_LOCK = threading.Lock()


# What the forms can show: Latin with every Vietnamese letter, Greek and Cyrillic (foreign
# names), punctuation, currency, letter-like symbols, number forms, arrows, circled digits,
# geometric shapes, ballot boxes and check marks. The cached font keeps those (about 1,900 of
# DejaVu Sans's 6,000 glyphs): each document's subset is cut from it, and that costs in
# proportion to the font it starts from. Other characters show as missing, as characters
# DejaVu lacks always did.
_RANGES = ((0x20, 0x24F), (0x2B0, 0x2FF), (0x300, 0x36F), (0x370, 0x4FF), (0x1E00, 0x1EFF),
           (0x2000, 0x21FF), (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2610, 0x2612),
           (0x2713, 0x2718))  # fmt: skip


def _reduced(path: Path) -> bytes:
    font = ttLib.TTFont(str(path), recalcTimestamp=False)
    options = ftsubset.Options(
        notdef_outline=True, recommended_glyphs=True, glyph_names=True, name_IDs=["*"],
        name_languages=["*"], hinting=True, legacy_kern=True,
    )  # fmt: skip
    # The tables fpdf2 drops from every embedded font anyway (fpdf/output.py).
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta"]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in _RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _add_cached_font(pdf: FPDF, style: str, path: Path) -> None:
    """``pdf.add_font(_FAMILY, style, path)``, parsing the file once per process.

    Each document gets a copy of the parsed font with its own subset map and its own
    fontTools object (read lazily from the cached bytes): fpdf2 subsets that object in place
    when it writes the PDF, so it is never shared between documents."""
    stat = path.stat()
    key = (str(path), style, stat.st_mtime, stat.st_size)
    with _FONT_LOCK:
        if key not in _FONT_CACHE:
            data = _reduced(path)
            parsed = TTFFont(FPDF(), io.BytesIO(data), f"{_FAMILY.lower()}{style}", style)  # type: ignore[arg-type]
            _FONT_CACHE[key] = (parsed, data)
        template, data = _FONT_CACHE[key]
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    font.cw = copy.copy(template.cw)  # a defaultdict: a lookup of a missing char inserts
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


class _FormPDF(FPDF):
    """FPDF with the DejaVu fonts loaded and a footer strip (QR, dossier code, page number)."""

    def __init__(self, *, font_dir: Path, qr_png: bytes | None, code: str, url: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._qr_png = qr_png
        self._code = code
        self._url = url
        for style, path in _font_paths(font_dir).items():
            _add_cached_font(self, style, path)
        self.set_margins(_MARGIN_LEFT, _MARGIN_TOP, _MARGIN_RIGHT)
        self.set_auto_page_break(auto=True, margin=_MARGIN_BOTTOM + _FOOTER_HEIGHT)
        self.set_lang("vi")
        self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        top = self.h - _MARGIN_BOTTOM - _FOOTER_HEIGHT + 3
        self.set_draw_color(150, 150, 150)
        self.line(self.l_margin, top, self.w - self.r_margin, top)
        self.set_draw_color(0, 0, 0)
        text_x = self.l_margin
        if self._qr_png is not None:
            self.image(io.BytesIO(self._qr_png), x=self.l_margin, y=top + 1.5, w=_QR_SIZE)
            text_x = self.l_margin + _QR_SIZE + 3
        text_w = self.w - self.r_margin - text_x - 22
        self.set_text_color(60, 60, 60)
        self.set_xy(text_x, top + 3)
        if self._code:
            self.set_font(_FAMILY, "B", 8)
            self.multi_cell(
                text_w,
                4,
                f"Mã hồ sơ: {self._code}",
                align=Align.L,
                new_x=XPos.LEFT,
                new_y=YPos.NEXT,
            )
        if self._qr_png is not None:
            self.set_font(_FAMILY, "", 7.5)
            self.multi_cell(
                text_w,
                3.6,
                _nfc(f"Quét mã QR hoặc truy cập {self._url} để tra cứu tình trạng hồ sơ."),
                align=Align.L,
                new_x=XPos.LEFT,
                new_y=YPos.NEXT,
            )
        self.set_font(_FAMILY, "", 7.5)
        self.set_xy(self.w - self.r_margin - 22, top + 3)
        self.cell(22, 4, f"Trang {self.page_no()}/{{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)

    # --- text helpers -----------------------------------------------------------------------

    def font(self, style: str = "", size: float = _BODY_PT) -> None:
        self.set_font(_FAMILY, style, size)

    def para(
        self,
        text: str,
        *,
        style: str = "",
        size: float = _BODY_PT,
        align: Align = Align.J,
        indent: float = 0.0,
        h: float = _LINE_H,
    ) -> None:
        """A wrapped paragraph across the text width (``indent`` from the left margin)."""
        self.font(style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.content_width - indent, h, _nfc(text), align=align, new_x=XPos.LMARGIN)

    def field(self, label: str, value: str, *, bold: bool = True, indent: float = 0.0) -> None:
        """ "Label: value" flowing over lines, the value in bold (like the filled-in blanks)."""
        self.set_x(self.l_margin + indent)
        self.font("")
        self.write(_LINE_H, _nfc(label))
        self.font("B" if bold else "")
        self.write(_LINE_H, _nfc(value) if value else "…")
        self.ln(_LINE_H)

    def fields(self, pairs: Sequence[tuple[str, str]], *, indent: float = 0.0) -> None:
        """Several short "label: value" pairs on one line, separated by wide spaces."""
        shown = [(label, value) for label, value in pairs if value]
        if not shown:
            return
        self.set_x(self.l_margin + indent)
        for i, (label, value) in enumerate(shown):
            self.font("")
            self.write(_LINE_H, ("      " if i else "") + _nfc(label))
            self.font("B")
            self.write(_LINE_H, _nfc(value))
        self.ln(_LINE_H)

    def gap(self, mm: float) -> None:
        self.set_y(self.get_y() + mm)

    def ensure_space(self, mm: float) -> None:
        if self.get_y() + mm > self.page_break_trigger:
            self.add_page()


def _qr_png(url: str) -> bytes:
    qr = segno.make_qr(url, error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=6, border=2)
    return buf.getvalue()


def _new_pdf(ctx: FormContext, *, title: str, font_dir: str | os.PathLike[str] | None) -> _FormPDF:
    code = ctx.dossier_code.strip()
    qr = _qr_png(ctx.lookup_url) if code and ctx.lookup_url else None
    pdf = _FormPDF(font_dir=_resolve_font_dir(font_dir), qr_png=qr, code=code, url=ctx.lookup_url)
    doc_title = f"{title} - {code}" if code else title
    pdf.set_title(_nfc(doc_title))
    pdf.set_author(_nfc(ctx.agency.name))
    pdf.set_subject(_nfc(ctx.procedure_name))
    pdf.set_creator("CQS")
    pdf.set_producer("CQS (fpdf2)")
    pdf.set_creation_date(_local(ctx.issued_at, ctx.tz))
    pdf.add_page()
    return pdf


# --------------------------------------------------------------------------------------------
# Building blocks shared by the forms
# --------------------------------------------------------------------------------------------


def _fit_size(pdf: _FormPDF, text: str, style: str, size: float, width: float) -> float:
    """The largest size (down to ``size - 1``) at which ``text`` fits on one line."""
    floor = size - 1.0
    pdf.font(style, size)
    while size > floor and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.font(style, size)
    return size


def _balanced_lines(pdf: _FormPDF, text: str, width: float) -> list[str]:
    """Split a heading into as few lines as fit ``width``, breaking between words so the lines
    come out about even ("ỦY BAN NHÂN DÂN / PHƯỜNG HẠ LONG", never "... HẠ / LONG")."""
    words = text.split()
    if pdf.get_string_width(text) <= width or len(words) < 2:
        return [text]
    best: list[str] = []
    best_score = float("inf")
    for cut in range(1, len(words)):
        first, rest = " ".join(words[:cut]), " ".join(words[cut:])
        tail = _balanced_lines(pdf, rest, width)
        lines = [first, *tail]
        widths = [pdf.get_string_width(line) for line in lines]
        if widths[0] > width:
            break
        # Fewer lines first, then the most even split.
        score = len(lines) * 1000 + max(widths) - min(widths)
        if score < best_score:
            best, best_score = lines, score
    return best or [text]


def _centered_lines(
    pdf: _FormPDF, x: float, width: float, text: str, *, style: str, size: float
) -> None:
    size = _fit_size(pdf, text, style, size, width)
    for line in _balanced_lines(pdf, text, width):
        pdf.set_x(x)
        pdf.cell(width, 5, line, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _heading(pdf: _FormPDF, ctx: FormContext, *, issuer_lines: Sequence[tuple[str, str]]) -> None:
    """Decree 30/2020, Annex I: issuing body top left (superior body above, own name in bold,
    a short rule under it); national name and motto top right (rule as long as the motto);
    place and date in italics under the motto."""
    right_w = 84.0
    gap = 2.0
    left_w = pdf.content_width - right_w - gap
    top = pdf.get_y()

    # Left: issuing body.
    pdf.set_xy(pdf.l_margin, top)
    for style, line in issuer_lines:
        _centered_lines(pdf, pdf.l_margin, left_w, _nfc(line).upper(), style=style, size=10.0)
    rule_w = 26.0
    rule_y = pdf.get_y() + 1.2
    cx = pdf.l_margin + left_w / 2
    pdf.line(cx - rule_w / 2, rule_y, cx + rule_w / 2, rule_y)
    left_bottom = rule_y

    # Right: national heading.
    rx = pdf.l_margin + left_w + gap
    pdf.set_xy(rx, top)
    _centered_lines(pdf, rx, right_w, _NATION, style="B", size=10.0)
    pdf.font("B", 11.0)
    pdf.set_x(rx)
    pdf.cell(right_w, 5, _MOTTO, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    motto_w = pdf.get_string_width(_MOTTO)
    rule_y = pdf.get_y() + 1.0
    cx = rx + right_w / 2
    pdf.line(cx - motto_w / 2, rule_y, cx + motto_w / 2, rule_y)
    pdf.set_xy(rx, rule_y + 3)
    pdf.font("I", 10.5)
    pdf.multi_cell(
        right_w,
        5,
        _nfc(format_date_line(ctx.agency.place, ctx.issued_at, ctx.tz)),
        align=Align.C,
        new_x=XPos.LMARGIN,
    )
    pdf.set_y(max(left_bottom, pdf.get_y()) + 7)


def _title(pdf: _FormPDF, title: str, *, code: str, note: str = "") -> None:
    pdf.para(title.upper(), style="B", size=13, align=Align.C, h=7)
    if code:
        pdf.para(f"Mã hồ sơ: {code}", style="B", size=11, align=Align.C)
    if note:
        pdf.para(note, style="I", size=10, align=Align.C)
    pdf.gap(4)


def _applicant(pdf: _FormPDF, ctx: FormContext, *, lead: str) -> None:
    a = ctx.applicant
    pdf.field(lead, a.name)
    if a.id_number:
        pdf.field("Số định danh cá nhân: ", a.id_number, bold=False)
    pdf.field("Địa chỉ: ", a.address, bold=False)
    pdf.fields([("Số điện thoại: ", a.phone), ("Email: ", a.email)])
    pdf.field("Nội dung yêu cầu giải quyết: ", _procedure(ctx))


def _procedure(ctx: FormContext) -> str:
    if ctx.procedure_code:
        return f"{ctx.procedure_name} (mã thủ tục: {ctx.procedure_code})"
    return ctx.procedure_name


@dataclass(frozen=True)
class _Sign:
    title: str
    name: str
    hint: str = _SIGN_HINT


def _signatures(
    pdf: _FormPDF,
    blocks: Sequence[_Sign],
    *,
    recipients: Sequence[str] = (),
    space: float = 22.0,
) -> None:
    """Signature blocks: one block sits in the right half (Decree 30 layout), two blocks share
    the width (applicant left, officer right). ``recipients`` prints a "Nơi nhận:" list on the
    left."""
    title_lines = max((b.title.count("\n") + 1 for b in blocks), default=1)
    pdf.ensure_space(12 + 5 * title_lines + space + 8)
    pdf.gap(4)
    top = pdf.get_y()
    half = pdf.content_width / 2
    columns = [pdf.l_margin + half] if len(blocks) == 1 else [pdf.l_margin, pdf.l_margin + half]
    bottom = top
    for x, block in zip(columns, blocks, strict=False):
        pdf.set_xy(x, top)
        pdf.font("B", 10.5)
        pdf.multi_cell(half, 5, _nfc(block.title).upper(), align=Align.C, new_x=XPos.LEFT)
        pdf.font("I", 9.5)
        if block.hint:
            pdf.multi_cell(half, 5, _nfc(block.hint), align=Align.C, new_x=XPos.LEFT)
        pdf.set_xy(x, pdf.get_y() + space)
        pdf.font("B", 11)
        pdf.multi_cell(half, 5, _nfc(block.name), align=Align.C, new_x=XPos.LEFT)
        bottom = max(bottom, pdf.get_y())
    if recipients:
        pdf.set_xy(pdf.l_margin, top)
        pdf.font("BI", 10)
        pdf.cell(half, 5, "Nơi nhận:", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.font("", 9)
        for line in recipients:
            pdf.multi_cell(half - 4, 4.5, _nfc(f"- {line}"), new_x=XPos.LEFT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 4)


def _notes(pdf: _FormPDF, lines: Sequence[str]) -> None:
    pdf.ensure_space(6 + 5 * len(lines))
    pdf.gap(2)
    pdf.para("Ghi chú:", style="BI", size=9.5, h=4.8)
    for line in lines:
        pdf.para(f"- {line}", style="I", size=9.5, h=4.8)


def _table(
    pdf: _FormPDF,
    *,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    col_widths: Sequence[float],
    aligns: Sequence[Align],
    size: float = _TABLE_PT,
) -> None:
    """A bordered table with a shaded heading row repeated at the top of every page."""
    pdf.font("", size)
    pdf.set_x(pdf.l_margin)
    headings_style = FontFace(emphasis="BOLD", size_pt=size, fill_color=(232, 232, 232))
    with pdf.table(
        col_widths=tuple(col_widths),
        width=pdf.content_width,
        align=Align.L,
        text_align=tuple(aligns),
        v_align=VAlign.M,
        line_height=size * 0.5,
        padding=(1.2, 1.0),
        headings_style=headings_style,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
    ) as table:
        head = table.row()
        for text in headings:
            head.cell(_nfc(text), align=Align.C)
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(_nfc(text))
    pdf.gap(2)


def _finish(pdf: _FormPDF) -> bytes:
    return bytes(pdf.output())


def _one_stop_issuer(ctx: FormContext) -> list[tuple[str, str]]:
    return [("", ctx.agency.parent_name), ("B", ctx.agency.name)]


# --------------------------------------------------------------------------------------------
# The forms
# --------------------------------------------------------------------------------------------


# Form No. 01 (Mẫu số 01), "Giấy tiếp nhận hồ sơ và hẹn trả kết quả": Annex to Circular
# 01/2018/TT-VPCP (Decree 61/2018/NĐ-CP; kept under Decree 118/2025/NĐ-CP: verify).
# Model: applicant, request, 1. documents (table), 2. number of sets, 3. statutory time limit,
# 4. time received, 5. time the result is due, 6. where the result is delivered; signatures of
# the person filing and the receiving officer; note on the two copies.
def render_intake_receipt(
    ctx: FormContext,
    *,
    documents: list[DocumentLine],
    received_at: datetime,
    due_at: datetime,
    result_delivery: str,
    time_limit_text: str,
    font_dir: str | os.PathLike[str] | None = None,
) -> bytes:
    title = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    pdf = _new_pdf(ctx, title=title, font_dir=font_dir)
    _heading(pdf, ctx, issuer_lines=_one_stop_issuer(ctx))
    _title(pdf, title, code=ctx.dossier_code)
    pdf.field(f"{ctx.agency.name} đã tiếp nhận hồ sơ của: ", ctx.applicant.name)
    a = ctx.applicant
    if a.id_number:
        pdf.field("Số định danh cá nhân: ", a.id_number, bold=False)
    pdf.field("Địa chỉ: ", a.address, bold=False)
    pdf.fields([("Số điện thoại: ", a.phone), ("Email: ", a.email)])
    pdf.field("Nội dung yêu cầu giải quyết: ", _procedure(ctx))
    pdf.para("1. Thành phần hồ sơ nộp gồm:", align=Align.L)
    rows = [
        [str(i), d.name, str(d.originals), str(d.copies), d.note]
        for i, d in enumerate(documents, start=1)
    ]
    if not rows:
        rows = [["", "(không có giấy tờ)", "", "", ""]]
    _table(
        pdf,
        headings=["TT", "Tên giấy tờ", "Bản chính", "Bản sao", "Ghi chú"],
        rows=rows,
        col_widths=(9, 82, 21, 19, 34),
        aligns=(Align.C, Align.L, Align.C, Align.C, Align.L),
    )
    pdf.field("2. Số lượng hồ sơ: ", "01 (bộ)", bold=False)
    pdf.field("3. Thời gian giải quyết hồ sơ theo quy định là: ", time_limit_text)
    pdf.field("4. Thời gian nhận hồ sơ: ", format_datetime(received_at, ctx.tz))
    pdf.field("5. Thời gian trả kết quả giải quyết hồ sơ: ", format_datetime(due_at, ctx.tz))
    pdf.field("6. Đăng ký nhận kết quả tại: ", result_delivery)
    _signatures(
        pdf,
        [
            _Sign("Người nộp hồ sơ", ctx.applicant.name),
            _Sign("Người tiếp nhận hồ sơ", ctx.officer_name),
        ],
    )
    _notes(
        pdf,
        [
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên: một liên chuyển kèm "
            "Phiếu kiểm soát quá trình giải quyết hồ sơ và lưu tại Bộ phận tiếp nhận và trả kết "
            "quả; một liên giao cho tổ chức, cá nhân nộp hồ sơ.",
            "Tổ chức, cá nhân có thể nhận kết quả tại Bộ phận tiếp nhận và trả kết quả, qua dịch "
            "vụ bưu chính công ích hoặc trực tuyến theo đăng ký.",
        ],
    )
    return _finish(pdf)


# Form No. 02 (Mẫu số 02), "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ": Annex to Circular
# 01/2018/TT-VPCP (Decree 61/2018/NĐ-CP; kept under Decree 118/2025/NĐ-CP: verify).
# Model: whose dossier, the request, "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau" (numbered
# list), the reason, who to contact; signed by the guiding officer ("Người hướng dẫn").
def render_supplement_request(
    ctx: FormContext,
    *,
    missing: list[str],
    reason: str,
    font_dir: str | os.PathLike[str] | None = None,
) -> bytes:
    title = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    pdf = _new_pdf(ctx, title=title, font_dir=font_dir)
    _heading(pdf, ctx, issuer_lines=_one_stop_issuer(ctx))
    _title(pdf, title, code=ctx.dossier_code)
    _applicant(pdf, ctx, lead="Hồ sơ của: ")
    pdf.gap(1)
    pdf.para("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", style="B")
    items = missing or ["(không có)"]
    for i, item in enumerate(items, start=1):
        pdf.para(f"{i}. {item}", indent=6)
    pdf.gap(1)
    pdf.field("Lý do: ", reason, bold=False)
    pdf.gap(1)
    pdf.para(
        "Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với "
        f"{ctx.officer_name}, {ctx.agency.name}, để được hướng dẫn."
    )
    pdf.para("Xin trân trọng cảm ơn Ông/Bà./.", style="I")
    _signatures(pdf, [_Sign("Người hướng dẫn", ctx.officer_name)])
    return _finish(pdf)


# Form No. 03 (Mẫu số 03), "Phiếu từ chối tiếp nhận giải quyết hồ sơ": Annex to Circular
# 01/2018/TT-VPCP (Decree 61/2018/NĐ-CP; kept under Decree 118/2025/NĐ-CP: verify).
# Model: whose dossier and the request; "Sau khi xem xét, đối chiếu thành phần hồ sơ, ... từ
# chối tiếp nhận giải quyết hồ sơ này với lý do cụ thể như sau"; signed by the receiving officer.
def render_refusal(
    ctx: FormContext,
    *,
    reason: str,
    font_dir: str | os.PathLike[str] | None = None,
) -> bytes:
    title = "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    pdf = _new_pdf(ctx, title=title, font_dir=font_dir)
    _heading(pdf, ctx, issuer_lines=_one_stop_issuer(ctx))
    _title(pdf, title, code=ctx.dossier_code)
    _applicant(pdf, ctx, lead=f"{ctx.agency.name} tiếp nhận hồ sơ của: ")
    pdf.gap(1)
    pdf.para(
        f"Sau khi xem xét, đối chiếu thành phần hồ sơ, {ctx.agency.name} từ chối tiếp nhận "
        "giải quyết hồ sơ này với lý do cụ thể như sau:"
    )
    pdf.para(reason, style="B", indent=6)
    pdf.gap(1)
    pdf.para("Xin thông báo cho Ông/Bà được biết và thực hiện./.")
    _signatures(pdf, [_Sign("Người tiếp nhận hồ sơ", ctx.officer_name)])
    return _finish(pdf)


# Form No. 04 (Mẫu số 04), "Phiếu xin lỗi và hẹn lại ngày trả kết quả": Annex to Circular
# 01/2018/TT-VPCP (Decree 61/2018/NĐ-CP; kept under Decree 118/2025/NĐ-CP: verify).
# Issued before the due date passes. Model: "Kính gửi", date received and dossier code, the
# due date written on the receipt, the reason for the delay, the apology, the new date;
# "Nơi nhận" and the issuing agency's signature.
def render_apology(
    ctx: FormContext,
    *,
    old_due_at: datetime,
    new_due_at: datetime,
    reason: str,
    font_dir: str | os.PathLike[str] | None = None,
) -> bytes:
    title = "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    pdf = _new_pdf(ctx, title=title, font_dir=font_dir)
    _heading(pdf, ctx, issuer_lines=_one_stop_issuer(ctx))
    _title(pdf, title, code="")
    a = ctx.applicant
    pdf.font("B")
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(
        pdf.content_width,
        _LINE_H,
        _nfc(f"Kính gửi: Ông/Bà {a.name}"),
        align=Align.C,
        new_x=XPos.LMARGIN,
    )
    pdf.para(f"Địa chỉ: {a.address}", size=10, align=Align.C)
    pdf.gap(3)
    code = ctx.dossier_code
    code_text = f" (mã hồ sơ: {code})" if code else ""
    pdf.para(
        f"{ctx.agency.name} đã tiếp nhận hồ sơ của Ông/Bà{code_text} đề nghị giải quyết thủ "
        f"tục {_procedure(ctx)}."
    )
    pdf.field(
        "Thời gian hẹn trả kết quả ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả: ",
        format_datetime(old_due_at, ctx.tz),
    )
    pdf.para(
        f"Tuy nhiên, đến nay {ctx.agency.parent_name} chưa thể trả kết quả giải quyết hồ sơ "
        "của Ông/Bà đúng hạn như đã hẹn."
    )
    pdf.field("Lý do: ", reason, bold=False)
    pdf.para(
        f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {ctx.agency.name} thành thật xin lỗi "
        "Ông/Bà và hẹn lại thời gian trả kết quả giải quyết hồ sơ như sau:"
    )
    pdf.field("Thời gian hẹn trả kết quả: ", format_datetime(new_due_at, ctx.tz), indent=6)
    pdf.para("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./.", style="I")
    _signatures(
        pdf,
        [_Sign(ctx.agency.name, ctx.officer_name, hint="(Ký, ghi rõ họ tên)")],
        recipients=[f"Ông/Bà {a.name};", "Lưu: hồ sơ."],
    )
    return _finish(pdf)


# Form No. 05 (Mẫu số 05), "Phiếu kiểm soát quá trình giải quyết hồ sơ": Annex to Circular
# 01/2018/TT-VPCP (Decree 61/2018/NĐ-CP; kept under Decree 118/2025/NĐ-CP: verify).
# Accompanies the receipt. Model: dossier code, the processing and co-ordinating bodies, then one
# row per hand-over (who gives, who receives, when) with the result of each step: before the
# due time, on time or late ("Trước hạn / Đúng hạn / Quá hạn"), and notes.
def render_control_sheet(
    ctx: FormContext,
    *,
    received_at: datetime,
    due_at: datetime,
    steps: list[StepLine],
    font_dir: str | os.PathLike[str] | None = None,
) -> bytes:
    title = "Phiếu kiểm soát quá trình giải quyết hồ sơ"
    pdf = _new_pdf(ctx, title=title, font_dir=font_dir)
    _heading(pdf, ctx, issuer_lines=_one_stop_issuer(ctx))
    _title(
        pdf, title, code=ctx.dossier_code, note="(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)"
    )
    pdf.field("Hồ sơ của: ", ctx.applicant.name)
    pdf.field("Thủ tục hành chính: ", _procedure(ctx), bold=False)
    pdf.field("Cơ quan giải quyết hồ sơ: ", ctx.agency.parent_name, bold=False)
    pdf.field("Thời gian nhận hồ sơ: ", format_datetime(received_at, ctx.tz))
    pdf.field("Thời gian hẹn trả kết quả: ", format_datetime(due_at, ctx.tz))
    pdf.gap(2)
    rows = [
        [
            str(i),
            f"{s.name}\n{s.agency}" if s.agency else s.name,
            s.officer,
            _maybe(s.received_at, ctx.tz, sep="\n"),
            _maybe(s.due_at, ctx.tz, sep="\n"),
            _maybe(s.done_at, ctx.tz, sep="\n"),
            s.outcome or "Đang xử lý",
        ]
        for i, s in enumerate(steps, start=1)
    ]
    if not rows:
        rows = [["", "(chưa có bước xử lý)", "", "", "", "", ""]]
    _table(
        pdf,
        headings=[
            "TT",
            "Bước xử lý / Cơ quan, bộ phận",
            "Người xử lý",
            "Thời gian nhận",
            "Hạn xử lý",
            "Thời gian hoàn thành",
            "Kết quả",
        ],
        rows=rows,
        col_widths=(7, 37, 20, 28, 28, 28, 17),
        aligns=(Align.C, Align.L, Align.L, Align.C, Align.C, Align.C, Align.C),
        size=8.5,
    )
    pdf.para(
        "Kết quả giải quyết của từng bước: Trước hạn / Đúng hạn / Trễ hạn; bước chưa hoàn thành "
        "ghi “Đang xử lý”.",
        style="I",
        size=9,
        h=4.6,
    )
    _signatures(pdf, [_Sign("Người lập phiếu", ctx.officer_name)], space=20)
    return _finish(pdf)


# Result document (văn bản kết quả giải quyết TTHC), e.g. "Giấy xác nhận ...": not an annex form
# of Circular 01/2018/TT-VPCP; laid out per Decree 30/2020/NĐ-CP, Annex I (administrative
# document presentation): issuing body (the competent authority, ``agency.parent_name``), title,
# body, "Nơi nhận", signer's title and name. Left unsigned: a blank space is kept above the
# signer's name for the visible PAdES signature applied later.
def render_result_document(
    ctx: FormContext,
    *,
    title: str,
    body: str,
    signer_title: str,
    signer_name: str,
    font_dir: str | os.PathLike[str] | None = None,
) -> bytes:
    pdf = _new_pdf(ctx, title=title, font_dir=font_dir)
    _heading(pdf, ctx, issuer_lines=[("B", ctx.agency.parent_name)])
    _title(pdf, title, code="")
    for paragraph in body.split("\n"):
        if paragraph.strip():
            pdf.para(paragraph.strip())
            pdf.gap(1.5)
    _signatures(
        pdf,
        [_Sign(signer_title, signer_name, hint="")],
        recipients=[f"Ông/Bà {ctx.applicant.name};", "Lưu: VT, hồ sơ."],
        space=28,
    )
    return _finish(pdf)
