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
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


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


# --- Rollup contributions ---------------------------------------------------------------------

FINISHED_WITH_RESULT = frozenset({"result_ready", "returned"})
OPEN_STATUSES = frozenset({"processing", "supplement_requested"})

# What each counter of a rollup row counts, per dossier received in the row's day or month.
# Everything here is fixed once the dossier's state is fixed; the one time-dependent part of
# the index — "still in progress within time" — is not a counter: dossiers in processing are
# kept in a small side table and compared with the clock at query time.
COUNTERS: dict[str, str] = {
    "received": "received (the index's denominators)",
    "online": "filed online",
    "withdrawn": "withdrawn by the applicant (left out of timeliness)",
    "timely_fixed": "on time, decided already: finished early/on time, rejected within time, "
    "or waiting for the applicant's supplement",
    "satisfied_fixed": "timely_fixed and not rated unsatisfied",
    "fee_due": "has a fee",
    "paid_online": "fee paid online",
    "with_result": "has a result (result ready or returned)",
    "electronic_result": "result issued electronically",
    "digitized_intake": "intake components digitized",
    "rated": "rated by the applicant",
    "rated_satisfied": "rated satisfied (score >= 4)",
    "finished_late": "has a result, late",
    "finished_seconds": "seconds from receipt to result, summed over with_result",
    "supplemented": "at least one supplement request",
    "open": "processing or waiting for a supplement",
}


class StateLike(Protocol):
    """What the rules read of a dossier (cqs.dossiers.signals.DossierState, or a test's)."""

    @property
    def received_at(self) -> datetime | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def supplement_count(self) -> int: ...
    @property
    def legal_due(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def fee(self) -> int: ...
    @property
    def paid_online(self) -> bool: ...
    @property
    def digitized_intake(self) -> bool: ...
    @property
    def electronic_result(self) -> bool: ...
    @property
    def rating(self) -> int | None: ...


def counted(state: StateLike | None) -> bool:
    """Dossiers the index counts: received (not merely submitted online)."""
    return state is not None and state.received_at is not None and state.status != "submitted"


def unsatisfied(state: StateLike) -> bool:
    return state.rating is not None and state.rating < SATISFIED_SCORE


def fixed_on_time(state: StateLike) -> bool | None:
    """On time per Decision 766 when that no longer depends on the clock; None while the
    dossier is in processing (within time until its legal due instant)."""
    if state.supplement_count >= LATE_AFTER_SUPPLEMENTS:
        return False  # a second supplement request counts as late
    if state.status in FINISHED_WITH_RESULT:
        return state.outcome in {"early", "on_time"}
    if state.status == "rejected":
        return state.legal_due is None or (
            state.finished_at is not None and state.finished_at <= state.legal_due
        )
    if state.status == "supplement_requested":
        return True  # time waiting for the applicant is excluded
    if state.status == "processing":
        return None
    return False


def contribution(state: StateLike) -> dict[str, int]:
    """The counters one dossier adds to the rollup row of its receipt day."""
    c = dict.fromkeys(COUNTERS, 0)
    c["received"] = 1
    c["online"] = int(state.channel == "online")
    c["withdrawn"] = int(state.status == "withdrawn")
    if state.status != "withdrawn":
        ok = fixed_on_time(state)
        c["timely_fixed"] = int(ok is True)
        c["satisfied_fixed"] = int(ok is True and not unsatisfied(state))
    if state.fee > 0:
        c["fee_due"] = 1
        c["paid_online"] = int(state.paid_online)
    if state.status in FINISHED_WITH_RESULT:
        c["with_result"] = 1
        c["electronic_result"] = int(state.electronic_result)
        c["finished_late"] = int(state.outcome == "late")
        if state.finished_at is not None and state.received_at is not None:
            c["finished_seconds"] = int((state.finished_at - state.received_at).total_seconds())
    c["digitized_intake"] = int(state.digitized_intake)
    if state.rating is not None:
        c["rated"] = 1
        c["rated_satisfied"] = int(state.rating >= SATISFIED_SCORE)
    c["supplemented"] = int(state.supplement_count > 0)
    c["open"] = int(state.status in OPEN_STATUSES)
    return c


# --- DX plan status -------------------------------------------------------------------------

# A target is "on track" while its progress (share of the way from baseline to target) keeps
# up with the share of its time elapsed, allowing AT_RISK_MARGIN; "at risk" when it falls
# behind by more; "late" when the deadline passed unmet; "achieved" once the target is met.
AT_RISK_MARGIN = Decimal("0.10")


def dx_progress(baseline: Decimal, target: Decimal, current: Decimal | None) -> Decimal | None:
    if current is None:
        return None
    span = target - baseline
    if span == 0:
        return Decimal(1) if current == target else Decimal(0)
    return max(Decimal(0), min(Decimal(1), (current - baseline) / span))


def dx_status(
    *,
    baseline: Decimal,
    target: Decimal,
    current: Decimal | None,
    start: date,
    deadline: date,
    today: date,
) -> str:
    """ "achieved" | "on_track" | "at_risk" | "late"."""
    progress = dx_progress(baseline, target, current)
    if progress is not None and progress >= 1:
        return "achieved"
    if today > deadline:
        return "late"
    total = (deadline - start).days
    elapsed = Decimal(max(0, (today - start).days)) / Decimal(total) if total > 0 else Decimal(1)
    if (progress or Decimal(0)) + AT_RISK_MARGIN >= min(Decimal(1), elapsed):
        return "on_track"
    return "at_risk"
