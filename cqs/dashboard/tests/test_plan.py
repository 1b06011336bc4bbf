"""The DX plan: seeded targets, statuses, reports with evidence, blockers, permissions, API;
the overdue heat map; the panels fed by signatures, documents and payments."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cqs.audit.models import AuditEvent
from cqs.dashboard import rules, selectors, services
from cqs.dashboard.models import DxBlocker, DxReport, DxTarget
from cqs.dossiers.interchange import dossiers_import
from cqs.dossiers.synthetic import synthetic_lines

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(demo: Any, username: str) -> Client:
    c = Client()
    c.force_login(demo.user(username))
    return c


def test_status_rule() -> None:
    d = Decimal

    def status(current: str | None, today: date) -> str:
        return rules.dx_status(
            baseline=d(40),
            target=d(80),
            current=d(current) if current is not None else None,
            start=date(2026, 1, 1),
            deadline=date(2026, 12, 31),
            today=today,
        )

    assert status("80", date(2026, 3, 1)) == "achieved"
    assert status("60", date(2026, 6, 1)) == "on_track"  # half way at about half time
    assert status("45", date(2026, 9, 1)) == "at_risk"  # 12 % of the way at 67 % of the time
    assert status("79", date(2027, 1, 1)) == "late"
    assert status(None, date(2026, 1, 20)) == "on_track"  # nothing reported yet, little time gone
    assert status(None, date(2026, 6, 1)) == "at_risk"
    # Lower is better: baseline above target.
    assert (
        rules.dx_status(
            baseline=d(10),
            target=d(2),
            current=d(2),
            start=date(2026, 1, 1),
            deadline=date(2026, 12, 31),
            today=date(2026, 5, 1),
        )
        == "achieved"
    )


def test_seeded_plan_page_and_api(demo: Any) -> None:
    assert DxTarget.objects.count() == 24
    assert set(DxTarget.objects.values_list("pillar", flat=True)) == {
        "government",
        "economy",
        "society",
    }
    c = _client(demo, "theodoi")
    r = c.get("/quan-tri/dieu-hanh/ke-hoach/")
    assert r.status_code == 200
    html = r.content.decode()
    for text in ["Chính quyền số", "Kinh tế số", "Xã hội số", "CQS-02", "Vướng mắc"]:
        assert text in html
    assert "Lưu chỉ tiêu" not in html  # a viewer does not define targets
    api = c.get("/api/v1/dx-plan")
    assert api.status_code == 200
    body = api.json()
    assert len(body["targets"]) == 24
    late = next(t for t in body["targets"] if t["code"] == "KTS-06")
    assert late["status"] == "late"  # deadline last year, 14 of 20 reported
    eit = next(t for t in body["targets"] if t["code"] == "KTS-01")
    assert eit["status"] == "achieved" and eit["current"] == 100.0
    assert any(b["must_act"]["code"] == "000.00.07.H49" for b in body["blockers"])
    assert Client().get("/api/v1/dx-plan").status_code == 401
    assert _client(demo, "tiepnhan").get("/api/v1/dx-plan").status_code == 403


def test_system_metric_targets_update_themselves(demo: Any) -> None:
    today = timezone.localdate()
    before = next(
        t
        for t in _client(demo, "theodoi").get("/api/v1/dx-plan").json()["targets"]
        if t["code"] == "CQS-02"
    )
    assert dossiers_import(list(synthetic_lines(count=120, months=2, seed=41, end=today))).ok
    after = next(
        t
        for t in _client(demo, "theodoi").get("/api/v1/dx-plan").json()["targets"]
        if t["code"] == "CQS-02"
    )
    assert before["current"] is None
    assert after["current"] is not None and 50 < after["current"] < 100


def test_leader_defines_owner_reports_with_evidence(demo: Any) -> None:
    quantri = _client(demo, "quantri")
    r = quantri.post(
        "/quan-tri/dieu-hanh/ke-hoach/chi-tieu/",
        {
            "code": "XHS-09",
            "pillar": "society",
            "name": "Điểm truy cập Internet công cộng có hướng dẫn viên",
            "metric": "",
            "baseline": "10",
            "target_value": "30",
            "unit_label": "điểm",
            "start": f"{timezone.localdate().year}-01-01",
            "deadline": f"{timezone.localdate().year}-12-31",
            "owner": "000.00.20.H49",
        },
    )
    assert r.status_code == 302
    target = DxTarget.objects.get(code="XHS-09")
    assert AuditEvent.objects.filter(action="dx.target_create", object_id=str(target.pk)).exists()
    # The owner (Phường Hạ Long) reports; a file as evidence.
    lanhdao = _client(demo, "xuly")
    page = lanhdao.get("/quan-tri/dieu-hanh/ke-hoach/").content.decode()
    assert "/quan-tri/dieu-hanh/ke-hoach/chi-tieu/XHS-09/bao-cao/" in page
    r = lanhdao.post(
        "/quan-tri/dieu-hanh/ke-hoach/chi-tieu/XHS-09/bao-cao/",
        {
            "value": "18",
            "note": "Thêm 8 điểm",
            "evidence_file": io.BytesIO(PDF),
        },
    )
    assert r.status_code == 302
    report = DxReport.objects.get(target=target)
    assert report.value == 18 and report.note == "Thêm 8 điểm"
    assert report.evidence_file.read().startswith(b"%PDF")
    # Another commune's official may not report for Hạ Long.
    r = _client(demo, "tiepnhan2").post(
        "/quan-tri/dieu-hanh/ke-hoach/chi-tieu/XHS-09/bao-cao/",
        {"value": "99", "evidence_link": "https://example.org/x"},
    )
    assert r.status_code == 403
    assert DxReport.objects.filter(target=target).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": "nhiều"}, "value"),
        ({"value": "5", "evidence_link": "ftp://x"}, "evidence_link"),
        ({"value": "5"}, "evidence"),
    ],
)
def test_bad_report_is_explained_and_nothing_written(
    demo: Any, data: dict[str, str], field: str
) -> None:
    r = _client(demo, "quantri").post("/quan-tri/dieu-hanh/ke-hoach/chi-tieu/CQS-10/bao-cao/", data)
    assert r.status_code == 422
    assert "Báo cáo chưa hợp lệ" in r.content.decode()
    assert field in r.content.decode()
    assert DxReport.objects.filter(target__code="CQS-10").count() == 1  # the seeded one


def test_define_target_checks(demo: Any) -> None:
    year = timezone.localdate().year
    base = {
        "code": "CQS-99",
        "pillar": "government",
        "name": "Thử",
        "target_value": "50",
        "start": f"{year}-01-01",
        "deadline": f"{year}-12-31",
        "owner": "000.00.15.H49",
    }
    # A commune leader cannot set targets for a province department.
    assert (
        _client(demo, "lanhdao").post("/quan-tri/dieu-hanh/ke-hoach/chi-tieu/", base).status_code
        == 403
    )
    r = _client(demo, "quantri").post(
        "/quan-tri/dieu-hanh/ke-hoach/chi-tieu/",
        {**base, "deadline": f"{year - 1}-12-31", "metric": "nope", "pillar": "x"},
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "Hạn phải sau ngày bắt đầu" in html and "nope" in html
    assert not DxTarget.objects.filter(code="CQS-99").exists()
    # The API reports the same through the service.
    with pytest.raises(Exception, match="Chỉ tiêu chưa hợp lệ"):
        services.dx_target_save(
            actor=demo.user("quantri"),
            data=services.TargetInput(
                code="", pillar="government", name="", target_value="x", unit_label="%",
                start="2026-01-01", deadline="2026-12-31", owner_code="000.00.15.H49",
            ),
        )  # fmt: skip


def test_blocker_log(demo: Any) -> None:
    quantri = _client(demo, "quantri")
    r = quantri.post(
        "/quan-tri/dieu-hanh/ke-hoach/vuong-mac/",
        {
            "description": "Chưa có máy chủ dự phòng",
            "target": "CQS-12",
            "must_act": "000.00.07.H49",
        },
    )
    assert r.status_code == 302
    b = DxBlocker.objects.get(description="Chưa có máy chủ dự phòng")
    assert b.resolved_at is None
    # Only the agency that must act (or a planner) marks it resolved; a reason is required.
    assert _client(demo, "tiepnhan2").post(
        f"/quan-tri/dieu-hanh/ke-hoach/vuong-mac/{b.pk}/thao-go/", {"resolution": "x"}
    ).status_code in {403, 422}
    r = quantri.post(f"/quan-tri/dieu-hanh/ke-hoach/vuong-mac/{b.pk}/thao-go/", {"resolution": ""})
    assert r.status_code == 422
    r = quantri.post(
        f"/quan-tri/dieu-hanh/ke-hoach/vuong-mac/{b.pk}/thao-go/",
        {"resolution": "Sở Tài chính cấp kinh phí"},
    )
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.resolved_at is not None
    page = quantri.get("/quan-tri/dieu-hanh/ke-hoach/").content.decode()
    assert "Sở Tài chính cấp kinh phí" in page
    r = quantri.post(
        "/quan-tri/dieu-hanh/ke-hoach/vuong-mac/",
        {"description": "Ở tương lai", "must_act": "000.00.07.H49", "since": "2999-01-01"},
    )
    assert r.status_code == 422


def test_heat_map(demo: Any) -> None:
    today = timezone.localdate()
    call_command("seed_demo", dossiers=True, quiet_accounts=True, stdout=io.StringIO())
    assert dossiers_import(list(synthetic_lines(count=300, months=3, seed=29, end=today))).ok
    data = selectors.heat_map("22", f"{today:%Y-%m}")
    assert data["rows"] and data["months"][-1] == f"{today:%Y-%m}"
    assert {r["level"] for r in data["rows"]} == {"commune", "province"}
    for row in [r for r in data["rows"] if r["level"] == "commune"]:
        # Each commune's figures are the index's own: not on time = counted − on time.
        commune = selectors.indicators(row["code"], str(today.year))["indicators"]
        on_time = next(i for i in commune if i["id"] == "timeliness.on_time")
        assert row["counted"] == on_time["denominator"]
        assert row["late"] == on_time["denominator"] - on_time["numerator"]
    r = _client(demo, "theodoi").get("/quan-tri/dieu-hanh/ban-do-nhiet/", {"unit": "22"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "heat-table" in html and data["rows"][0]["name"] in html
    assert "style=" not in html.split("<main")[1]  # CSP: classes, no inline styles
    assert (
        _client(demo, "theodoi")
        .get("/quan-tri/dieu-hanh/ban-do-nhiet/", {"unit": "22", "period": "2026-13"})
        .status_code
        == 422
    )


def test_source_panels_appear(demo: Any) -> None:
    html = _client(demo, "theodoi").get("/quan-tri/dieu-hanh/").content.decode()
    assert "Thanh toán qua cổng trực tuyến" in html
