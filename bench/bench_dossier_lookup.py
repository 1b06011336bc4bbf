"""Public lookup by dossier code beside a bare Django view doing one primary-key SELECT.

Both are called alternately in the same run with the same test client and middleware, so the
ratio says what the lookup adds on top of Django's own floor. Target: >= 50 % of the bare view.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from bench._db import bench_database, engine
from bench.harness import Result


def bare(request: HttpRequest, pk: int) -> JsonResponse:
    from cqs.dossiers.models import Dossier

    return JsonResponse(
        {"code": Dossier.objects.filter(pk=pk).values_list("code", flat=True).first()}
    )


urlpatterns: list[Any] = [path("bench/bare/<int:pk>", bare), path("", include("cqs.urls"))]


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_LOOKUP_N", "2000"))
    with bench_database():
        from django.conf import settings
        from django.test import Client
        from django.urls import clear_url_caches
        from django.utils import timezone

        from cqs.dossiers.interchange import dossiers_import
        from cqs.dossiers.models import Dossier
        from cqs.dossiers.synthetic import synthetic_lines

        report = dossiers_import(
            synthetic_lines(count=5000, months=12, seed=1, end=timezone.localdate())
        )
        assert report.ok, report.errors[:3]
        rows = list(Dossier.objects.values_list("pk", "code"))
        rng = random.Random(1)
        picks = [rng.choice(rows) for _ in range(n + 50)]
        settings.ROOT_URLCONF = __name__
        clear_url_caches()
        try:
            client = Client()
            for pk, code in picks[:50]:  # warm-up
                assert client.get("/api/v1/dossiers/lookup", {"code": code}).status_code == 200
                assert client.get(f"/bench/bare/{pk}").status_code == 200
            lookup = bare_total = 0.0
            for pk, code in picks[50:]:
                t0 = time.perf_counter()
                response = client.get("/api/v1/dossiers/lookup", {"code": code})
                t1 = time.perf_counter()
                client.get(f"/bench/bare/{pk}")
                t2 = time.perf_counter()
                assert response.status_code == 200
                lookup += t1 - t0
                bare_total += t2 - t1
        finally:
            settings.ROOT_URLCONF = "cqs.urls"
            clear_url_caches()
    lookup_rate, bare_rate = n / lookup, n / bare_total
    print(
        f"  lookup {lookup_rate:,.0f} req/s vs bare primary-key view {bare_rate:,.0f} req/s "
        f"({engine()}, in-process test client, 1 thread, 5,000 dossiers)"
    )
    return [
        Result(
            f"GET /api/v1/dossiers/lookup vs bare PK view, {engine()}",
            100 * lookup_rate / bare_rate,
            50,
            "% of bare",
            True,
        ),
        Result(
            "GET /api/v1/dossiers/lookup throughput, in-process", lookup_rate, 300, "req/s", True
        ),
    ]
