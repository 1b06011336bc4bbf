"""Shared fixtures: the demo province is seeded once per test database."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command


def seed() -> None:
    call_command("seed_demo", quiet_accounts=True, stdout=io.StringIO())


@pytest.fixture(scope="session", autouse=True)
def _pki_dir(tmp_path_factory: Any) -> None:
    """Demo PKI key files (cqs.signing) go to a temporary directory, never to var/pki."""
    from django.conf import settings

    settings.CQS_PKI_DIR = str(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, _pki_dir: None) -> None:
    with django_db_blocker.unblock():
        seed()


@pytest.fixture
def demo(db: Any) -> Any:
    """The demo data (seeded once for the session; each test's changes roll back)."""
    from cqs.accounts.models import User

    class Demo:
        def user(self, username: str) -> User:
            return User.objects.get(username=username)

        def agency(self, code: str) -> Any:
            from cqs.units.models import Agency

            return Agency.objects.get(code=code)

    return Demo()


@pytest.fixture
def seeded_transactional_db(transactional_db: Any) -> None:
    """For live-server tests: flushes between tests wipe the data, so seed again."""
    seed()
