"""Open311 api_keys: issued and revoked by a province administrator, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import PermissionDenied, ValidationError
from cqs.reports import rules
from cqs.reports.models import Open311Key
from cqs.reports.permissions import can_manage_open311_keys

OPEN311_KEY_PREFIX = "o311_"


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open311_key_create(*, actor: Any, name: str) -> tuple[Open311Key, str]:
    """Issue a key; the raw key is returned once and never stored."""
    if actor is not None and not can_manage_open311_keys(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cấp khóa Open311.")
    name = rules.clean_text(name)[:100]
    if not name:
        raise ValidationError("Vui lòng đặt tên cho khóa (hệ thống sử dụng).")
    raw = OPEN311_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = Open311Key.objects.create(
            name=name,
            prefix=raw[:10],
            key_hash=_key_hash(raw),
            created_at=timezone.now(),
            created_by=actor,
        )
        audit_record(actor=actor, action="open311_key.create", obj=key, changes={"name": name})
    return key, raw


def open311_key_revoke(*, actor: Any, key: Open311Key) -> Open311Key:
    if actor is not None and not can_manage_open311_keys(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được thu hồi khóa Open311.")
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="open311_key.revoke", obj=key)
    return key


def open311_key_authenticate(raw: str) -> Open311Key | None:
    if not raw or not raw.startswith(OPEN311_KEY_PREFIX):
        return None
    key = Open311Key.objects.filter(key_hash=_key_hash(raw), revoked_at__isnull=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
