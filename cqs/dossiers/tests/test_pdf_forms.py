"""The one-stop forms render as real PDFs: Vietnamese text, embedded fonts, QR, page breaks.

Pure tests (no Django, no database): they run with ``pytest -p no:django``. Text, fonts and
images are read back with poppler-utils (``apt-get install -y poppler-utils``); the checks
that need it are skipped with that hint when it is absent.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cqs.dossiers import pdf_forms as pf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_DIR = Path(pf.DEFAULT_FONT_DIR)
CODE = "000.00.20.H49-261121-0012"
NAME = "Nguyễn Văn An"
AGENCY = "Bộ phận Một cửa phường Hạ Long"
DUE = "16 giờ 00 phút, ngày 24/11/2026"

needs_fonts = pytest.mark.skipif(
    not (FONT_DIR / "DejaVuSans.ttf").is_file(),
    reason="DejaVu fonts missing: apt-get install fonts-dejavu-core",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils missing: apt-get install -y poppler-utils",
)
pytestmark = needs_fonts


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def make_ctx(**changes: object) -> pf.FormContext:
    ctx = pf.FormContext(
        agency=pf.AgencyInfo(AGENCY, "Ủy ban nhân dân phường Hạ Long", "Hạ Long"),
        dossier_code=CODE,
        procedure_name="Đăng ký khai sinh",
        procedure_code="1.001193",
        applicant=pf.ApplicantInfo(
            name=NAME,
            id_number="022090001234",
            phone="0912345678",
            email="an@example.invalid",
            address="Số 12, phố Lê Thánh Tông, phường Hạ Long, tỉnh Quảng Ninh",
        ),
        officer_name="Trần Thị Bình",
        issued_at=at(2026, 11, 21, 8, 30),
        tz=TZ,
        lookup_url=f"https://dichvucong.example.invalid/tra-cuu?ma={CODE}",
    )
    return dataclasses.replace(ctx, **changes)  # type: ignore[arg-type]


DOCUMENTS = [
    pf.DocumentLine("Tờ khai đăng ký khai sinh", 1, 0),
    pf.DocumentLine("Giấy chứng sinh", 1, 0, "Bản chính"),
    pf.DocumentLine("Văn bản ủy quyền", 0, 1, "Nếu có"),
]


def steps(n: int) -> list[pf.StepLine]:
    start = at(2026, 11, 21, 8, 30)
    return [
        pf.StepLine(
            name=f"Bước {i}: Thẩm định",
            agency="Phòng Văn hóa - Xã hội",
            officer="Lê Văn Cường",
            received_at=start + timedelta(hours=i),
            due_at=start + timedelta(hours=i + 2),
            done_at=None if i == n else start + timedelta(hours=i + 1),
            outcome="" if i == n else "Đúng hạn",
        )
        for i in range(1, n + 1)
    ]


def receipt(ctx: pf.FormContext | None = None, **kw: object) -> bytes:
    return pf.render_intake_receipt(
        ctx or make_ctx(),
        documents=DOCUMENTS,
        received_at=at(2026, 11, 21, 8, 30),
        due_at=at(2026, 11, 24, 16, 0),
        result_delivery=AGENCY,
        time_limit_text="03 ngày làm việc",
        **kw,  # type: ignore[arg-type]
    )


RENDERERS: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "receipt": (receipt, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", DUE),
    "supplement": (
        lambda: pf.render_supplement_request(
            make_ctx(), missing=["Giấy chứng sinh bản chính"], reason="Thiếu giấy chứng sinh."
        ),
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "ngày 21 tháng 11 năm 2026",
    ),
    "refusal": (
        lambda: pf.render_refusal(make_ctx(), reason="Không thuộc thẩm quyền giải quyết."),
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "ngày 21 tháng 11 năm 2026",
    ),
    "apology": (
        lambda: pf.render_apology(
            make_ctx(),
            old_due_at=at(2026, 11, 24, 16, 0),
            new_due_at=at(2026, 11, 27, 16, 0),
            reason="Cần xác minh thêm thông tin.",
        ),
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "16 giờ 00 phút, ngày 27/11/2026",
    ),
    "control": (
        lambda: pf.render_control_sheet(
            make_ctx(),
            received_at=at(2026, 11, 21, 8, 30),
            due_at=at(2026, 11, 24, 16, 0),
            steps=steps(3),
        ),
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        DUE,
    ),
    "result": (
        lambda: pf.render_result_document(
            make_ctx(),
            title="Giấy xác nhận tình trạng hôn nhân",
            body=f"Ủy ban nhân dân phường Hạ Long xác nhận:\nÔng {NAME} chưa đăng ký kết hôn.",
            signer_title="TM. Ủy ban nhân dân\nChủ tịch",
            signer_name="Phạm Văn Dũng",
        ),
        "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        "ngày 21 tháng 11 năm 2026",
    ),
}


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def save(pdf: bytes, tmp_path: Path, name: str = "form") -> Path:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def text_of(pdf: bytes, tmp_path: Path) -> str:
    return run("pdftotext", "-layout", str(save(pdf, tmp_path, "text")), "-")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- formatting ---------------------------------------------------------------------------


def test_datetimes_are_shown_in_the_form_zone() -> None:
    utc = datetime(2026, 11, 21, 1, 30, tzinfo=UTC)
    assert pf.format_datetime(utc, TZ) == "08 giờ 30 phút, ngày 21/11/2026"
    assert pf.format_date_line("Hạ Long", utc, TZ) == "Hạ Long, ngày 21 tháng 11 năm 2026"


def test_date_line_pads_days_below_ten_and_months_one_and_two() -> None:
    # Decree 30/2020/NĐ-CP, Annex I.
    assert (
        pf.format_date_line("Hạ Long", at(2026, 2, 5), TZ) == "Hạ Long, ngày 05 tháng 02 năm 2026"
    )
    assert pf.format_date_line("Hạ Long", at(2026, 3, 9), TZ) == "Hạ Long, ngày 09 tháng 3 năm 2026"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        receipt(make_ctx(issued_at=datetime(2026, 11, 21, 8, 30)))


# --- each form ------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", list(RENDERERS))
def test_form_shows_title_applicant_code_dates_and_agency(kind: str, tmp_path: Path) -> None:
    render, title, date_text = RENDERERS[kind]
    pdf = render()
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf, tmp_path)
    flat = squash(text)
    assert title in flat
    assert NAME in flat
    assert CODE in flat
    assert date_text in flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "Hạ Long, ngày 21 tháng 11 năm 2026" in flat
    agency = "ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG" if kind == "result" else AGENCY.upper()
    assert agency in flat
    info = run("pdfinfo", "-isodates", str(save(pdf, tmp_path)))
    assert re.search(r"Author:\s+Bộ phận Một cửa phường Hạ Long", info)
    assert re.search(r"CreationDate:\s+2026-11-21T08:30:00\+07", info)
    assert "Pages:           1" in info
    assert re.search(r"Page size:\s+595.2\d x 841.8\d pts \(A4\)", info)


@needs_poppler
def test_receipt_lists_documents_times_and_both_signatures(tmp_path: Path) -> None:
    flat = squash(text_of(receipt(), tmp_path))
    for document in DOCUMENTS:
        assert document.name in flat
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 03 ngày làm việc" in flat
    assert "4. Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 21/11/2026" in flat
    assert f"5. Thời gian trả kết quả giải quyết hồ sơ: {DUE}" in flat
    assert "NGƯỜI NỘP HỒ SƠ" in flat
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in flat
    assert "Trần Thị Bình" in flat


@needs_poppler
def test_supplement_and_refusal_state_what_and_why(tmp_path: Path) -> None:
    ctx = make_ctx()
    flat = squash(
        text_of(
            pf.render_supplement_request(
                ctx, missing=["Giấy chứng sinh bản chính", "Văn bản ủy quyền"], reason="Thiếu."
            ),
            tmp_path,
        )
    )
    assert "1. Giấy chứng sinh bản chính" in flat
    assert "2. Văn bản ủy quyền" in flat
    assert "Lý do: Thiếu." in flat
    flat = squash(text_of(pf.render_refusal(ctx, reason="Không thuộc thẩm quyền."), tmp_path))
    assert "từ chối tiếp nhận giải quyết hồ sơ này" in flat
    assert "Không thuộc thẩm quyền." in flat


@needs_poppler
def test_apology_gives_old_and_new_dates_and_reason(tmp_path: Path) -> None:
    pdf = pf.render_apology(
        make_ctx(),
        old_due_at=at(2026, 11, 24, 16, 0),
        new_due_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),  # shown in the form's zone
        reason="Cần xác minh thêm thông tin.",
    )
    flat = squash(text_of(pdf, tmp_path))
    assert f"Kính gửi: Ông/Bà {NAME}" in flat
    assert DUE in flat
    assert "16 giờ 00 phút, ngày 27/11/2026" in flat
    assert "Lý do: Cần xác minh thêm thông tin." in flat
    assert "xin lỗi" in flat


# --- fonts, QR, metadata ----------------------------------------------------------------------


@needs_poppler
def test_dejavu_fonts_are_embedded(tmp_path: Path) -> None:
    lines = run("pdffonts", str(save(receipt(), tmp_path))).splitlines()[2:]
    fonts = {line.split()[0].split("+")[-1]: line.split() for line in lines}
    assert {"DejaVuSansBook", "DejaVuSansBold"} <= set(fonts)
    for columns in fonts.values():
        assert columns[-5] == "yes"  # emb
        assert columns[-3] == "yes"  # uni: text can be copied and searched


@needs_poppler
def test_qr_image_is_present_with_a_code_and_absent_without(tmp_path: Path) -> None:
    listed = run("pdfimages", "-list", str(save(receipt(), tmp_path))).splitlines()[2:]
    assert len(listed) == 1
    assert listed[0].split()[2] == "image"
    no_code = pf.render_refusal(make_ctx(dossier_code=""), reason="Không thuộc thẩm quyền.")
    assert run("pdfimages", "-list", str(save(no_code, tmp_path, "nocode"))).splitlines()[2:] == []
    flat = squash(text_of(no_code, tmp_path))
    assert "Mã hồ sơ" not in flat
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in flat


def test_same_input_gives_identical_bytes() -> None:
    for render, _title, _date in RENDERERS.values():
        assert render() == render()
    assert receipt() != receipt(make_ctx(issued_at=at(2026, 11, 21, 8, 31)))


# --- long content -------------------------------------------------------------------------


@needs_poppler
def test_control_sheet_with_40_steps_breaks_pages_and_repeats_the_header(tmp_path: Path) -> None:
    pdf = pf.render_control_sheet(
        make_ctx(),
        received_at=at(2026, 11, 21, 8, 30),
        due_at=at(2026, 11, 24, 16, 0),
        steps=steps(40),
    )
    pages = text_of(pdf, tmp_path).split("\f")
    with_rows = [page for page in pages if re.search(r"Bước \d+: Thẩm định", page)]
    assert len(with_rows) >= 2
    for page in with_rows:
        assert "Hạn xử lý" in page
        assert "Thời gian nhận" in page
    every = squash(" ".join(pages))
    for i in (1, 20, 40):
        assert f"Bước {i}: Thẩm định" in every
    assert "Đang xử lý" in every  # the last step is still open
    assert "Trang 1/" in every


@needs_poppler
def test_long_vietnamese_text_wraps_instead_of_running_off_the_page(tmp_path: Path) -> None:
    reason = " ".join(["hồ sơ chưa đáp ứng điều kiện theo quy định"] * 40) + " hết-lý-do"
    text = text_of(pf.render_refusal(make_ctx(), reason=reason), tmp_path)
    assert "hết-lý-do" in text
    wrapped = [line for line in text.splitlines() if "quy định" in line]
    assert len(wrapped) > 10
    assert max(len(line) for line in text.splitlines()) < 130


@needs_poppler
def test_decomposed_input_is_normalised(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", NAME)
    applicant = dataclasses.replace(make_ctx().applicant, name=nfd)
    flat = squash(text_of(receipt(make_ctx(applicant=applicant)), tmp_path))
    assert NAME in flat


# --- fonts missing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "render",
    [
        lambda d: receipt(font_dir=d),
        lambda d: pf.render_refusal(make_ctx(), reason="x", font_dir=d),
    ],
)
def test_missing_font_dir_raises_a_clear_error(
    render: Callable[[Path], bytes], tmp_path: Path
) -> None:
    with pytest.raises(pf.FontsMissingError, match="apt-get install fonts-dejavu-core") as caught:
        render(tmp_path / "nowhere")
    assert "DejaVuSans.ttf" in str(caught.value)


def test_font_dir_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(pf.FONT_DIR_ENV, str(tmp_path))
    with pytest.raises(pf.FontsMissingError):
        receipt()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):  # italics fall back to upright
        (tmp_path / name).symlink_to(FONT_DIR / name)
    assert receipt().startswith(b"%PDF-")
