"""A throwaway database for a benchmark: created, seeded with the demo province, dropped.

SQLite by default (a file in a temporary directory, WAL, as in production: not ``:memory:``,
which would flatter every write), PostgreSQL when DATABASE_URL points at it (Django's test
database ``test_<name>`` beside the real one).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
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
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
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
