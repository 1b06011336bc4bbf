"""Field reports in a real browser: a citizen reports from a phone with a photo; staff
transfer and resolve; the citizen disputes; the report is back in the agency's queue."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cqs.reports.tests.conftest import jpeg_with_gps
from tests.browser.conftest import UI

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _logout(page: Any) -> None:
    page.get_by_role("button", name="Đăng xuất").first.click()


def test_report_transfer_resolve_dispute(ui: UI, artifacts: Path, tmp_path: Path) -> None:
    # The live-server flush between tests wipes rows made by data migrations: load the
    # default categories again (the migration's own function, idempotent).
    import importlib

    from django.apps import apps

    from cqs.accounts.models import User
    from cqs.accounts.rules import Role
    from cqs.accounts.services import role_assign
    from cqs.units.models import Agency

    importlib.import_module("cqs.reports.migrations.0002_default_categories").forwards(apps, None)

    # A head of division at the Bãi Cháy committee, where the report first lands.
    role_assign(
        actor=None,
        user=User.objects.get(username="tiepnhan2"),
        role=Role.HEAD_OF_DIVISION,
        agency=Agency.objects.get(code="000.00.21.H49"),
    )
    photo = tmp_path / "hien-truong.jpg"
    photo.write_bytes(jpeg_with_gps((800, 600)))

    # 1. The citizen reports from a phone, pinning the place and attaching a photo.
    phone = ui.new_page(**PHONE)
    ui.login(phone, "congdan")
    phone.goto("/phan-anh/")
    phone.get_by_role("link", name="Gửi phản ánh").click()
    phone.get_by_label("Lĩnh vực").select_option(value="trat-tu-do-thi")
    phone.get_by_label("Nội dung phản ánh").fill(
        "Rác thải đổ trộm bên vỉa hè gần chợ, bốc mùi. Liên hệ 0912345678."
    )
    phone.locator("#pick-map").click(position={"x": 180, "y": 140})
    expect(phone.get_by_label("Vĩ độ")).not_to_have_value("")
    phone.get_by_label("Xã/phường").select_option(value="06673")
    phone.get_by_label("Địa chỉ, mô tả vị trí").fill("Chợ Bãi Cháy")
    phone.get_by_label(re.compile("Ảnh hiện trường")).set_input_files(str(photo))
    phone.screenshot(path=artifacts / "reports-citizen-form.png", full_page=True)
    phone.get_by_role("button", name="Gửi phản ánh").click()
    expect(phone.locator(".messages")).to_contain_text("Mã theo dõi: PA")
    code = phone.locator("h1 .code").inner_text()
    expect(phone.locator(".facts")).to_contain_text("Ủy ban nhân dân phường Bãi Cháy")
    expect(phone.locator(".photos img")).to_have_count(1)
    phone.screenshot(path=artifacts / "reports-citizen-tracking.png", full_page=True)

    # 2. Bãi Cháy sees it is in Hạ Long and transfers it, with a reason.
    desk = ui.new_page()
    ui.login(desk, "tiepnhan2")
    desk.goto("/quan-tri/phan-anh/")
    desk.get_by_role("link", name=code).click()
    desk.locator("summary", has_text="Chuyển cơ quan khác").click()
    desk.get_by_label("Chuyển đến cơ quan").select_option(value="000.00.20.H49")
    desk.get_by_label("Lý do chuyển").fill("Vị trí ghim thuộc phường Hạ Long.")
    desk.screenshot(path=artifacts / "reports-staff-transfer.png", full_page=True)
    desk.get_by_role("button", name="Chuyển cơ quan khác").click()
    expect(desk.locator(".messages")).to_contain_text("Đã cập nhật phản ánh.")
    _logout(desk)

    # 3. Hạ Long verifies and resolves with a templated answer and an after-photo.
    ui.login(desk, "truongphong")
    desk.goto("/quan-tri/phan-anh/")
    desk.get_by_role("link", name=code).click()
    desk.get_by_role("button", name="Xác minh, tiếp nhận xử lý").click()
    desk.locator("summary", has_text="Trả lời, báo xử lý xong").click()
    desk.get_by_label("Mẫu trả lời").select_option(label="Đã xử lý xong")
    expect(desk.get_by_label("Trả lời người dân")).to_have_value(re.compile("Tiếp nhận phản ánh"))
    desk.get_by_label("Trả lời người dân").fill("Đã thu gom rác, lắp biển cấm đổ rác.")
    desk.get_by_label("Ảnh sau xử lý").set_input_files(str(photo))
    desk.get_by_role("button", name="Trả lời, báo xử lý xong").click()
    expect(desk.locator("h1")).to_contain_text("Đã xử lý xong")
    desk.screenshot(path=artifacts / "reports-staff-resolved.png", full_page=True)

    # 4. The citizen disagrees.
    phone.goto(f"/phan-anh/theo-doi/{code}/")
    expect(phone.locator(".answer")).to_contain_text("Đã thu gom rác")
    phone.get_by_label("Lý do").fill("Sáng nay rác lại bị đổ ở đó.")
    phone.get_by_role("button", name="Không đồng ý với kết quả").click()
    expect(phone.locator(".facts")).to_contain_text("Người dân chưa đồng ý")
    phone.screenshot(path=artifacts / "reports-citizen-disputed.png", full_page=True)

    # 5. Back in Hạ Long's queue.
    desk.goto("/quan-tri/phan-anh/")
    row = desk.locator("tr", has_text=code)
    expect(row).to_contain_text("Người dân chưa đồng ý")
    desk.screenshot(path=artifacts / "reports-staff-queue.png", full_page=True)
    ui.assert_clean()
