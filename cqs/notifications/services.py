"""Enqueue in the caller's transaction; deliver after commit and from `send_notifications`."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from cqs.notifications.adapters import send_email, sms_backend
from cqs.notifications.models import Notification, NotificationChannel, NotificationStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Message:
    """One message to one applicant: by e-mail and/or SMS (``notification_enqueue``'s arguments)."""

    subject: str
    body: str
    email: str = ""
    phone: str = ""
    reference: str = ""


def notification_enqueue(
    *, email: str = "", phone: str = "", subject: str, body: str, reference: str = ""
) -> list[Notification]:
    """Queue an e-mail and/or an SMS; they are sent once the surrounding transaction commits."""
    return notifications_enqueue_many([Message(subject, body, email, phone, reference)])


def notifications_enqueue_many(messages: list[Message]) -> list[Notification]:
    """Queue several messages with one INSERT; all are sent after the transaction commits."""
    now = timezone.now()
    rows: list[Notification] = []
    for m in messages:
        if m.email:
            rows.append(
                Notification(
                    channel=NotificationChannel.EMAIL,
                    recipient=m.email,
                    subject=m.subject,
                    body=m.body,
                    reference=m.reference,
                    next_attempt_at=now,
                )
            )
        if m.phone:
            rows.append(
                Notification(
                    channel=NotificationChannel.SMS,
                    recipient=m.phone,
                    subject="",
                    body=f"{m.subject}. {m.body}"[:480],
                    reference=m.reference,
                    next_attempt_at=now,
                )
            )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]
    mode = settings.CQS_NOTIFICATIONS_DELIVERY
    if mode == "request":
        transaction.on_commit(lambda: notifications_deliver(ids=ids))
    elif mode == "thread":
        transaction.on_commit(lambda: _queue_for_background(ids))
    # "worker": left in the outbox for `send_notifications --loop`.
    return created


_POOL: tuple[int, ThreadPoolExecutor] | None = None
_QUEUED: list[int] = []
_QUEUE_LOCK = threading.Lock()


def _background() -> ThreadPoolExecutor:
    """One delivery thread per web process (created after the fork, never inherited)."""
    global _POOL  # noqa: PLW0603 - one per process
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="cqs-notify"))
    return _POOL[1]


def _queue_for_background(ids: list[int]) -> None:
    """Hand ``ids`` to the delivery thread. Ids queued while it is busy are taken together
    by its next round: one SELECT and one UPDATE for all of them, however many requests
    committed meanwhile."""
    with _QUEUE_LOCK:
        wake = not _QUEUED
        _QUEUED.extend(ids)
    if wake:
        _background().submit(_deliver_queued)


def _deliver_queued() -> None:
    with _QUEUE_LOCK:
        ids = _QUEUED[:]
        _QUEUED.clear()
    if ids:
        _deliver_in_background(ids)


def _deliver_in_background(ids: list[int]) -> None:
    close_old_connections()
    try:
        for start in range(0, len(ids), 200):
            notifications_deliver(ids=ids[start : start + 200])
    except Exception:
        # Still pending in the outbox: `send_notifications` retries them.
        logger.exception("background delivery of notifications %s failed", ids)
    finally:
        close_old_connections()


def _deliver_one(n: Notification) -> None:
    if n.channel == NotificationChannel.EMAIL:
        send_email(n.recipient, n.subject, n.body)
    else:
        sms_backend().send(n.recipient, n.body)


def notifications_deliver(*, ids: list[int] | None = None, limit: int = 200) -> tuple[int, int]:
    """Try every due pending notification once; returns (sent, failed attempts)."""
    now = timezone.now()
    qs = Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    failed = 0
    sent_ids: list[int] = []
    for n in list(qs.order_by("next_attempt_at")[:limit]):
        try:
            _deliver_one(n)
        except Exception as exc:
            failed += 1
            attempts = n.attempts + 1
            status = NotificationStatus.FAILED if attempts >= MAX_ATTEMPTS else n.status
            Notification.objects.filter(pk=n.pk).update(
                attempts=attempts,
                status=status,
                last_error=str(exc)[:1000],
                next_attempt_at=now + timedelta(minutes=2**attempts),
            )
            logger.warning("notification %s failed (%s attempts): %s", n.pk, attempts, exc)
        else:
            sent_ids.append(n.pk)
    if sent_ids:  # one UPDATE for every success
        Notification.objects.filter(pk__in=sent_ids).update(
            status=NotificationStatus.SENT, attempts=F("attempts") + 1, sent_at=now, last_error=""
        )
    return len(sent_ids), failed
