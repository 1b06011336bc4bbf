from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cqs.audit.services import audit_record


@pytest.mark.parametrize(
    ("persona", "sees", "hidden"),
    [
        ("tiepnhan", ["Bộ phận Một cửa phường Hạ Long"], ["Ủy ban nhân dân phường Bãi Cháy"]),
        ("lanhdao", ["Phòng Văn hóa - Xã hội phường Hạ Long"], ["Ủy ban nhân dân phường Bãi Cháy"]),
        ("quantri", ["Sở Tư pháp tỉnh Quảng Ninh", "Ủy ban nhân dân xã Đầm Hà"], []),
    ],
)
def test_agency_list_is_scoped(
    client: Client, demo: Any, persona: str, sees: list[str], hidden: list[str]
) -> None:
    client.force_login(demo.user(persona))
    page = client.get("/quan-tri/co-quan/").content.decode()
    for name in sees:
        assert name in page
    for name in hidden:
        assert name not in page


def test_audit_page_only_for_province_admin(client: Client, demo: Any) -> None:
    audit_record(actor=demo.user("quantri"), action="test.visible", object_repr="Hồ sơ thử")
    client.force_login(demo.user("quantri"))
    page = client.get("/quan-tri/nhat-ky/?thao-tac=test.").content.decode()
    assert "test.visible" in page
    assert "Hồ sơ thử" in page
    client.force_login(demo.user("lanhdao"))
    response = client.get("/quan-tri/nhat-ky/")
    assert response.status_code == 403
    assert "Chỉ quản trị cấp tỉnh" in response.content.decode()


def test_home_shows_today(client: Client, demo: Any) -> None:
    client.force_login(demo.user("xuly"))
    page = client.get("/quan-tri/").content.decode()
    assert "Cán bộ xử lý" in page
    assert ("Ngày làm việc" in page) or ("Ngày nghỉ" in page)


def test_unknown_page_is_vietnamese_404(client: Client, demo: Any) -> None:
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang bạn yêu cầu." in response.content.decode()
