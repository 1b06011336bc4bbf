from __future__ import annotations

from typing import Any

import pytest

from cqs.dossiers.tests.conftest import receive  # noqa: F401 - the dossier intake fixture


@pytest.fixture
def ask(demo: Any) -> Any:
    from cqs.assistant.services import assistant_ask

    def _ask(question: str, conversation: str = "") -> Any:
        return assistant_ask(question=question, conversation_token=conversation)

    return _ask
