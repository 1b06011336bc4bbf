"""Pure rules about administrative units and agency codes (no Django imports)."""

from __future__ import annotations

import re
from datetime import date

# Resolution 202/2025/QH15 and the 2025 Law on Organization of Local Government: two levels of
# local government (province, commune) from 1 July 2025; district level abolished.
TWO_LEVEL_REFORM_DATE = date(2025, 7, 1)

# Agency identifier codes (mã định danh), QCVN 102:2016/BTTTT applied by Circular
# 10/2016/TT-BTTTT and Decision 20/2020/QĐ-TTg: V1V2V3.Z1Z2.Y1Y2.Xnn, e.g. "000.00.00.H49"
# (the people's committee of Quảng Ninh) or "000.00.21.H49"; the right-most group names the
# level-1 body (H = province, G = ministry/central body). Circular 01/2022/TT-BTTTT also allows
# the short hierarchical form "H49.07" of up to 35 characters. We validate the shape only and
# never derive meaning beyond the level-1 group.
_QCVN_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
_SHORT_CODE = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4}){0,6}$")
AGENCY_CODE_MAX_LENGTH = 35


def is_valid_agency_code(code: str) -> bool:
    if len(code) > AGENCY_CODE_MAX_LENGTH:
        return False
    return bool(_QCVN_CODE.match(code) or _SHORT_CODE.match(code))


def level1_group(code: str) -> str:
    """The level-1 body of an agency code: 'H49' for '000.00.21.H49' and for 'H49.07'."""
    if _QCVN_CODE.match(code):
        return code.rsplit(".", 1)[1]
    return code.split(".", 1)[0]


def province_code(number: int) -> str:
    """GSO province code, two digits (e.g. 22 Quảng Ninh)."""
    return f"{number:02d}"


def commune_code(number: int) -> str:
    """GSO commune code, five digits (e.g. 06688 Phường Hạ Long)."""
    return f"{number:05d}"
