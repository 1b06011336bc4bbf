"""Idempotent intake requests: the ``Idempotency-Key`` request header.

A desk application or a connected system that sends an intake and loses the answer (a
timeout, a dropped connection) cannot know whether the dossier was received. Sent again with
the same ``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header, section 2), the
request gets the first answer back — same status, same body, header ``Idempotent-Replayed:
true`` — and no second dossier. The answer is stored in the intake's own transaction, so
either both the dossier and its answer are saved or neither is. The same key with another
body is refused with 422 (section 2.7); a key is remembered for ``REPLAY_HOURS`` per user.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cqs.core.errors import ValidationError
from cqs.dossiers.models import IntakeReplay

REPLAY_HOURS = 24
HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as a structured-field string holds


def _stored(row: IntakeReplay, fingerprint: str, path: str) -> HttpResponse:
    if row.fingerprint != fingerprint or row.path != path:
        raise ValidationError(
            "Khóa chống gửi lặp (Idempotency-Key) này đã được dùng cho một yêu cầu khác. "
            "Mỗi yêu cầu mới cần một khóa mới.",
            code="idempotency_key_reused",
            details={HEADER: row.key},
        )
    response = HttpResponse(row.body, status=row.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def _find(user: Any, key: str) -> IntakeReplay | None:
    row = IntakeReplay.objects.filter(user=user, key=key).first()
    if row is not None and row.created_at < timezone.now() - timedelta(hours=REPLAY_HOURS):
        row.delete()  # expired: the key may be used again
        return None
    return row


def idempotent(
    request: HttpRequest, path: str, run: Callable[[], tuple[int, dict[str, Any]]]
) -> HttpResponse:
    """Answer ``run()``'s (status, body), or the stored answer of the same keyed request.

    Without the header this is just ``run()``. ``run`` raises ApplicationError to refuse:
    nothing it wrote is kept and nothing is remembered (the client may correct and resend).
    """
    key = request.headers.get(HEADER)
    if key is None:
        status, body = run()
        return HttpResponse(
            json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type="application/json"
        )
    if not _KEY.match(key):
        raise ValidationError(
            "Khóa chống gửi lặp (Idempotency-Key) phải gồm 1–255 ký tự ASCII in được.",
            code="idempotency_key_invalid",
            details={HEADER: key[:255]},
        )
    user: Any = request.user
    fingerprint = hashlib.sha256(request.body).hexdigest()
    row = _find(user, key)
    if row is not None:
        return _stored(row, fingerprint, path)
    try:
        with transaction.atomic():
            status, body = run()
            text = json.dumps(body, cls=DjangoJSONEncoder)
            IntakeReplay.objects.create(
                user=user,
                key=key,
                path=path,
                fingerprint=fingerprint,
                status=status,
                body=text,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # The same key committed meanwhile by a concurrent request: this one's intake was
        # rolled back with it, and the first one's answer is the answer.
        row = IntakeReplay.objects.filter(user=user, key=key).first()
        if row is None:
            raise
        return _stored(row, fingerprint, path)
    return HttpResponse(text, status=status, content_type="application/json")


def replays_purge_expired() -> int:
    """Forget the answers whose keys have expired (daily housekeeping: each keyed intake keeps
    its answer body, a few KB, for ``REPLAY_HOURS``). Returns how many were deleted."""
    cutoff = timezone.now() - timedelta(hours=REPLAY_HOURS)
    deleted, _ = IntakeReplay.objects.filter(created_at__lt=cutoff).delete()
    return int(deleted)
