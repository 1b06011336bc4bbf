"""The assistant's chat widget in Chromium, on desktop and at phone width (390 px)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def synonyms(ui: UI) -> None:
    """The live-server flush wipes what the data migration loaded; load the defaults again."""
    from django.core.management import call_command

    call_command("load_assistant_defaults", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("viewport", "shot"),
    [
        ({"width": 1280, "height": 900}, "assistant-desktop.png"),
        ({"width": 390, "height": 844}, "assistant-mobile.png"),
    ],
)
def test_widget_answers_citizen_questions(
    ui: UI, artifacts: Path, viewport: dict[str, int], shot: str
) -> None:
    page = ui.new_page(viewport=viewport)
    page.goto("/")
    toggle = page.get_by_role("button", name="Trợ lý ảo")
    expect(toggle).to_be_visible()
    # Keyboard: the button opens the dialog and focus goes to the question box.
    toggle.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Trợ lý ảo")
    expect(dialog).to_be_visible()
    box = dialog.get_by_label("Câu hỏi của bạn")
    expect(box).to_be_focused()

    box.fill("lam cccd o dau")
    page.keyboard.press("Enter")
    first = dialog.locator(".va-bot").last
    expect(first).to_contain_text("không biết")
    expect(first).to_contain_text("1900 0000")

    box.fill("con mới sinh cần giấy tờ gì")
    dialog.get_by_role("button", name="Gửi").click()
    answer = dialog.locator(".va-bot").last
    expect(answer).to_contain_text("Thủ tục đăng ký khai sinh")
    expect(answer).to_contain_text("Giấy chứng sinh")
    expect(
        answer.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True)
    ).to_have_attribute("href", "/thu-tuc/1.001193/")
    # The panel fits the viewport (no horizontal scrolling at 390 px).
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    page.screenshot(path=artifacts / shot)

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(toggle).to_be_focused()
    ui.assert_clean()


def test_widget_shows_injection_as_text(ui: UI) -> None:
    page = ui.new_page()
    page.goto("/thu-tuc/")
    page.get_by_role("button", name="Trợ lý ảo").click()
    dialog = page.get_by_role("dialog", name="Trợ lý ảo")
    dialog.get_by_label("Câu hỏi của bạn").fill('<img src=x onerror="window.pwned=1">khai sinh')
    dialog.get_by_role("button", name="Gửi").click()
    expect(dialog.locator(".va-user").last).to_have_text(
        '<img src=x onerror="window.pwned=1">khai sinh'
    )
    expect(dialog.locator(".va-bot").last).to_contain_text("1900 0000")
    assert dialog.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None
    ui.assert_clean()
