"""The one-stop shop in a real browser: counter intake to result return, with screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% scanned at the counter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _logout(page: Any) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def test_counter_intake_to_result_return(ui: UI, artifacts: Path, tmp_path: Path) -> None:
    scan = tmp_path / "ban-quet.pdf"
    scan.write_bytes(PDF)
    page = ui.new_page()

    # 1. The receiving officer receives a birth registration at the counter.
    ui.login(page, "tiepnhan")
    page.get_by_role("link", name="Tiếp nhận hồ sơ", exact=True).click()
    page.get_by_label("Thủ tục").select_option(value="1.001193")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Họ và tên / Tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân / Mã số thuế").fill("022090001234")
    page.get_by_label("Số điện thoại").fill("0912345678")
    for label in ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Giấy tờ tùy thân"]:
        page.get_by_label(re.compile(label)).first.set_input_files(str(scan))
    page.screenshot(path=artifacts / "intake-form.png", full_page=True)
    page.get_by_role("button", name="Tiếp nhận và cấp giấy hẹn").click()

    expect(page.locator(".messages")).to_contain_text("Đã tiếp nhận hồ sơ 000.00.20.H49-")
    code = page.locator(".crumbs .code").inner_text()
    expect(page.locator(".meta")).to_contain_text("Đang giải quyết")
    receipt = page.request.get(
        page.get_by_role("link", name=re.compile("Giấy tiếp nhận")).get_attribute("href")
    )
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    page.screenshot(path=artifacts / "dossier-received.png", full_page=True)
    _logout(page)

    # 2. The processing officer forwards it to the leader.
    ui.login(page, "xuly")
    page.goto(f"/quan-tri/ho-so/{code}/")
    page.locator("summary", has_text="Chuyển bước tiếp theo").click()
    page.get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(page.locator(".messages")).to_contain_text("Đã thực hiện: Chuyển bước tiếp theo.")
    _logout(page)

    # 3. The leader attaches the result and approves it.
    ui.login(page, "lanhdao")
    page.goto(f"/quan-tri/ho-so/{code}/")
    page.locator("summary", has_text="Đính kèm kết quả").click()
    page.locator("#attach_result-files").set_input_files(str(scan))
    page.locator("#attach_result-name").fill("Giấy khai sinh")
    page.get_by_role("button", name="Đính kèm kết quả").click()
    expect(page.locator(".messages")).to_contain_text("Đã thực hiện: Đính kèm kết quả.")
    page.locator("summary", has_text="Phê duyệt kết quả").click()
    page.get_by_role("button", name="Phê duyệt kết quả").click()
    expect(page.locator(".meta")).to_contain_text("Đã có kết quả, chờ trả")
    _logout(page)

    # 4. The desk hands the result back.
    ui.login(page, "tiepnhan")
    page.goto(f"/quan-tri/ho-so/{code}/")
    page.locator("summary", has_text="Trả kết quả").click()
    page.get_by_role("button", name="Trả kết quả").click()
    expect(page.locator(".meta")).to_contain_text("Đã trả kết quả")
    page.screenshot(path=artifacts / "dossier-returned.png", full_page=True)

    # 5. Anyone can follow it without logging in; no personal data is shown.
    public = ui.new_page()
    public.goto(f"/tra-cuu/?ma={code}")
    expect(public.locator("main")).to_contain_text("Đã trả kết quả")
    expect(public.locator("main")).to_contain_text("N***** V** A*")
    expect(public.locator("main")).not_to_contain_text("022090001234")
    public.screenshot(path=artifacts / "public-lookup.png", full_page=True)
    ui.assert_clean()


def test_stale_page_gets_a_clear_conflict(ui: UI) -> None:
    page = ui.new_page()
    ui.login(page, "tiepnhan")
    page.goto("/quan-tri/ho-so/tiep-nhan/?thu-tuc=2.000815")
    page.get_by_label("Họ và tên / Tên tổ chức").fill("Trần Thị Bích")
    page.get_by_label("Số định danh cá nhân / Mã số thuế").fill("022195004321")
    scan = Path(__file__).with_name("scan.pdf")
    try:
        scan.write_bytes(PDF)
        page.locator("#tep-1").set_input_files(str(scan))
        page.get_by_role("button", name="Tiếp nhận và cấp giấy hẹn").click()
    finally:
        scan.unlink(missing_ok=True)
    code = page.locator(".crumbs .code").inner_text()
    _logout(page)

    first = ui.new_page()
    ui.login(first, "xuly")
    second = ui.new_page()
    ui.login(second, "truongphong")
    for p in (first, second):
        p.goto(f"/quan-tri/ho-so/{code}/")
    first.locator("summary", has_text="Chuyển bước tiếp theo").click()
    first.get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(first.locator(".messages")).to_contain_text("Đã thực hiện")
    second.locator("summary", has_text="Chuyển bước tiếp theo").click()
    second.get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(second.locator(".messages")).to_contain_text("Hồ sơ vừa được người khác xử lý")
    ui.assert_clean(allow=("status of 409",))
