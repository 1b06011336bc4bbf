"""The verification report as a PDF (fpdf2, DejaVu fonts for Vietnamese)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from cqs.signing.verify import VerificationReport

KIND_LABELS = {"personal": "Chữ ký cá nhân", "seal": "Chữ ký số cơ quan (con dấu)", "": ""}


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return f"{timezone.localtime(value):%H:%M:%S ngày %d/%m/%Y}"


def report_pdf(report: VerificationReport, *, file_name: str = "") -> bytes:
    font_dir = Path(settings.CQS_PDF_FONT_DIR)
    pdf = FPDF(format="A4")
    pdf.set_title("Kết quả xác thực chữ ký số")
    pdf.set_creator(settings.CQS_SITE_NAME)
    pdf.add_font("DejaVu", "", str(font_dir / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(font_dir / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_margins(18, 18, 18)
    width = pdf.w - 36

    def line(text: str, *, bold: bool = False, size: int = 10, height: float = 6) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_x(18)
        pdf.multi_cell(width, height, text)

    line("KẾT QUẢ XÁC THỰC CHỮ KÝ SỐ", bold=True, size=15, height=9)
    line(f"{settings.CQS_SITE_NAME} — {settings.CQS_PROVINCE_NAME}", size=9)
    pdf.ln(3)
    if file_name:
        line(f"Tệp: {file_name}")
    line(f"SHA-256: {report.sha256}", size=8)
    line(f"Kích thước: {report.size:,} byte".replace(",", "."))
    line(f"Thời điểm kiểm tra: {_when(timezone.now())}")
    pdf.ln(2)
    if not report.signatures:
        line("Tài liệu không có chữ ký số nào.", bold=True)
    else:
        verdict = (
            "TẤT CẢ CHỮ KÝ HỢP LỆ"
            if report.all_valid
            else "CÓ CHỮ KÝ KHÔNG HỢP LỆ HOẶC KHÔNG XÁC THỰC ĐƯỢC"
        )
        line(f"{len(report.signatures)} chữ ký số — {verdict}", bold=True, size=11)
    for number, sig in enumerate(report.signatures, start=1):
        pdf.ln(3)
        title = f"Chữ ký {number}: {sig.signer}"
        if sig.kind:
            title += f" ({KIND_LABELS.get(sig.kind, sig.kind)})"
        line(title, bold=True, size=11)
        rows = [
            ("Kết luận", "Hợp lệ" if sig.valid else "Không hợp lệ"),
            ("Chủ thể chứng thư", sig.signer_subject),
            ("Tổ chức cấp", sig.issuer),
            ("Số hiệu chứng thư", sig.serial),
            ("Thời điểm ký", _when(sig.signing_time)),
            ("Toàn vẹn", sig.integrity_label),
            ("Chuỗi tin cậy", sig.chain_message),
            ("Tình trạng thu hồi", sig.revocation_label),
            (
                "Dấu thời gian",
                _when(sig.timestamp) + (" (hợp lệ)" if sig.timestamp_valid else "")
                if sig.timestamp
                else "Không có",
            ),
        ]
        if sig.reason:
            rows.append(("Lý do ký", sig.reason))
        if sig.is_demo:
            rows.append(("Ghi chú", "Chứng thư trình diễn — KHÔNG DÙNG THẬT"))
        for label, value in rows:
            line(f"{label}: {value}", size=9, height=5)
    return bytes(pdf.output())
