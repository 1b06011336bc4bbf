"""The operations dashboard in a real browser: the 766 panel, drill-down to a dossier list,
the wall mode (auto-refresh from a static JS file, CSP 'self') and the public statistics."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cqs.dossiers.interchange import dossiers_import
from cqs.dossiers.synthetic import synthetic_lines
from tests.browser.conftest import UI

pytestmark = pytest.mark.browser


def test_dashboard_drill_down_wall_and_public(ui: UI, artifacts: Path) -> None:
    import io

    call_command("seed_demo", dossiers=True, quiet_accounts=True, stdout=io.StringIO())
    assert dossiers_import(
        list(synthetic_lines(count=300, months=6, seed=31, end=timezone.localdate()))
    ).ok
    page = ui.new_page(viewport={"width": 1366, "height": 900})
    ui.login(page, "theodoi")
    page.get_by_role("link", name="Điều hành (chỉ số 766)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bộ chỉ số 766")
    expect(page.locator("table.dash-766")).to_contain_text("timeliness.on_time")
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    # Drill-down: province -> a commune -> a procedure -> its dossiers -> a dossier.
    page.locator("section", has_text="Xếp hạng xã, phường").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bộ chỉ số 766")
    page.locator("section", has_text="Theo thủ tục").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hồ sơ của thủ tục")
    page.screenshot(path=str(artifacts / "dashboard-drilldown.png"), full_page=True)
    page.locator("table").get_by_role("link").first.click()
    page.wait_for_load_state()

    # Heat map of late and overdue dossiers by commune, from the panel's button.
    page.goto("/quan-tri/dieu-hanh/")
    page.get_by_role("link", name="Bản đồ nhiệt trễ hạn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bản đồ nhiệt")
    expect(page.locator("table.heat-table tbody tr").first).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard-heat-map.png"), full_page=True)

    page.goto("/quan-tri/dieu-hanh/man-hinh/")
    expect(page.locator(".wall-total")).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard-wall.png"), full_page=True)

    public = ui.new_page(viewport={"width": 1280, "height": 900})
    public.goto("/")
    public.get_by_role("link", name="Thống kê").first.click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("Thống kê")
    public.screenshot(path=str(artifacts / "public-statistics.png"), full_page=True)
    ui.assert_clean()


def test_dx_plan_report_and_blocker(ui: UI, artifacts: Path) -> None:
    """A province administrator reads the seeded plan, reports progress on a target with a
    link as evidence, logs a blocker and sees both on the page."""
    page = ui.new_page(viewport={"width": 1366, "height": 900})
    ui.login(page, "quantri")
    page.goto("/quan-tri/dieu-hanh/")
    page.get_by_role("link", name="Kế hoạch chuyển đổi số").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kế hoạch chuyển đổi số")
    for pillar in ["Chính quyền số", "Kinh tế số", "Xã hội số"]:
        expect(page.get_by_role("heading", name=pillar)).to_be_visible()
    row = page.locator("#dx-KTS-02")
    row.get_by_text("Báo cáo", exact=True).click()
    row.get_by_label("Giá trị đạt được").fill("42")
    row.get_by_label("Ghi chú").fill("Thêm 12 doanh nghiệp ứng dụng nền tảng số")
    row.get_by_label("Đường dẫn minh chứng").fill("https://example.org/bao-cao-kcn")
    row.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#dx-KTS-02")).to_contain_text("Thêm 12 doanh nghiệp")
    expect(page.locator("#dx-KTS-02")).to_contain_text("42")
    page.get_by_text("Ghi nhận vướng mắc").click()
    page.get_by_label("Mô tả").fill("Chưa có hướng dẫn chuẩn dữ liệu khu công nghiệp")
    page.get_by_label("Chỉ tiêu (mã, nếu có)").fill("KTS-02")
    page.get_by_label("Cơ quan phải xử lý").select_option("000.00.05.H49")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator("body")).to_contain_text("Chưa có hướng dẫn chuẩn dữ liệu khu công nghiệp")
    page.screenshot(path=str(artifacts / "dashboard-dx-plan.png"), full_page=True)
    # Bad input: a clear Vietnamese message, nothing written.
    row = page.locator("#dx-KTS-03")
    row.get_by_text("Báo cáo", exact=True).click()
    row.get_by_label("Giá trị đạt được").fill("nhiều")
    row.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("alert")).to_contain_text("Báo cáo chưa hợp lệ")
    ui.assert_clean(allow=("status of 422",))  # the refused report itself
