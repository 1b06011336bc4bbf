"""CQS_NOTIFICATIONS_DELIVERY: in a background thread after commit, or only by the worker."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.db import connections, transaction
from django.test import override_settings

from cqs.notifications.adapters import MemorySms
from cqs.notifications.models import Notification
from cqs.notifications.services import _background, notification_enqueue, notifications_deliver


@override_settings(CQS_SMS_BACKEND="memory", CQS_NOTIFICATIONS_DELIVERY="thread")
def test_thread_mode_sends_after_commit_outside_the_request(transactional_db: Any) -> None:
    MemorySms.sent.clear()
    with transaction.atomic():
        notification_enqueue(
            email="an@example.invalid", phone="0912345678", subject="Hồ sơ Y", body="đã nhận"
        )
    _background().submit(lambda: None).result(timeout=30)  # the one delivery thread is done
    _background().submit(connections.close_all).result(timeout=30)  # its own connection

    assert [m.subject for m in mail.outbox] == ["Hồ sơ Y"]
    assert MemorySms.sent == [("0912345678", "Hồ sơ Y. đã nhận")]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


@override_settings(CQS_SMS_BACKEND="memory", CQS_NOTIFICATIONS_DELIVERY="worker")
def test_worker_mode_leaves_them_to_send_notifications(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    MemorySms.sent.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification_enqueue(phone="0912345678", subject="Hồ sơ Z", body="cần bổ sung")
    assert MemorySms.sent == []
    assert Notification.objects.get().status == "pending"

    assert notifications_deliver() == (1, 0)  # what `send_notifications` runs
    assert MemorySms.sent == [("0912345678", "Hồ sơ Z. cần bổ sung")]
    assert Notification.objects.get().status == "sent"
