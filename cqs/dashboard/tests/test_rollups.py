"""Rollups kept by each event equal rollups rebuilt from the event log (and from the dossier
projection), and the indicators read
from them equal the independent implementation of test_indicators — over random histories of
live actions (supplements, transfers, extensions, withdrawals, rejections, results) mixed
with imported dossiers."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqs.catalogue.models import Procedure
from cqs.core.errors import ApplicationError
from cqs.dashboard import rollups, rules, selectors
from cqs.dashboard.models import DailyRollup, MonthlyRollup, OpenDossier
from cqs.dashboard.tests.test_indicators import DOSSIER_INDICATORS, naive_index
from cqs.dossiers.interchange import dossiers_import
from cqs.dossiers.interchange.exporter import dossiers_export
from cqs.dossiers.models import Dossier
from cqs.dossiers.services import dossier_act, dossier_receive
from cqs.dossiers.storage import Upload
from cqs.dossiers.synthetic import synthetic_lines
from cqs.dossiers.tests.conftest import PDF, PNG, TZ, citizen, mandatory_uploads

DESK = "001.00.20.H49"
COMMUNE_AGENCY = "000.00.20.H49"
DIVISION = "002.00.20.H49"
ACTIONS = [
    "forward",
    "request_supplement",
    "receive_supplement",
    "transfer",
    "extend",
    "attach_result",
    "approve",
    "return_result",
    "reject",
    "withdraw",
]


class _Rollback(Exception):
    pass


def _params(action: str, d: Dossier) -> tuple[str, dict[str, Any]]:
    """Who performs the action, and with what."""
    table: dict[str, tuple[str, dict[str, Any]]] = {
        "forward": ("xuly", {}),
        "request_supplement": ("xuly", {"reason": "Thiếu giấy tờ", "missing": ["Giấy tờ"]}),
        "receive_supplement": ("tiepnhan", {"files": [Upload("bs.png", PNG)]}),
        "transfer": ("lanhdao", {"to_agency": DIVISION, "reason": "Liên thông"}),
        "extend": (
            "lanhdao",
            {"new_due_at": (d.due_at or timezone.now()) + timedelta(days=3), "reason": "Xác minh"},
        ),
        "attach_result": ("lanhdao", {"files": [Upload("kq.pdf", PDF + b"kq")]}),
        "approve": ("lanhdao", {}),
        "return_result": ("tiepnhan", {"method": "counter"}),
        "reject": ("lanhdao", {"reason": "Không đủ điều kiện"}),
        "withdraw": ("tiepnhan", {"reason": "Công dân rút"}),
    }
    return table[action]


def live_history(demo: Any, start: datetime, actions: list[str], hours: list[int]) -> None:
    procedure = Procedure.objects.get(code="1.001193")
    d = dossier_receive(
        actor=demo.user("tiepnhan"),
        desk=demo.agency(DESK),
        procedure=procedure,
        applicant=citizen(),
        files=mandatory_uploads(procedure),
        now=start,
    )
    at = start
    for action, h in zip(actions, hours, strict=False):
        at += timedelta(hours=h)
        actor, params = _params(action, d)
        try:
            d = dossier_act(actor=demo.user(actor), code=d.code, action=action, now=at, **params)
        except ApplicationError:
            continue  # not allowed in this state or for this actor: nothing written


def _scopes() -> list[tuple[str, Any]]:
    commune = str(
        Dossier.objects.values_list("unit__code", flat=True).order_by("unit__code").first()
    )
    return [
        (commune, lambda u, a: u == commune),
        (COMMUNE_AGENCY, lambda u, a: a in {COMMUNE_AGENCY, DIVISION, "003.00.20.H49"}),
        (DIVISION, lambda u, a: a == DIVISION),
    ]


def check_everything(today: date, now: datetime) -> None:
    incremental = rollups.snapshot()
    rollups.rebuild(from_projection=True)
    assert rollups.snapshot() == incremental
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    OpenDossier.objects.all().delete()
    rollups.rebuild()  # from the event log; the indicators below are read from these rows
    assert rollups.snapshot() == incremental
    lines = [json.loads(s) for s in dossiers_export(Dossier.objects.exclude(received_at=None))]
    legal = {
        d.code: (
            datetime.fromisoformat(d.extra["original_due_at"])
            if d.extra.get("original_due_at")
            else d.due_at
        )
        for d in Dossier.objects.all()
    }
    prev = today.replace(day=1) - timedelta(days=1)
    for code, in_scope in _scopes():
        for text in [f"{today:%Y-%m}", f"{prev:%Y-%m}", str(today.year)]:
            p = rules.parse_period(text, today)
            mine = naive_index(lines, legal, in_scope, p.start, p.end, now)
            got = {
                i["id"]: (i["numerator"], i["denominator"])
                for i in selectors.indicators(code, text, now=now)["indicators"]
            }
            for k in DOSSIER_INDICATORS:
                assert got[k] == mine[k][:2], (code, text, k)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    histories=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=40),  # days before today
            st.integers(min_value=7, max_value=16),  # hour of receipt
            st.lists(st.sampled_from(ACTIONS), max_size=7),
            st.lists(st.integers(min_value=1, max_value=60), min_size=7, max_size=7),
        ),
        min_size=1,
        max_size=4,
    ),
    imported=st.integers(min_value=0, max_value=25),
    # Seed 1 numbers codes from 0001, as live intake does: a conflict the import refuses.
    seed=st.integers(min_value=2, max_value=9_999),
    import_first=st.booleans(),
)
def test_incremental_equals_rebuild_equals_independent(
    demo: Any,
    histories: list[tuple[int, int, list[str], list[int]]],
    imported: int,
    seed: int,
    import_first: bool,
) -> None:
    today = timezone.localdate()
    now = timezone.now()
    try:
        with transaction.atomic():

            def do_import() -> None:
                if imported:
                    lines = synthetic_lines(count=imported, months=2, seed=seed, end=today)
                    assert dossiers_import(list(lines)).ok

            if import_first:
                do_import()
            for days, hour, actions, hours in histories:
                start = datetime.combine(
                    today - timedelta(days=days), datetime.min.time(), tzinfo=TZ
                ) + timedelta(hours=hour)
                live_history(demo, start, actions, hours)
            if not import_first:
                do_import()
            check_everything(today, now)
            raise _Rollback
    except _Rollback:
        pass


def test_rebuild_repairs_drifted_rollups_and_the_command_reports(demo: Any) -> None:
    today = timezone.localdate()
    assert dossiers_import(list(synthetic_lines(count=40, months=2, seed=5, end=today))).ok
    good = rollups.snapshot()
    assert good["day"] and good["month"]
    MonthlyRollup.objects.update(received=0)
    DailyRollup.objects.filter(pk__in=DailyRollup.objects.values("pk")[:3]).delete()
    OpenDossier.objects.all().delete()
    assert rollups.snapshot() != good
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "40 hồ sơ" in out.getvalue()
    assert rollups.snapshot() == good
    OpenDossier.objects.all().delete()
    call_command("rebuild_rollups", "--from-projection", stdout=out)
    assert rollups.snapshot() == good
    # A range rebuild touches only its months and agencies.
    first = min(good["month"])[0]
    call_command(
        "rebuild_rollups", "--from", first.isoformat(), "--to", first.isoformat(), stdout=out
    )
    assert rollups.snapshot() == good


def test_rebuild_command_refuses_bad_input(demo: Any) -> None:
    for args in (
        ["--from", "2026-13-01"],
        ["--agency", "NOPE"],
        ["--from", "2026-05-02", "--to", "2026-05-01"],
    ):
        with pytest.raises(CommandError):
            call_command("rebuild_rollups", *args, stdout=io.StringIO())


def test_a_live_action_moves_the_counters_in_its_transaction(demo: Any) -> None:
    procedure = Procedure.objects.get(code="1.001193")
    now = timezone.now()
    d = dossier_receive(
        actor=demo.user("tiepnhan"),
        desk=demo.agency(DESK),
        procedure=procedure,
        applicant=citizen(),
        files=mandatory_uploads(procedure),
        now=now,
    )
    row = MonthlyRollup.objects.get(agency__code=COMMUNE_AGENCY, procedure=procedure)
    assert (row.received, row.open, row.with_result) == (1, 1, 0)
    assert OpenDossier.objects.filter(dossier=d).exists()
    with pytest.raises(ApplicationError):
        dossier_act(actor=demo.user("lanhdao"), code=d.code, action="approve")  # no result yet
    row.refresh_from_db()
    assert row.open == 1  # the refused action changed nothing
    dossier_act(actor=demo.user("tiepnhan"), code=d.code, action="withdraw", reason="Rút")
    row.refresh_from_db()
    assert (row.received, row.withdrawn, row.open, row.timely_fixed) == (1, 1, 0, 0)
    assert not OpenDossier.objects.filter(dossier=d).exists()


def test_a_fee_paid_online_moves_the_paid_online_indicator_in_the_same_transaction(
    demo: Any,
) -> None:
    from cqs.dossiers.services import dossier_record_fee_payment

    now = timezone.now()
    live_history(demo, now - timedelta(hours=2), [], [])
    d = Dossier.objects.latest("id")
    assert d.fee_amount > 0  # 1.001193 carries a fee in the demo catalogue
    period = f"{timezone.localdate():%Y-%m}"

    def paid_online() -> tuple[int, int]:
        found = selectors.indicators(COMMUNE_AGENCY, period, now=timezone.now())["indicators"]
        i = next(x for x in found if x["id"] == "payment.paid_online")
        return i["numerator"], i["denominator"]

    paid, due = paid_online()
    dossier_record_fee_payment(
        actor=demo.user("congdan"), code=d.code, amount=d.fee_amount, online=True, paid_at=now
    )
    assert paid_online() == (paid + 1, due)
    incremental = rollups.snapshot()
    rollups.rebuild()
    assert rollups.snapshot() == incremental
