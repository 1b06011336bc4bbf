"""The only door into the audit log: ``audit_record``, called by every service."""

from __future__ import annotations

import json
import os
import threading
import zlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from cqs.audit import rules
from cqs.audit.models import AuditChainHead, AuditEvent

AUDIT_CHAINS: int = getattr(settings, "CQS_AUDIT_CHAINS", 8)


def _chain_for_current_thread() -> int:
    # One chain per (process, thread): a transaction only ever locks one head row.
    key = f"{os.getpid()}:{threading.get_ident()}".encode()
    return zlib.crc32(key) % AUDIT_CHAINS


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass(frozen=True)
class AuditEntry:
    """One action to record: ``audit_record``'s arguments, for ``audit_record_many``."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    changes: dict[str, Any] | None = None


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row to the audit log inside the caller's transaction.

    ``actor`` is a user or None (the system). ``changes`` summarises what changed.
    """
    entry = AuditEntry(action, obj, object_type, object_id, object_repr, changes)
    return audit_record_many(actor=actor, entries=[entry])[0]


def audit_record_many(*, actor: Any, entries: list[AuditEntry]) -> list[AuditEvent]:
    """Append one row per entry, in order, to one chain (one lock, one INSERT, one head update)."""
    if not entries:
        return []
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_username = getattr(actor, "username", "") if actor is not None else "system"
    # No savepoint: inside the caller's transaction a failure here fails the whole change
    # anyway, and the SAVEPOINT/RELEASE pair was two of an intake's round trips.
    with transaction.atomic(savepoint=False):
        chain = _chain_for_current_thread()
        head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:
            AuditChainHead.objects.get_or_create(
                chain=chain, defaults={"last_seq": 0, "last_hash": rules.GENESIS_HASH}
            )
            head = AuditChainHead.objects.select_for_update().get(chain=chain)
        now = timezone.now()
        seq, last_hash = head.last_seq, head.last_hash
        events: list[AuditEvent] = []
        for e in entries:
            object_type, object_id, object_repr = e.object_type, e.object_id, e.object_repr
            if e.obj is not None:
                object_type = object_type or e.obj._meta.label_lower
                object_id = object_id or str(e.obj.pk)
                object_repr = object_repr or str(e.obj)[:255]
            seq += 1
            event = AuditEvent(
                chain=chain,
                seq=seq,
                occurred_at=now,
                actor_id=actor_id,
                actor_username=actor_username or "",
                action=e.action,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr[:255],
                changes=_json_safe(e.changes or {}),
                prev_hash=last_hash,
            )
            event.hash = last_hash = rules.link_hash(last_hash, event.payload())
            events.append(event)
        if connection.vendor == "postgresql":
            _append_postgresql(events, chain, seq, last_hash)
        else:
            if len(events) == 1:
                events[0].save(force_insert=True)
            else:
                AuditEvent.objects.bulk_create(events)
            AuditChainHead.objects.filter(chain=chain).update(last_seq=seq, last_hash=last_hash)
    return events


_COLUMNS = (
    "chain",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "prev_hash",
    "hash",
)


def _append_postgresql(events: list[AuditEvent], chain: int, seq: int, last_hash: str) -> None:
    """The rows and the new head in one statement (one round trip instead of two): a
    data-modifying WITH runs both in the caller's transaction, under the head's lock."""
    row = "(" + ", ".join(["%s"] * (len(_COLUMNS) - 3) + ["%s::jsonb", "%s", "%s"]) + ")"
    params: list[Any] = []
    for e in events:
        params += [
            e.chain,
            e.seq,
            e.occurred_at,
            e.actor_id,
            e.actor_username,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            json.dumps(e.changes, ensure_ascii=False),
            e.prev_hash,
            e.hash,
        ]
    sql = (
        f"WITH added AS (INSERT INTO audit_auditevent ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608 - fixed names
        f"{', '.join([row] * len(events))} RETURNING id, seq), "
        "head AS (UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE chain = %s) "
        "SELECT id FROM added ORDER BY seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, seq, last_hash, chain])
        ids = [r[0] for r in cursor.fetchall()]
    for e, pk in zip(events, ids, strict=True):
        e.pk = pk
        e._state.adding = False
        e._state.db = connection.alias


@dataclass(frozen=True)
class BrokenLink:
    chain: int
    seq: int
    reason: str


def audit_verify() -> list[BrokenLink]:
    """Walk every chain; return the first broken link of each broken chain."""
    problems: list[BrokenLink] = []
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        prev_hash = rules.GENESIS_HASH
        expected_seq = 1
        broken: BrokenLink | None = None
        for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(2000):
            if event.seq != expected_seq:
                broken = BrokenLink(chain, expected_seq, "missing row (deleted)")
                break
            if event.prev_hash != prev_hash:
                broken = BrokenLink(chain, event.seq, "prev_hash does not match previous row")
                break
            if rules.link_hash(prev_hash, event.payload()) != event.hash:
                broken = BrokenLink(chain, event.seq, "row content changed after it was written")
                break
            prev_hash = event.hash
            expected_seq += 1
        head = heads.get(chain)
        if (
            broken is None
            and head is not None
            and (head.last_seq != expected_seq - 1 or head.last_hash != prev_hash)
        ):
            broken = BrokenLink(chain, expected_seq, "rows missing at the end of the chain")
        if broken is not None:
            problems.append(broken)
    return problems
