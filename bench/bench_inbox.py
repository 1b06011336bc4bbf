"""The officer's inbox, first page: GET /api/v1/dossiers?box=unit&limit=20 as `xuly`.

N synthetic dossiers (BENCH_INBOX_N, 100,000 by default; 1,000,000 for the full-size check)
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
    today = timezone.localdate()
    loaded = 0.0

    def build() -> None:
        nonlocal loaded
        from cqs.dossiers.interchange import default_workers, dossiers_import
        from cqs.dossiers.synthetic import synthetic_lines

        t0 = time.perf_counter()
        report = dossiers_import(
            synthetic_lines(count=n, months=12, seed=1, end=today), workers=default_workers()
        )
        loaded = time.perf_counter() - t0
        assert report.created == n, report.as_dict()

    # The loaded database is kept (var/bench-cache/ or cqs_bench_inbox_<n>_<day>) for next runs.
    with cached_database(f"inbox_{n}_{today:%Y%m%d}", build):
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
    how = f"generated and imported in {loaded:.0f} s" if loaded else "from the bench cache"
    print(
        f"  {n:,} dossiers {how} ({engine()}); "
        f"xuly's unit inbox holds {open_count:,} open dossiers; "
        f"median {median(samples) * 1000:.1f} ms"
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
