"""A throwaway database for a benchmark: created, seeded with the demo province, dropped.

SQLite by default (a file in a temporary directory, WAL, as in production: not ``:memory:``,
which would flatter every write), PostgreSQL when DATABASE_URL points at it (Django's test
database ``test_<name>`` beside the real one).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def engine() -> str:
    from django.db import connection

    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


@contextmanager
def bench_database(*, seed: bool = True) -> Iterator[Path]:
    """Yield a temporary directory (for media files); the test database is live meanwhile."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    previous_name, previous_media = test_settings.get("NAME"), settings.MEDIA_ROOT
    with tempfile.TemporaryDirectory(prefix="cqs-bench-") as tmp:
        if connection.vendor == "sqlite":
            test_settings["NAME"] = os.path.join(tmp, "bench.sqlite3")
        settings.MEDIA_ROOT = os.path.join(tmp, "media")
        setup_test_environment()
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            if seed:
                call_command("seed_demo", quiet_accounts=True, stdout=io.StringIO())
            yield Path(tmp)
        finally:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
            # The next benchmark in the same run must not inherit this run's deleted paths.
            test_settings["NAME"] = previous_name
            settings.MEDIA_ROOT = previous_media


@contextmanager
def cached_database(key: str, build: Callable[[], None]) -> Iterator[Path]:
    """A benchmark database loaded once by ``build()`` and kept for the next runs under ``key``.

    SQLite: a copy in var/bench-cache/<key>.sqlite3, copied back to a temporary file on the
    next run. PostgreSQL: a database of its own, ``cqs_bench_<key>``, left in place. Either way
    pending migrations are applied before use. Delete the file (or DROP the database) to
    load again; the key should name everything the loaded data depends on.
    """
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    previous = dict(connection.settings_dict)
    previous_media = settings.MEDIA_ROOT
    cache_dir = Path(settings.VAR_DIR) / "bench-cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cqs-bench-") as tmp:
        settings.MEDIA_ROOT = os.path.join(tmp, "media")
        setup_test_environment()
        try:
            if connection.vendor == "sqlite":
                cached = cache_dir / f"{key}.sqlite3"
                work = Path(tmp) / "bench.sqlite3"
                fresh = not cached.exists()
                if not fresh:
                    shutil.copy(cached, work)
                connection.close()
                connection.settings_dict["NAME"] = str(work)
            else:
                name = "cqs_bench_" + re.sub(r"[^a-z0-9_]", "_", key.lower())[:50]
                with connection._nodb_cursor() as cursor:
                    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                    exists = cursor.fetchone() is not None
                connection.close()
                connection.settings_dict["NAME"] = name
                fresh = not exists or not _pg_ready()
                if fresh:
                    connection.close()
                    connection.settings_dict["NAME"] = previous["NAME"]
                    with connection._nodb_cursor() as cursor:
                        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                        cursor.execute(f'CREATE DATABASE "{name}"')
                    connection.close()
                    connection.settings_dict["NAME"] = name
            call_command("migrate", verbosity=0, interactive=False)
            if fresh:
                call_command("seed_demo", quiet_accounts=True, stdout=io.StringIO())
                build()
                if connection.vendor == "sqlite":
                    with connection.cursor() as cursor:
                        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    connection.close()
                    shutil.copy(work, cached)
                else:
                    with connection.cursor() as cursor:
                        cursor.execute("CREATE TABLE bench_cache_ready (loaded_at timestamptz)")
                        cursor.execute("INSERT INTO bench_cache_ready VALUES (now())")
                        cursor.execute("VACUUM ANALYZE")
            yield Path(tmp)
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(previous)
            settings.MEDIA_ROOT = previous_media
            teardown_test_environment()


def _pg_ready() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_cache_ready') IS NOT NULL")
        row = cursor.fetchone()
    return bool(row and row[0])
