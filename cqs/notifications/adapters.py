"""Delivery adapters. E-mail goes through Django's mail backend (EMAIL_URL); SMS through the
adapter named by CQS_SMS_BACKEND: ``console`` (log only), ``memory`` (kept in ``sent`` for
tests and demos) or a dotted path to a class with ``send(phone, text)``."""

from __future__ import annotations

import logging
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSms:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemorySms:
    sent: ClassVar[list[tuple[str, str]]] = []
    fail_next: ClassVar[int] = 0

    def send(self, phone: str, text: str) -> None:
        if MemorySms.fail_next:
            MemorySms.fail_next -= 1
            raise ConnectionError("SMS gateway unreachable")
        MemorySms.sent.append((phone, text))


def sms_backend() -> SmsBackend:
    name = settings.CQS_SMS_BACKEND
    if name == "console":
        return ConsoleSms()
    if name == "memory":
        return MemorySms()
    backend: SmsBackend = import_string(name)()
    return backend


def send_email(recipient: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)
