"""Line streams for the interchange commands: files, stdin, gzip either way; a progress bar."""

from __future__ import annotations

import gzip
import io
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol, cast

from django.core.management.base import CommandError

_GZIP_MAGIC = b"\x1f\x8b"


@contextmanager
def open_lines(name: str, stdin: IO[bytes] | None = None) -> Iterator[Iterable[bytes]]:
    """Binary lines of ``name`` ('-' is stdin); gzip is recognised by its magic number."""
    if name == "-":
        raw: IO[bytes] = stdin if stdin is not None else sys.stdin.buffer
        owned = False
    else:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        raw = path.open("rb")
        owned = True
    try:
        buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(cast(Any, raw))
        if buffered.peek(2)[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=buffered, mode="rb") as unzipped:
                yield unzipped
        else:
            yield buffered
    finally:
        if owned:
            raw.close()


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@contextmanager
def open_output(name: str, stdout: Writer) -> Iterator[Writer]:
    """A UTF-8 text sink: '-' is stdout; a name ending in .gz is gzip-compressed."""
    if name == "-":
        yield stdout
        return
    if name.endswith(".gz"):
        with gzip.open(name, "wt", encoding="utf-8", newline="\n") as zipped:
            yield zipped
    else:
        with Path(name).open("w", encoding="utf-8", newline="\n") as plain:
            yield plain


def with_progress(
    items: Iterable[str],
    *,
    total: int,
    write: Callable[[str], None],
    every: int = 500,
    width: int = 30,
) -> Iterator[str]:
    """Pass ``items`` through, drawing '[####....] 45% 4,500/10,000 1,234/s' with ``write``."""
    started = time.perf_counter()
    done = 0

    def draw() -> None:
        share = done / total if total else 1.0
        filled = int(width * share)
        rate = done / max(time.perf_counter() - started, 1e-9)
        write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} "
            f"{done:,}/{total:,} {rate:,.0f}/s"
        )

    for item in items:
        yield item
        done += 1
        if done % every == 0:
            draw()
    if done % every or not done:
        draw()
    write("\n")
