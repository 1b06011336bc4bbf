from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cqs.dossiers.interchange import dossiers_import
from cqs.dossiers.models import Dossier
from cqs.dossiers.synthetic import synthetic_lines


@pytest.fixture
def data(demo: Any) -> None:
    call_command("seed_demo", dossiers=True, quiet_accounts=True, stdout=io.StringIO())
    assert dossiers_import(
        list(synthetic_lines(count=150, months=3, seed=23, end=timezone.localdate()))
    ).ok


def _client(demo: Any, username: str) -> Client:
    c = Client()
    c.force_login(demo.user(username))
    return c


@pytest.mark.parametrize("username", ["theodoi", "lanhdao", "quantri"])
def test_dashboard_pages(demo: Any, data: None, username: str) -> None:
    c = _client(demo, username)
    r = c.get("/quan-tri/dieu-hanh/")
    assert r.status_code == 200, r.content[:500]
    html = r.content.decode()
    assert "Bộ chỉ số 766" in html and "timeliness.on_time" in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_drill_down_and_exports(demo: Any, data: None) -> None:
    c = _client(demo, "quantri")
    period = f"{timezone.localdate():%Y-%m}"
    r = c.get(
        "/quan-tri/dieu-hanh/ho-so/",
        {"indicator": "timeliness.on_time", "which": "denominator", "period": period},
    )
    assert r.status_code == 200
    d = Dossier.objects.exclude(received_at=None).order_by("-received_at").first()
    assert d is not None
    proc = c.get(
        "/quan-tri/dieu-hanh/ho-so/",
        {"procedure": d.procedure.code, "period": period, "unit": d.unit.code},
    )
    assert proc.status_code == 200
    for table in ["indicators", "groups", "kpis", "communes", "agencies", "procedures", "trend"]:
        csv = c.get("/quan-tri/dieu-hanh/", {"table": table, "export": "csv"})
        assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
        xlsx = c.get("/quan-tri/dieu-hanh/", {"table": table, "export": "xlsx"})
        assert xlsx.content[:2] == b"PK"
    wall = c.get("/quan-tri/dieu-hanh/man-hinh/")
    assert wall.status_code == 200 and b"wall.js" in wall.content


def test_permission(demo: Any) -> None:
    assert _client(demo, "tiepnhan").get("/quan-tri/dieu-hanh/").status_code == 403
    assert Client().get("/quan-tri/dieu-hanh/").status_code == 302


def test_public_page_has_no_personal_data(demo: Any, data: None) -> None:
    r = Client().get("/thong-ke/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Bộ chỉ số 766" in html
    for d in Dossier.objects.all()[:50]:
        assert d.applicant_name not in html
        assert d.code not in html
