"""Sums of the monthly rollups (plus the open dossiers against the clock) for a scope and
period, grouped as a page needs them, and the indicator values computed from those sums.

Periods are whole months (``YYYY-MM``, ``YYYY-Qn``, ``YYYY``), so the monthly grain answers
every panel exactly; the time-dependent part of "on time" (in processing, not yet past the
legal due instant) is counted from ``OpenDossier`` at ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, Sum

from cqs.catalogue.models import Procedure
from cqs.dashboard import rules
from cqs.dashboard.models import COUNTER_FIELDS, MonthlyRollup, OpenDossier

GROUPS: dict[str, list[str]] = {
    "unit": ["unit_id"],
    "agency": ["agency_id"],
    "procedure": ["procedure_id"],
    "month": ["month"],
    "unit_month": ["unit_id", "month"],
}


@dataclass
class Tally:
    c: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTER_FIELDS, 0))
    full_received: int = 0  # received for procedures offered full-online
    full_online: int = 0  # … of which filed online
    fee_procedures: set[int] = field(default_factory=set)
    paid_procedures: set[int] = field(default_factory=set)
    open_in_time: int = 0
    open_in_time_satisfied: int = 0
    overdue_now: int = 0

    @property
    def counted(self) -> int:
        return self.c["received"] - self.c["withdrawn"]

    @property
    def on_time(self) -> int:
        return self.c["timely_fixed"] + self.open_in_time

    @property
    def satisfied(self) -> int:
        return self.c["satisfied_fixed"] + self.open_in_time_satisfied


def full_online_procedures() -> set[int]:
    return set(Procedure.objects.filter(online_level="full").values_list("pk", flat=True))


def tallies(
    scope_q: Q, start: date, end: date, now: datetime, *, by: str | None = None
) -> dict[Any, Tally]:
    """One Tally per group (``by``: None, "unit", "agency", "procedure", "month" or
    "unit_month", whose keys are (unit id, first day of month))."""
    full = full_online_procedures()
    out: dict[Any, Tally] = {}
    group = GROUPS[by] if by else []
    fields = ["procedure_id", *[g for g in group if g != "procedure_id"]]
    rows = (
        MonthlyRollup.objects.filter(scope_q, month__gte=start, month__lt=end)
        .values(*fields)
        .annotate(**{f"s_{c}": Sum(c) for c in COUNTER_FIELDS})
        .order_by()
    )

    def key(r: dict[str, Any], fields: list[str]) -> Any:
        if not fields:
            return None
        values = [r[f].replace(day=1) if f == "day" else r[f] for f in fields]
        return values[0] if len(values) == 1 else tuple(values)

    for r in rows:
        t = out.setdefault(key(r, group), Tally())
        for c in COUNTER_FIELDS:
            t.c[c] += r[f"s_{c}"] or 0
        proc = r["procedure_id"]
        if proc in full:
            t.full_received += r["s_received"] or 0
            t.full_online += r["s_online"] or 0
        if r["s_fee_due"]:
            t.fee_procedures.add(proc)
        if r["s_paid_online"]:
            t.paid_procedures.add(proc)
    in_time = Q(supplements__lt=rules.LATE_AFTER_SUPPLEMENTS) & (
        Q(legal_due__isnull=True) | Q(legal_due__gte=now)
    )
    open_group = ["day" if g == "month" else g for g in group]
    counts = {
        "in_time": Count("pk", filter=in_time),
        "in_time_satisfied": Count("pk", filter=in_time & Q(unsatisfied=False)),
        "overdue": Count("pk", filter=Q(legal_due__lt=now)),
    }
    opened = OpenDossier.objects.filter(scope_q, day__gte=start, day__lt=end)
    open_rows: list[dict[str, Any]] = (
        list(opened.values(*open_group).annotate(**counts).order_by())
        if open_group
        else [opened.aggregate(**counts)]
    )
    for r in open_rows:
        t = out.setdefault(key(r, open_group), Tally())
        t.open_in_time += r["in_time"]
        t.open_in_time_satisfied += r["in_time_satisfied"]
        t.overdue_now += r["overdue"]
    return out


def total(scope_q: Q, start: date, end: date, now: datetime) -> Tally:
    return tallies(scope_q, start, end, now).get(None) or Tally()


def ratios(t: Tally) -> dict[str, tuple[int, int]]:
    """Numerator and denominator of each dossier indicator (regulations.md §4a)."""
    c = t.c
    return {
        "publicity.synced": (0, c["received"]),  # no sync adapter yet: nothing synced
        "timeliness.on_time": (t.on_time, t.counted),
        "online.full_online": (t.full_online, t.full_received),
        "payment.used": (len(t.paid_procedures), len(t.fee_procedures)),
        "payment.paid_online": (c["paid_online"], c["fee_due"]),
        "digitization.results": (c["electronic_result"], c["with_result"]),
        "digitization.components": (c["digitized_intake"], c["received"]),
        "satisfaction.dossiers": (t.satisfied, t.counted),
    }
