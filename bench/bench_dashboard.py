"""The operations dashboard at national scale: 10,000,000 dossiers on PostgreSQL.

Data: the demo province plus one commune committee for each of the 3,321 communes, and N
dossiers (``BENCH_DASHBOARD_N``, default 10,000,000) spread over the communes and the last
12 months with the One-stop generator's proportions (cqs/dossiers/synthetic.py: online,
post, paid online, digitized, supplements, late, rejected, withdrawn, ratings), written by
one ``INSERT … SELECT generate_series`` (the generator's per-line projection would take hours
at this size), plus a "received" event for each dossier and the terminal event of each
finished one; rollups loaded by ``rebuild``. The database ``cqs_dash_bench_<N>`` is kept
and reused while its row count and migrations match (``BENCH_DASHBOARD_FRESH=1`` reloads).

Figures, beside their targets:
- province-month dashboard (everything the panel computes: index, KPIs, procedures, commune
  and agency rankings, the year's trend) < 300 ms;
- one commune-year index < 100 ms;
- the province-month index computed naively from the raw tables (every dossier of the
  period read and classified, the pre-rollup path) in the same run, and the ratio ≥ 50×.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from datetime import date, timedelta
from typing import Any

from bench.harness import Result, timed

TABLES = ("dossiers_dossier", "dossiers_dossierevent", "dashboard_dailyrollup",
          "dashboard_monthlyrollup", "dashboard_opendossier")  # fmt: skip


def _admin_dsn(settings_db: dict[str, Any], name: str) -> str:
    host = settings_db.get("HOST") or "127.0.0.1"
    port = settings_db.get("PORT") or 5432
    user = settings_db.get("USER") or "postgres"
    pw = settings_db.get("PASSWORD") or ""
    auth = f"{user}:{pw}" if pw else user
    return f"postgresql://{auth}@{host}:{port}/{name}"


def _exists(db: dict[str, Any], name: str) -> bool:
    import psycopg

    with psycopg.connect(_admin_dsn(db, "postgres"), autocommit=True) as c:
        return (
            c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        )


def _recreate(db: dict[str, Any], name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_dsn(db, "postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')


LOAD_SQL = """
WITH ag AS (SELECT array_agg(a.id ORDER BY a.id) AS ids, array_agg(a.unit_id ORDER BY a.id) AS units
            FROM units_agency a WHERE a.code LIKE 'B.%%'),
     pr AS (SELECT array_agg(id) AS ids, array_agg(fee) AS fees FROM bench_procs),
     s AS (
  SELECT g,
         1 + floor(random() * cardinality((SELECT ids FROM ag)))::int AS k,
         1 + floor(random() * cardinality((SELECT ids FROM pr)))::int AS p,
         %(end)s::timestamptz - (random() * 365) * interval '1 day' AS received,
         (3 + floor(random() * 10))::int AS days,
         random() AS r_channel, random() AS r_end, random() AS r_sup, random() AS r_late,
         random() AS r_paid, random() AS r_dig, random() AS r_res, random() AS r_rate,
         random() AS r_score
  FROM generate_series(1, %(n)s) g)
INSERT INTO dossiers_dossier (code, procedure_id, agency_id, desk_id, receiving_agency_id,
  unit_id, channel, applicant_kind, applicant_name, applicant_id_number, applicant_phone,
  applicant_email, applicant_address, search_text, status, step, received_at,
  clock_started_at, due_at, step_due_at, supplement_count, finished_at, outcome,
  result_delivery, fee_amount, extra, version, created_at, updated_at)
SELECT 'B-' || g, (SELECT ids FROM pr)[p], (SELECT ids FROM ag)[k], NULL, (SELECT ids FROM ag)[k],
  (SELECT units FROM ag)[k],
  CASE WHEN r_channel < %(online)s THEN 'online'
       WHEN r_channel < %(online)s + %(post)s THEN 'post' ELSE 'counter' END,
  'citizen', 'Nguyễn Văn An', '', '', '', '', '', st.status, 2, received, received,
  received + days * interval '1 day', received + days * interval '1 day',
  CASE WHEN r_sup < %(sup)s * 0.1 THEN 2 WHEN r_sup < %(sup)s THEN 1 ELSE 0 END,
  CASE WHEN st.status IN ('processing', 'supplement_requested') THEN NULL
       WHEN r_late < %(late)s THEN received + (days + 1) * interval '1 day'
       ELSE received + (days * r_end) * interval '1 day' END,
  CASE WHEN st.status NOT IN ('result_ready', 'returned') THEN ''
       WHEN r_late < %(late)s THEN 'late' WHEN r_end < 0.6 THEN 'early' ELSE 'on_time' END,
  'counter', (SELECT fees FROM pr)[p],
  jsonb_build_object(
    'fee', jsonb_build_object('amount', (SELECT fees FROM pr)[p], 'paid_online', r_paid < %(paid)s),
    'files', jsonb_build_array(jsonb_build_object('digitized', r_dig < %(dig)s)),
    'result', jsonb_build_object('digitized', r_res < %(dig)s))
  || CASE WHEN r_rate < %(rated)s THEN jsonb_build_object('rating', jsonb_build_object('score',
       CASE WHEN r_score < 0.70 THEN 5 WHEN r_score < 0.91 THEN 4 WHEN r_score < 0.96 THEN 3
            WHEN r_score < 0.98 THEN 2 ELSE 1 END)) ELSE '{}'::jsonb END,
  1, now(), now()
FROM s, LATERAL (SELECT CASE
    WHEN r_end < %(withdrawn)s THEN 'withdrawn'
    WHEN r_end < %(withdrawn)s + %(rejected)s THEN 'rejected'
    WHEN received > %(end)s::timestamptz - (days + 2) * interval '1 day'
      THEN CASE WHEN r_sup < %(sup)s THEN 'supplement_requested' ELSE 'processing' END
    WHEN r_late < 0.3 THEN 'result_ready' ELSE 'returned' END AS status) st
"""

EVENTS_SQL = """
INSERT INTO dossiers_dossierevent (dossier_id, seq, type, at, actor_name, agency_id,
  from_status, to_status, step, data)
SELECT id, 1, 'received', received_at, '', agency_id, '', 'processing', 2, '{}'::jsonb
FROM dossiers_dossier WHERE code LIKE 'B-%%'
UNION ALL
SELECT id, 2, CASE status WHEN 'returned' THEN 'result_ready' ELSE status END, finished_at, '',
  agency_id, 'processing', status, 2, '{}'::jsonb
FROM dossiers_dossier WHERE code LIKE 'B-%%' AND finished_at IS NOT NULL
"""


def _done() -> set[str]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_state (step text PRIMARY KEY)")
        c.execute("SELECT step FROM bench_state")
        return {r[0] for r in c.fetchall()}


def _mark(step: str) -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("INSERT INTO bench_state VALUES (%s) ON CONFLICT DO NOTHING", [step])


def _load(n: int, end: date) -> None:
    """Each step once; an interrupted load resumes at the first step not recorded."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from cqs.dashboard import rollups
    from cqs.dossiers import synthetic

    done = _done()
    if "dossiers" not in done:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", quiet_accounts=True, stdout=io.StringIO())
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as c:
            # Generated rows reference existing ids: skip the deferred FK checks (40 M).
            c.execute("SET LOCAL session_replication_role = replica")
            # One commune committee per commune of the country (national scale).
            c.execute(
                "INSERT INTO units_agency (code, name, short_name, kind, parent_id, unit_id,"
                " address, phone, email, is_active, valid_from) SELECT 'B.' || u.code,"
                " 'UBND ' || u.name, '', 'commune_committee', NULL, u.id, '', '', '', true,"
                " '2025-07-01' FROM units_administrativeunit u WHERE u.level = 'commune'"
                " AND u.valid_until IS NULL"
            )
            # Procedures weighted as the generator weighs them (civil status, certification).
            c.execute(
                "CREATE TABLE bench_procs AS SELECT p.id, COALESCE((SELECT"
                " sum((f->>'amount')::int) FROM jsonb_array_elements(p.fees) f), 0) AS fee"
                " FROM catalogue_procedure p JOIN catalogue_sector s ON s.id = p.sector_id"
                " CROSS JOIN LATERAL generate_series(1, CASE WHEN s.code = 'ho-tich' THEN 6"
                " WHEN s.code = 'chung-thuc' THEN 5 ELSE 1 END) WHERE p.is_active"
            )
            # Secondary indexes are built once after the load (much faster than row by row).
            c.execute(
                "SELECT indexdef, indexname FROM pg_indexes WHERE tablename = 'dossiers_dossier'"
                " AND indexname NOT LIKE '%%pkey' AND indexdef NOT LIKE '%%UNIQUE%%'"
            )
            indexes = c.fetchall()
            for _, index in indexes:
                c.execute(f'DROP INDEX "{index}"')
            c.execute(
                LOAD_SQL,
                {
                    "n": n,
                    "end": f"{end.isoformat()}T00:00:00+07:00",
                    "online": synthetic.ONLINE_SHARE,
                    "post": synthetic.POST_SHARE,
                    "sup": synthetic.SUPPLEMENT_SHARE,
                    "late": synthetic.LATE_SHARE,
                    "paid": synthetic.PAID_ONLINE_SHARE,
                    "dig": synthetic.DIGITIZED_SHARE,
                    "rated": synthetic.RATED_SHARE,
                    "withdrawn": synthetic.WITHDRAWN_SHARE,
                    "rejected": synthetic.REJECTED_SHARE,
                },
            )
            for sql, _ in indexes:
                c.execute(sql)
        _mark("dossiers")
        print(f"  loaded {n:,} dossiers in {time.perf_counter() - t0:.0f} s", flush=True)
    if "events" not in done and os.environ.get("BENCH_DASHBOARD_SKIP_EVENTS") == "1":
        # Nothing measured reads the event log; loading it (about 20 M rows with their six
        # indexes) is the slowest step, so a short run may leave it for later.
        print(
            "  events skipped (BENCH_DASHBOARD_SKIP_EVENTS=1): the event log is empty", flush=True
        )
    elif "events" not in done:
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SET LOCAL session_replication_role = replica")
            c.execute(EVENTS_SQL)
        _mark("events")
        print(f"  events in {time.perf_counter() - t0:.0f} s", flush=True)
    if "rollups" not in done:
        t0 = time.perf_counter()
        report = rollups.rebuild()
        _mark("rollups")
        print(
            f"  rebuild_rollups: {report.dossiers:,} dossiers → {report.daily_rows:,} daily "
            f"rows, {report.monthly_rows:,} monthly rows, {report.open_dossiers:,} open, "
            f"{time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")


def run() -> list[Result]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("  bench_dashboard needs PostgreSQL (DATABASE_URL=postgres://…): skipped")
        return []
    n = int(os.environ.get("BENCH_DASHBOARD_N", "10000000"))
    db = settings.DATABASES["default"]
    previous = db["NAME"]
    name = f"cqs_dash_bench_{n}"
    end = date.today() + timedelta(days=1)  # noqa: DTZ011 - a date for generated data
    try:
        if os.environ.get("BENCH_DASHBOARD_FRESH") == "1" or not _exists(db, name):
            _recreate(db, name)
        connection.close()
        db["NAME"] = name
        from django.core.management import call_command

        if "dossiers" in _done():
            # A kept database follows new migrations instead of being loaded again.
            call_command("migrate", verbosity=0)
            with connection.cursor() as c:
                c.execute("SELECT count(*) FROM dossiers_dossier WHERE code LIKE 'B-%%'")
                row = c.fetchone()
            if row is None or row[0] != n:
                print(f"  kept {name} does not hold {n:,} dossiers: loading again", flush=True)
                connection.close()
                db["NAME"] = previous
                _recreate(db, name)
                db["NAME"] = name
        _load(n, end)
        return _measure(n)
    finally:
        connection.close()
        db["NAME"] = previous


def _measure(n: int) -> list[Result]:
    from django.db import connection
    from django.db.models import Count, Sum
    from django.utils import timezone

    from cqs.dashboard import rollups, selectors, tally
    from cqs.dashboard.models import DailyRollup
    from cqs.units.models import AdministrativeUnit

    with connection.cursor() as c:
        sizes = {}
        for t in TABLES:
            c.execute(f"SELECT count(*) FROM {t}")  # noqa: S608 - fixed names
            sizes[t] = c.fetchone()[0]
    print("  rows: " + ", ".join(f"{t} {v:,}" for t, v in sizes.items()))
    province = (
        AdministrativeUnit.objects.filter(level="province", code="22").first()
        or AdministrativeUnit.objects.filter(level="province").order_by("code").first()
    )
    assert province is not None
    commune = (
        AdministrativeUnit.objects.filter(parent=province, agencies__code__startswith="B.")
        .order_by("code")
        .first()
    )
    assert commune is not None
    today = timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    month, year = f"{last:%Y-%m}", str(last.year)
    now = timezone.now()

    def dashboard() -> None:
        selectors.indicators(province.code, month, now=now)
        selectors.kpis(province.code, month, now=now)
        selectors.by_procedure(province.code, month, now=now)
        selectors.ranking(province.code, month, by="unit", now=now)
        selectors.ranking(province.code, month, by="agency", now=now)
        selectors.trend(province.code, month, now=now)

    def commune_year() -> None:
        selectors.indicators(commune.code, year, now=now)

    scope = selectors.resolve_scope(province.code)
    period = selectors.period_of(month)

    def index_from_rollups() -> None:
        selectors.compute_tally(tally.total(scope.dossier_q, period.start, period.end, now), None)

    def naive() -> None:
        selectors.compute(
            selectors.facts(selectors.dossiers_in(scope.dossier_q, period)), None, now
        )

    def naive_events() -> None:
        # The same index computed naively from the event log: every event of the period's
        # dossiers is read and folded (rollups.fold_events, the transition table) into the
        # dossier's facts, then the indicators are counted in Python.
        full = tally.full_online_procedures()
        states = rollups.event_states(selectors.dossiers_in(scope.dossier_q, period))
        facts = [
            selectors.facts_of(s, code="", full_online=s.procedure_id in full)
            for s in states
            if s.received_at is not None
        ]
        selectors.compute(facts, None, now)

    def day_grain() -> list[Any]:
        return list(
            DailyRollup.objects.filter(scope.dossier_q, day__gte=period.start, day__lt=period.end)
            .values("procedure_id")
            .annotate(r=Sum("received"), n=Count("pk"))
            .order_by()
        )

    dash = timed(dashboard, repeat=15)
    cy = timed(commune_year, repeat=30)
    fast = timed(index_from_rollups, repeat=30)
    slow = timed(naive, repeat=3, warmup=1)
    from_log = timed(naive_events, repeat=3, warmup=1)
    days = timed(day_grain, repeat=15)
    in_month = next(
        i
        for i in selectors.indicators(province.code, month, now=now)["indicators"]
        if i["id"] == "timeliness.on_time"
    )
    print(
        f"  {province.name} {month}: {in_month['denominator']:,} dossiers counted; commune "
        f"{commune.name} {year}; index from monthly rollups {1000 * statistics.median(fast):.1f} ms"
        f", same sums from daily rollups {1000 * statistics.median(days):.1f} ms, naive "
        f"{1000 * statistics.median(slow):.0f} ms"
    )
    ratio = statistics.median(slow) / statistics.median(fast)
    log_ratio = statistics.median(from_log) / statistics.median(fast)
    print(f"  naive from the event log {1000 * statistics.median(from_log):.0f} ms")
    return [
        Result(
            f"province-month dashboard, {n:,} dossiers (median)",
            1000 * statistics.median(dash),
            300,
            "ms",
            False,
        ),
        Result(
            f"commune-year index, {n:,} dossiers (median)",
            1000 * statistics.median(cy),
            100,
            "ms",
            False,
        ),
        Result("province-month index: naive raw tables / rollups", ratio, 50, "×", True),
        Result("province-month index: naive event log / rollups", log_ratio, 50, "×", True),
    ]
