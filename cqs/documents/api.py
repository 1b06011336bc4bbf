"""HTTP API of the documents app under /api/v1/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Văn bản và điều hành"])
