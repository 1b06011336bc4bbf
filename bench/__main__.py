"""Run every benchmark module under bench/ and print each figure beside its target.

A benchmark module defines ``run() -> list[Result]``. A missed target is printed as MISSED and
counted in the last line; the exit status is non-zero only when a benchmark itself fails
(or with --strict, when a target is missed), since benchmarks are measurements, not tests.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

from bench.harness import Result


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqs.settings")
    import django

    django.setup()
    strict = "--strict" in sys.argv
    only = {a for a in sys.argv[1:] if not a.startswith("--")}
    results: list[Result] = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        print(f"== {info.name}", flush=True)
        for result in module.run():
            print("  " + result.line(), flush=True)
            results.append(result)
    missed = [r for r in results if not r.ok]
    print(
        f"{len(results)} figures, {len(results) - len(missed)} within target, {len(missed)} missed"
    )
    return 1 if (missed and strict) else 0


if __name__ == "__main__":
    sys.exit(main())
