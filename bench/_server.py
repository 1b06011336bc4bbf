"""A real production server for a benchmark: granian (WSGI) serving the bench database.

``served()`` starts ``granian --workers W --blocking-threads T`` (as `make run` serves) on a
free port of 127.0.0.1 against the database and media directory the benchmark set up, and
stops it afterwards. ``hammer()`` sends requests from concurrent keep-alive clients
(http.client, one connection per thread) and returns the wall time.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database Django is connected to now (the benchmark's own)."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(root: int) -> list[int]:
    """``root`` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes ``pids`` have used so far (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def server_and_database_pids(server: int) -> list[int]:
    """The server's processes and the PostgreSQL backends serving this database."""
    from django.db import connection

    pids = _tree(server)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            pids += [row[0] for row in cursor.fetchall()]
    return pids


@contextmanager
def served(
    *, media: Path, workers: int = 2, threads: int = 4, env: dict[str, str] | None = None
) -> Iterator[tuple[int, int]]:
    """Yield (port, pid) of a granian server running cqs.wsgi on the bench database."""
    port = _free_port()
    server_env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CQS_MEDIA_ROOT": str(media),
        "CQS_LOG_LEVEL": "WARNING",
        "EMAIL_URL": "memorymail://",  # built, then kept in memory: no relay to reach here
        **(env or {}),
    }
    granian = str(Path(sys.executable).with_name("granian"))
    process = subprocess.Popen(  # noqa: S603 - our own executable and arguments
        [
            granian,
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "cqs.wsgi:application",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"granian did not start: {err[-2000:]}") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def hammer(
    port: int,
    method: str,
    requests: Sequence[tuple[str, bytes | None]],
    *,
    clients: int,
    headers: dict[str, str],
    expect: int,
) -> float:
    """Send ``requests`` (path, body) from ``clients`` keep-alive connections; wall seconds.

    Every response must have status ``expect``; the first that does not stops the run."""
    lock = threading.Lock()
    todo = iter(requests)
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while not failures:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                path, body = item
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                if response.status != expect:
                    failures.append(f"{response.status}: {content[:300]!r}")
        finally:
            conn.close()

    pool = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, first: {failures[0]}")
    return elapsed
