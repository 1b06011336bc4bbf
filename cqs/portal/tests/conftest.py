from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Procedure pages are cached by catalogue version; a test's database changes roll back
    but the local cache would not, so every test starts with an empty one."""
    cache.clear()
    yield
    cache.clear()
