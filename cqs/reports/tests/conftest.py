from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from cqs.reports.models import Category
from cqs.reports.photos import PhotoUpload
from cqs.reports.services import Contact, report_submit
from cqs.units.models import AdministrativeUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HA_LONG = "06688"
BAI_CHAY = "06673"
COMMITTEE_HL = "000.00.20.H49"
COMMITTEE_BC = "000.00.21.H49"
# A point in Hạ Long (Quảng Ninh)
LAT, LON = Decimal("20.951500"), Decimal("107.078000")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CamCo"
    exif[0x8825] = {1: "N", 2: (20.0, 57.0, 10.0), 3: "E", 4: (107.0, 4.0, 30.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 120, 0, 255)).save(out, "PNG")
    return out.getvalue()


def commune(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, level="commune", valid_until__isnull=True)


def category(code: str = "trat-tu-do-thi") -> Category:
    return Category.objects.get(code=code)


@pytest.fixture
def submit(demo: Any) -> Any:
    def _submit(**kw: Any) -> Any:
        params: dict[str, Any] = {
            "actor": kw.pop("actor", demo.user("congdan")),
            "category": kw.pop("category", category()),
            "description": kw.pop(
                "description", "Vỉa hè trước số 12 bị lấn chiếm, người đi bộ phải xuống lòng đường."
            ),
            "lat": kw.pop("lat", LAT),
            "lon": kw.pop("lon", LON),
            "commune": kw.pop("commune", commune(HA_LONG)),
            "address": kw.pop("address", "12 Lê Thánh Tông"),
        }
        params.update(kw)
        return report_submit(**params)

    return _submit


@pytest.fixture
def anonymous_contact() -> Contact:
    return Contact(name="Người dân", phone="0987654321", email="dan@example.invalid")


@pytest.fixture
def photo() -> PhotoUpload:
    return PhotoUpload("hien-truong.jpg", jpeg_with_gps())
