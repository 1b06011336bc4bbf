"""Pure rules of records work: document types, number and notation, due states, edXML codes.

No Django import. Sources:
- Decree 30/2020/NĐ-CP on records work (công tác văn thư): Article 15 (number and notation of
  documents, numbering from 01 on 1 January to 31 December each year), Appendix I §II.3 (how
  the notation is written), Appendix III (abbreviations of document types), Article 22 (verify)
  (registering incoming documents, arrival numbers per year).
- QCVN 102:2016/BTTTT (amended by Circular 01/2022/TT-BTTTT): edXML status codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

# --- Document types (Decree 30/2020, Appendix III) ------------------------------------------
# (abbreviation, name). The official letter (công văn) has no abbreviation: its notation uses
# the agency's and the drafting unit's abbreviations instead (Appendix I, §II.3.b).
DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("NQ", "Nghị quyết"),
    ("QĐ", "Quyết định"),
    ("CT", "Chỉ thị"),
    ("QC", "Quy chế"),
    ("QyĐ", "Quy định"),
    ("TC", "Thông cáo"),
    ("TB", "Thông báo"),
    ("HD", "Hướng dẫn"),
    ("CTr", "Chương trình"),
    ("KH", "Kế hoạch"),
    ("PA", "Phương án"),
    ("ĐA", "Đề án"),
    ("DA", "Dự án"),
    ("BC", "Báo cáo"),
    ("BB", "Biên bản"),
    ("TTr", "Tờ trình"),
    ("HĐ", "Hợp đồng"),
    ("CĐ", "Công điện"),
    ("BGN", "Bản ghi nhớ"),
    ("BTT", "Bản thỏa thuận"),
    ("GUQ", "Giấy ủy quyền"),
    ("GM", "Giấy mời"),
    ("GGT", "Giấy giới thiệu"),
    ("GNP", "Giấy nghỉ phép"),
    ("PG", "Phiếu gửi"),
    ("PC", "Phiếu chuyển"),
    ("PB", "Phiếu báo"),
)
OFFICIAL_LETTER = "CV"  # our key for công văn; never printed in a notation
OFFICIAL_LETTER_NAME = "Công văn"

# Drafting templates by type ({trich_yeu} is replaced by the summary); editable per type.
TEMPLATES = {
    "QĐ": (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
        "Căn cứ ...;\n"
        "Theo đề nghị của ...\n\n"
        "QUYẾT ĐỊNH:\n\n"
        "Điều 1. {trich_yeu}.\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n"
        "Điều 3. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị liên quan chịu trách nhiệm "
        "thi hành Quyết định này."
    ),
    "KH": "I. MỤC ĐÍCH, YÊU CẦU\n...\nII. NỘI DUNG: {trich_yeu}\n...\nIII. TỔ CHỨC THỰC HIỆN\n...",
    "TB": "Thông báo về việc {trich_yeu} như sau:\n...",
    "BC": "Thực hiện ..., báo cáo về {trich_yeu} như sau:\nI. KẾT QUẢ\n...\nII. KIẾN NGHỊ\n...",
    "GM": "Kính mời ... dự cuộc họp về {trich_yeu}.\nThời gian: ...\nĐịa điểm: ...",
    "CV": "Kính gửi: ...\n\nVề việc {trich_yeu}, ... đề nghị ...\n\nTrân trọng./.",
}


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


def notation(*, type_abbr: str, agency_abbr: str, unit_abbr: str = "") -> str:
    """Decree 30/2020 Appendix I §II.3: `QĐ-UBND` for typed documents, `UBND-VP` for letters.

    An official letter's notation is the issuing agency's abbreviation and the drafting unit's
    (the unit is optional when the agency has no separate units).
    """
    agency_abbr = agency_abbr.strip()
    if not agency_abbr:
        raise ValueError("agency abbreviation is required")
    if type_abbr == OFFICIAL_LETTER:
        return f"{agency_abbr}-{unit_abbr.strip()}" if unit_abbr.strip() else agency_abbr
    return f"{type_abbr}-{agency_abbr}"


def number_text(number: int) -> str:
    """Article 15.1: numbers are Arabic numerals from 01; numbers below 10 get a leading 0."""
    if number < 1:
        raise ValueError("document numbers start at 1")
    return f"{number:02d}"


def number_and_notation(number: int, notation_text: str) -> str:
    """`Số: 12/QĐ-UBND` as printed on the document (Appendix I §II.3)."""
    return f"Số: {number_text(number)}/{notation_text}"


_NOTATION_PART = re.compile(r"^[0-9A-Za-zÀ-ỹĐđ.]+$")


def parse_number_notation(value: str) -> tuple[int, str] | None:
    """`Số: 12/QĐ-UBND` or `12/QĐ-UBND` -> (12, 'QĐ-UBND'); None when it is not that shape."""
    text = value.strip()
    if text.lower().startswith("số:"):
        text = text[3:].strip()
    head, sep, tail = text.partition("/")
    if not sep or not head.isdigit() or not tail:
        return None
    if not all(_NOTATION_PART.match(p) for p in tail.split("-")):
        return None
    return int(head), tail


def register_year(day: date) -> int:
    """Article 15.1: a register counts from 1 January to 31 December, then starts again at 01."""
    return day.year


# --- Urgency and confidentiality (Decree 30/2020 Article 8; Appendix I §II.9-10) ------------
URGENCY = (
    ("normal", "Thường"),
    ("urgent", "Khẩn"),
    ("very_urgent", "Thượng khẩn"),
    ("flash", "Hỏa tốc"),
)
CONFIDENTIALITY = (
    ("normal", "Thường"),
    ("confidential", "Mật"),
    ("secret", "Tối mật"),
    ("top_secret", "Tuyệt mật"),
)
URGENCY_LABELS = dict(URGENCY)
CONFIDENTIALITY_LABELS = dict(CONFIDENTIALITY)

# Labels of the document history (DocumentEvent.action).
ACTION_LABELS = {
    "registered": "Vào sổ văn bản đến",
    "assigned": "Phân công đơn vị xử lý",
    "officer_assigned": "Giao cán bộ xử lý",
    "completed": "Hoàn thành xử lý",
    "drafted": "Tạo dự thảo",
    "revised": "Sửa dự thảo",
    "submitted": "Trình duyệt",
    "reviewed": "Trưởng phòng đồng ý",
    "returned": "Trả lại dự thảo",
    "signed": "Lãnh đạo ký số",
    "issued": "Cấp số, đóng dấu, ban hành",
    "exchange_status": "Trạng thái liên thông",
}

# edXML OtherInfo/Priority: 0 normal, 1 urgent, 2 very urgent, 3 flash, 4 flash on time.
URGENCY_PRIORITY = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}
PRIORITY_URGENCY = {v: k for k, v in URGENCY_PRIORITY.items()}


# --- edXML status codes (QCVN 102:2016, as amended by Circular 01/2022/TT-BTTTT) ------------
class StatusCode(StrEnum):
    ARRIVED = "01"
    REFUSED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    DONE = "06"
    RECALLED = "13"
    RECALL_AGREED = "15"
    RECALL_REFUSED = "16"


STATUS_LABELS = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REFUSED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận (vào sổ)",
    StatusCode.ASSIGNED: "Đã phân công",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.DONE: "Đã hoàn thành",
    StatusCode.RECALLED: "Thu hồi",
    StatusCode.RECALL_AGREED: "Đồng ý thu hồi/cập nhật",
    StatusCode.RECALL_REFUSED: "Từ chối thu hồi/cập nhật",
}


# --- Due state of documents and tasks -------------------------------------------------------
class DueState(StrEnum):
    NONE = "none"
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"


DUE_STATE_LABELS = {
    DueState.NONE: "Không có hạn",
    DueState.ON_TRACK: "Trong hạn",
    DueState.DUE_SOON: "Sắp đến hạn",
    DueState.OVERDUE: "Quá hạn",
    DueState.DONE_ON_TIME: "Hoàn thành đúng hạn",
    DueState.DONE_LATE: "Hoàn thành trễ hạn",
}


def due_state(
    *, today: date, deadline: date | None, soon_from: date | None, done_on: date | None = None
) -> DueState:
    """A deadline is a day: overdue after it; due soon from ``soon_from`` (a working-day
    count before the deadline, computed by the caller with the work calendar)."""
    if deadline is None:
        return DueState.NONE
    if done_on is not None:
        return DueState.DONE_ON_TIME if done_on <= deadline else DueState.DONE_LATE
    if today > deadline:
        return DueState.OVERDUE
    if soon_from is not None and today >= soon_from:
        return DueState.DUE_SOON
    return DueState.ON_TRACK


def retry_delay(attempts: int) -> timedelta:
    """Outbox back-off: 30 s, 1, 2, 4 ... minutes, at most one hour between tries."""
    return timedelta(seconds=min(3600, 30 * (2 ** max(0, attempts - 1))))


@dataclass(frozen=True)
class ShareFigure:
    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


def local_date(value: datetime) -> date:
    return value.date()
