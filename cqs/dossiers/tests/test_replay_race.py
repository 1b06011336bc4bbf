"""Two connections send the same keyed intake at the same moment: one dossier, one answer."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from cqs.dossiers.models import Dossier, IntakeReplay
from cqs.dossiers.tests.test_api import _payload

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")


def test_concurrent_resends_with_one_key_receive_one_dossier(demo: Any) -> None:
    body = json.dumps(_payload())
    before = Dossier.objects.count()
    clients = []
    for _ in range(3):
        c = Client()
        c.force_login(demo.user("tiepnhan"))
        clients.append(c)
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = [None] * len(clients)

    def send(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            for _ in range(200):
                try:
                    answers[i] = clients[i].post(
                        "/api/v1/dossiers",
                        body,
                        content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="quay-1-lan-gui-7",
                    )
                    if answers[i].status_code != 500:
                        break
                except OperationalError as exc:
                    # In-memory SQLite (shared cache) answers "table is locked" at once where
                    # the file database would wait on busy_timeout: wait and retry like it.
                    if "locked" not in str(exc):
                        raise
                time.sleep(0.02)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a.status_code for a in answers] == [201, 201, 201], [a.content[:200] for a in answers]
    codes = {a.json()["code"] for a in answers}
    assert len(codes) == 1
    assert Dossier.objects.filter(code__in=codes).count() == 1
    assert Dossier.objects.count() == before + 1
    assert IntakeReplay.objects.filter(key="quay-1-lan-gui-7").count() == 1
    assert sum(1 for a in answers if a.get("Idempotent-Replayed") == "true") == 2
