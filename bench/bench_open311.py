"""Open311 GET requests with many reports: filtered and unfiltered first pages.

N reports (BENCH_REPORTS_N, 100,000 by default; 1,000,000 for the full-size check) over the
last 12 months, each with the events the services would have appended on its way to its
status (received, verify, assign, start, resolve, close, reopen, dispute, reject), are bulk
loaded into a database that is KEPT between runs (loading a million reports takes minutes):

- SQLite: ``var/bench/open311-<N>.sqlite3`` (WAL, as in production);
- PostgreSQL (DATABASE_URL): the database ``<name>_open311_<N>`` beside the configured one.

A later run checks the row counts and reuses the data; BENCH_REPORTS_RELOAD=1 loads afresh.
Reports and events are written with one multi-row INSERT per batch (SQLite) or COPY
(PostgreSQL); audit rows and notifications are not written (they are not read here).

Figures (in-process, Django test client, no network), target p95 < 50 ms (issue 7):
- filtered first page ``?service_code=trat-tu-do-thi&status=open`` (default 90-day window);
- filtered by a 30-day window, service and ``status=closed``;
- unfiltered first page (last 90 days);
- the FixMyStreet updates feed (``servicerequestupdates``) since yesterday, first page;
- throughput of the filtered page, one client, requests per second (a worker at the latency
  target serves 20 per second, hence the target).
"""

from __future__ import annotations

import io
import json
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench._db import engine
from bench.harness import Result, median, p, timed

ROOT = Path(__file__).resolve().parents[1]
BATCH = 5_000

# The event path of a report to each status, as report_submit/report_act append it.
PATHS: dict[str, list[str]] = {
    "received": ["received"],
    "verified": ["received", "verify"],
    "assigned": ["received", "verify", "assign"],
    "in_progress": ["received", "verify", "assign", "start"],
    "resolved": ["received", "verify", "assign", "start", "resolve"],
    "closed": ["received", "verify", "assign", "start", "resolve", "close"],
    "rejected": ["received", "reject"],
    "reopened": ["received", "verify", "assign", "start", "resolve", "reopen"],
    "disputed": ["received", "verify", "assign", "start", "resolve", "dispute"],
}
TO_STATUS = {
    "received": "received",
    "verify": "verified",
    "assign": "assigned",
    "start": "in_progress",
    "resolve": "resolved",
    "close": "closed",
    "reject": "rejected",
    "reopen": "reopened",
    "dispute": "disputed",
}
CLOSED = {"resolved", "closed", "rejected"}
REPORT_COLUMNS = [
    "id",
    "code",
    "token",
    "description",
    "public_description",
    "lat",
    "lon",
    "address",
    "attributes",
    "contact_name",
    "contact_phone",
    "contact_email",
    "channel",
    "status",
    "is_open",
    "agency_since",
    "routing_rule_id",
    "created_at",
    "updated_at",
    "deadline",
    "resolved_at",
    "closed_at",
    "escalated_near",
    "escalated_overdue",
    "answer",
    "reject_reason",
    "is_public",
    "reopen_count",
    "rating",
    "rating_comment",
    "version",
    "agency_id",
    "assignee_id",
    "category_id",
    "commune_id",
    "merged_into_id",
    "moderated_by_id",
    "reporter_id",
]
EVENT_COLUMNS = [
    "report_id",
    "seq",
    "type",
    "at",
    "actor_id",
    "actor_name",
    "agency_id",
    "from_status",
    "to_status",
    "note",
    "is_public",
    "data",
]
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _tail(i: int) -> str:
    chars = []
    for _ in range(6):
        i, r = divmod(i, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "".join(chars)


def _status_for(rng: random.Random, age_days: float) -> str:
    """Old reports are mostly finished, recent ones mostly open."""
    if age_days > 30:
        weights = (2, 1, 1, 2, 6, 70, 12, 3, 3)
    elif age_days > 7:
        weights = (5, 5, 10, 15, 25, 25, 8, 4, 3)
    else:
        weights = (30, 20, 20, 15, 8, 2, 3, 1, 1)
    return rng.choices(list(PATHS), weights)[0]


@contextmanager
def kept_database(n: int) -> Iterator[None]:
    """Switch the default connection to the benchmark's kept database (created if missing)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    db = settings.DATABASES["default"]
    test_settings = db.setdefault("TEST", {})
    previous_test_name = test_settings.get("NAME")
    if connection.vendor == "sqlite":
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        test_settings["NAME"] = str(folder / f"open311-{n}.sqlite3")
    else:
        test_settings["NAME"] = f"{db['NAME']}_open311_{n}"
    setup_test_environment()
    # keepdb: an existing database is migrated, not dropped; serialize=False: never dump a
    # million rows into memory for test rollbacks nobody makes here.
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
    try:
        yield
    finally:
        connection.close()
        db["NAME"] = old_name
        connection.settings_dict["NAME"] = old_name
        test_settings["NAME"] = previous_test_name
        teardown_test_environment()


def _seed_if_needed() -> None:
    from django.core.management import call_command

    from cqs.accounts.models import User

    if not User.objects.filter(username="congdan").exists():
        call_command("seed_demo", quiet_accounts=True, stdout=io.StringIO())


def _rows(
    n: int, first_id: int, now: datetime
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    from django.db import connection

    from cqs.reports.models import Category
    from cqs.units.models import Agency, AgencyKind

    ops = connection.ops
    dt = ops.adapt_datetimefield_value
    rng = random.Random(1)
    categories = list(Category.objects.values_list("id", "code"))
    agencies = list(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).values_list(
            "id", "unit_id", "code"
        )
    )
    reports: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    year = 365 * 86400
    for i in range(n):
        created = now - timedelta(seconds=rng.randint(0, year))
        status = _status_for(rng, (now - created).total_seconds() / 86400)
        category_id, _ = rng.choice(categories)
        agency_id, unit_id, agency_code = rng.choice(agencies)
        deadline = created + timedelta(days=7)
        steps = PATHS[status]
        step_at = [created + timedelta(hours=3 * k) for k in range(len(steps))]
        step_at = [min(t, now) for t in step_at]
        resolved_at = closed_at = None
        answer = ""
        if "resolve" in steps and status in {"resolved", "closed"}:
            resolved_at = step_at[steps.index("resolve")]
            answer = "Đã kiểm tra hiện trường và xử lý xong."
        if status in {"closed", "rejected"}:
            closed_at = step_at[-1]
        report_id = first_id + i
        text = f"Phản ánh thử tải số {i}: vỉa hè bị lấn chiếm, rác thải ven đường."
        is_public = rng.random() < 0.8
        reports.append(
            (
                report_id,
                f"PA{created:%y%m%d}-{_tail(i)}",
                f"bench{i:09d}{rng.getrandbits(64):016x}",
                text,
                text,
                Decimal(f"{20.9 + rng.random() / 10:.6f}"),
                Decimal(f"{107.0 + rng.random() / 10:.6f}"),
                "Đường thử tải",
                "{}",
                "",
                "",
                "",
                "web",
                status,
                status not in CLOSED,
                dt(created),
                None,
                dt(created),
                dt(step_at[-1]),
                dt(deadline),
                dt(resolved_at),
                dt(closed_at),
                False,
                False,
                answer,
                "out_of_scope" if status == "rejected" else "",
                is_public,
                1 if status in {"reopened", "disputed"} else 0,
                None,
                "",
                len(steps),
                agency_id,
                None,
                category_id,
                unit_id,
                None,
                None,
                None,
            )
        )
        previous = ""
        for seq, (kind, at) in enumerate(zip(steps, step_at, strict=True), start=1):
            data: dict[str, Any] = {}
            if kind == "received":
                data = {"agency": agency_code, "rule": None, "deadline": deadline.isoformat()}
                data["channel"] = "web"
            elif kind == "resolve":
                data = {"on_time": at <= deadline}
            to_status = TO_STATUS[kind]
            events.append(
                (
                    report_id,
                    seq,
                    kind,
                    dt(at),
                    None,
                    "",
                    agency_id,
                    previous,
                    to_status,
                    answer if kind == "resolve" else "",
                    True,
                    json.dumps(data),
                )
            )
            previous = to_status
        if len(reports) == BATCH:
            yield reports, events
            reports, events = [], []
    if reports:
        yield reports, events


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # SQLite allows 32,766 parameters per statement: one INSERT of many rows each time.
            per = max(1, 32_000 // len(columns))
            values = "(" + ", ".join(["%s"] * len(columns)) + ")"
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                rows_sql = ", ".join([values] * len(chunk))
                sql = f"INSERT INTO {table} ({quoted}) VALUES {rows_sql}"  # noqa: S608 - our names
                cursor.execute(sql, [v for row in chunk for v in row])


def load_reports(n: int) -> float:
    """Make the kept database hold exactly ``n`` benchmark reports; seconds spent loading."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cqs.reports.models import Report, ReportEvent, ReportPhoto

    reload = os.environ.get("BENCH_REPORTS_RELOAD") == "1"
    if not reload and Report.objects.count() == n and ReportEvent.objects.exists():
        return 0.0
    t0 = time.perf_counter()
    with transaction.atomic():
        ReportPhoto.objects.all().delete()
        with connection.cursor() as cursor:
            # Report events refuse .delete() (append-only); this is a throwaway database.
            cursor.execute("DELETE FROM reports_reportevent")
            cursor.execute("UPDATE reports_report SET merged_into_id = NULL")
            cursor.execute("DELETE FROM reports_report")
    now = timezone.now()
    first_id = 1
    for reports, events in _rows(n, first_id, now):
        with transaction.atomic():
            _insert("reports_report", REPORT_COLUMNS, reports)
            _insert("reports_reportevent", EVENT_COLUMNS, events)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("reports_report", "reports_reportevent"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            cursor.execute("ANALYZE reports_report")
            cursor.execute("ANALYZE reports_reportevent")
        else:
            cursor.execute("ANALYZE")
    return time.perf_counter() - t0


def _explain(url_params: dict[str, str]) -> None:
    """Print the plan of the page query (BENCH_EXPLAIN=1)."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from cqs.reports import open311

    request = RequestFactory().get("/open311/v2/requests.json", url_params)
    with CaptureQueriesContext(connection) as queries:
        open311.requests(request, fmt="json")
    page_sql = next(
        q["sql"] for q in queries.captured_queries if 'FROM "reports_report"' in q["sql"]
    )
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + page_sql)
        for row in cursor.fetchall():
            print("    " + " | ".join(str(c) for c in row))


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_REPORTS_N", "100000"))
    with kept_database(n):
        from django.test import Client
        from django.utils import timezone

        from cqs.reports.models import Report, ReportEvent

        _seed_if_needed()
        loaded = load_reports(n)
        events = ReportEvent.objects.count()
        client = Client()
        filtered = "/open311/v2/requests.json?service_code=trat-tu-do-thi&status=open"
        first = client.get(filtered)
        assert first.status_code == 200, first.content[:300]
        rows = len(first.json())
        since = (timezone.localdate() - timedelta(days=30)).isoformat()
        windowed = (
            "/open311/v2/requests.xml?service_code=moi-truong&status=closed"
            f"&start_date={since}T00:00:00%2B07:00"
        )
        assert client.get(windowed).status_code == 200
        if os.environ.get("BENCH_EXPLAIN") == "1":
            print("  plan, filtered:")
            _explain({"service_code": "trat-tu-do-thi", "status": "open"})
            print("  plan, unfiltered:")
            _explain({})
        samples = timed(lambda: client.get(filtered), repeat=200, warmup=5)
        window_samples = timed(lambda: client.get(windowed), repeat=100, warmup=3)
        unfiltered = timed(lambda: client.get("/open311/v2/requests.json"), repeat=100, warmup=3)
        day = (timezone.localdate() - timedelta(days=1)).isoformat()
        feed = f"/open311/v2/servicerequestupdates.json?start_date={day}T00:00:00%2B07:00"
        assert client.get(feed).status_code == 200
        updates = timed(lambda: client.get(feed), repeat=100, warmup=3)
        t0 = time.perf_counter()
        count = 0
        while time.perf_counter() - t0 < 5:
            client.get(filtered)
            count += 1
        throughput = count / (time.perf_counter() - t0)
        total = Report.objects.count()
    how = f"loaded in {loaded:.0f} s" if loaded else "reused from the previous run"
    print(
        f"  {total:,} reports and {events:,} events ({engine()}) {how}; first page {rows} rows; "
        f"filtered median {median(samples) * 1000:.1f} ms; "
        f"unfiltered median {median(unfiltered) * 1000:.1f} ms"
    )
    label = f"{n:,} reports, {engine()}"
    return [
        Result(
            f"Open311 GET requests filtered p95, {label}", p(samples, 0.95) * 1000, 50, "ms", False
        ),
        Result(
            f"Open311 GET requests 30-day window+service+closed p95, {label}",
            p(window_samples, 0.95) * 1000,
            50,
            "ms",
            False,
        ),
        Result(
            f"Open311 GET requests unfiltered p95, {label}",
            p(unfiltered, 0.95) * 1000,
            50,
            "ms",
            False,
        ),
        Result(
            f"Open311 GET servicerequestupdates last day p95, {label}",
            p(updates, 0.95) * 1000,
            50,
            "ms",
            False,
        ),
        Result(f"Open311 GET requests filtered throughput, {label}", throughput, 20, "req/s", True),
    ]
