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

    page.goto("/quan-tri/dieu-hanh/man-hinh/")
    expect(page.locator(".wall-total")).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard-wall.png"), full_page=True)

    public = ui.new_page(viewport={"width": 1280, "height": 900})
    public.goto("/")
    public.get_by_role("link", name="Thống kê").first.click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("Thống kê")
    public.screenshot(path=str(artifacts / "public-statistics.png"), full_page=True)
    ui.assert_clean()
