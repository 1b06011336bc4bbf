"""Enqueue in the caller's transaction; deliver after commit and from `send_notifications`."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cqs.notifications.adapters import send_email, sms_backend
from cqs.notifications.models import Notification, NotificationChannel, NotificationStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def notification_enqueue(
    *, email: str = "", phone: str = "", subject: str, body: str, reference: str = ""
) -> list[Notification]:
    """Queue an e-mail and/or an SMS; they are sent once the surrounding transaction commits."""
    now = timezone.now()
    rows: list[Notification] = []
    if email:
        rows.append(
            Notification(
                channel=NotificationChannel.EMAIL,
                recipient=email,
                subject=subject,
                body=body,
                reference=reference,
                next_attempt_at=now,
            )
        )
    if phone:
        rows.append(
            Notification(
                channel=NotificationChannel.SMS,
                recipient=phone,
                subject="",
                body=f"{subject}. {body}"[:480],
                reference=reference,
                next_attempt_at=now,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: notifications_deliver(ids=ids))
    return created


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
    sent = failed = 0
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
            sent += 1
            Notification.objects.filter(pk=n.pk).update(
                status=NotificationStatus.SENT, attempts=n.attempts + 1, sent_at=now, last_error=""
            )
    return sent, failed
