"""Paying a dossier's fee in a real browser: a citizen on a 390-px phone goes from the pay
page to the sandbox VNPAY gateway and back, the IPN (a real HTTP call from the sandbox to the
live server) marks it paid and issues the e-receipt; a cancelled payment shows why; the
officer sees both in the day's reconciliation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _dossier() -> Any:
    from cqs.accounts.models import User
    from cqs.catalogue.models import Procedure
    from cqs.dossiers.services import Applicant, dossier_receive
    from cqs.dossiers.tests.conftest import mandatory_uploads
    from cqs.units.models import Agency

    procedure = Procedure.objects.get(code="1.001193")  # 8.000 đồng
    return dossier_receive(
        actor=User.objects.get(username="tiepnhan"),
        desk=Agency.objects.get(code="001.00.20.H49"),
        procedure=procedure,
        applicant=Applicant(
            kind="citizen",
            name="Nguyễn Văn An",
            id_number="022090001234",
            phone="0912345678",
            user=User.objects.get(username="congdan"),
        ),
        files=mandatory_uploads(procedure),
    )


def test_citizen_pays_in_the_sandbox_gateway(ui: UI, artifacts: Path) -> None:
    from cqs.payments.models import Payment
    from cqs.payments.selectors import fee_due

    paid, cancelled = _dossier(), _dossier()
    phone = ui.new_page(**PHONE)
    ui.login(phone, "congdan")

    phone.goto(f"/thanh-toan/{paid.code}/")
    expect(phone.locator("#so-tien")).to_have_text("8.000 đồng")
    phone.screenshot(path=artifacts / "payments-phone-start.png", full_page=True)
    phone.get_by_role("button", name="Thanh toán").click()
    expect(phone).to_have_url(re.compile(r"/sandbox-vnpay/paymentv2/vpcpay\.html\?"))
    expect(phone.locator("#sandbox-so-tien")).to_have_text("8.000 VND")
    phone.get_by_label("Ngân hàng").select_option("VCB")
    phone.screenshot(path=artifacts / "payments-phone-gateway.png", full_page=True)
    phone.get_by_role("button", name="Thanh toán").click()
    expect(phone.locator("#ket-qua")).to_have_text("Thanh toán thành công.")
    receipt_link = phone.get_by_role("link", name="Tải biên lai điện tử (PDF)")
    expect(receipt_link).to_be_visible()
    expect(phone.get_by_role("link", name="Xem hồ sơ của tôi")).to_have_attribute(
        "href", re.compile(r"^/ca-nhan/")
    )
    phone.screenshot(path=artifacts / "payments-phone-result.png", full_page=True)
    pdf = phone.request.get(receipt_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    payment = Payment.objects.get(dossier=paid, status="paid")
    assert payment.bank_code == "VCB" and payment.gateway_txn_no
    assert fee_due(paid) == 0
    # Nothing left to pay: the page says so and offers no button.
    phone.goto(f"/thanh-toan/{paid.code}/")
    expect(phone.get_by_text("Hồ sơ không còn phí, lệ phí phải nộp.")).to_be_visible()
    expect(phone.get_by_role("button", name="Thanh toán")).to_have_count(0)

    # The citizen cancels at the gateway: told why, nothing paid, may pay again (keyboard).
    phone.goto(f"/thanh-toan/{cancelled.code}/")
    phone.get_by_role("button", name="Thanh toán").click()
    phone.get_by_role("button", name="Hủy giao dịch").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("#ket-qua")).to_contain_text("Khách hàng hủy giao dịch")
    expect(phone.get_by_role("link", name="Thanh toán lại")).to_be_visible()
    assert fee_due(cancelled) == 8000

    # The officer's reconciliation of the day at desktop width.
    desk = ui.new_page(**DESKTOP)
    ui.login(desk, "tiepnhan")
    desk.goto("/quan-tri/thanh-toan/doi-soat/")
    table = desk.locator("#doi-soat")
    expect(table).to_contain_text(paid.code)
    expect(table).to_contain_text("Không thành công")
    expect(desk.locator("#tong-hop")).to_contain_text("1 giao dịch · 8.000 đồng")
    desk.screenshot(path=artifacts / "payments-desktop-reconciliation.png", full_page=True)
    desk.goto(f"/quan-tri/ho-so/{paid.code}/")
    expect(desk.locator("#thanh-toan")).to_contain_text("Đã thanh toán")
    desk.screenshot(path=artifacts / "payments-desktop-dossier.png", full_page=True)
    ui.assert_clean()
