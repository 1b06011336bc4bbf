"""Staff correct where the problem is; the report is routed again (issue 7: routing re-runs
when the category or the location changes), keeping its deadline and the time already held."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cqs.core.errors import PermissionDenied, ValidationError
from cqs.reports.selectors import time_held_by_agency
from cqs.reports.services import report_relocate
from cqs.reports.tests.conftest import BAI_CHAY, COMMITTEE_BC, COMMITTEE_HL, commune

pytestmark = pytest.mark.django_db


def test_relocation_routes_again_and_keeps_the_clock(submit: Any, demo: Any) -> None:
    report = submit()
    assert report.agency.code == COMMITTEE_HL
    deadline = report.deadline
    moved = report_relocate(
        actor=demo.user("truongphong"),
        code=report.code,
        lat=Decimal("20.960000"),
        lon=Decimal("107.040000"),
        commune=commune(BAI_CHAY),
        address="Chợ Bãi Cháy",
    )
    assert moved.agency.code == COMMITTEE_BC and moved.deadline == deadline
    event = moved.events.get(type="relocated")
    assert event.data["from_agency"] == COMMITTEE_HL and "seconds_held" in event.data
    assert event.data["to"]["commune"] == BAI_CHAY
    assert [code for code, _ in time_held_by_agency(moved)] == [COMMITTEE_HL]


def test_relocation_checks_place_and_role(submit: Any, demo: Any) -> None:
    report = submit()
    with pytest.raises(ValidationError, match="ngoài lãnh thổ Việt Nam"):
        report_relocate(
            actor=demo.user("truongphong"),
            code=report.code,
            lat=Decimal("48.85"),
            lon=Decimal("2.35"),
            commune=None,
        )
    with pytest.raises(PermissionDenied):
        report_relocate(
            actor=demo.user("congdan"),
            code=report.code,
            lat=None,
            lon=None,
            commune=None,
            address="Ở đâu đó",
        )
    report.refresh_from_db()
    assert report.agency.code == COMMITTEE_HL and not report.events.filter(type="relocated")


def test_staff_page_relocates(client: Client, submit: Any, demo: Any) -> None:
    report = submit()
    client.force_login(demo.user("truongphong"))
    url = f"/quan-tri/phan-anh/{report.code}/"
    assert "Sửa vị trí (định tuyến lại)" in client.get(url).content.decode()
    response = client.post(url, {"action": "relocate", "lat": "abc", "lon": "107.1"})
    assert response.status_code == 422 and "Tọa độ không hợp lệ" in response.content.decode()
    response = client.post(
        url, {"action": "relocate", "lat": "", "lon": "", "xa": BAI_CHAY, "dia_chi": "Chợ"}
    )
    assert response.status_code == 302  # moved out of Hạ Long's scope: back to the queue
    report.refresh_from_db()
    assert report.agency.code == COMMITTEE_BC and report.lat is None
