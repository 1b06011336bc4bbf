"""Due-date arithmetic: computed for every dossier on every transition, so it must be cheap."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bench.harness import Result
from cqs.core.calendar import WorkCalendar


def run() -> list[Result]:
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    cal = WorkCalendar(tz=tz)
    start = datetime(2026, 1, 5, 8, 0, tzinfo=tz)
    starts = [start + timedelta(hours=7 * i) for i in range(2000)]
    cal.add_working_days(start, 15)  # load the holiday years once
    t0 = time.perf_counter()
    n = 0
    for s in starts * 10:
        cal.add_working_days(s, 15)
        n += 1
    per_sec = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for s in starts:
        cal.working_time_between(s, s + timedelta(days=30))
    between_per_sec = len(starts) / (time.perf_counter() - t0)
    return [
        Result("add_working_days(15) per second", per_sec, 50_000, "calls/s", True),
        Result(
            "working_time_between(30 days) per second", between_per_sec, 10_000, "calls/s", True
        ),
    ]
