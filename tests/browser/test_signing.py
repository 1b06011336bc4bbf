"""Digital signatures in a real browser: the leader signs the result, the records clerk seals
it, anyone verifies the file at /xac-thuc-chu-ky/. Screenshots in test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI

pytestmark = pytest.mark.browser


def _dossier_with_result() -> str:
    from cqs.accounts.models import User
    from cqs.catalogue.models import Procedure
    from cqs.dossiers.services import Applicant, dossier_act, dossier_receive
    from cqs.dossiers.storage import Upload
    from cqs.signing.tests.conftest import make_pdf
    from cqs.units.models import Agency

    procedure = Procedure.objects.get(code="1.001193")
    scan = make_pdf("Bản quét giấy tờ")
    d = dossier_receive(
        actor=User.objects.get(username="tiepnhan"),
        desk=Agency.objects.get(code="001.00.20.H49"),
        procedure=procedure,
        applicant=Applicant(kind="citizen", name="Nguyễn Văn An", id_number="022090001234"),
        files=[
            Upload(f"{doc.position}.pdf", scan, requirement=doc.position)
            for doc in procedure.documents.all()
            if doc.mandatory
        ],
    )
    dossier_act(
        actor=User.objects.get(username="xuly"),
        code=d.code,
        action="attach_result",
        files=[Upload("ket-qua.pdf", make_pdf("Trích lục khai sinh"), name="Kết quả giải quyết")],
    )
    return d.code


def _logout(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def test_leader_signs_clerk_seals_anyone_verifies(ui: UI, artifacts: Path, tmp_path: Path) -> None:
    code = _dossier_with_result()
    page = ui.new_page()

    ui.login(page, "lanhdao")
    page.goto(f"/quan-tri/ho-so/{code}/")
    page.get_by_role("button", name="Ký số", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã ký số: Kết quả giải quyết (đã ký số)")
    page.screenshot(path=artifacts / "signing-leader-signed.png", full_page=True)
    _logout(page)

    ui.login(page, "vanthu")
    page.goto(f"/quan-tri/ho-so/{code}/")
    page.get_by_role("button", name="Đóng dấu (ký số cơ quan)").click()
    expect(page.locator(".messages")).to_contain_text("(đã ký số, đóng dấu)")
    page.screenshot(path=artifacts / "signing-clerk-sealed.png", full_page=True)
    href = page.get_by_role("link", name="Kết quả giải quyết (đã ký số, đóng dấu)").get_attribute(
        "href"
    )
    sealed = page.request.get(href).body()
    assert sealed.startswith(b"%PDF")
    signed_file = tmp_path / "ket-qua-da-ky.pdf"
    signed_file.write_bytes(sealed)
    _logout(page)

    # Anyone, not logged in, verifies the file.
    public = ui.new_page()
    public.goto("/")
    public.get_by_role("link", name="Xác thực chữ ký số").click()
    public.get_by_label("Tệp PDF đã ký số").set_input_files(str(signed_file))
    public.get_by_role("button", name="Xác thực", exact=True).click()
    expect(public.locator(".result")).to_contain_text("2 chữ ký số — tất cả hợp lệ.")
    expect(public.locator(".signature").first).to_contain_text("Phạm Quốc Hùng")
    expect(public.locator(".signature").nth(1)).to_contain_text("Ủy ban nhân dân phường Hạ Long")
    expect(public.locator(".verdict").first).to_have_text("Hợp lệ")
    public.screenshot(path=artifacts / "signing-verified.png", full_page=True)

    with public.expect_download() as download:
        public.get_by_label("Tệp PDF đã ký số").set_input_files(str(signed_file))
        public.get_by_role("button", name="Tải báo cáo xác thực (PDF)").click()
    report = Path(download.value.path()).read_bytes()
    assert report.startswith(b"%PDF")

    not_pdf = tmp_path / "anh.pdf"
    not_pdf.write_bytes(b"GIF89a fake")
    public.get_by_label("Tệp PDF đã ký số").set_input_files(str(not_pdf))
    public.get_by_role("button", name="Xác thực", exact=True).click()
    expect(public.get_by_role("alert")).to_have_text("Tệp tải lên không phải là tệp PDF hợp lệ.")
    public.screenshot(path=artifacts / "signing-not-a-pdf.png", full_page=True)
    ui.assert_clean(allow=("status of 422",))  # the not-a-PDF answer above
    assert re.match(r"^/quan-tri/", href)
