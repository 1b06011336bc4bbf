# The project keeps no per-file copyright headers.

"""Working-day calendar for processing time limits (pure Python, no Django).

Decree 61/2018 (now Decree 118/2025) counts a dossier's time limit in working days
or working hours: Saturdays, Sundays, public holidays and the days off the
government announces are excluded, announced make-up working days (ngày làm bù)
are included, and limits in hours count office hours only. The 766 index counts a
dossier received after 15:00 from the next working day.

Public holidays, observed days and the government's swapped days off come from
the ``holidays`` package (country ``VN``), including its ``weekend_workdays``
(make-up Saturdays). Days the package lacks are entered by an administrator as
:class:`DayOverride`; overrides win over everything.

All instants are timezone-aware; naive datetimes raise ``ValueError``. Inputs in
any zone are converted to the calendar's zone and results are in that zone.
Durations are wall-clock office time within each period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from collections.abc import Iterable
    from zoneinfo import ZoneInfo

__all__ = ["DEFAULT_HOURS", "DayOverride", "WorkCalendar", "WorkingHours"]

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_US_PER_DAY = 24 * _US_PER_HOUR
# A calendar with no working day in ten years is misconfigured; stop instead of looping.
_MAX_SCAN_DAYS = 3660
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_COUNTRY = "VN"
_WEEKDAY_COUNT = 5  # Monday..Friday: weekday() 0..4


def _time_us(t: time) -> int:
    """Microseconds since midnight of a wall-clock time."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _parse_time(text: str, spec: str) -> time:
    match = _TIME_RE.match(text.strip())
    if match is None:
        msg = f"invalid time {text.strip()!r} in working hours {spec!r}: expected HH:MM"
        raise ValueError(msg)
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    try:
        return time(hour, minute, second)
    except ValueError as exc:
        msg = f"invalid time {text.strip()!r} in working hours {spec!r}: {exc}"
        raise ValueError(msg) from exc


def _format_time(t: time) -> str:
    text = f"{t.hour:02d}:{t.minute:02d}"
    if t.second or t.microsecond:
        text += f":{t.second:02d}"
    if t.microsecond:
        text += f".{t.microsecond:06d}"
    return text


@dataclass(frozen=True)
class WorkingHours:
    """Office periods of a working day, as naive wall-clock times (calendar zone)."""

    periods: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )

    def __post_init__(self) -> None:
        periods = tuple((p[0], p[1]) for p in self.periods)
        object.__setattr__(self, "periods", periods)
        if not periods:
            msg = "working hours need at least one period"
            raise ValueError(msg)
        previous_end: time | None = None
        for start, end in periods:
            if not isinstance(start, time) or not isinstance(end, time):
                msg = f"working period {start!r}-{end!r} must be two time values"
                raise TypeError(msg)
            if start.tzinfo is not None or end.tzinfo is not None:
                msg = "working period times must be naive (the calendar has the zone)"
                raise ValueError(msg)
            if start >= end:
                msg = (
                    f"working period {_format_time(start)}-{_format_time(end)} "
                    "must start before it ends"
                )
                raise ValueError(msg)
            if previous_end is not None and start < previous_end:
                msg = (
                    f"working period starting {_format_time(start)} overlaps or "
                    f"precedes the period ending {_format_time(previous_end)}: "
                    "periods must be sorted and disjoint"
                )
                raise ValueError(msg)
            previous_end = end

    @classmethod
    def parse(cls, spec: str) -> WorkingHours:
        """Parse ``"07:30-11:30,13:30-17:00"`` (``HH:MM:SS`` also accepted)."""
        if not spec.strip():
            msg = "working hours are empty: expected e.g. '07:30-11:30,13:30-17:00'"
            raise ValueError(msg)
        periods: list[tuple[time, time]] = []
        for part in spec.split(","):
            bounds = part.split("-")
            if len(bounds) != 2:
                msg = (
                    f"invalid period {part.strip()!r} in working hours {spec!r}: "
                    "expected HH:MM-HH:MM"
                )
                raise ValueError(msg)
            periods.append((_parse_time(bounds[0], spec), _parse_time(bounds[1], spec)))
        return cls(tuple(periods))

    def __str__(self) -> str:
        """Canonical text form; ``WorkingHours.parse(str(h)) == h``."""
        return ",".join(f"{_format_time(s)}-{_format_time(e)}" for s, e in self.periods)

    def per_day(self) -> timedelta:
        """Office time of one full working day."""
        total = sum(_time_us(end) - _time_us(start) for start, end in self.periods)
        return timedelta(microseconds=total)


DEFAULT_HOURS = WorkingHours()


@dataclass(frozen=True)
class DayOverride:
    """A day announced by the government against the rule, entered by an admin.

    ``is_working_day=False``: an extra day off (nghỉ bù); ``True``: a make-up
    working day (làm bù), usually a Saturday.
    """

    day: date
    is_working_day: bool
    reason: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            msg = f"DayOverride.day must be a date, not {type(self.day).__name__}"
            raise TypeError(msg)


def _require_date(day: date) -> None:
    # A datetime is a date subclass; its date depends on the zone, so refuse it.
    if isinstance(day, datetime):
        msg = "pass a date, not a datetime (use dt.astimezone(calendar.tz).date())"
        raise TypeError(msg)


def _to_microseconds(hours: Decimal | float | timedelta) -> int:
    """Convert a number of hours (or a timedelta) to whole microseconds, half-even."""
    if isinstance(hours, timedelta):
        return hours // timedelta(microseconds=1)
    if isinstance(hours, bool) or not isinstance(hours, Decimal | int | float):
        msg = f"hours must be a number or a timedelta, not {hours!r}"
        raise TypeError(msg)
    value = Decimal(hours)
    if not value.is_finite():
        msg = f"hours must be finite, not {hours!r}"
        raise ValueError(msg)
    return int((value * _US_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN))


class WorkCalendar:
    """Working days and office hours in one zone; holiday years load lazily."""

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        hours: WorkingHours = DEFAULT_HOURS,
        overrides: Iterable[DayOverride] = (),
        use_national_holidays: bool = True,
        holiday_language: str = "vi",
    ) -> None:
        self._tz = tz
        self._hours = hours
        self._use_national_holidays = use_national_holidays
        self._language = holiday_language
        by_day: dict[date, DayOverride] = {}
        for override in overrides:
            known = by_day.get(override.day)
            if known is not None and known.is_working_day != override.is_working_day:
                msg = f"conflicting overrides for {override.day.isoformat()}"
                raise ValueError(msg)
            by_day[override.day] = override
        self._overrides = by_day
        self._periods: tuple[tuple[int, int], ...] = tuple(
            (_time_us(s), _time_us(e)) for s, e in hours.periods
        )
        self._per_day_us = sum(e - s for s, e in self._periods)
        self._loaded_years: set[int] = set()
        self._holiday_names: dict[date, str] = {}
        self._weekend_workdays: set[date] = set()
        self._working: dict[date, bool] = {}
        self._next_day: dict[date, date] = {}

    def __repr__(self) -> str:
        """Zone, hours and override count, for debugging."""
        return (
            f"WorkCalendar(tz={self._tz.key!r}, hours={str(self._hours)!r}, "
            f"overrides={len(self._overrides)}, "
            f"use_national_holidays={self._use_national_holidays})"
        )

    @property
    def tz(self) -> ZoneInfo:
        """Zone in which days and office hours are reckoned."""
        return self._tz

    @property
    def hours(self) -> WorkingHours:
        """Office periods of a working day."""
        return self._hours

    @property
    def overrides(self) -> tuple[DayOverride, ...]:
        """Administrator overrides, sorted by day."""
        return tuple(self._overrides[d] for d in sorted(self._overrides))

    # -- days -------------------------------------------------------------------------

    def _load_year(self, year: int) -> None:
        if year in self._loaded_years:
            return
        self._loaded_years.add(year)
        if not date.min.year <= year <= date.max.year:
            return
        national = holidays.country_holidays(_COUNTRY, years=year, language=self._language)
        for day, name in national.items():
            self._holiday_names.setdefault(day, name)
        self._weekend_workdays.update(national.weekend_workdays)

    def _national(self, day: date) -> tuple[str | None, bool]:
        """(holiday name, is a make-up weekend workday) from the package."""
        # A swapped day off or make-up day may be listed under a neighbouring year.
        for year in (day.year - 1, day.year, day.year + 1):
            self._load_year(year)
        return self._holiday_names.get(day), day in self._weekend_workdays

    def is_working_day(self, day: date) -> bool:
        """Working day? Overrides, then holidays, make-up days, then weekends."""
        cached = self._working.get(day)
        if cached is not None:
            return cached
        _require_date(day)
        override = self._overrides.get(day)
        if override is not None:
            result = override.is_working_day
        else:
            result = day.weekday() < _WEEKDAY_COUNT
            if self._use_national_holidays:
                name, makeup = self._national(day)
                if name is not None:
                    result = False
                elif makeup:
                    result = True
        self._working[day] = result
        return result

    def holiday_name(self, day: date) -> str | None:
        """Name of the holiday or day off; None on working days and plain weekends."""
        _require_date(day)
        override = self._overrides.get(day)
        if override is not None:
            if override.is_working_day:
                return None
            if override.reason:
                return override.reason
            return "Ngày nghỉ" if self._language.startswith("vi") else "Day off"
        if not self._use_national_holidays:
            return None
        name, _ = self._national(day)
        return name

    def _next_working_day(self, day: date) -> date:
        """First working day strictly after ``day`` (memoized)."""
        cached = self._next_day.get(day)
        if cached is not None:
            return cached
        one, candidate = timedelta(days=1), day
        for _ in range(_MAX_SCAN_DAYS):
            candidate += one
            if self.is_working_day(candidate):
                self._next_day[day] = candidate
                return candidate
        msg = f"no working day within {_MAX_SCAN_DAYS} days after {day.isoformat()}"
        raise ValueError(msg)

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days in ``(start, end]``; 0 when ``end <= start``."""
        _require_date(start)
        _require_date(end)
        count = 0
        day, one = start, timedelta(days=1)
        while day < end:
            day += one
            count += self.is_working_day(day)
        return count

    # -- instants ---------------------------------------------------------------------

    def _local(self, at: datetime) -> datetime:
        if not isinstance(at, datetime):
            msg = f"expected an aware datetime, not {type(at).__name__}"
            raise TypeError(msg)
        if at.tzinfo is None or at.utcoffset() is None:
            msg = f"naive datetime {at.isoformat()} rejected: pass an aware datetime"
            raise ValueError(msg)
        return at.astimezone(self._tz)

    def _at(self, day: date, us: int) -> datetime:
        seconds, micro = divmod(us, _US_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=self._tz)

    def _day_start(self, day: date) -> datetime:
        return self._at(day, self._periods[0][0])

    def next_working_instant(self, at: datetime) -> datetime:
        """``at`` (in the calendar zone) if in office hours, else the next period start.

        Periods are half-open: the end instant of a period (e.g. 11:30) is outside it.
        """
        local = self._local(at)
        day = local.date()
        if self.is_working_day(day):
            now = _time_us(local.time())
            for start, end in self._periods:
                if now < end:
                    return local if now >= start else self._at(day, start)
        return self._day_start(self._next_working_day(day))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Move ``days`` working days on from the normalized start, same clock time."""
        if days < 0:
            msg = f"days must be >= 0, not {days}"
            raise ValueError(msg)
        begin = self.next_working_instant(start)
        if days == 0:
            return begin
        day = begin.date()
        for _ in range(days):
            day = self._next_working_day(day)
        return self._at(day, _time_us(begin.time()))

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """Move ``days`` calendar days on from the normalized start, same clock time.

        If that day is not a working day the deadline moves to the next working day
        (Civil Code 2015 art. 148(5)), at its opening: keeping the clock time there
        would let a later start get an earlier deadline. Result: a working instant.
        """
        if days < 0:
            msg = f"days must be >= 0, not {days}"
            raise ValueError(msg)
        begin = self.next_working_instant(start)
        if days == 0:
            return begin
        day = begin.date() + timedelta(days=days)
        if not self.is_working_day(day):
            return self._day_start(self._next_working_day(day))
        return self._at(day, _time_us(begin.time()))

    def add_working_hours(self, start: datetime, hours: Decimal | float | timedelta) -> datetime:
        """Consume ``hours`` of office time from the normalized start.

        Ending exactly at a period's end returns that end instant (e.g. 11:30), not the
        next period's start. Numbers are hours, rounded half-even to the microsecond.
        """
        remaining = _to_microseconds(hours)
        if remaining < 0:
            msg = f"hours must be >= 0, not {hours!r}"
            raise ValueError(msg)
        begin = self.next_working_instant(start)
        if remaining == 0:
            return begin
        day = begin.date()
        now = _time_us(begin.time())
        while True:
            for period_start, period_end in self._periods:
                if period_end <= now:
                    continue
                lower = max(period_start, now)
                available = period_end - lower
                if remaining <= available:
                    return self._at(day, lower + remaining)
                remaining -= available
            day = self._next_working_day(day)
            while remaining > self._per_day_us:
                remaining -= self._per_day_us
                day = self._next_working_day(day)
            now = 0

    def _office_time(self, day: date, lower: int, upper: int) -> int:
        """Office microseconds of ``day`` within wall-clock ``[lower, upper)``."""
        if not self.is_working_day(day):
            return 0
        total = 0
        for start, end in self._periods:
            overlap = min(end, upper) - max(start, lower)
            if overlap > 0:
                total += overlap
        return total

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time on working days in ``[start, end)``; 0 if ``end <= start``."""
        first, last = self._local(start), self._local(end)
        if last <= first:
            return timedelta(0)
        first_day, last_day = first.date(), last.date()
        lower, upper = _time_us(first.time()), _time_us(last.time())
        if first_day == last_day:
            total = self._office_time(first_day, lower, upper)
        else:
            full_days = self.working_days_between(first_day, last_day)
            full_days -= self.is_working_day(last_day)
            total = (
                self._office_time(first_day, lower, _US_PER_DAY)
                + full_days * self._per_day_us
                + self._office_time(last_day, 0, upper)
            )
        return timedelta(microseconds=total)

    def intake_start(self, received_at: datetime, *, cutoff: time = time(15, 0)) -> datetime:
        """Instant from which a dossier's time limit runs (766 on-time rule).

        Received on a working day at or before ``cutoff``: from the next working
        instant (the receipt itself during office hours). Received after the cutoff
        or on a day off: from the start of the next working day.
        """
        if cutoff.tzinfo is not None:
            msg = "cutoff must be a naive wall-clock time in the calendar's zone"
            raise ValueError(msg)
        local = self._local(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() <= cutoff:
            return self.next_working_instant(local)
        return self._day_start(self._next_working_day(day))
