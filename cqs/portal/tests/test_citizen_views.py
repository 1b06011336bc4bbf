"""The citizen's pages: online form, drafts, my dossiers, supplement, result, rating."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from cqs.catalogue.models import Procedure
from cqs.dossiers.models import Dossier, DossierDraft
from cqs.dossiers.services import dossier_act
from cqs.dossiers.storage import Upload

BIRTH = "1.001193"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "co-quan": "000.00.20.H49",
    "child_name": "Nguyễn Minh Khang",
    "child_birth_date": "2026-11-02",
    "child_sex": "Nam",
    "child_birth_place": "Bệnh viện Bãi Cháy",
    "mother_name": "Trần Thị Hạnh",
    "copies": "1",
    "nhan-ket-qua": "online",
}


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(response.content.decode())))


@pytest.fixture
def citizen(client: Client, demo: Any) -> Client:
    client.force_login(demo.user("congdan"))
    return client


def _files() -> dict[str, Any]:
    procedure = Procedure.objects.get(code=BIRTH)
    return {
        f"tep-{d.position}": SimpleUploadedFile(f"giay-{d.position}.pdf", PDF + bytes([d.position]))
        for d in procedure.documents.all()
        if d.mandatory
    }


def _submit(client: Client) -> Dossier:
    response = client.post(f"/thu-tuc/{BIRTH}/nop-truc-tuyen/", {**FORM, **_files(), "nop": "1"})
    assert response.status_code == 302, _text(response)
    return Dossier.objects.get(channel="online", applicant_user__username="congdan")


def test_procedure_page_offers_online_submission(client: Client, demo: Any) -> None:
    page = _text(client.get(f"/thu-tuc/{BIRTH}/"))
    assert "Nộp trực tuyến" in page
    assert "chưa nộp trực tuyến được" in _text(client.get("/thu-tuc/1.003583/"))


def test_form_shows_declared_fields_and_papers(citizen: Client) -> None:
    page = _text(citizen.get(f"/thu-tuc/{BIRTH}/nop-truc-tuyen/"))
    for label in ("Họ, chữ đệm và tên người được khai sinh", "Ngày, tháng, năm sinh", "Giới tính"):
        assert label in page
    assert "Thành phần hồ sơ" in page
    assert "Lưu nháp" in page and "Nộp hồ sơ" in page


def test_anonymous_visitor_is_sent_to_login(client: Client, demo: Any) -> None:
    response = client.get(f"/thu-tuc/{BIRTH}/nop-truc-tuyen/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_not_online_procedure_is_refused_with_a_message(citizen: Client) -> None:
    response = citizen.post("/thu-tuc/1.003583/nop-truc-tuyen/", {**FORM, "nop": "1"})
    assert response.status_code == 422
    assert "không cung cấp dịch vụ công trực tuyến" in _text(response)
    assert not DossierDraft.objects.exists()


def test_draft_then_submit(citizen: Client) -> None:
    response = citizen.post(
        f"/thu-tuc/{BIRTH}/nop-truc-tuyen/", {**FORM, "child_name": "", **_files(), "luu-nhap": "1"}
    )
    draft = DossierDraft.objects.get()
    assert response["Location"].endswith(f"?nhap={draft.pk}")
    page = _text(citizen.get(response["Location"]))
    assert "Đã lưu hồ sơ nháp" in page
    assert "Đã đính kèm" in page
    # Submitting without the child's name: the message names the field, the draft stays.
    response = citizen.post(
        f"/thu-tuc/{BIRTH}/nop-truc-tuyen/",
        {**FORM, "child_name": "", "nhap": draft.pk, "nop": "1"},
    )
    assert response.status_code == 422
    assert "Vui lòng nhập «Họ, chữ đệm và tên người được khai sinh»." in _text(response)
    response = citizen.post(
        f"/thu-tuc/{BIRTH}/nop-truc-tuyen/", {**FORM, "nhap": draft.pk, "nop": "1"}, follow=True
    )
    page = _text(response)
    assert "Chờ tiếp nhận" in page
    assert "Nộp hồ sơ trực tuyến" in page  # the timeline's first step
    assert not DossierDraft.objects.exists()


@override_settings(CQS_MAX_UPLOAD_MB=1)
def test_oversized_upload_is_refused_and_nothing_saved(citizen: Client) -> None:
    files = _files()
    files["tep-1"] = SimpleUploadedFile("to-khai.pdf", PDF + b"0" * (1024 * 1024 + 10))
    response = citizen.post(f"/thu-tuc/{BIRTH}/nop-truc-tuyen/", {**FORM, **files, "nop": "1"})
    assert response.status_code == 413
    assert "vượt quá 1 MB" in _text(response)
    assert not DossierDraft.objects.exists()
    assert not Dossier.objects.filter(channel="online").exists()


def test_my_dossiers_lists_only_mine_and_others_are_404(citizen: Client, demo: Any) -> None:
    from cqs.dossiers.services import dossier_receive
    from cqs.dossiers.tests.conftest import DESK, mandatory_uploads
    from cqs.dossiers.tests.conftest import citizen as applicant

    mine = _submit(citizen)
    procedure = Procedure.objects.get(code=BIRTH)
    theirs = dossier_receive(  # a counter dossier of the same person, with no account
        actor=demo.user("tiepnhan"),
        desk=demo.agency(DESK),
        procedure=procedure,
        applicant=applicant(),
        files=mandatory_uploads(procedure),
    )
    page = _text(citizen.get("/ca-nhan/ho-so/"))
    assert mine.code in page
    assert theirs.code not in page
    response = citizen.get(f"/ca-nhan/ho-so/{theirs.code}/")
    assert response.status_code == 404
    file_id = theirs.files.first().pk
    assert citizen.get(f"/ca-nhan/ho-so/{theirs.code}/tep/{file_id}/").status_code == 404


def test_supplement_result_download_and_rating(citizen: Client, demo: Any) -> None:
    dossier = _submit(citizen)
    tiepnhan, lanhdao = demo.user("tiepnhan"), demo.user("lanhdao")
    dossier_act(actor=tiepnhan, code=dossier.code, action="accept_online")
    dossier_act(
        actor=demo.user("xuly"),
        code=dossier.code,
        action="request_supplement",
        reason="Ảnh mờ",
        missing=["Giấy chứng sinh rõ nét"],
    )
    page = _text(citizen.get(f"/ca-nhan/ho-so/{dossier.code}/"))
    assert "Yêu cầu bổ sung hồ sơ" in page and "Giấy chứng sinh rõ nét" in page
    dossier.refresh_from_db()
    response = citizen.post(
        f"/ca-nhan/ho-so/{dossier.code}/",
        {
            "thao-tac": "bo-sung",
            "version": dossier.version,
            "tep": SimpleUploadedFile("chung-sinh.pdf", PDF + b"ro"),
        },
        follow=True,
    )
    assert "Đã gửi hồ sơ bổ sung" in _text(response)
    dossier_act(
        actor=lanhdao,
        code=dossier.code,
        action="attach_result",
        files=[Upload("kq.pdf", PDF + b"ket-qua", name="Giấy khai sinh")],
    )
    dossier_act(actor=lanhdao, code=dossier.code, action="approve")
    dossier_act(actor=tiepnhan, code=dossier.code, action="return_result", method="online")
    page = _text(citizen.get(f"/ca-nhan/ho-so/{dossier.code}/"))
    assert "Tải kết quả: Giấy khai sinh" in page
    result = dossier.files.get(kind="result")
    download = citizen.get(f"/ca-nhan/ho-so/{dossier.code}/tep/{result.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF + b"ket-qua"
    scores = {
        "access": "5",
        "procedure_clarity": "4",
        "officers": "5",
        "result": "5",
        "timeliness": "3",
    }
    response = citizen.post(
        f"/ca-nhan/ho-so/{dossier.code}/", {"thao-tac": "danh-gia", **scores}, follow=True
    )
    assert "Cảm ơn bạn đã đánh giá" in _text(response)
    assert "Bạn đã đánh giá: 4/5." in _text(response)
    again = citizen.post(f"/ca-nhan/ho-so/{dossier.code}/", {"thao-tac": "danh-gia", **scores})
    assert again.status_code == 409
    assert "Mỗi hồ sơ chỉ đánh giá một lần" in _text(again)


def test_withdraw_needs_a_reason(citizen: Client) -> None:
    dossier = _submit(citizen)
    response = citizen.post(
        f"/ca-nhan/ho-so/{dossier.code}/",
        {"thao-tac": "rut", "reason": "", "version": dossier.version},
    )
    assert response.status_code == 422
    assert "Vui lòng ghi lý do rút hồ sơ." in _text(response)
    response = citizen.post(
        f"/ca-nhan/ho-so/{dossier.code}/",
        {"thao-tac": "rut", "reason": "Nộp nhầm", "version": dossier.version},
        follow=True,
    )
    assert "Đã rút hồ sơ" in _text(response)


def test_cached_procedure_page_follows_a_catalogue_import(
    client: Client, demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cqs.catalogue.services import catalogue_import
    from cqs.catalogue.tests.helpers import demo_entry

    assert "Thủ tục đăng ký khai sinh" in _text(client.get(f"/thu-tuc/{BIRTH}/"))
    entry = {**demo_entry(BIRTH)}  # a copy: the helper may share its list
    entry["requirements"] = "Điều kiện mới: nộp trong 60 ngày kể từ ngày sinh."
    with django_capture_on_commit_callbacks(execute=True):
        report = catalogue_import(actor=None, entries=[entry])
    assert report.updated == [BIRTH]
    assert "Điều kiện mới: nộp trong 60 ngày" in _text(client.get(f"/thu-tuc/{BIRTH}/"))
