"""Public catalogue API latency in-process (Django test client, demo data on SQLite in memory)."""

from __future__ import annotations

import django
from django.test.utils import setup_test_environment

from bench.harness import Result, median, p, timed


def run() -> list[Result]:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import get_runner  # noqa: F401 - ensures test settings import

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("seed_demo", quiet_accounts=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        client = Client()
        list_samples = timed(lambda: client.get("/api/v1/procedures?q=khai+sinh"), repeat=200)
        detail_samples = timed(lambda: client.get("/api/v1/procedures/1.001193"), repeat=200)
        page_samples = timed(lambda: client.get("/thu-tuc/?q=dang+ky"), repeat=100)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    _ = settings
    return [
        Result("GET /api/v1/procedures?q=… median", median(list_samples) * 1000, 20, "ms", False),
        Result("GET /api/v1/procedures?q=… p95", p(list_samples, 0.95) * 1000, 50, "ms", False),
        Result(
            "GET /api/v1/procedures/{code} median", median(detail_samples) * 1000, 20, "ms", False
        ),
        Result("GET /thu-tuc/?q=… (HTML) median", median(page_samples) * 1000, 50, "ms", False),
    ]
