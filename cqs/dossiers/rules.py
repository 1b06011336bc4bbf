"""Pure rules of one-stop dossier processing (no Django)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from cqs.core.calendar import WorkCalendar

# --- Dossier code ---------------------------------------------------------------------------
# Decree 61/2018/NĐ-CP (kept by Decree 118/2025/NĐ-CP) and Circular 01/2018/TT-VPCP art. 9:
# "<agency identifier code>-<yymmdd>-<sequence of the dossiers that agency received that
# day>", e.g. 000.00.21.H35-251103-0012. The sequence has at least four digits and grows past
# 9999 rather than wrapping (Circular 03/2025/TT-VPCP art. 13.3 also speaks of "≥ 4 digits").
_CODE = re.compile(r"^(?P<agency>[0-9A-Z.]{3,35})-(?P<day>\d{6})-(?P<seq>\d{4,})$")


def dossier_code(agency_code: str, day: date, seq: int) -> str:
    if seq < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{day:%y%m%d}-{seq:04d}"


def is_dossier_code(value: str) -> bool:
    return bool(_CODE.match(value))


def parse_dossier_code(value: str) -> tuple[str, date, int] | None:
    m = _CODE.match(value.strip())
    if not m:
        return None
    d = m.group("day")
    try:
        day = date(2000 + int(d[:2]), int(d[2:4]), int(d[4:6]))
    except ValueError:
        return None
    return m.group("agency"), day, int(m.group("seq"))


# --- Deadlines ------------------------------------------------------------------------------


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


def add_time_limit(cal: WorkCalendar, start: datetime, value: Decimal, unit: str) -> datetime:
    """The instant a time limit of ``value`` ``unit`` started at ``start`` ends.

    Working days are counted as whole office days when ``value`` is whole; a fraction of a
    working day is counted in office hours (0.5 day = half the office hours of a day).
    """
    if value < 0:
        raise ValueError("time limit must not be negative")
    if unit == TimeUnit.WORKING_HOURS:
        return cal.add_working_hours(start, value)
    if unit == TimeUnit.CALENDAR_DAYS:
        whole = int(value)
        due = cal.add_calendar_days(start, whole)
        if value != whole:
            due = cal.add_working_hours(due, (value - whole) * 24)
        return due
    whole = int(value)
    due = cal.add_working_days(start, whole)
    fraction = value - whole
    if fraction:
        seconds = Decimal(cal.hours.per_day().total_seconds()) * fraction
        due = cal.add_working_hours(due, timedelta(seconds=float(seconds)))
    return due


def step_deadlines(
    cal: WorkCalendar, start: datetime, due: datetime, shares: list[Decimal]
) -> list[datetime]:
    """Split the working time between ``start`` and ``due`` among steps by their share (%).

    The last step always ends at ``due`` so rounding never moves the dossier's deadline.
    """
    total = cal.working_time_between(start, due)
    out: list[datetime] = []
    used = Decimal(0)
    for i, share in enumerate(shares):
        used += share
        if i == len(shares) - 1:
            out.append(due)
        else:
            portion = timedelta(seconds=float(Decimal(total.total_seconds()) * used / 100))
            out.append(cal.add_working_hours(start, portion))
    return out


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


OUTCOME_LABELS = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Trễ hạn"}


def outcome(finished_at: datetime, due_at: datetime, cal: WorkCalendar) -> Outcome:
    """Decision 766: finished before the appointment day = early; on the day, by the appointed
    time = on time; after it = late."""
    if finished_at > due_at:
        return Outcome.LATE
    if finished_at.astimezone(cal.tz).date() < due_at.astimezone(cal.tz).date():
        return Outcome.EARLY
    return Outcome.ON_TIME


class DueState(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"


DUE_STATE_LABELS = {
    DueState.ON_TRACK: "Trong hạn",
    DueState.DUE_SOON: "Sắp đến hạn",
    DueState.OVERDUE: "Quá hạn",
    DueState.PAUSED: "Tạm dừng (chờ bổ sung)",
}


def due_soon_window(cal: WorkCalendar, start: datetime | None, due: datetime | None) -> timedelta:
    """'Due soon' starts in the last fifth of a dossier's office time, at most one office day."""
    per_day = cal.hours.per_day()
    if start is None or due is None:
        return per_day
    return min(per_day, cal.working_time_between(start, due) / 5)


def due_state(
    now: datetime,
    due_at: datetime | None,
    cal: WorkCalendar,
    *,
    paused: bool = False,
    soon: timedelta = timedelta(hours=8),
) -> DueState:
    """Overdue once the due instant passed; due soon within ``soon`` of office time."""
    if paused or due_at is None:
        return DueState.PAUSED
    if now > due_at:
        return DueState.OVERDUE
    if cal.working_time_between(now, due_at) <= soon:
        return DueState.DUE_SOON
    return DueState.ON_TRACK


# --- Files ----------------------------------------------------------------------------------

SNIFFED_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    """The real type of an upload from its first bytes (never from its name or header)."""
    for magic, kind in SNIFFED_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


# --- Public data ----------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' -> 'N***** V** A*': enough to recognise one's own dossier, no more."""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split() if w)


@dataclass(frozen=True)
class StepPlan:
    position: int
    name: str
    role: str
    agency_kind: str
    share: Decimal
