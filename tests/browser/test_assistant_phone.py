"""The floating "Trợ lý ảo" button on a 390-px phone never hides the page under it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# Every visible control of the page (form buttons, links, fields, the footer's language form)
# whose box meets the assistant button's box, as "text (tag)".
COVERED = """
() => {
  const t = document.querySelector('.va-toggle').getBoundingClientRect();
  const meets = (r) => r.width > 0 && r.height > 0 &&
    r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top;
  return [...document.querySelectorAll('main a, main button, main input, main select, main textarea, footer a, footer button, footer select')]
    .filter((el) => !el.closest('.va') && meets(el.getBoundingClientRect()))
    .map((el) => `${(el.innerText || el.value || el.name || '').trim()} (${el.tagName})`);
}
"""


def _meets(a: dict[str, float] | None, b: dict[str, float] | None) -> bool:
    assert a is not None and b is not None
    return (
        a["x"] < b["x"] + b["width"]
        and a["x"] + a["width"] > b["x"]
        and a["y"] < b["y"] + b["height"]
        and a["y"] + a["height"] > b["y"]
    )


def _to_bottom(page: Any) -> None:
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(
        "Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight"
    )


def test_assistant_button_clears_the_online_form_on_a_phone(ui: UI, artifacts: Path) -> None:
    page = ui.new_page(**PHONE)
    ui.login(page, "congdan")
    page.goto("/thu-tuc/1.001193/nop-truc-tuyen/")
    toggle = page.get_by_role("button", name="Trợ lý ảo", exact=True)
    submit = page.get_by_role("button", name="Nộp hồ sơ", exact=True)
    draft = page.get_by_role("button", name="Lưu nháp", exact=True)
    expect(toggle).to_be_visible()
    expect(submit).to_be_visible()

    # A thumb-sized round button (WCAG 2.5.5: at least 44 x 44 CSS px), not a wide pill.
    box = toggle.bounding_box()
    assert box is not None
    assert 44 <= box["width"] <= 64 and 44 <= box["height"] <= 64, box

    # Scrolled to the bottom: the form's last row and the footer are clear of the button.
    _to_bottom(page)
    assert not _meets(toggle.bounding_box(), submit.bounding_box())
    assert not _meets(toggle.bounding_box(), draft.bounding_box())
    assert page.evaluate(COVERED) == []
    page.screenshot(path=artifacts / "assistant-phone-form-bottom.png")

    # Mid-scroll the submit button may pass under the floating button; once it has the focus
    # it is scrolled clear, so a keyboard user always sees what they are about to press.
    toggle_box = toggle.bounding_box()
    submit_box = submit.bounding_box()
    assert toggle_box is not None and submit_box is not None
    page.evaluate(
        "dy => window.scrollBy(0, dy)",
        submit_box["y"] + submit_box["height"] / 2 - (toggle_box["y"] + toggle_box["height"] / 2),
    )
    assert _meets(toggle.bounding_box(), submit.bounding_box()), "setup: submit under the button"
    draft.evaluate("el => el.focus({preventScroll: true})")
    page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.wait_for_function(
        """() => {
          const t = document.querySelector('.va-toggle').getBoundingClientRect();
          const s = document.activeElement.getBoundingClientRect();
          return s.bottom <= t.top || s.top >= t.bottom;
        }"""
    )
    assert not _meets(toggle.bounding_box(), submit.bounding_box())
    page.screenshot(path=artifacts / "assistant-phone-form-focus.png")

    # The button still opens the assistant.
    toggle.click()
    expect(page.get_by_role("dialog", name="Trợ lý ảo")).to_be_visible()
    ui.assert_clean()


def test_assistant_button_clears_the_procedure_page_on_a_phone(ui: UI, artifacts: Path) -> None:
    page = ui.new_page(**PHONE)
    page.goto("/thu-tuc/1.001193/")
    expect(page.get_by_role("button", name="Trợ lý ảo", exact=True)).to_be_visible()
    _to_bottom(page)
    assert page.evaluate(COVERED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts / "assistant-phone-procedure-bottom.png")
    ui.assert_clean()
