from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cqs.notifications.adapters import MemorySms
from cqs.notifications.models import Notification
from cqs.notifications.services import MAX_ATTEMPTS, notification_enqueue, notifications_deliver


@override_settings(CQS_SMS_BACKEND="memory")
def test_sent_only_after_commit(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    MemorySms.sent.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification_enqueue(
            email="an@example.invalid",
            phone="0912345678",
            subject="Hồ sơ X đã được tiếp nhận",
            body="Hẹn trả 25/11",
        )
        assert mail.outbox == []  # nothing leaves before the change is committed
    assert [m.subject for m in mail.outbox] == ["Hồ sơ X đã được tiếp nhận"]
    assert MemorySms.sent == [("0912345678", "Hồ sơ X đã được tiếp nhận. Hẹn trả 25/11")]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@override_settings(CQS_SMS_BACKEND="memory")
def test_rolled_back_change_sends_nothing(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    MemorySms.sent.clear()
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            notification_enqueue(phone="0912345678", subject="x", body="y")
            raise RuntimeError
    except RuntimeError:
        pass
    assert MemorySms.sent == []
    assert not Notification.objects.exists()


@override_settings(CQS_SMS_BACKEND="memory")
def test_failed_send_is_retried_with_backoff(db: Any) -> None:
    MemorySms.sent.clear()
    MemorySms.fail_next = 1
    [n] = notification_enqueue(phone="0912345678", subject="x", body="y")
    sent, failed = notifications_deliver()
    assert (sent, failed) == (0, 1)
    n.refresh_from_db()
    assert n.status == "pending"
    assert n.attempts == 1
    assert "unreachable" in n.last_error
    assert n.next_attempt_at > timezone.now()
    assert notifications_deliver() == (0, 0)  # not due yet
    Notification.objects.filter(pk=n.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    out = io.StringIO()
    call_command("send_notifications", stdout=out)
    assert "sent 1" in out.getvalue()
    assert MemorySms.sent == [("0912345678", "x. y")]


@override_settings(CQS_SMS_BACKEND="memory")
def test_gives_up_after_max_attempts(db: Any) -> None:
    MemorySms.fail_next = MAX_ATTEMPTS
    [n] = notification_enqueue(phone="0912345678", subject="x", body="y")
    for _ in range(MAX_ATTEMPTS):
        Notification.objects.filter(pk=n.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        notifications_deliver()
    n.refresh_from_db()
    assert n.status == "failed"
    assert n.attempts == MAX_ATTEMPTS
    MemorySms.fail_next = 0


def test_nothing_to_send_without_contact(db: Any) -> None:
    assert notification_enqueue(subject="x", body="y") == []
