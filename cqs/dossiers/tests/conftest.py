from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cqs.catalogue.models import Procedure
from cqs.dossiers.services import Applicant, dossier_receive
from cqs.dossiers.storage import Upload

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh
DESK = "001.00.20.H49"  # Bộ phận Một cửa phường Hạ Long
COMMITTEE = "000.00.20.H49"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def citizen() -> Applicant:
    return Applicant(
        kind="citizen",
        name="Nguyễn Văn An",
        id_number="022090001234",
        phone="0912345678",
        email="an@example.invalid",
        address="Phường Hạ Long",
    )


def mandatory_uploads(procedure: Procedure) -> list[Upload]:
    return [
        Upload(
            filename=f"giay-to-{d.position}.pdf",
            content=PDF + bytes([d.position]),
            requirement=d.position,
        )
        for d in procedure.documents.all()
        if d.mandatory
    ]


@pytest.fixture
def receive(demo: Any) -> Any:
    def _receive(code: str = BIRTH, now: datetime | None = None, **kw: Any) -> Any:
        procedure = Procedure.objects.get(code=code)
        return dossier_receive(
            actor=kw.pop("actor", demo.user("tiepnhan")),
            desk=demo.agency(kw.pop("desk", DESK)),
            procedure=procedure,
            applicant=kw.pop("applicant", citizen()),
            files=kw.pop("files", mandatory_uploads(procedure)),
            now=now,
            **kw,
        )

    return _receive
