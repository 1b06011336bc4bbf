"""The officer's inbox, first page: GET /api/v1/dossiers?box=unit&limit=20 as `xuly`.

N synthetic dossiers (BENCH_INBOX_N, 100,000 by default; 1,000,000 for the full-size check;
BENCH_INBOX_COPIES=10 imports N/10 and copies them ten times in SQL, minutes instead of an hour)
are loaded through the import path over 12 months ending today, so the newest are still open;
the loaded database is cached between runs (bench/_db.py cached_database).
Target: p95 < 50 ms in-process.
"""

from __future__ import annotations

import os
import time

from bench._db import cached_database, engine
from bench.harness import Result, median, p, timed


def run() -> list[Result]:
    from django.utils import timezone

    n = int(os.environ.get("BENCH_INBOX_N", "100000"))
    copies = int(os.environ.get("BENCH_INBOX_COPIES", "1"))
    imported = n // copies
    today = timezone.localdate()
    loaded = 0.0

    def build() -> None:
        nonlocal loaded
        from cqs.dossiers.interchange import default_workers, dossiers_import
        from cqs.dossiers.synthetic import synthetic_lines

        t0 = time.perf_counter()
        report = dossiers_import(
            synthetic_lines(count=imported, months=12, seed=1, end=today),
            workers=default_workers(),
        )
        assert report.created == imported, report.as_dict()
        for k in range(1, copies):
            _copy_dossiers(k)
        loaded = time.perf_counter() - t0

    # The loaded database is kept (var/bench-cache/ or cqs_bench_inbox_<n>_<day>) for next runs.
    key = f"inbox_{n}_{today:%Y%m%d}" + (f"_x{copies}" if copies > 1 else "")
    with cached_database(key, build):
        from django.test import Client

        from cqs.accounts.models import User
        from cqs.dossiers.models import Dossier
        from cqs.dossiers.selectors import inbox

        assert Dossier.objects.count() >= n
        user = User.objects.get(username="xuly")
        open_count = inbox(user, box="unit").count()
        client = Client()
        client.force_login(user)
        url = "/api/v1/dossiers?box=unit&limit=20"
        assert client.get(url).status_code == 200
        samples = timed(lambda: client.get(url), repeat=200, warmup=5)
        cpu: list[float] = []  # this process's CPU time: less sensitive to other work
        for _ in range(100):
            start = time.process_time()
            client.get(url)
            cpu.append(time.process_time() - start)
    how = f"generated and loaded in {loaded:.0f} s" if loaded else "from the bench cache"
    if copies > 1:
        how += f" ({imported:,} imported, then copied {copies}x by SQL with new codes)"
    print(
        f"  {n:,} dossiers {how} ({engine()}); "
        f"xuly's unit inbox holds {open_count:,} open dossiers; "
        f"median {median(samples) * 1000:.1f} ms; CPU of the request (without the database "
        f"server's) median {median(cpu) * 1000:.1f} ms, p95 {p(cpu, 0.95) * 1000:.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return [
        Result(
            f"inbox first page p95, {n:,} dossiers, {engine()}, in-process",
            p(samples, 0.95) * 1000,
            50,
            "ms",
            False,
        )
    ]


def _copy_dossiers(k: int) -> None:
    """Copy every imported dossier (and who held it) once more under new codes, in SQL.

    A faster way to a large table than importing: same agencies, statuses and due dates, so
    the same share of each officer's open dossiers; events are not copied (the inbox does not
    read them)."""
    from django.db import connection

    from cqs.dossiers.interchange import DOSSIER_COLUMNS

    quote = connection.ops.quote_name
    rest = [c for c in DOSSIER_COLUMNS if c != "code"]
    names = ", ".join(quote(c) for c in rest)
    suffix = f"/{k}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO dossiers_dossier (code, {names}) "  # noqa: S608 - model columns
            f"SELECT code || %s, {names} FROM dossiers_dossier WHERE code NOT LIKE %s",
            [suffix, "%/%"],
        )
        cursor.execute(
            "INSERT INTO dossiers_dossierparticipant (dossier_id, agency_id) "
            "SELECT n.id, p.agency_id FROM dossiers_dossierparticipant p "
            "JOIN dossiers_dossier o ON o.id = p.dossier_id "
            "JOIN dossiers_dossier n ON n.code = o.code || %s "
            "WHERE o.code NOT LIKE %s",
            [suffix, "%/%"],
        )
