"""HTTP API of the payments app under /api/v1/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Thanh toán, biên lai điện tử"])
