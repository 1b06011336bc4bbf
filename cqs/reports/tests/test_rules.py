from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest

from cqs.reports import rules
from cqs.reports.workflow import TRANSITIONS, Action, Status, allowed_actions


def test_report_code_shape() -> None:
    code = rules.report_code(date(2026, 3, 5))
    assert code.startswith("PA260305-")
    assert rules.is_report_code(code)
    assert not rules.is_report_code("PA260305-00000I")


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        ("20.95", "107.07", True),  # Hạ Long
        ("10.77", "106.70", True),  # TP. Hồ Chí Minh
        ("16.50", "112.00", True),  # Hoàng Sa
        ("8.65", "111.92", True),  # Trường Sa
        ("13.75", "100.50", False),  # Bangkok
        ("48.85", "2.35", False),  # Paris
        ("0", "0", False),
        ("24.0", "105.0", False),
    ],
)
def test_in_vietnam(lat: str, lon: str, inside: bool) -> None:
    assert rules.in_vietnam(Decimal(lat), Decimal(lon)) is inside


def test_parse_coordinate() -> None:
    assert rules.parse_coordinate("20,9515") == Decimal("20.951500")
    assert rules.parse_coordinate("abc") is None
    assert rules.parse_coordinate("NaN") is None
    assert rules.parse_coordinate("Infinity") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gọi 0912345678 nhé", "Gọi [đã ẩn số điện thoại] nhé"),
        ("SĐT 0912 345 678.", "SĐT [đã ẩn số điện thoại]."),
        ("+84 912.345.678", "[đã ẩn số điện thoại]"),
        ("CCCD 022090001234", "CCCD [đã ẩn số định danh]"),
        ("mail an.nguyen+pa@example.com!", "mail [đã ẩn email]!"),
        ("Số nhà 12, ngõ 345", "Số nhà 12, ngõ 345"),
    ],
)
def test_mask_personal_data(text: str, expected: str) -> None:
    assert rules.mask_personal_data(text) == expected


def test_distance_and_bbox() -> None:
    d = rules.distance_m(20.9515, 107.078, 20.9525, 107.078)
    assert 105 < d < 118
    lat_min, lat_max, lon_min, lon_max = rules.bounding_box(20.9515, 107.078, 200)
    assert lat_min < 20.9515 < lat_max
    assert lon_min < 107.078 < lon_max


def test_sniff_photo() -> None:
    assert rules.sniff_photo(b"\xff\xd8\xff\xe0")[0] == "image/jpeg"
    assert rules.sniff_photo(b"RIFF\x00\x00\x00\x00WEBPVP8 ")[0] == "image/webp"
    assert rules.sniff_photo(b"%PDF-1.4") is None
    assert rules.sniff_photo(b"<script>") is None


def test_routing_priority_and_conditions() -> None:
    routes = [
        rules.Route(rule_id=1, priority=50, agency_id=10, category_id=1),
        rules.Route(rule_id=2, priority=10, agency_id=20, category_id=1, keywords=("karaoke",)),
        rules.Route(rule_id=3, priority=5, agency_id=30, start=time(22), end=time(6)),
        rules.Route(rule_id=4, priority=1, agency_id=40, commune_id=7),
    ]
    kw: Any = {"category_id": 1, "commune_id": 2, "local_time": time(10), "text": "Hát KARAOKÊ ồn"}
    assert rules.choose_route(routes, **kw).rule_id == 2  # keywords fold diacritics and case
    assert rules.choose_route(routes, **{**kw, "text": "ổ gà"}).rule_id == 1
    assert rules.choose_route(routes, **{**kw, "local_time": time(23)}).rule_id == 3
    assert rules.choose_route(routes, **{**kw, "commune_id": 7}).rule_id == 4
    assert rules.choose_route(routes, **{**kw, "category_id": 9, "text": "x"}) is None
    assert rules.parse_keywords("Karaoke, ồn ào;  ,") == ("karaoke", "on ao")


def test_transition_table_shape() -> None:
    for status in (Status.CLOSED, Status.REJECTED):
        assert not [a for (s, a) in TRANSITIONS if s == status]
    assert Action.REOPEN in allowed_actions(Status.RESOLVED, {"reporter"})
    assert Action.RESOLVE not in allowed_actions(Status.RECEIVED, {"processing_officer"})
