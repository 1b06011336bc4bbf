"""The blank forms on a procedure page, on a 390-px phone and by keyboard only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_citizen_downloads_the_birth_declaration_on_a_phone_by_keyboard(
    ui: UI, artifacts: Path, tmp_path: Path
) -> None:
    from cqs.catalogue.models import DocumentRequirement

    expected = DocumentRequirement.objects.get(procedure__code="1.001193", position=1)
    page = ui.new_page(accept_downloads=True, **PHONE)
    page.goto("/thu-tuc/1.001193/")

    link = page.get_by_role("link", name="Tải mẫu «Mẫu Tờ khai đăng ký khai sinh", exact=False)
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"horizontal overflow: {scroll_width}px"
    expect(page.locator("table.docs-table tbody tr").first).to_contain_text("PDF")
    page.screenshot(path=artifacts / "mobile-procedure-forms.png", full_page=True)

    for _ in range(60):  # Tab through the page until the form link has the focus
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    saved = tmp_path / "form.pdf"
    download.save_as(saved)

    assert download.suggested_filename == "Tờ khai đăng ký khai sinh.pdf"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == expected.form_sha256
    ui.assert_clean()
