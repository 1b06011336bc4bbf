"""Public catalogue API latency in-process (Django test client, demo data, throwaway DB)."""

from __future__ import annotations

from bench._db import bench_database, engine
from bench.harness import Result, median, p, timed


def run() -> list[Result]:
    with bench_database():
        from django.test import Client

        client = Client()
        list_samples = timed(lambda: client.get("/api/v1/procedures?q=khai+sinh"), repeat=200)
        detail_samples = timed(lambda: client.get("/api/v1/procedures/1.001193"), repeat=200)
        page_samples = timed(lambda: client.get("/thu-tuc/?q=dang+ky"), repeat=100)
        db = engine()
    return [
        Result(
            f"GET /api/v1/procedures?q=… median ({db})",
            median(list_samples) * 1000,
            20,
            "ms",
            False,
        ),
        Result(
            f"GET /api/v1/procedures?q=… p95 ({db})", p(list_samples, 0.95) * 1000, 50, "ms", False
        ),
        Result(
            f"GET /api/v1/procedures/{{code}} median ({db})",
            median(detail_samples) * 1000,
            20,
            "ms",
            False,
        ),
        Result(
            f"GET /thu-tuc/?q=… (HTML) median ({db})", median(page_samples) * 1000, 50, "ms", False
        ),
    ]
