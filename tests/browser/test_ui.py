"""What a user sees in a real browser: login, the public catalogue, keyboard, errors, language.

Run with `make test` (installs Debian's chromium when missing) or
`.venv/bin/pytest tests/browser`. Screenshots land in test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI

pytestmark = pytest.mark.browser

# The document of a 403 page is itself "a resource that failed to load" for Chromium.
HTTP_403_LOG = "status of 403"
# A refused login answers 422 (bad input), which Chromium also logs as a failed resource.
HTTP_422_LOG = "status of 422"


def test_official_logs_in_and_sees_their_desk(ui: UI, artifacts: Path) -> None:
    page = ui.new_page()
    ui.login(page, "tiepnhan")

    expect(page).to_have_url(re.compile(r"/quan-tri/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Thị Hoa")
    expect(page.locator(".roles")).to_contain_text("Cán bộ tiếp nhận (Bộ phận Một cửa)")
    expect(page.get_by_role("navigation", name="Chức năng")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.screenshot(path=artifacts / "official-home.png", full_page=True)
    ui.assert_clean()


def test_citizen_logs_in_and_lands_on_their_page(ui: UI, artifacts: Path) -> None:
    page = ui.new_page()
    ui.login(page, "congdan")

    expect(page).to_have_url(re.compile(r"/ca-nhan/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Văn An")
    expect(page.locator("main")).to_contain_text("Công dân")
    # The header now names the user instead of offering to log in.
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_contain_text("Nguyễn Văn An")
    page.screenshot(path=artifacts / "citizen-home.png", full_page=True)
    ui.assert_clean()


def test_wrong_password_is_refused_in_vietnamese(ui: UI, artifacts: Path) -> None:
    page = ui.new_page()
    ui.login(page, "tiepnhan", password="mat-khau-sai-123")

    expect(page).to_have_url(re.compile(r"/dang-nhap/$"))
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("tiepnhan")
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    page.screenshot(path=artifacts / "login-error.png", full_page=True)
    ui.assert_clean(allow=(HTTP_422_LOG,))


def test_catalogue_search_without_diacritics_and_procedure_page(ui: UI, artifacts: Path) -> None:
    page = ui.new_page()
    page.goto("/")
    page.get_by_label("Tìm thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()

    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=dang\+ky\+khai\+sinh"))
    result = page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True)
    expect(result).to_be_visible()
    result.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    expect(page.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Thời hạn giải quyết")
    expect(facts).to_contain_text("1 ngày làm việc")
    expect(facts).to_contain_text("Phí, lệ phí")
    expect(facts).to_contain_text("Lệ phí đăng ký khai sinh: Miễn phí")
    # Vietnamese groups thousands with dots: "8.000 đồng", never "8000 đồng".
    expect(facts).to_contain_text("Phí cấp bản sao Giấy khai sinh (nếu có yêu cầu): 8.000 đồng")
    expect(page.locator("table.table tbody tr").first).to_contain_text("Tờ khai đăng ký khai sinh")
    page.screenshot(path=artifacts / "procedure.png", full_page=True)
    ui.assert_clean()


def test_home_page_fits_a_phone_screen(ui: UI, artifacts: Path) -> None:
    page = ui.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto("/")
    expect(page.get_by_role("heading", name="Dịch vụ công trực tuyến")).to_be_visible()
    expect(page.get_by_role("button", name="Tìm kiếm")).to_be_visible()

    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == 390
    assert scroll_width <= inner_width, f"horizontal overflow: {scroll_width}px > {inner_width}px"
    page.screenshot(path=artifacts / "mobile-home.png", full_page=True)
    ui.assert_clean()


def test_first_tab_focuses_the_skip_link(ui: UI) -> None:
    page = ui.new_page()
    page.goto("/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#noi-dung")).to_be_focused()
    ui.assert_clean()


def test_citizen_is_refused_the_back_office(ui: UI, artifacts: Path) -> None:
    page = ui.new_page()
    ui.login(page, "congdan")
    response = page.goto("/quan-tri/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("Không có quyền truy cập")
    expect(page.get_by_role("alert")).to_contain_text("Trang quản trị chỉ dành cho cán bộ")
    page.screenshot(path=artifacts / "forbidden.png", full_page=True)
    ui.assert_clean(allow=(HTTP_403_LOG,))


def test_language_switch_to_english(ui: UI) -> None:
    page = ui.new_page()
    page.goto("/thu-tuc/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()

    expect(page).to_have_url(re.compile(r"/thu-tuc/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label(re.compile("Ngôn ngữ|Language"))).to_have_value("en")
    ui.assert_clean()


def test_csp_violations_are_detected(ui: UI) -> None:
    """The console check above is only worth something if a violation would show up."""
    page = ui.new_page()
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('style');"
        " s.textContent = 'body { color: red }'; document.head.appendChild(s); }"
    )
    page.wait_for_timeout(100)
    assert any("Content Security Policy" in e or "CSP violation" in e for e in ui.errors), ui.errors
