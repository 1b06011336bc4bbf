"""Dossier import throughput (interchange JSON Lines -> dossiers, events, participants).

Target: a province's history of 1,000,000 dossiers in under 10 minutes (>= 1,667 lines/s).
The run is scaled down (BENCH_IMPORT_N lines, 100,000 by default, generated beforehand and not
timed) and the extrapolation to 1,000,000 is printed. Measured as `import_dossiers` runs by
default (helper processes validate and project, one process writes), and in one process.
BENCH_IMPORT_WORKERS sets the number of helper processes (default: ``default_workers()``).
"""

from __future__ import annotations

import os
import time
from datetime import date

from bench._db import bench_database, engine
from bench.harness import Result

TARGET_LINES_PER_S = 1_000_000 / 600


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_IMPORT_N", "100000"))
    alone_n = max(1, n // 5)
    with bench_database():
        from cqs.dossiers.interchange import default_workers, dossiers_import
        from cqs.dossiers.models import DossierEvent
        from cqs.dossiers.synthetic import synthetic_lines

        workers = int(os.environ.get("BENCH_IMPORT_WORKERS") or default_workers())
        t0 = time.perf_counter()
        lines = list(synthetic_lines(count=n, months=24, seed=1, end=date(2026, 6, 1)))
        generated = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = dossiers_import(lines, workers=workers)
        elapsed = time.perf_counter() - t0
        assert report.created == n, report.as_dict()
        events = DossierEvent.objects.count()
        again_n = min(n, 20_000)
        t0 = time.perf_counter()
        again = dossiers_import(lines[:again_n], workers=workers)
        rerun = time.perf_counter() - t0
        assert again.unchanged == again_n
        # The same work in one process (another seed: other codes), on the filled database.
        more = list(synthetic_lines(count=alone_n, months=24, seed=2, end=date(2026, 6, 1)))
        t0 = time.perf_counter()
        assert dossiers_import(more, workers=0).created == alone_n
        alone = time.perf_counter() - t0
    rate = n / elapsed
    print(
        f"  import {n:,} lines ({events:,} events) on {engine()} with {workers} helper "
        f"processes: {elapsed:.1f} s -> 1,000,000 in ~{1_000_000 / rate / 60:.1f} min "
        f"(target < 10 min); in one process {alone_n / alone:,.0f} lines/s "
        f"-> ~{1_000_000 / (alone_n / alone) / 60:.1f} min; re-import, all unchanged, "
        f"{again_n / rerun:,.0f} lines/s; generating the lines took {generated:.1f} s"
    )
    return [
        Result(
            f"import, {engine()}, {n:,} lines, writer + {workers} helpers",
            rate,
            TARGET_LINES_PER_S,
            "lines/s",
            True,
        ),
        Result(
            f"import, {engine()}, {alone_n:,} more lines, one process",
            alone_n / alone,
            TARGET_LINES_PER_S,
            "lines/s",
            True,
        ),
    ]
