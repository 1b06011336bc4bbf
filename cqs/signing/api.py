"""HTTP API of the signing app under /api/v1/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Chữ ký số"])
