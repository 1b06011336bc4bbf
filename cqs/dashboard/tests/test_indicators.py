"""Indicators equal an independent, straightforward implementation written from the formulas
(regulations.md §4a), over generated + imported lines (supplements, transfers, extensions,
withdrawals, rejections) and live dossiers made through the services.

The only thing borrowed from the system is each dossier's legal due instant (the dossiers
app's projection: working-day arithmetic is tested there); everything else — which dossiers
are in the period and scope, status, on time, online, fees, digitization, ratings, points —
is recomputed here from the interchange lines.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cqs.catalogue.models import Procedure
from cqs.dashboard import rules, selectors
from cqs.dossiers.interchange import dossiers_import
from cqs.dossiers.interchange.exporter import dossiers_export
from cqs.dossiers.models import Dossier
from cqs.dossiers.synthetic import synthetic_lines
from cqs.units.models import AdministrativeUnit, Agency

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_AFTER = {
    "received": "processing",
    "supplement_requested": "supplement_requested",
    "supplement_received": "processing",
    "result_ready": "result_ready",
    "returned": "returned",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}
DOSSIER_INDICATORS = [
    "publicity.synced",
    "timeliness.on_time",
    "online.full_online",
    "payment.used",
    "payment.paid_online",
    "digitization.results",
    "digitization.components",
    "satisfaction.dossiers",
]
TABLE = {  # regulations.md §4a, copied by hand: (max points, threshold or None)
    "publicity.synced": (6, None),
    "timeliness.on_time": (20, None),
    "online.full_online": (12, None),
    "payment.used": (2, 0.8),
    "payment.paid_online": (6, None),
    "digitization.results": (6, None),
    "digitization.components": (4, None),
    "satisfaction.dossiers": (6, 0.9),
}


def _dt(s: str) -> datetime:
    return datetime.fromisoformat(s)


def naive_index(
    lines: list[dict[str, Any]],
    legal_due: dict[str, datetime | None],
    in_scope: Any,
    start: date,
    end: date,
    now: datetime,
) -> dict[str, tuple[int, int, float]]:
    full_online = {p.code for p in Procedure.objects.all() if p.online_level == "full"}
    lo = datetime.combine(start, time.min, tzinfo=TZ)
    hi = datetime.combine(end, time.min, tzinfo=TZ)
    counts = {k: [0, 0] for k in DOSSIER_INDICATORS}
    fee_procs: set[str] = set()
    paid_procs: set[str] = set()
    for line in lines:
        events = line["events"]
        received = [e for e in events if e["type"] == "received"]
        if not received:
            continue
        if not lo <= _dt(received[0]["at"]) < hi:
            continue
        agency = line["agency_code"]
        status = "processing"
        supplements = 0
        finished = None
        for e in events:
            if e["type"] == "transferred":
                agency = e["to_agency_code"]
            if e["type"] == "supplement_requested":
                supplements += 1
            if e["type"] in {"result_ready", "rejected", "withdrawn"}:
                finished = _dt(e["at"])
            status = STATUS_AFTER.get(e["type"], status)
        if not in_scope(line["unit_code"], agency):
            continue
        due = legal_due[line["code"]]
        # Timeliness (and the dossier satisfaction that builds on it).
        if status != "withdrawn":
            if supplements >= 2:
                ok = False
            elif status in {"result_ready", "returned", "rejected"}:
                ok = due is None or (finished is not None and finished <= due)
            elif status == "supplement_requested":
                ok = True
            else:
                ok = due is None or now <= due
            counts["timeliness.on_time"][1] += 1
            counts["timeliness.on_time"][0] += ok
            rating = (line.get("rating") or {}).get("score")
            counts["satisfaction.dossiers"][1] += 1
            counts["satisfaction.dossiers"][0] += ok and not (rating is not None and rating < 4)
        counts["publicity.synced"][1] += 1
        if line["procedure_code"] in full_online:
            counts["online.full_online"][1] += 1
            counts["online.full_online"][0] += line["channel"] == "online"
        fee = line.get("fee") or {}
        if (fee.get("amount") or 0) > 0:
            counts["payment.paid_online"][1] += 1
            fee_procs.add(line["procedure_code"])
            if fee.get("paid_online"):
                counts["payment.paid_online"][0] += 1
                paid_procs.add(line["procedure_code"])
        files = line.get("files") or []
        counts["digitization.components"][1] += 1
        counts["digitization.components"][0] += any(
            f.get("digitized") and f.get("kind", "intake") == "intake" for f in files
        )
        if status in {"result_ready", "returned"}:
            counts["digitization.results"][1] += 1
            counts["digitization.results"][0] += bool(
                (line.get("result") or {}).get("digitized")
                or any(f.get("kind") == "result" for f in files)
            )
    counts["payment.used"] = [len(paid_procs), len(fee_procs)]
    out = {}
    for k, (num, den) in counts.items():
        top, threshold = TABLE[k]
        rate = num / den if den else 0.0
        if threshold is not None:
            pts = top if rate >= threshold else top * rate / threshold
        else:
            pts = top * rate
        out[k] = (num, den, round(pts, 2))
    return out


@pytest.fixture
def history(demo: Any) -> dict[str, Any]:
    today = timezone.localdate()
    call_command("seed_demo", dossiers=True, quiet_accounts=True, stdout=io.StringIO())
    generated = list(synthetic_lines(count=600, months=4, seed=17, end=today))
    report = dossiers_import(generated)
    assert report.ok, report.errors[:3]
    lines = [json.loads(s) for s in dossiers_export(Dossier.objects.exclude(received_at=None))]
    legal = {
        d.code: (
            datetime.fromisoformat(d.extra["original_due_at"])
            if d.extra.get("original_due_at")
            else d.due_at
        )
        for d in Dossier.objects.all()
    }
    kinds = {e["type"] for line in lines for e in line["events"]}
    assert {"supplement_requested", "transferred", "extended", "withdrawn"} <= kinds
    return {"lines": lines, "legal": legal, "now": timezone.now(), "today": today}


def _scopes() -> list[tuple[str, Any]]:
    units = {u.code: u for u in AdministrativeUnit.objects.select_related("parent")}
    agencies = list(Agency.objects.values("code", "parent__code"))
    busiest = Dossier.objects.values_list("unit__code", flat=True).order_by("unit__code").distinct()
    commune = next(iter(busiest))
    province = units[commune].parent.code if units[commune].parent else commune

    def subtree(root: str) -> set[str]:
        out = {root}
        grew = True
        while grew:
            grew = False
            for a in agencies:
                if a["parent__code"] in out and a["code"] not in out:
                    out.add(a["code"])
                    grew = True
        return out

    held = Counter(Dossier.objects.values_list("agency__code", flat=True))
    agency = held.most_common(1)[0][0]
    transferred_to = (
        Dossier.objects.filter(events__type="transferred")
        .values_list("agency__code", flat=True)
        .first()
    )
    assert transferred_to is not None
    tree = subtree(agency)
    return [
        (commune, lambda u, a: u == commune),
        (
            province,
            lambda u, a: u == province or (units[u].parent and units[u].parent.code == province),
        ),
        (agency, lambda u, a: a in tree),
        (transferred_to, lambda u, a: a in subtree(transferred_to)),
    ]


def test_indicators_equal_an_independent_implementation(history: dict[str, Any]) -> None:
    today: date = history["today"]
    periods = [f"{today:%Y-%m}", f"{today.year}-Q{(today.month - 1) // 3 + 1}", str(today.year)]
    prev = today.replace(day=1) - timedelta(days=1)
    periods.append(f"{prev:%Y-%m}")
    checked = 0
    for code, in_scope in _scopes():
        for text in periods:
            p = rules.parse_period(text, today)
            mine = naive_index(
                history["lines"], history["legal"], in_scope, p.start, p.end, history["now"]
            )
            got = {
                i["id"]: (i["numerator"], i["denominator"], i["points"])
                for i in selectors.indicators(code, text, now=history["now"])["indicators"]
            }
            for k in DOSSIER_INDICATORS:
                assert got[k][:2] == mine[k][:2], (code, text, k)
                assert abs(got[k][2] - mine[k][2]) <= 0.011, (code, text, k)
            checked += mine["timeliness.on_time"][1]
    assert checked > 1000


def test_points_follow_the_scale() -> None:
    on_time = rules.BY_ID["timeliness.on_time"]
    assert rules.points(on_time, 9, 10) == 18
    sat = rules.BY_ID["satisfaction.dossiers"]
    assert rules.points(sat, 95, 100) == 6
    assert float(rules.points(sat, 45, 100)) == 3.0
    assert rules.points(rules.BY_ID["satisfaction.pakn_on_time"], 0, 0) == 6
    assert rules.points(rules.BY_ID["publicity.synced"], 0, 0) == 0
    assert sum(g[1] for g in rules.GROUPS.values()) == 100
    for gid, (_, top) in rules.GROUPS.items():
        assert sum(i.max_points for i in rules.INDICATORS if i.group == gid) == top


def test_periods() -> None:
    today = date(2026, 11, 21)
    assert rules.parse_period("2026-10", today).end == date(2026, 11, 1)
    q = rules.parse_period("2026-Q4", today)
    assert (q.start, q.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert rules.parse_period("2025", today).months()[-1] == (2025, 12)
    for bad in ["2026-13", "26-10", "2026-Q5", "", "2026/10"]:
        with pytest.raises(rules.PeriodError) as e:
            rules.parse_period(bad, today)
        assert e.value.kind == "malformed"
    with pytest.raises(rules.PeriodError) as e:
        rules.parse_period("2026-12", today)
    assert e.value.kind == "future"


def test_cli_and_api_return_the_same_numbers(history: dict[str, Any], demo: Any) -> None:
    code = _scopes()[0][0]
    period = f"{history['today']:%Y-%m}"
    out = io.StringIO()
    call_command("indicators", unit=code, period=period, format="json", stdout=out)
    cli = json.loads(out.getvalue())
    c = Client()
    c.force_login(demo.user("theodoi"))
    r = c.get("/api/v1/indicators", {"unit": code, "period": period})
    assert r.status_code == 200, r.content
    api = r.json()
    strip = [(i["id"], i["numerator"], i["denominator"], i["points"]) for i in api["indicators"]]
    assert strip == [
        (i["id"], i["numerator"], i["denominator"], i["points"]) for i in cli["indicators"]
    ]
    assert api["total"] == cli["total"]
    # Click-through: the dossiers behind the numerator.
    r = c.get(
        "/api/v1/indicators/timeliness.on_time/dossiers",
        {"unit": code, "period": period, "which": "numerator"},
    )
    assert r.status_code == 200
    on_time = next(i for i in api["indicators"] if i["id"] == "timeliness.on_time")
    assert r.json()["count"] == on_time["numerator"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"unit": "NOPE", "period": "2026-10"}, 404, "not_found"),
        ({"unit": "000.00.00.H49", "period": "2026-13"}, 422, "validation_error"),
        ({"unit": "000.00.00.H49", "period": "oct"}, 422, "validation_error"),
        ({"unit": "000.00.00.H49", "period": "2099-01"}, 422, "validation_error"),
    ],
)
def test_bad_input_is_a_clear_4xx(
    demo: Any, params: dict[str, str], status: int, code: str
) -> None:
    c = Client()
    c.force_login(demo.user("theodoi"))
    r = c.get("/api/v1/indicators", params)
    assert r.status_code == status
    body = r.json()
    assert body["code"] == code and body["message"] and "details" in body


def test_officials_without_a_dashboard_role_are_refused(demo: Any) -> None:
    c = Client()
    c.force_login(demo.user("tiepnhan"))
    r = c.get("/api/v1/indicators", {"unit": "000.00.00.H49", "period": "2026-10"})
    assert r.status_code == 403


def test_cli_reports_bad_input(demo: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("indicators", unit="NOPE", period="2026-10", stdout=io.StringIO())
