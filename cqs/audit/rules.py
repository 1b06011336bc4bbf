"""Hash-chain rules of the audit log (pure)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical(payload: dict[str, Any]) -> bytes:
    """Stable bytes for hashing: sorted keys, no whitespace, UTF-8, ISO datetimes."""

    def default(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default
    ).encode("utf-8")


def link_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(payload)).hexdigest()
