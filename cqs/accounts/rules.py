"""Pure rules about people: roles and the personal identification number (CCCD)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    RECEIVING_OFFICER = "receiving_officer"
    PROCESSING_OFFICER = "processing_officer"
    HEAD_OF_DIVISION = "head_of_division"
    LEADER = "leader"
    RECORDS_CLERK = "records_clerk"
    AGENCY_ADMIN = "agency_admin"
    PROVINCE_ADMIN = "province_admin"
    DASHBOARD_VIEWER = "dashboard_viewer"


ROLE_LABELS: dict[Role, str] = {
    Role.RECEIVING_OFFICER: "Cán bộ tiếp nhận (Bộ phận Một cửa)",
    Role.PROCESSING_OFFICER: "Cán bộ xử lý",
    Role.HEAD_OF_DIVISION: "Trưởng phòng/ban",
    Role.LEADER: "Lãnh đạo (ký duyệt)",
    Role.RECORDS_CLERK: "Văn thư",
    Role.AGENCY_ADMIN: "Quản trị cơ quan",
    Role.PROVINCE_ADMIN: "Quản trị cấp tỉnh",
    Role.DASHBOARD_VIEWER: "Theo dõi, giám sát (chỉ xem)",
}

# Roles that reach the whole sub-tree of the agency they are assigned in (an agency admin
# manages the agency and its divisions; a province admin assigned at the province people's
# committee manages every agency under it). Other roles act in their own agency only.
SUBTREE_ROLES: frozenset[Role] = frozenset(
    {Role.AGENCY_ADMIN, Role.PROVINCE_ADMIN, Role.DASHBOARD_VIEWER, Role.LEADER}
)

# --- Personal identification number (số định danh cá nhân) ---------------------------------
# Circular 59/2021/TT-BCA, Article 7 (replacing Circular 07/2016/TT-BCA, Article 7): 12 digits;
# digits 1-3 the code of the province where the birth was registered; digit 4 the century and
# sex; digits 5-6 the last two digits of the birth year; digits 7-12 a random number. The
# province codes are the pre-2025 list (Appendix I of the circular); they did not change with
# the 2025 mergers.
ID_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

_ID_SHAPE = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class IdNumberInfo:
    province_code: str
    province_name: str
    male: bool
    birth_year_suffix: int
    century_start: int

    def birth_year(self) -> int:
        return self.century_start + self.birth_year_suffix


class IdNumberError(ValueError):
    """The Vietnamese message says what is wrong with the number."""


def parse_id_number(value: str, *, birth_year: int | None = None) -> IdNumberInfo:
    """Validate a 12-digit personal identification number; raise IdNumberError if invalid."""
    number = value.strip()
    if not _ID_SHAPE.match(number):
        raise IdNumberError("Số định danh cá nhân phải gồm đúng 12 chữ số.")
    province = number[:3]
    if province not in ID_PROVINCE_CODES:
        raise IdNumberError(f"Mã tỉnh nơi đăng ký khai sinh «{province}» không tồn tại.")
    century_digit = int(number[3])
    century_start = 1900 + 100 * (century_digit // 2)
    info = IdNumberInfo(
        province_code=province,
        province_name=ID_PROVINCE_CODES[province],
        male=century_digit % 2 == 0,
        birth_year_suffix=int(number[4:6]),
        century_start=century_start,
    )
    if birth_year is not None and info.birth_year() != birth_year:
        raise IdNumberError(
            f"Số định danh cho năm sinh {info.birth_year()}, không khớp năm sinh khai báo "
            f"{birth_year}."
        )
    return info


# --- Tax code (mã số thuế) -------------------------------------------------------------------
# Structure of the tax code (Decision 75/1998/QĐ-TCT of the General Department of Taxation,
# kept by Circular 105/2020/TT-BTC art. 5): N1N2 a province/series code, N3-N9 a sequence,
# N10 the check digit; a dependent unit (branch) adds "-" and three digits N11-N13. The check
# digit is N10 = 10 - ((31·N1 + 29·N2 + 23·N3 + 19·N4 + 17·N5 + 13·N6 + 7·N7 + 5·N8 + 3·N9)
# mod 11); a remainder of 0 would give 10, which is never issued. Verified on published codes,
# e.g. 0100109106 and 0300588569.
TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_SHAPE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")


class TaxCodeError(ValueError):
    """The Vietnamese message says what is wrong with the tax code."""


def tax_code_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid code has them."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, TAX_CODE_WEIGHTS, strict=True)) % 11
    digit = 10 - remainder
    return None if digit == 10 else digit


def parse_tax_code(value: str) -> str:
    """Validate a 10-digit (or 13-digit branch) tax code; return it as ``NNNNNNNNNN[-NNN]``."""
    number = value.strip().replace(" ", "")
    m = _TAX_SHAPE.match(number)
    if not m:
        raise TaxCodeError(
            "Mã số thuế gồm 10 chữ số, hoặc 13 chữ số (10 chữ số, dấu «-» và 3 chữ số) "
            "đối với đơn vị phụ thuộc."
        )
    base, branch = m.group(1), m.group(2)
    if tax_code_check_digit(base[:9]) != int(base[9]):
        raise TaxCodeError(f"Mã số thuế «{base}» có chữ số kiểm tra không đúng.")
    if branch == "000":
        raise TaxCodeError("Số thứ tự đơn vị phụ thuộc bắt đầu từ 001.")
    return f"{base}-{branch}" if branch else base


# --- One-time codes (mã xác thực OTP) ---------------------------------------------------------

OTP_DIGITS = 6


def otp_is_well_formed(code: str) -> bool:
    return len(code) == OTP_DIGITS and code.isdigit()
