"""The intake receipt PDF (DejaVu fonts embedded, QR code): time to render one, warm process.

The fonts are parsed once per process (pdf_forms._add_cached_font); each document still
subsets and embeds them. Also printed: the same render with fpdf2 parsing the fonts for every
document (as before the cache), and the CPU time, less sensitive to other work on the machine.
Target: < 100 ms per receipt.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench.harness import Result, median, p, timed


def run() -> list[Result]:
    from cqs.dossiers import pdf_forms
    from cqs.dossiers.tests.test_pdf_forms import receipt

    n = int(os.environ.get("BENCH_FORMS_N", "40"))
    samples = timed(receipt, repeat=n, warmup=3)
    cpu: list[float] = []
    for _ in range(n):
        start = time.process_time()
        receipt()
        cpu.append(time.process_time() - start)

    cached = pdf_forms._add_cached_font

    def uncached(pdf: Any, style: str, path: Path) -> None:
        pdf.add_font(pdf_forms._FAMILY, style, str(path))

    pdf_forms._add_cached_font = uncached
    try:
        before = timed(receipt, repeat=max(5, n // 4), warmup=1)
    finally:
        pdf_forms._add_cached_font = cached
    print(
        f"  receipt: median {median(samples) * 1000:.0f} ms, CPU median "
        f"{median(cpu) * 1000:.0f} ms; fonts parsed per document (before): median "
        f"{median(before) * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    return [
        Result("intake receipt PDF p95, warm process", p(samples, 0.95) * 1000, 100, "ms", False)
    ]
