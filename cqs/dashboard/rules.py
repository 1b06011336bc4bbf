"""Decision 766 indicators as data, periods and scoring (pure: no Django).

The table follows shared/domain/regulations.md §4a (how the national portal scores 766 in
2026). Each indicator is a ratio numerator / denominator over a period, converted to points
linearly (points = max × rate) or with a threshold T (full points at rate ≥ T, else
max × rate / T). Indicators whose source does not exist in CQS yet are listed with
``source=None``: they show a note and score 0 rather than being silently left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    name: str
    max_points: int
    numerator: str
    denominator: str
    scoring: str = "linear"  # "linear" | "threshold"
    threshold: Decimal | None = None
    source: str | None = "dossiers"  # None: no data source in CQS yet
    full_if_empty: bool = False  # "6 if none": full points when the denominator is 0


GROUPS: dict[str, tuple[str, int]] = {
    "publicity": ("Công khai, minh bạch", 18),
    "timeliness": ("Tiến độ giải quyết", 20),
    "online": ("Dịch vụ công trực tuyến", 12),
    "payment": ("Thanh toán trực tuyến", 10),
    "digitization": ("Số hóa hồ sơ", 22),
    "satisfaction": ("Mức độ hài lòng", 18),
}

_T80 = Decimal("0.8")
_T90 = Decimal("0.9")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "publicity.announced",
        "publicity",
        "Công bố TTHC đúng hạn",
        6,
        "Quyết định công bố đúng hạn",
        "Quyết định phải công bố trong kỳ",
        source=None,
    ),
    Indicator(
        "publicity.national_db",
        "publicity",
        "Công khai TTHC trên CSDL quốc gia đúng hạn",
        4,
        "Công khai trong 5 ngày làm việc",
        "TTHC phải công khai",
        source=None,
    ),
    Indicator(
        "publicity.complete",
        "publicity",
        "TTHC công khai đầy đủ bộ phận",
        2,
        "TTHC đầy đủ",
        "TTHC đã công khai",
        source=None,
    ),
    Indicator(
        "publicity.synced",
        "publicity",
        "Hồ sơ đồng bộ lên Cổng DVC quốc gia",
        6,
        "Hồ sơ đã đồng bộ",
        "Hồ sơ tiếp nhận trong kỳ",
    ),
    Indicator(
        "timeliness.on_time",
        "timeliness",
        "Hồ sơ giải quyết trước hạn, đúng hạn",
        20,
        "Hồ sơ đã giải quyết trước/đúng hạn + đang giải quyết trong hạn",
        "Hồ sơ tiếp nhận trong kỳ (trừ hồ sơ công dân rút)",
    ),
    Indicator(
        "online.full_online",
        "online",
        "Hồ sơ trực tuyến toàn trình",
        12,
        "Hồ sơ nộp trực tuyến",
        "Hồ sơ của TTHC đủ điều kiện toàn trình",
    ),
    Indicator(
        "payment.integrated",
        "payment",
        "TTHC có phí tích hợp thanh toán trực tuyến",
        2,
        "TTHC tích hợp thanh toán",
        "TTHC có phí",
        "threshold",
        _T80,
        source=None,
    ),
    Indicator(
        "payment.used",
        "payment",
        "TTHC có phí phát sinh thanh toán trực tuyến",
        2,
        "TTHC có ≥1 hồ sơ thanh toán trực tuyến",
        "TTHC có phí có hồ sơ trong kỳ",
        "threshold",
        _T80,
    ),
    Indicator(
        "payment.paid_online",
        "payment",
        "Hồ sơ thanh toán trực tuyến",
        6,
        "Hồ sơ đã thanh toán trực tuyến",
        "Hồ sơ có phí, lệ phí",
    ),
    Indicator(
        "digitization.results",
        "digitization",
        "Kết quả điện tử",
        6,
        "Hồ sơ có kết quả điện tử",
        "Hồ sơ đã có kết quả",
    ),
    Indicator(
        "digitization.components",
        "digitization",
        "Hồ sơ số hóa thành phần",
        4,
        "Hồ sơ có thành phần được số hóa",
        "Hồ sơ tiếp nhận trong kỳ",
    ),
    Indicator(
        "digitization.copy_cert",
        "digitization",
        "Xã cung cấp chứng thực bản sao điện tử",
        2,
        "Xã cung cấp",
        "Số xã",
        source=None,
    ),
    Indicator(
        "digitization.reuse",
        "digitization",
        "Hồ sơ tái sử dụng dữ liệu số hóa",
        2,
        "Hồ sơ tái sử dụng",
        "Hồ sơ",
        "threshold",
        _T80,
        source=None,
    ),
    Indicator(
        "digitization.data_store",
        "digitization",
        "Hồ sơ kết nối kho dữ liệu cá nhân",
        4,
        "Hồ sơ kết nối",
        "Hồ sơ",
        source=None,
    ),
    Indicator(
        "digitization.population",
        "digitization",
        "Hồ sơ sử dụng dữ liệu dân cư",
        2,
        "Hồ sơ sử dụng",
        "Hồ sơ",
        source=None,
    ),
    Indicator(
        "digitization.population_procs",
        "digitization",
        "TTHC kết nối dữ liệu dân cư",
        2,
        "TTHC kết nối",
        "TTHC cho công dân",
        source=None,
    ),
    Indicator(
        "satisfaction.pakn_on_time",
        "satisfaction",
        "Phản ánh, kiến nghị xử lý đúng hạn",
        6,
        "Phản ánh xử lý đúng hạn",
        "Phản ánh tiếp nhận trong kỳ (6 điểm nếu không có)",
        source="reports",
        full_if_empty=True,
    ),
    Indicator(
        "satisfaction.pakn_satisfied",
        "satisfaction",
        "Phản ánh, kiến nghị xử lý hài lòng",
        6,
        "Phản ánh − không hài lòng, khiếu nại lại, trễ hạn",
        "Phản ánh tiếp nhận trong kỳ (6 điểm nếu không có)",
        source="reports",
        full_if_empty=True,
    ),
    Indicator(
        "satisfaction.dossiers",
        "satisfaction",
        "Hài lòng về giải quyết hồ sơ",
        6,
        "Hồ sơ − không hài lòng (điểm < 4), có phản ánh, quá hạn/trễ hạn",
        "Hồ sơ tiếp nhận trong kỳ",
        "threshold",
        _T90,
    ),
)

BY_ID = {i.id: i for i in INDICATORS}
SATISFIED_SCORE = 4  # a rating of 4 or 5 (of 5) is "satisfied"
LATE_AFTER_SUPPLEMENTS = 2  # a second supplement request counts the dossier as late


def points(ind: Indicator, numerator: int, denominator: int) -> Decimal:
    """Points of one indicator, rounded to 2 decimals."""
    if ind.source is None:
        return Decimal(0)
    if denominator == 0:
        return Decimal(ind.max_points) if ind.full_if_empty else Decimal(0)
    rate = Decimal(numerator) / Decimal(denominator)
    if ind.scoring == "threshold" and ind.threshold is not None:
        pts = (
            Decimal(ind.max_points)
            if rate >= ind.threshold
            else ind.max_points * rate / ind.threshold
        )
    else:
        pts = ind.max_points * rate
    return pts.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Periods --------------------------------------------------------------------------------


class PeriodError(ValueError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # "malformed" | "future"


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # first day
    end: date  # first day after

    def months(self) -> list[tuple[int, int]]:
        out = []
        y, m = self.start.year, self.start.month
        while date(y, m, 1) < self.end:
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


_PERIOD = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|Q(?P<q>[1-4])))?$")


def _next_month(y: int, m: int) -> date:
    return date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)


def parse_period(text: str, today: date) -> Period:
    """``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``; a period starting after ``today`` is refused."""
    m = _PERIOD.match((text or "").strip().upper())
    if not m:
        raise PeriodError("malformed", "Kỳ không hợp lệ: dùng YYYY-MM, YYYY-Qn hoặc YYYY.")
    y = int(m.group("y"))
    if y < 2000:
        raise PeriodError("malformed", "Năm không hợp lệ.")
    if m.group("m"):
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            raise PeriodError("malformed", "Tháng phải từ 01 đến 12.")
        p = Period(f"{y}-{month:02d}", date(y, month, 1), _next_month(y, month))
    elif m.group("q"):
        q = int(m.group("q"))
        p = Period(f"{y}-Q{q}", date(y, 3 * q - 2, 1), _next_month(y, 3 * q))
    else:
        p = Period(str(y), date(y, 1, 1), date(y + 1, 1, 1))
    if p.start > today:
        raise PeriodError("future", "Kỳ báo cáo chưa bắt đầu.")
    return p
