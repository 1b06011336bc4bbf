"""Documents in a real browser: an incoming document registered (PDF upload, signature checked),
routed by the leader, given to an officer by the head, processed; an outgoing document drafted
from its type's template, reviewed, signed by the leader, issued (number generated) and sealed
by the records clerk, and delivered to its recipient."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cqs.documents.tests.conftest import make_pdf
from tests.browser.conftest import UI

pytestmark = pytest.mark.browser


def _as(ui: UI, username: str) -> Any:
    page = ui.new_page()
    ui.login(page, username)
    return page


def test_incoming_and_outgoing_documents(ui: UI, artifacts: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from cqs.accounts.models import User
    from cqs.signing.services import pdf_sign

    # pyHanko signs with asyncio.run(), which cannot run in Playwright's event-loop thread:
    # sign in a worker thread that shares this test's database connection (as the live
    # server thread does).
    shared = connections["default"]
    leader_user = User.objects.get(username="lanhdao")

    def sign() -> bytes:
        connections["default"] = shared
        pdf = make_pdf("Công văn về Ngày Pháp luật Việt Nam")
        return pdf_sign(actor=leader_user, pdf=pdf, reason="Ký ban hành")

    shared.inc_thread_sharing()
    try:
        with ThreadPoolExecutor(1) as pool:
            signed = pool.submit(sign).result()
    finally:
        shared.dec_thread_sharing()
    scan = tmp_path / "cong-van-so-tu-phap.pdf"
    scan.write_bytes(signed)

    # 1. The records clerk registers an incoming document with its PDF.
    clerk = _as(ui, "vanthu")
    clerk.goto("/quan-tri/van-ban/")
    clerk.get_by_role("link", name="Vào sổ văn bản đến").click()
    clerk.locator("#doc_type").select_option(value="CV")
    clerk.locator("#issuer_name").fill("Sở Tư pháp tỉnh Quảng Ninh")
    clerk.locator("#number").fill("208")
    clerk.locator("#notation").fill("STP-PBGDPL")
    clerk.locator("#issued_on").fill(timezone.localdate().isoformat())
    clerk.locator("#signer_name").fill("Nguyễn Văn Bình")
    clerk.locator("#summary").fill("Về việc hưởng ứng Ngày Pháp luật Việt Nam năm 2026")
    clerk.locator("#files").set_input_files(str(scan))
    clerk.get_by_role("button", name="Vào sổ").click()
    expect(clerk.locator("#arrival")).to_contain_text("số đến 1")
    expect(clerk.locator("#signature-check")).to_contain_text("1 chữ ký hợp lệ")
    expect(clerk.locator("#doc-status")).to_have_text("Đã vào sổ, chờ phân công")
    clerk.screenshot(path=artifacts / "documents-incoming-registered.png", full_page=True)
    detail = clerk.url

    # 2. The leader routes it to a lead division with a deadline.
    leader = _as(ui, "lanhdao")
    leader.goto("/quan-tri/van-ban/")
    leader.locator("#box-to-assign").get_by_role("link").first.click()
    leader.locator("#lead").select_option(value="002.00.20.H49")
    leader.locator("#deadline").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    leader.locator("#instructions").fill("Văn phòng chủ trì, tham mưu kế hoạch hưởng ứng.")
    leader.get_by_role("button", name="Phân công").click()
    expect(leader.locator("#doc-status")).to_have_text("Đã giao đơn vị chủ trì")
    leader.screenshot(path=artifacts / "documents-incoming-assigned.png", full_page=True)

    # 3. The head of division gives it to an officer.
    head = _as(ui, "truongphong")
    head.goto(detail)
    head.locator("#officer").select_option(label="Trần Văn Minh")
    head.get_by_role("button", name="Giao xử lý").click()
    expect(head.locator("#doc-status")).to_have_text("Đang xử lý")

    # 4. The officer finds it in their inbox and processes it.
    officer = _as(ui, "xuly")
    officer.goto("/quan-tri/van-ban/")
    officer.locator("#box-processing").get_by_role("link").first.click()
    officer.locator("#note").fill("Đã tham mưu Kế hoạch hưởng ứng, trình lãnh đạo ký.")
    officer.get_by_role("button", name="Hoàn thành xử lý").click()
    expect(officer.locator("#doc-status")).to_have_text("Đã xử lý xong")
    officer.screenshot(path=artifacts / "documents-incoming-done.png", full_page=True)

    # 5. The officer drafts an outgoing decision from its template and sends it for review.
    officer.goto("/quan-tri/van-ban/di/moi/")
    officer.locator("#doc_type").select_option(value="QĐ")
    officer.locator("#recipients").select_option(value="000.00.21.H49")
    officer.locator("#summary").fill("Về việc thành lập Ban tổ chức Ngày Pháp luật năm 2026")
    officer.get_by_role("button", name="Tạo dự thảo").click()
    expect(officer.locator(".doc-body")).to_contain_text("QUYẾT ĐỊNH")
    officer.get_by_role("button", name="Trình duyệt").click()
    expect(officer.locator("#doc-status")).to_have_text("Chờ trưởng phòng duyệt")
    outgoing = officer.url

    # 6. The head reviews it with a comment.
    head.goto(outgoing)
    head.locator("#comment-review").fill("Đồng ý nội dung.")
    head.get_by_role("button", name="Đồng ý, trình lãnh đạo").click()
    expect(head.locator("#doc-status")).to_have_text("Chờ lãnh đạo ký")

    # 7. The leader approves and signs (PAdES).
    leader.goto(outgoing)
    leader.get_by_role("button", name="Ký số").click()
    expect(leader.locator("#doc-status")).to_have_text("Đã ký, chờ ban hành")
    leader.screenshot(path=artifacts / "documents-outgoing-signed.png", full_page=True)

    # 8. The records clerk issues it: number from the register, seal, sent to the recipient.
    clerk.goto(outgoing)
    clerk.get_by_role("button", name="Cấp số, đóng dấu và gửi").click()
    expect(clerk.locator("#doc-number")).to_have_text("Số: 01/QĐ-UBND")
    expect(clerk.locator("#doc-status")).to_have_text("Đã gửi")
    expect(clerk.locator("#recipients")).to_contain_text("03 — Đã tiếp nhận (vào sổ)")
    # The files are labelled in Vietnamese: the signed copy and the issued main document.
    expect(clerk.get_by_text("Bản đã ký số")).to_be_visible()
    expect(clerk.get_by_text("Văn bản chính")).to_be_visible()
    clerk.screenshot(path=artifacts / "documents-outgoing-issued.png", full_page=True)

    ui.assert_clean()
