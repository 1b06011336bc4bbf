"""Races between real database connections (threads). On PostgreSQL the row locks decide; on
SQLite the write lock taken at BEGIN IMMEDIATE does. Either way: paid once, no number twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection

from cqs.payments.models import EReceipt, Payment
from cqs.payments.selectors import fee_due
from cqs.payments.services import payment_ipn, payment_record_counter, payment_start
from cqs.payments.tests.conftest import gateway_result

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")


def _race(fns: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)

    def run(i: int, fn: Callable[[], Any]) -> None:
        from django.db import connections

        try:
            barrier.wait()
            for _ in range(200):
                try:
                    results[i] = fn()
                    break
                except OperationalError as exc:
                    # The in-memory SQLite test database runs in shared-cache mode, where a
                    # second writer gets "table is locked" at once instead of waiting on
                    # busy_timeout as it does on the file database: wait and retry like it.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.02)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_duplicate_ipns_pay_once(demo: Any, citizen_dossier: Any) -> None:
    dossier = citizen_dossier()
    payment, _ = payment_start(
        actor=demo.user("congdan"), code=dossier.code, client_ip="", return_url="http://x/"
    )
    params = gateway_result(payment)
    answers = _race([lambda: payment_ipn(params=params) for _ in range(4)])
    assert not [a for a in answers if isinstance(a, Exception)], answers
    codes = sorted(a[0] for a in answers)
    assert codes == ["00", "02", "02", "02"], (connection.vendor, answers)
    assert Payment.objects.filter(dossier=dossier, status="paid").count() == 1
    assert EReceipt.objects.filter(payment__dossier=dossier).count() == 1
    assert fee_due(dossier) == 0
    assert dossier.events.filter(type="fee_paid").count() == 1


def test_concurrent_counter_payments_number_without_gaps(demo: Any, citizen_dossier: Any) -> None:
    dossiers = [citizen_dossier() for _ in range(6)]
    officer = demo.user("tiepnhan")

    def pay(code: str) -> Callable[[], Payment]:
        return lambda: payment_record_counter(actor=officer, code=code)

    results = _race([pay(d.code) for d in dossiers])
    assert all(isinstance(r, Payment) for r in results), results
    numbers = sorted(EReceipt.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
