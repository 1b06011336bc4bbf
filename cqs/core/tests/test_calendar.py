"""Tests of the pure working-day calendar (no Django).

Every expected date below is worked out by hand from the real 2025/2026 calendars
(the government's announcements as carried by ``holidays`` 0.108), the reasoning is in
the comment next to the case:

2025: Wed 1 Jan; Tết Mon 27 Jan - Sat 1 Feb (so off Sat 25 Jan - Sun 2 Feb);
      Hùng Kings Mon 7 Apr; Sat 26 Apr make-up working day for Fri 2 May off;
      Wed 30 Apr, Thu 1 May, Fri 2 May off; National Day Mon 1 + Tue 2 Sep.
2026: Thu 1 Jan; Tết Mon 16 - Fri 20 Feb (off Sat 14 - Sun 22 Feb);
      Hùng Kings Sun 26 Apr -> observed Mon 27 Apr; Thu 30 Apr, Fri 1 May;
      Sat 22 Aug make-up working day for Mon 31 Aug off; Tue 1 + Wed 2 Sep;
      Tue 24 Nov Vietnam Culture Day.
Default office hours 07:30-11:30 and 13:30-17:00 (7.5 h a day), zone UTC+7.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqs.core.calendar import DayOverride, WorkCalendar, WorkingHours

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar(tz=VN)
US = timedelta(microseconds=1)


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=VN)


# --------------------------------------------------------------------------- days


OFF_DAYS = [
    # (day, why it is off)
    (date(2025, 1, 1), "New Year 2025, Wednesday"),
    (date(2025, 1, 25), "Saturday before Tết 2025"),
    (date(2025, 1, 26), "Sunday before Tết 2025"),
    (date(2025, 1, 27), "29 Tết 2025 (Monday)"),
    (date(2025, 1, 28), "Giao thừa 2025"),
    (date(2025, 1, 29), "Mùng một 2025"),
    (date(2025, 1, 30), "Mùng hai 2025"),
    (date(2025, 1, 31), "Mùng ba 2025"),
    (date(2025, 2, 1), "Mùng bốn 2025, a Saturday anyway"),
    (date(2025, 2, 2), "Sunday after Tết 2025"),
    (date(2025, 4, 7), "Hùng Kings 2025 (Monday)"),
    (date(2025, 4, 30), "30/4 2025 (Wednesday)"),
    (date(2025, 5, 1), "1/5 2025 (Thursday)"),
    (date(2025, 5, 2), "Friday swapped with Saturday 26/4/2025"),
    (date(2025, 5, 3), "Saturday"),
    (date(2025, 5, 4), "Sunday"),
    (date(2025, 9, 1), "National Day 2025 first day (Monday)"),
    (date(2025, 9, 2), "National Day 2025 (Tuesday)"),
    (date(2026, 1, 1), "New Year 2026, Thursday"),
    (date(2026, 2, 14), "Saturday before Tết 2026"),
    (date(2026, 2, 16), "Giao thừa 2026 (Monday)"),
    (date(2026, 2, 17), "Mùng một 2026"),
    (date(2026, 2, 18), "Mùng hai 2026"),
    (date(2026, 2, 19), "Mùng ba 2026"),
    (date(2026, 2, 20), "Mùng bốn 2026 (Friday)"),
    (date(2026, 2, 22), "Sunday after Tết 2026"),
    (date(2026, 4, 26), "Hùng Kings 2026 falls on Sunday"),
    (date(2026, 4, 27), "Hùng Kings 2026 observed Monday"),
    (date(2026, 4, 30), "30/4 2026 (Thursday)"),
    (date(2026, 5, 1), "1/5 2026 (Friday)"),
    (date(2026, 8, 31), "Monday swapped with Saturday 22/8/2026"),
    (date(2026, 9, 1), "National Day 2026 first day (Tuesday)"),
    (date(2026, 9, 2), "National Day 2026 (Wednesday)"),
    (date(2026, 11, 24), "Vietnam Culture Day 2026 (Tuesday)"),
    (date(2025, 3, 8), "plain Saturday"),
    (date(2025, 3, 9), "plain Sunday"),
]

WORKING_DAYS = [
    (date(2024, 12, 31), "Tuesday before New Year 2025"),
    (date(2025, 1, 2), "Thursday after New Year 2025"),
    (date(2025, 1, 24), "last working day before Tết 2025 (Friday)"),
    (date(2025, 2, 3), "first working day after Tết 2025 (Monday)"),
    (date(2025, 4, 8), "Tuesday after Hùng Kings 2025"),
    (date(2025, 4, 26), "Saturday make-up working day 2025"),
    (date(2025, 4, 29), "Tuesday before 30/4 2025"),
    (date(2025, 5, 5), "Monday after the 30/4-1/5 2025 break"),
    (date(2025, 8, 29), "Friday before National Day 2025"),
    (date(2025, 9, 3), "Wednesday after National Day 2025"),
    (date(2026, 1, 2), "Friday after New Year 2026 (not announced in the package)"),
    (date(2026, 2, 13), "last working day before Tết 2026 (Friday)"),
    (date(2026, 2, 23), "first working day after Tết 2026 (Monday)"),
    (date(2026, 4, 28), "Tuesday after observed Hùng Kings 2026"),
    (date(2026, 4, 29), "Wednesday before 30/4 2026"),
    (date(2026, 5, 4), "Monday after 1/5 2026"),
    (date(2026, 8, 22), "Saturday make-up working day 2026"),
    (date(2026, 8, 28), "Friday before the National Day 2026 break"),
    (date(2026, 9, 3), "Thursday after National Day 2026"),
    (date(2025, 3, 10), "plain Monday"),
]


@pytest.mark.parametrize(("day", "why"), OFF_DAYS)
def test_days_off(day: date, why: str) -> None:
    assert not CAL.is_working_day(day), why


@pytest.mark.parametrize(("day", "why"), WORKING_DAYS)
def test_working_days(day: date, why: str) -> None:
    assert CAL.is_working_day(day), why


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 1, 1), "Tết Dương lịch"),
        (date(2025, 1, 29), "Tết Nguyên Đán"),
        (date(2025, 4, 7), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2025, 5, 2), "Ngày nghỉ (thay cho ngày 26/04/2025)"),
        (date(2026, 4, 26), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2026, 4, 27), "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"),
        (date(2026, 8, 31), "Ngày nghỉ (thay cho ngày 22/08/2026)"),
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2025, 3, 8), None),  # plain Saturday: a day off but not a holiday
        (date(2025, 3, 10), None),  # plain Monday
        (date(2025, 4, 26), None),  # make-up Saturday
    ],
)
def test_holiday_name(day: date, name: str | None) -> None:
    assert CAL.holiday_name(day) == name


def test_holiday_names_in_english() -> None:
    cal = WorkCalendar(tz=VN, holiday_language="en_US")
    assert cal.holiday_name(date(2026, 4, 27)) == "Hung Kings' Commemoration Day (observed)"


def test_every_day_2024_2027_matches_the_rule() -> None:
    # Independent statement of the rule: Mon-Fri, minus the package's holidays, plus its
    # make-up weekend days.
    import holidays

    national = holidays.country_holidays("VN", years=range(2023, 2029))
    day = date(2024, 1, 1)
    while day <= date(2027, 12, 31):
        expected = day not in national and (day.weekday() < 5 or day in national.weekend_workdays)
        assert CAL.is_working_day(day) is expected, day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        # (24 Apr, 5 May 2025]: Fri 25, Sat 26 (make-up), Mon 28, Tue 29, Mon 5 May.
        (date(2025, 4, 24), date(2025, 5, 5), 5),
        # (Fri 24 Jan, Mon 3 Feb 2025]: only Mon 3 Feb.
        (date(2025, 1, 24), date(2025, 2, 3), 1),
        # (Thu 12 Feb, Mon 23 Feb 2026]: Fri 13, Mon 23.
        (date(2026, 2, 12), date(2026, 2, 23), 2),
        # (Fri 21 Aug, Thu 3 Sep 2026]: Sat 22 (make-up), 24-28 (5 days), Thu 3 Sep.
        (date(2026, 8, 21), date(2026, 9, 3), 7),
        # A plain week (Sun 9 Mar, Sun 16 Mar 2025]: Mon-Fri.
        (date(2025, 3, 9), date(2025, 3, 16), 5),
        # Whole year 2025: 261 weekdays - 11 weekday holidays (1 Jan, 27-31 Jan, 7 Apr,
        # 30 Apr, 1-2 May, 1-2 Sep = 12; 1 Feb is a Saturday) + Sat 26 Apr = 250.
        (date(2024, 12, 31), date(2025, 12, 31), 250),
        (date(2025, 3, 10), date(2025, 3, 10), 0),
        (date(2025, 3, 12), date(2025, 3, 10), 0),
    ],
)
def test_working_days_between(start: date, end: date, count: int) -> None:
    assert CAL.working_days_between(start, end) == count


def test_weekday_count_2025() -> None:
    # Backs the 250 above: 2025 starts on Wednesday and has 365 days = 52 weeks + 1 day
    # (a Wednesday), so 261 weekdays; weekday holidays: 1 Jan, 27, 28, 29, 30, 31 Jan,
    # 7 Apr, 30 Apr, 1 May, 2 May, 1 Sep, 2 Sep = 12; plus the make-up Saturday.
    assert 261 - 12 + 1 == 250


def test_dates_reject_datetimes() -> None:
    with pytest.raises(TypeError):
        CAL.is_working_day(at(2025, 3, 10, 9))
    with pytest.raises(TypeError):
        CAL.working_days_between(at(2025, 3, 10, 9), date(2025, 3, 12))
    with pytest.raises(TypeError):
        DayOverride(at(2025, 3, 10, 9), is_working_day=False)


# ------------------------------------------------------------------ working days


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Brief's example: Mon 27 Apr 2026 is the observed Hùng Kings day -> Tue 28.
        (at(2026, 4, 24, 9), 1, at(2026, 4, 28, 9)),
        # +2: Wed 29 Apr.
        (at(2026, 4, 24, 9), 2, at(2026, 4, 29, 9)),
        # +3: Thu 30 Apr, Fri 1 May off, weekend -> Mon 4 May.
        (at(2026, 4, 24, 9), 3, at(2026, 5, 4, 9)),
        # Tết 2025: Fri 24 Jan + 1 skips 25 Jan - 2 Feb -> Mon 3 Feb.
        (at(2025, 1, 24, 10), 1, at(2025, 2, 3, 10)),
        # Wed 22 Jan 2025 + 5: Thu 23, Fri 24, Mon 3, Tue 4, Wed 5 Feb.
        (at(2025, 1, 22, 9), 5, at(2025, 2, 5, 9)),
        # Tết 2026: Fri 13 Feb + 1 skips 14-22 Feb -> Mon 23 Feb.
        (at(2026, 2, 13, 8), 1, at(2026, 2, 23, 8)),
        # Thu 12 Feb 2026 + 3: Fri 13, Mon 23, Tue 24.
        (at(2026, 2, 12, 14), 3, at(2026, 2, 24, 14)),
        # Hùng Kings 2025: Fri 4 Apr + 1 skips weekend and Mon 7 -> Tue 8 Apr.
        (at(2025, 4, 4, 14), 1, at(2025, 4, 8, 14)),
        # Fri 25 Apr 2025 + 1: Sat 26 Apr is a make-up working day.
        (at(2025, 4, 25, 9), 1, at(2025, 4, 26, 9)),
        # +2: Sun 27 off -> Mon 28; +3: Tue 29.
        (at(2025, 4, 25, 9), 2, at(2025, 4, 28, 9)),
        (at(2025, 4, 25, 9), 3, at(2025, 4, 29, 9)),
        # +4: 30 Apr, 1 May, 2 May off, weekend -> Mon 5 May.
        (at(2025, 4, 25, 9), 4, at(2025, 5, 5, 9)),
        # National Day 2025: Fri 29 Aug + 1 skips weekend, Mon 1, Tue 2 -> Wed 3 Sep.
        (at(2025, 8, 29, 9), 1, at(2025, 9, 3, 9)),
        # Fri 21 Aug 2026 + 1 = Sat 22 Aug (make-up); + 2 = Mon 24 Aug.
        (at(2026, 8, 21, 9), 1, at(2026, 8, 22, 9)),
        (at(2026, 8, 21, 9), 2, at(2026, 8, 24, 9)),
        # Fri 28 Aug 2026 + 1 skips weekend, Mon 31 (swap), Tue 1, Wed 2 -> Thu 3 Sep.
        (at(2026, 8, 28, 9), 1, at(2026, 9, 3, 9)),
        # New Year: Wed 31 Dec 2025 + 1 skips Thu 1 Jan -> Fri 2 Jan 2026.
        (at(2025, 12, 31, 10), 1, at(2026, 1, 2, 10)),
        # Tue 31 Dec 2024 + 1 skips Wed 1 Jan -> Thu 2 Jan 2025.
        (at(2024, 12, 31, 10), 1, at(2025, 1, 2, 10)),
        # Plain weekend: Fri 7 Mar 2025 16:00 + 1 -> Mon 10 Mar 16:00.
        (at(2025, 3, 7, 16), 1, at(2025, 3, 10, 16)),
        # Vietnam Culture Day: Mon 23 Nov 2026 + 1 skips Tue 24 -> Wed 25 Nov.
        (at(2026, 11, 23, 9), 1, at(2026, 11, 25, 9)),
        # Start outside office hours is normalized first: Sat 8 Mar -> Mon 10 07:30;
        # + 1 -> Tue 11 07:30.
        (at(2025, 3, 8, 10), 1, at(2025, 3, 11, 7, 30)),
        # Lunch break 12:00 -> 13:30 the same day, then + 2 days -> Wed 12 Mar 13:30.
        (at(2025, 3, 10, 12), 2, at(2025, 3, 12, 13, 30)),
        # After hours 18:00 Mon -> Tue 07:30, + 1 -> Wed 07:30.
        (at(2025, 3, 10, 18), 1, at(2025, 3, 12, 7, 30)),
        # 17:00 sharp is already outside the afternoon period.
        (at(2025, 3, 10, 17), 1, at(2025, 3, 12, 7, 30)),
        # 0 days: just the normalized start.
        (at(2025, 3, 10, 9, 15), 0, at(2025, 3, 10, 9, 15)),
        (at(2026, 2, 17, 10), 0, at(2026, 2, 23, 7, 30)),
        # Microseconds survive.
        (at(2025, 3, 10, 9, 15, 7, 123), 1, at(2025, 3, 11, 9, 15, 7, 123)),
    ],
)
def test_add_working_days(start: datetime, days: int, expected: datetime) -> None:
    result = CAL.add_working_days(start, days)
    assert result == expected
    assert result.tzinfo is VN
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None)


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_working_days(at(2025, 3, 10, 9), -1)


def test_add_working_days_long_span() -> None:
    # From Tue 31 Dec 2024 09:00, 250 working days cover all of 2025 (see the count
    # above) and land on its last working day, Wed 31 Dec 2025.
    assert CAL.add_working_days(at(2024, 12, 31, 9), 250) == at(2025, 12, 31, 9)


# ----------------------------------------------------------- next working instant


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2025, 3, 10, 9), at(2025, 3, 10, 9)),  # inside the morning
        (at(2025, 3, 10, 7, 30), at(2025, 3, 10, 7, 30)),  # period start is inside
        (at(2025, 3, 10, 7, 29, 59, 999999), at(2025, 3, 10, 7, 30)),
        (at(2025, 3, 10, 11, 30), at(2025, 3, 10, 13, 30)),  # period end is outside
        (at(2025, 3, 10, 11, 29, 59, 999999), at(2025, 3, 10, 11, 29, 59, 999999)),
        (at(2025, 3, 10, 16, 59), at(2025, 3, 10, 16, 59)),
        (at(2025, 3, 10, 0), at(2025, 3, 10, 7, 30)),
        (at(2025, 3, 10, 23, 59), at(2025, 3, 11, 7, 30)),
        # Friday evening -> Monday.
        (at(2025, 3, 7, 17), at(2025, 3, 10, 7, 30)),
        # Make-up Saturday 26 Apr 2025 is a working day.
        (at(2025, 4, 26, 10), at(2025, 4, 26, 10)),
        (at(2025, 4, 25, 18), at(2025, 4, 26, 7, 30)),
        # Tết 2026: Tuesday 17 Feb -> Monday 23 Feb.
        (at(2026, 2, 17, 10), at(2026, 2, 23, 7, 30)),
        # Observed Hùng Kings 2026.
        (at(2026, 4, 27, 9), at(2026, 4, 28, 7, 30)),
    ],
)
def test_next_working_instant(moment: datetime, expected: datetime) -> None:
    assert CAL.next_working_instant(moment) == expected


# ----------------------------------------------------------------- working hours


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Fri 24 Apr 2026 16:00 + 2 h: 1 h to 17:00, Mon 27 off, Tue 28 07:30 + 1 h.
        (at(2026, 4, 24, 16), 2, at(2026, 4, 28, 8, 30)),
        # Ending exactly at a period end returns the end, not 13:30.
        (at(2025, 3, 10, 10, 30), 1, at(2025, 3, 10, 11, 30)),
        (at(2025, 3, 10, 16), 1, at(2025, 3, 10, 17)),
        # One microsecond more crosses the lunch break.
        (
            at(2025, 3, 10, 10, 30),
            timedelta(hours=1, microseconds=1),
            at(2025, 3, 10, 13, 30, 0, 1),
        ),
        # A whole day from 07:30 ends at 17:00 the same day (4 h + 3.5 h).
        (at(2025, 3, 10, 7, 30), Decimal("7.5"), at(2025, 3, 10, 17)),
        # Two whole days: Tue 11 Mar 17:00.
        (at(2025, 3, 10, 7, 30), timedelta(hours=15), at(2025, 3, 11, 17)),
        # Half an hour across lunch: 11:15 -> 11:30, 13:30 -> 13:45.
        (at(2025, 3, 10, 11, 15), Decimal("0.5"), at(2025, 3, 10, 13, 45)),
        (at(2025, 3, 10, 11, 15), 0.5, at(2025, 3, 10, 13, 45)),
        # Tue 29 Apr 2025 15:00 + 8 h: 2 h Tuesday; 30/4-4/5 off; Mon 5 May 4 h morning,
        # 2 h more from 13:30 -> 15:30.
        (at(2025, 4, 29, 15), 8, at(2025, 5, 5, 15, 30)),
        # Fri 25 Apr 2025 16:00 + 1.5 h: 1 h Friday, make-up Saturday 07:30 + 0.5 h.
        (at(2025, 4, 25, 16), Decimal("1.5"), at(2025, 4, 26, 8)),
        # Tết 2025: Fri 24 Jan 16:30 + 1 h: 0.5 h Friday, Mon 3 Feb 07:30 + 0.5 h.
        (at(2025, 1, 24, 16, 30), 1, at(2025, 2, 3, 8)),
        # Tết 2026 with a big limit: 24 h from Fri 13 Feb 07:30 = 7.5 h on Fri 13,
        # then Mon 23 and Tue 24 (15 h) and 1.5 h of Wed 25 -> 09:00.
        (at(2026, 2, 13, 7, 30), 24, at(2026, 2, 25, 9)),
        # Started outside hours: Sun 9 Mar 2025 -> Mon 07:30 + 4 h -> 11:30 (the end).
        (at(2025, 3, 9, 10), 4, at(2025, 3, 10, 11, 30)),
        # Zero hours: the normalized start.
        (at(2025, 3, 10, 12), 0, at(2025, 3, 10, 13, 30)),
        # Fractions smaller than a microsecond round half-even.
        (at(2025, 3, 10, 8), Decimal("0.0000000001"), at(2025, 3, 10, 8)),
    ],
)
def test_add_working_hours(
    start: datetime, hours: Decimal | float | timedelta, expected: datetime
) -> None:
    assert CAL.add_working_hours(start, hours) == expected


@pytest.mark.parametrize(
    ("hours", "error"),
    [
        (-1, ValueError),
        (timedelta(minutes=-1), ValueError),
        (Decimal("NaN"), ValueError),
        (float("inf"), ValueError),
        (True, TypeError),
        ("2", TypeError),
    ],
)
def test_add_working_hours_rejects(hours: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        CAL.add_working_hours(at(2025, 3, 10, 9), hours)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Fri 24 Apr 2026 16:00 -> Tue 28 Apr 08:30: 1 h + 1 h.
        (at(2026, 4, 24, 16), at(2026, 4, 28, 8, 30), timedelta(hours=2)),
        # 11:00 -> 14:00 on a Monday: 30 min before lunch, 30 min after.
        (at(2025, 3, 10, 11), at(2025, 3, 10, 14), timedelta(hours=1)),
        # A plain week, midnight to midnight: 5 x 7.5 h.
        (at(2025, 3, 10), at(2025, 3, 17), timedelta(hours=37.5)),
        # Tết 2025, Fri 24 Jan 00:00 -> Mon 3 Feb 00:00: only Friday counts.
        (at(2025, 1, 24), at(2025, 2, 3), timedelta(hours=7.5)),
        # Tết 2026 whole break, Sat 14 -> Sun 22 Feb: nothing.
        (at(2026, 2, 14), at(2026, 2, 22, 23, 59), timedelta(0)),
        # Make-up Saturday 26 Apr 2025 all day.
        (at(2025, 4, 26), at(2025, 4, 27), timedelta(hours=7.5)),
        # Lunch only.
        (at(2025, 3, 10, 11, 30), at(2025, 3, 10, 13, 30), timedelta(0)),
        # Reversed or empty intervals.
        (at(2025, 3, 10, 14), at(2025, 3, 10, 9), timedelta(0)),
        (at(2025, 3, 10, 9), at(2025, 3, 10, 9), timedelta(0)),
    ],
)
def test_working_time_between(start: datetime, end: datetime, expected: timedelta) -> None:
    assert CAL.working_time_between(start, end) == expected


# ----------------------------------------------------------------- calendar days


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Mon 10 Mar 2025 + 7 -> Mon 17 Mar.
        (at(2025, 3, 10, 9), 7, at(2025, 3, 17, 9)),
        # Fri 7 Mar + 1 = Sat 8 Mar, a day off -> opening of Mon 10 Mar.
        (at(2025, 3, 7, 9), 1, at(2025, 3, 10, 7, 30)),
        # Mon 28 Apr 2025 + 2 = Wed 30 Apr (holiday) -> 1, 2 May off, weekend ->
        # opening of Mon 5 May.
        (at(2025, 4, 28, 9), 2, at(2025, 5, 5, 7, 30)),
        # Mon 19 Jan 2026 08:00 + 19 = Sat 7 Feb -> Mon 9 Feb 07:30, the same as
        # Tue 20 Jan 07:30 + 19 = Sun 8 Feb -> Mon 9 Feb 07:30 (a later start never
        # gets an earlier deadline).
        (at(2026, 1, 19, 8), 19, at(2026, 2, 9, 7, 30)),
        (at(2026, 1, 20, 7, 30), 19, at(2026, 2, 9, 7, 30)),
        # Wed 10 Dec 2025 14:00 + 47 = Mon 26 Jan 2026, a working day: clock kept.
        (at(2025, 12, 10, 14), 47, at(2026, 1, 26, 14)),
        # Thu 24 Apr 2025 + 2 = Sat 26 Apr, a make-up working day: stays.
        (at(2025, 4, 24, 9), 2, at(2025, 4, 26, 9)),
        # Start on a holiday is normalized first: Tue 17 Feb 2026 -> Mon 23 Feb 07:30,
        # + 10 = Thu 5 Mar 2026 07:30.
        (at(2026, 2, 17, 9), 10, at(2026, 3, 5, 7, 30)),
        (at(2026, 2, 17, 9), 0, at(2026, 2, 23, 7, 30)),
    ],
)
def test_add_calendar_days(start: datetime, days: int, expected: datetime) -> None:
    assert CAL.add_calendar_days(start, days) == expected


def test_add_calendar_days_rejects_negative() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_calendar_days(at(2025, 3, 10, 9), -3)


# ---------------------------------------------------------------------- intake


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2025, 3, 10, 14, 59), at(2025, 3, 10, 14, 59)),
        # "after 15:00": 15:00:00 sharp is not after.
        (at(2025, 3, 10, 15), at(2025, 3, 10, 15)),
        # One second later counts from Tuesday's start.
        (at(2025, 3, 10, 15, 0, 1), at(2025, 3, 11, 7, 30)),
        (at(2025, 3, 10, 16, 30), at(2025, 3, 11, 7, 30)),
        (at(2025, 3, 10, 18), at(2025, 3, 11, 7, 30)),
        # Online filing before opening counts from the opening the same day.
        (at(2025, 3, 10, 6), at(2025, 3, 10, 7, 30)),
        # During lunch (before the cutoff): the afternoon start.
        (at(2025, 3, 10, 12), at(2025, 3, 10, 13, 30)),
        # Weekend: Monday's start.
        (at(2025, 3, 8, 10), at(2025, 3, 10, 7, 30)),
        # Fri 24 Apr 2026 15:30: after the cutoff; Mon 27 is off -> Tue 28 07:30.
        (at(2026, 4, 24, 15, 30), at(2026, 4, 28, 7, 30)),
        # Fri 24 Jan 2025 15:30: next working day after Tết is Mon 3 Feb.
        (at(2025, 1, 24, 15, 30), at(2025, 2, 3, 7, 30)),
        # Make-up Saturday 26 Apr 2025 at 10:00 counts that day; at 16:00 from Mon 28.
        (at(2025, 4, 26, 10), at(2025, 4, 26, 10)),
        (at(2025, 4, 26, 16), at(2025, 4, 28, 7, 30)),
        # Tue 29 Apr 2025 15:30 -> 30/4 - 4/5 off -> Mon 5 May.
        (at(2025, 4, 29, 15, 30), at(2025, 5, 5, 7, 30)),
        # Fri 28 Aug 2026 16:00 -> Mon 31 Aug, 1, 2 Sep off -> Thu 3 Sep.
        (at(2026, 8, 28, 16), at(2026, 9, 3, 7, 30)),
        # UTC input: 09:00Z = 16:00 in Hà Nội, after the cutoff.
        (datetime(2025, 3, 10, 9, tzinfo=UTC), at(2025, 3, 11, 7, 30)),
        # 07:59Z = 14:59 local: before the cutoff.
        (datetime(2025, 3, 10, 7, 59, tzinfo=UTC), at(2025, 3, 10, 14, 59)),
    ],
)
def test_intake_start(received: datetime, expected: datetime) -> None:
    result = CAL.intake_start(received)
    assert result == expected
    assert result.tzinfo is VN


def test_intake_start_custom_cutoff() -> None:
    assert CAL.intake_start(at(2025, 3, 10, 15, 30), cutoff=time(16)) == at(2025, 3, 10, 15, 30)
    assert CAL.intake_start(at(2025, 3, 10, 11), cutoff=time(10)) == at(2025, 3, 11, 7, 30)
    with pytest.raises(ValueError, match="naive"):
        CAL.intake_start(at(2025, 3, 10, 9), cutoff=time(15, tzinfo=UTC))


# ------------------------------------------------------------------- time zones


def test_utc_inputs_are_converted() -> None:
    # 02:00Z = 09:00 UTC+7 on Fri 24 Apr 2026; + 1 working day -> Tue 28 Apr 09:00.
    result = CAL.add_working_days(datetime(2026, 4, 24, 2, tzinfo=UTC), 1)
    assert result == at(2026, 4, 28, 9)
    assert result == datetime(2026, 4, 28, 2, tzinfo=UTC)
    assert result.tzinfo is VN


def test_utc_date_differs_from_local_date() -> None:
    # Sun 9 Mar 2025 23:00Z is Mon 10 Mar 06:00 local: Monday, before opening.
    assert CAL.next_working_instant(datetime(2025, 3, 9, 23, tzinfo=UTC)) == at(2025, 3, 10, 7, 30)
    # Fri 24 Jan 2025 17:30Z is Sat 25 Jan 00:30 local, inside the Tết break.
    assert CAL.next_working_instant(datetime(2025, 1, 24, 17, 30, tzinfo=UTC)) == at(
        2025, 2, 3, 7, 30
    )
    # 04:00Z = 11:00 local; + 1 h office time -> 13:30 + 0.5 h = 14:00 local = 07:00Z.
    assert CAL.add_working_hours(datetime(2025, 3, 10, 4, tzinfo=UTC), 1) == datetime(
        2025, 3, 10, 7, tzinfo=UTC
    )


def test_other_zone_calendar() -> None:
    # Same rules reckoned in UTC: Fri 24 Apr 2026 09:00 UTC + 1 -> Tue 28 Apr 09:00 UTC.
    cal = WorkCalendar(tz=ZoneInfo("UTC"))
    result = cal.add_working_days(datetime(2026, 4, 24, 9, tzinfo=UTC), 1)
    assert result == datetime(2026, 4, 28, 9, tzinfo=UTC)
    assert result.utcoffset() == timedelta(0)


NAIVE = datetime(2025, 3, 10, 9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.next_working_instant(NAIVE),
        lambda: CAL.add_working_days(NAIVE, 1),
        lambda: CAL.add_working_hours(NAIVE, 1),
        lambda: CAL.add_calendar_days(NAIVE, 1),
        lambda: CAL.working_time_between(NAIVE, at(2025, 3, 11)),
        lambda: CAL.working_time_between(at(2025, 3, 9), NAIVE),
        lambda: CAL.intake_start(NAIVE),
    ],
)
def test_naive_datetimes_rejected(call: object) -> None:
    with pytest.raises(ValueError, match="naive"):
        call()


def test_date_instead_of_datetime_rejected() -> None:
    with pytest.raises(TypeError):
        CAL.next_working_instant(date(2025, 3, 10))  # type: ignore[arg-type]


# -------------------------------------------------------------------- overrides


def test_override_extra_day_off_and_make_up_day() -> None:
    # Suppose the government gives Fri 2 Jan 2026 off and moves it to Sat 10 Jan.
    cal = WorkCalendar(
        tz=VN,
        overrides=[
            DayOverride(date(2026, 1, 2), is_working_day=False, reason="Nghỉ bù Tết Dương lịch"),
            DayOverride(date(2026, 1, 10), is_working_day=True, reason="Làm bù"),
        ],
    )
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.holiday_name(date(2026, 1, 2)) == "Nghỉ bù Tết Dương lịch"
    assert cal.holiday_name(date(2026, 1, 10)) is None
    # Wed 31 Dec 2025 + 1: Thu 1 Jan holiday, Fri 2 Jan override, weekend -> Mon 5 Jan.
    assert cal.add_working_days(at(2025, 12, 31, 10), 1) == at(2026, 1, 5, 10)
    # Fri 9 Jan + 1: Sat 10 Jan is now a working day.
    assert cal.add_working_days(at(2026, 1, 9, 10), 1) == at(2026, 1, 10, 10)
    # (1 Jan, 12 Jan]: Mon 5 - Fri 9 (5), Sat 10, Mon 12 = 7.
    assert cal.working_days_between(date(2026, 1, 1), date(2026, 1, 12)) == 7
    # The base calendar is unaffected.
    assert CAL.is_working_day(date(2026, 1, 2))
    assert not CAL.is_working_day(date(2026, 1, 10))


def test_override_beats_package() -> None:
    cal = WorkCalendar(
        tz=VN,
        overrides=[
            DayOverride(date(2026, 11, 24), is_working_day=True),
            DayOverride(date(2025, 4, 26), is_working_day=False),
        ],
    )
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.holiday_name(date(2026, 11, 24)) is None
    assert not cal.is_working_day(date(2025, 4, 26))
    assert cal.holiday_name(date(2025, 4, 26)) == "Ngày nghỉ"  # no reason given
    assert (
        WorkCalendar(
            tz=VN,
            holiday_language="en_US",
            overrides=[DayOverride(date(2025, 4, 26), is_working_day=False)],
        ).holiday_name(date(2025, 4, 26))
        == "Day off"
    )


def test_conflicting_overrides_rejected() -> None:
    day = date(2026, 1, 2)
    with pytest.raises(ValueError, match="conflicting"):
        WorkCalendar(
            tz=VN,
            overrides=[
                DayOverride(day, is_working_day=False),
                DayOverride(day, is_working_day=True),
            ],
        )
    # Repeating the same decision is harmless.
    cal = WorkCalendar(
        tz=VN,
        overrides=[
            DayOverride(day, is_working_day=False),
            DayOverride(day, is_working_day=False),
        ],
    )
    assert cal.overrides == (DayOverride(day, is_working_day=False),)


def test_without_national_holidays() -> None:
    cal = WorkCalendar(
        tz=VN,
        use_national_holidays=False,
        overrides=[DayOverride(date(2025, 3, 10), is_working_day=False, reason="Local")],
    )
    assert cal.is_working_day(date(2025, 4, 7))  # Hùng Kings ignored
    assert not cal.is_working_day(date(2025, 4, 26))  # no make-up Saturday either
    assert cal.holiday_name(date(2025, 4, 7)) is None
    assert cal.holiday_name(date(2025, 3, 10)) == "Local"
    # Fri 7 Mar + 1: Mon 10 Mar is off by override -> Tue 11 Mar.
    assert cal.add_working_days(at(2025, 3, 7, 9), 1) == at(2025, 3, 11, 9)


# ------------------------------------------------------------- custom hours


def test_working_hours_default_and_parse() -> None:
    assert WorkingHours.parse("07:30-11:30,13:30-17:00") == WorkingHours()
    assert WorkingHours().per_day() == timedelta(hours=7, minutes=30)
    assert str(WorkingHours()) == "07:30-11:30,13:30-17:00"
    hours = WorkingHours.parse(" 8:00-12:00 , 13:00-17:00:30 ")
    assert hours.periods == ((time(8), time(12)), (time(13), time(17, 0, 30)))
    assert WorkingHours.parse(str(hours)) == hours
    assert hours.per_day() == timedelta(hours=8, seconds=30)
    # Touching periods are allowed (they are not overlapping).
    assert WorkingHours.parse("08:00-12:00,12:00-13:00").per_day() == timedelta(hours=5)
    # A list is accepted and stored as a tuple (the dataclass stays hashable).
    assert hash(WorkingHours([(time(8), time(9))]))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("07:30", "expected HH:MM-HH:MM"),
        ("07:30-11:30-12:00", "expected HH:MM-HH:MM"),
        ("ab-cd", "invalid time"),
        ("7h30-11h30", "invalid time"),
        ("25:00-26:00", "invalid time"),
        ("07:61-08:00", "invalid time"),
        ("11:30-07:30", "must start before it ends"),
        ("08:00-08:00", "must start before it ends"),
        ("07:30-11:30,11:00-13:00", "sorted and disjoint"),
        ("13:30-17:00,07:30-11:30", "sorted and disjoint"),
        ("07:30-11:30,", "expected HH:MM-HH:MM"),
    ],
)
def test_working_hours_parse_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingHours.parse(spec)


def test_working_hours_validation() -> None:
    with pytest.raises(ValueError, match="at least one"):
        WorkingHours(())
    with pytest.raises(ValueError, match="naive"):
        WorkingHours(((time(8, tzinfo=UTC), time(9, tzinfo=UTC)),))
    with pytest.raises(TypeError):
        WorkingHours((("08:00", "09:00"),))  # type: ignore[arg-type]


def test_custom_hours_calendar() -> None:
    cal = WorkCalendar(tz=VN, hours=WorkingHours.parse("08:00-12:00,13:00-17:00"))
    # 11:00 + 2 h: 1 h to 12:00, 13:00 + 1 h = 14:00.
    assert cal.add_working_hours(at(2025, 3, 10, 11), 2) == at(2025, 3, 10, 14)
    # 07:45 is before opening now; 12:30 is lunch; 17:00 closed.
    assert cal.next_working_instant(at(2025, 3, 10, 7, 45)) == at(2025, 3, 10, 8)
    assert cal.next_working_instant(at(2025, 3, 10, 12, 30)) == at(2025, 3, 10, 13)
    # Fri 24 Apr 2026 16:00 + 9 h: 1 h Fri; Tue 28 Apr 8 h full day -> ends 17:00 Tue.
    assert cal.add_working_hours(at(2026, 4, 24, 16), 9) == at(2026, 4, 28, 17)
    assert cal.working_time_between(at(2025, 3, 10), at(2025, 3, 11)) == timedelta(hours=8)


def test_single_and_three_period_days() -> None:
    single = WorkCalendar(tz=VN, hours=WorkingHours.parse("08:00-16:00"))
    # 15:00 + 2 h: 1 h Mon, Tue 08:00 + 1 h -> 09:00.
    assert single.add_working_hours(at(2025, 3, 10, 15), 2) == at(2025, 3, 11, 9)
    three = WorkCalendar(tz=VN, hours=WorkingHours.parse("07:00-09:00,10:00-12:00,14:00-16:00"))
    # 08:30 + 3 h: 0.5 h to 09:00, 2 h 10:00-12:00, 0.5 h from 14:00 -> 14:30.
    assert three.add_working_hours(at(2025, 3, 10, 8, 30), 3) == at(2025, 3, 10, 14, 30)
    # Exactly to the end of the middle period.
    assert three.add_working_hours(at(2025, 3, 10, 8, 30), Decimal("2.5")) == at(2025, 3, 10, 12)
    assert three.hours.per_day() == timedelta(hours=6)
    # Received 13:00 in the 12:00-14:00 gap, before the 15:00 cutoff -> 14:00.
    assert three.intake_start(at(2025, 3, 10, 13)) == at(2025, 3, 10, 14)


def test_repr() -> None:
    assert repr(CAL) == (
        "WorkCalendar(tz='Asia/Ho_Chi_Minh', hours='07:30-11:30,13:30-17:00', "
        "overrides=0, use_national_holidays=True)"
    )


# ----------------------------------------------------------------- properties


CALENDARS = st.sampled_from(
    [
        CAL,
        WorkCalendar(
            tz=VN,
            hours=WorkingHours.parse("07:00-09:00,10:00-12:00,14:00-16:00"),
            overrides=[
                DayOverride(date(2026, 1, 2), is_working_day=False),
                DayOverride(date(2026, 1, 10), is_working_day=True),
                DayOverride(date(2025, 6, 14), is_working_day=True),
            ],
        ),
        WorkCalendar(tz=ZoneInfo("UTC"), hours=WorkingHours.parse("00:00-23:59:59")),
    ]
)
ZONES = st.sampled_from([VN, UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")])
MOMENTS = st.datetimes(
    min_value=datetime(2024, 6, 1),
    max_value=datetime(2027, 6, 1),
    timezones=ZONES,
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=400))
DAYS = st.integers(min_value=0, max_value=120)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def instant(moment: datetime) -> datetime:
    # Sort by the instant, not by wall clock (same-zone comparison ignores ``fold``).
    return moment.astimezone(UTC)


def is_working_instant(cal: WorkCalendar, moment: datetime) -> bool:
    return cal.next_working_instant(moment) == moment


@PROPS
@given(cal=CALENDARS, start=MOMENTS, days=DAYS)
def test_prop_add_working_days_lands_on_working_instant(
    cal: WorkCalendar, start: datetime, days: int
) -> None:
    result = cal.add_working_days(start, days)
    assert is_working_instant(cal, result)
    assert result.tzinfo is cal.tz
    assert result >= start
    begin = cal.next_working_instant(start)
    assert result.time() == begin.time()
    assert cal.working_days_between(begin.date(), result.date()) == days


@PROPS
@given(cal=CALENDARS, start=MOMENTS, a=DAYS, b=DAYS)
def test_prop_add_working_days_composes(cal: WorkCalendar, start: datetime, a: int, b: int) -> None:
    assert cal.add_working_days(start, a + b) == cal.add_working_days(
        cal.add_working_days(start, a), b
    )


@PROPS
@given(cal=CALENDARS, s1=MOMENTS, s2=MOMENTS, days=DAYS)
def test_prop_monotone_in_start(cal: WorkCalendar, s1: datetime, s2: datetime, days: int) -> None:
    s1, s2 = sorted((s1, s2), key=instant)
    assert cal.next_working_instant(s1) <= cal.next_working_instant(s2)
    assert cal.add_working_days(s1, days) <= cal.add_working_days(s2, days)
    assert cal.add_calendar_days(s1, days) <= cal.add_calendar_days(s2, days)
    assert cal.intake_start(s1) <= cal.intake_start(s2)
    hours = timedelta(hours=days)
    assert cal.add_working_hours(s1, hours) <= cal.add_working_hours(s2, hours)


@PROPS
@given(cal=CALENDARS, start=MOMENTS, d1=DAYS, d2=DAYS, h1=DURATIONS, h2=DURATIONS)
def test_prop_monotone_in_amount(
    cal: WorkCalendar, start: datetime, d1: int, d2: int, h1: timedelta, h2: timedelta
) -> None:
    d1, d2 = sorted((d1, d2))
    h1, h2 = sorted((h1, h2))
    assert cal.add_working_days(start, d1) <= cal.add_working_days(start, d2)
    assert cal.add_calendar_days(start, d1) <= cal.add_calendar_days(start, d2)
    assert cal.add_working_hours(start, h1) <= cal.add_working_hours(start, h2)
    # Strictly more office time means a strictly later instant.
    if h1 < h2:
        assert cal.add_working_hours(start, h1) < cal.add_working_hours(start, h2)


@PROPS
@given(cal=CALENDARS, start=MOMENTS, hours=DURATIONS)
def test_prop_hours_round_trip(cal: WorkCalendar, start: datetime, hours: timedelta) -> None:
    end = cal.add_working_hours(start, hours)
    assert cal.working_time_between(start, end) == hours
    assert end.tzinfo is cal.tz
    if hours:
        # The last microsecond consumed was office time.
        assert is_working_instant(cal, end - US)
    else:
        assert end == cal.next_working_instant(start)


@PROPS
@given(cal=CALENDARS, a=MOMENTS, b=MOMENTS, c=MOMENTS)
def test_prop_working_time_is_additive(
    cal: WorkCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c), key=instant)
    ab, bc, ac = (
        cal.working_time_between(a, b),
        cal.working_time_between(b, c),
        cal.working_time_between(a, c),
    )
    assert ab + bc == ac
    assert ab >= timedelta(0)
    assert cal.working_time_between(c, a) == timedelta(0) or a == c
    # Never more than a full day per calendar day spanned.
    spanned = (c.astimezone(cal.tz).date() - a.astimezone(cal.tz).date()).days + 1
    assert ac <= spanned * cal.hours.per_day()


@PROPS
@given(cal=CALENDARS, start=MOMENTS)
def test_prop_normalization_is_idempotent(cal: WorkCalendar, start: datetime) -> None:
    first = cal.next_working_instant(start)
    assert first >= start
    assert cal.next_working_instant(first) == first
    # No office time is skipped by normalizing.
    assert cal.working_time_between(start, first) == timedelta(0)
    intake = cal.intake_start(start)
    assert intake >= first
    assert is_working_instant(cal, intake)


@PROPS
@given(
    cal=CALENDARS,
    d1=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 1)),
    d2=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 1)),
    d3=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 1)),
)
def test_prop_working_days_between(cal: WorkCalendar, d1: date, d2: date, d3: date) -> None:
    d1, d2, d3 = sorted((d1, d2, d3))
    assert cal.working_days_between(d1, d2) + cal.working_days_between(
        d2, d3
    ) == cal.working_days_between(d1, d3)
    assert cal.working_days_between(d3, d1) == 0 or d1 == d3
    # Counting against add_working_days from the first office instant of a working day.
    if cal.is_working_day(d1):
        start = datetime.combine(d1, cal.hours.periods[0][0], tzinfo=cal.tz)
        n = cal.working_days_between(d1, d2)
        landed = cal.add_working_days(start, n).date()
        assert landed <= d2
        assert cal.working_days_between(landed, d2) == 0


@PROPS
@given(cal=CALENDARS, start=MOMENTS, days=DAYS)
def test_prop_calendar_days(cal: WorkCalendar, start: datetime, days: int) -> None:
    result = cal.add_calendar_days(start, days)
    begin = cal.next_working_instant(start)
    assert is_working_instant(cal, result)
    assert (result.date() - begin.date()).days >= days
    # Only days off lie between the nominal day and the result.
    nominal = begin.date() + timedelta(days=days)
    if days:
        assert cal.working_days_between(nominal - timedelta(days=1), result.date()) == 1
    if result.date() == nominal:
        assert result.time() == begin.time()
    else:  # rolled forward over days off: the opening of the next working day
        assert result.time() == cal.hours.periods[0][0]


def test_holiday_years_are_cached() -> None:
    cal = WorkCalendar(tz=VN)
    cal.add_working_days(at(2025, 3, 10, 9), 5)
    loaded = set(cal._loaded_years)
    assert loaded == {2024, 2025, 2026}
    for _ in range(100):
        cal.add_working_days(at(2025, 3, 10, 9), 5)
    assert cal._loaded_years == loaded
