"""Open311 GET requests, filtered first page: /open311/v2/requests.json?service_code=…&status=open.

N reports (BENCH_REPORTS_N, 100,000 by default; 1,000,000 for the full-size check) are
bulk-inserted over the last 12 months into a throwaway database. Target: p95 < 50 ms
in-process (Django test client, no network).
"""

from __future__ import annotations

import os
import random
import secrets
import time
from datetime import timedelta

from bench._db import bench_database, engine
from bench.harness import Result, median, p, timed


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_REPORTS_N", "100000"))
    with bench_database():
        from django.test import Client
        from django.utils import timezone

        from cqs.reports.models import Category, Report
        from cqs.reports.workflow import CLOSED_STATES, Status
        from cqs.units.models import Agency, AgencyKind

        rng = random.Random(1)
        categories = list(Category.objects.all())
        agencies = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE))
        statuses = list(Status)
        now = timezone.now()
        t0 = time.perf_counter()
        batch: list[Report] = []
        for i in range(n):
            created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
            status = rng.choice(statuses)
            batch.append(
                Report(
                    code=f"PA{created:%y%m%d}-{i:06d}"[:20],
                    token=secrets.token_hex(12),
                    category=rng.choice(categories),
                    description="Phản ánh thử tải",
                    public_description="Phản ánh thử tải",
                    lat=20.9 + rng.random() / 10,
                    lon=107.0 + rng.random() / 10,
                    status=status,
                    is_open=status not in CLOSED_STATES,
                    agency=rng.choice(agencies),
                    agency_since=created,
                    created_at=created,
                    updated_at=created,
                    deadline=created + timedelta(days=7),
                    is_public=rng.random() < 0.8,
                )
            )
            if len(batch) == 5000:
                Report.objects.bulk_create(batch)
                batch = []
        if batch:
            Report.objects.bulk_create(batch)
        loaded = time.perf_counter() - t0
        client = Client()
        url = "/open311/v2/requests.json?service_code=trat-tu-do-thi&status=open"
        first = client.get(url)
        assert first.status_code == 200, first.content[:300]
        rows = len(first.json())
        samples = timed(lambda: client.get(url), repeat=200, warmup=5)
        unfiltered = timed(lambda: client.get("/open311/v2/requests.json"), repeat=100, warmup=3)
    print(
        f"  {n:,} reports generated in {loaded:.0f} s ({engine()}); first page {rows} rows; "
        f"median {median(samples) * 1000:.1f} ms; unfiltered p95 {p(unfiltered, 0.95) * 1000:.1f} ms"
    )
    return [
        Result(
            f"Open311 GET requests filtered first page p95, {n:,} reports, {engine()}, in-process",
            p(samples, 0.95) * 1000,
            50,
            "ms",
            False,
        )
    ]
