"""The two field-report indicators (regulations.md §4a, satisfaction group) equal a
straightforward computation from the reports' own timelines:

- PAKN handled on time = reports received in the period that were resolved at or before
  their deadline / reports received in the period (6 points when there are none);
- PAKN handled satisfactorily = (reports − unsatisfied − re-complained − late) / reports,
  where unsatisfied is a rating of 1–2 stars ("không hài lòng"), re-complained is reopened or
  disputed by the citizen, late is not resolved on time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cqs.dashboard import rules, selectors
from cqs.reports.models import Report
from cqs.reports.services import report_act, report_rate
from cqs.reports.tests.conftest import category, commune

HA_LONG = "06688"
PAKN = ["satisfaction.pakn_on_time", "satisfaction.pakn_satisfied"]


def _resolve(demo: Any, report: Report, *, late: bool = False) -> Report:
    now = timezone.now()
    when = (report.deadline + timedelta(hours=1)) if late and report.deadline else now
    for actor, action, kw in [
        ("xuly", "verify", {}),
        ("truongphong", "assign", {"assignee": demo.user("xuly")}),
        ("xuly", "start", {}),
    ]:
        report = report_act(actor=demo.user(actor), code=report.code, action=action, **kw)
    return report_act(
        actor=demo.user("xuly"),
        code=report.code,
        action="resolve",
        answer="Đã xử lý, lập biên bản tại hiện trường.",
        now=max(when, now),
    )


def independent(reports: list[Report]) -> dict[str, tuple[int, int, float]]:
    on_time = 0
    satisfied = 0
    for r in reports:
        resolves = [e.at for e in r.events.all() if e.type == "resolve"]
        ok = any(r.deadline is None or at <= r.deadline for at in resolves)
        again = any(e.type in {"reopen", "dispute"} for e in r.events.all())
        unhappy = r.rating is not None and r.rating <= 2
        on_time += ok
        satisfied += ok and not again and not unhappy
    n = len(reports)

    def pts(num: int) -> float:
        return 6.0 if n == 0 else round(6 * num / n, 2)

    return {
        "satisfaction.pakn_on_time": (on_time, n, pts(on_time)),
        "satisfaction.pakn_satisfied": (satisfied, n, pts(satisfied)),
    }


def _got(code: str, period: str) -> dict[str, tuple[int, int, float]]:
    data = selectors.indicators(code, period)
    return {
        i["id"]: (i["numerator"], i["denominator"], i["points"])
        for i in data["indicators"]
        if i["id"] in PAKN
    }


def test_field_report_indicators_equal_an_independent_computation(demo: Any) -> None:
    from cqs.reports.services import report_submit

    citizen = demo.user("congdan")

    def submit(text: str) -> Report:
        return report_submit(
            actor=citizen,
            category=category(),
            description=text,
            lat=None,
            lon=None,
            commune=commune(HA_LONG),
            address="12 Lê Thánh Tông",
        )

    period = f"{timezone.localdate():%Y-%m}"
    # No reports yet: full points for both (regulations.md §4a: "6 if none").
    empty = _got(HA_LONG, period)
    assert empty == independent([]) and empty["satisfaction.pakn_on_time"][2] == 6.0

    happy = _resolve(demo, submit("Vỉa hè trước số 12 bị lấn chiếm, người đi bộ khó đi."))
    report_act(actor=citizen, code=happy.code, action="close")
    report_rate(actor=citizen, code=happy.code, rating=5)
    unhappy = _resolve(demo, submit("Rác thải tập kết sai giờ trước chợ Hạ Long nhiều ngày."))
    report_act(actor=citizen, code=unhappy.code, action="close")
    report_rate(actor=citizen, code=unhappy.code, rating=1)
    reopened = _resolve(demo, submit("Đèn đường tổ 5 khu 3 hỏng, buổi tối rất tối."))
    report_act(actor=citizen, code=reopened.code, action="reopen", note="Đèn lại hỏng")
    _resolve(demo, submit("Nắp cống trên phố Lê Thánh Tông bị vỡ, nguy hiểm."), late=True)
    submit("Cây xanh nghiêng sắp đổ trước trường tiểu học.")  # not handled yet

    reports = list(Report.objects.filter(commune__code=HA_LONG).prefetch_related("events"))
    assert len(reports) == 5
    mine = independent(reports)
    got = _got(HA_LONG, period)
    assert got == mine
    # The figures are what the story says: 3 of 5 resolved on time; only the first satisfied.
    assert mine["satisfaction.pakn_on_time"][:2] == (3, 5)
    assert mine["satisfaction.pakn_satisfied"][:2] == (1, 5)
    # The province sees the same reports (all in one commune).
    assert _got("22", period) == mine
    assert rules.BY_ID["satisfaction.pakn_on_time"].full_if_empty
