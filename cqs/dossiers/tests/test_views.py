from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cqs.catalogue.models import Procedure
from cqs.dossiers.models import Dossier, IntakeNotice
from cqs.dossiers.tests.conftest import BIRTH, PDF

INTAKE = "/quan-tri/ho-so/tiep-nhan/"


def _form(**over: Any) -> dict[str, Any]:
    procedure = Procedure.objects.get(code=BIRTH)
    data: dict[str, Any] = {
        "kind": "citizen",
        "name": "Nguyễn Văn An",
        "id_number": "022090001234",
        "phone": "0912345678",
        "email": "",
        "address": "Hạ Long",
        "result_delivery": "counter",
    }
    for d in procedure.documents.all():
        if d.mandatory:
            data[f"tep-{d.position}"] = SimpleUploadedFile(
                f"{d.position}.pdf", PDF, "application/pdf"
            )
    data.update(over)
    return data


def test_counter_intake_page_flow(client: Client, demo: Any) -> None:
    client.force_login(demo.user("tiepnhan"))
    pick = client.get(INTAKE)
    assert pick.status_code == 200
    assert "Thủ tục đăng ký khai sinh" in pick.content.decode()
    page = client.get(INTAKE, {"thu-tuc": BIRTH})
    assert "Giấy chứng sinh" in page.content.decode()
    response = client.post(f"{INTAKE}?thu-tuc={BIRTH}", _form())
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/quan-tri/ho-so/{dossier.code}/"
    detail = client.get(response["Location"]).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in detail
    assert "Giấy tiếp nhận và hẹn trả kết quả (PDF)" in detail
    receipt = client.get(f"/quan-tri/ho-so/{dossier.code}/phieu/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf"


def test_bad_intake_form_shows_vietnamese_errors(client: Client, demo: Any) -> None:
    client.force_login(demo.user("tiepnhan"))
    response = client.post(
        f"{INTAKE}?thu-tuc={BIRTH}",
        _form(id_number="123", **{"tep-1": SimpleUploadedFile("x.pdf", b"GIF89a")}),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Hồ sơ chưa đầy đủ, hợp lệ" in page
    assert "12 chữ số" in page
    assert "không phải PDF, JPEG hoặc PNG" in page
    assert not Dossier.objects.exists()


def test_intake_notice_from_the_counter(client: Client, demo: Any) -> None:
    client.force_login(demo.user("tiepnhan"))
    data = _form(
        phieu="supplement", thieu=["Giấy chứng sinh"], **{"ly-do": "Thiếu giấy chứng sinh"}
    )
    response = client.post(f"{INTAKE}?thu-tuc={BIRTH}", data)
    assert response.status_code == 302
    notice = IntakeNotice.objects.get()
    pdf = client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    assert not Dossier.objects.exists()
    client.force_login(demo.user("tiepnhan2"))
    assert client.get(f"/quan-tri/phieu-tai-quay/{notice.pk}.pdf").status_code == 404


def test_actions_from_the_dossier_page(client: Client, demo: Any) -> None:
    client.force_login(demo.user("tiepnhan"))
    client.post(f"{INTAKE}?thu-tuc={BIRTH}", _form())
    dossier = Dossier.objects.get()
    url = f"/quan-tri/ho-so/{dossier.code}/"
    client.force_login(demo.user("xuly"))
    page = client.get(url).content.decode()
    assert "Chuyển bước tiếp theo" in page
    ok = client.post(url, {"thao-tac": "forward", "version": dossier.version})
    assert ok.status_code == 302
    stale = client.post(url, {"thao-tac": "forward", "version": dossier.version})
    assert stale.status_code == 409
    assert "người khác xử lý" in stale.content.decode()
    client.force_login(demo.user("lanhdao"))
    dossier.refresh_from_db()
    missing_reason = client.post(url, {"thao-tac": "reject", "version": dossier.version})
    assert missing_reason.status_code == 422
    assert "Vui lòng ghi lý do từ chối." in missing_reason.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == "processing"


def test_inbox_tabs_and_scope(client: Client, demo: Any) -> None:
    client.force_login(demo.user("tiepnhan"))
    client.post(f"{INTAKE}?thu-tuc={BIRTH}", _form())
    code = Dossier.objects.get().code
    client.force_login(demo.user("xuly"))
    assert code in client.get("/quan-tri/ho-so/").content.decode()
    assert code in client.get("/quan-tri/ho-so/", {"q": "nguyen van an"}).content.decode()
    assert code not in client.get("/quan-tri/ho-so/", {"hop": "done"}).content.decode()
    assert client.get("/quan-tri/ho-so/", {"sau": "%%%"}).status_code == 200
    client.force_login(demo.user("tiepnhan2"))
    assert code not in client.get("/quan-tri/ho-so/").content.decode()
    assert client.get(f"/quan-tri/ho-so/{code}/").status_code == 404
    client.force_login(demo.user("xuly"))
    assert client.get(INTAKE).status_code == 403
