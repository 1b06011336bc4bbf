from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from cqs.reports.models import Report
from cqs.reports.services import report_act, report_moderate
from cqs.reports.tests.conftest import jpeg_with_gps
from cqs.reports.workflow import Status

pytestmark = pytest.mark.django_db


def _form(**kw: Any) -> dict[str, Any]:
    data = {
        "linh_vuc": "trat-tu-do-thi",
        "noi_dung": "Đèn chiếu sáng hỏng cả đoạn đường, buổi tối rất tối.",
        "lat": "20.951500",
        "lon": "107.078000",
        "xa": "06688",
        "dia_chi": "Đường Trần Hưng Đạo",
        "ho_ten": "Người dân",
        "dien_thoai": "0987654321",
    }
    data.update(kw)
    return data


def test_pages_render(client: Client, submit: Any) -> None:
    report = submit()
    for url in (
        "/phan-anh/",
        "/phan-anh/gui/",
        "/phan-anh/theo-doi/",
        f"/phan-anh/theo-doi/{report.code}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<script>alert" not in response.content


def test_anonymous_submit_with_photo_and_track(client: Client) -> None:
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post("/phan-anh/gui/", {**_form(), "photos": photo})
    assert response.status_code == 302
    report = Report.objects.latest("id")
    assert f"khoa={report.token}" in response["Location"]
    page = client.get(response["Location"])
    assert report.code in page.content.decode()
    photo_url = f"/phan-anh/anh/{report.code}/{report.photos.get().pk}?khoa={report.token}"
    assert client.get(photo_url).status_code == 200
    assert client.get(f"/phan-anh/anh/{report.code}/{report.photos.get().pk}").status_code == 404


def test_nearby_suggested_before_sending(client: Client, submit: Any) -> None:
    existing = submit()
    response = client.post("/phan-anh/gui/", _form())
    assert response.status_code == 200
    assert existing.code in response.content.decode()
    assert Report.objects.count() == 1 + Report.objects.exclude(pk=existing.pk).count()
    before = Report.objects.count()
    response = client.post("/phan-anh/gui/", _form(gui_moi="1"))
    assert response.status_code == 302
    assert Report.objects.count() == before + 1
    live = client.get(
        "/phan-anh/goi-y/", {"linh_vuc": "trat-tu-do-thi", "lat": "20.9515", "lon": "107.078"}
    )
    assert existing.code in live.content.decode()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"lat": "13.75", "lon": "100.5"}, "ngoài lãnh thổ Việt Nam"),
        ({"noi_dung": "ngắn"}, "ít nhất 10 ký tự"),
        ({"dien_thoai": "", "ho_ten": ""}, "số điện thoại hoặc email"),
    ],
)
def test_bad_input_shows_error(client: Client, kw: dict[str, str], message: str) -> None:
    before = Report.objects.count()
    response = client.post("/phan-anh/gui/", _form(**kw))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Report.objects.count() == before


def test_non_image_photo_refused(client: Client) -> None:
    fake = SimpleUploadedFile(
        "a.jpg", b"<html><script>x</script></html>", content_type="image/jpeg"
    )
    response = client.post("/phan-anh/gui/", {**_form(), "photos": fake})
    assert response.status_code == 422
    assert "không phải ảnh" in response.content.decode()


@override_settings(CQS_REPORTS_PHOTO_MAX_MB=0.01)
def test_oversized_photo_413(client: Client) -> None:
    big = SimpleUploadedFile("a.jpg", jpeg_with_gps() + b"\0" * 50_000, content_type="image/jpeg")
    before = Report.objects.count()
    response = client.post("/phan-anh/gui/", {**_form(), "photos": big})
    assert response.status_code == 413
    assert "quá lớn" in response.content.decode()
    assert Report.objects.count() == before


def test_script_in_description_is_escaped(client: Client, submit: Any, demo: Any) -> None:
    report = submit(description="<script>alert(1)</script> rác thải ở chợ")
    report_moderate(
        actor=demo.user("truongphong"),
        code=report.code,
        public_description=report.description,
        publish=True,
    )
    for url in ("/phan-anh/", f"/phan-anh/theo-doi/{report.code}/"):
        body = client.get(url).content.decode()
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)" in body
    client.force_login(demo.user("truongphong"))
    body = client.get(f"/quan-tri/phan-anh/{report.code}/").content.decode()
    assert "<script>alert(1)" not in body


def test_public_list_shows_only_moderated(client: Client, submit: Any, demo: Any) -> None:
    hidden = submit()
    shown = submit(description="Cây đổ chắn ngang đường, cần cưa dọn gấp.")
    report_moderate(
        actor=demo.user("truongphong"),
        code=shown.code,
        public_description=shown.description,
        publish=True,
    )
    body = client.get("/phan-anh/").content.decode()
    assert shown.code in body and hidden.code not in body
    assert client.get("/phan-anh/?linh_vuc=moi-truong").content.decode().count(shown.code) == 0


def test_staff_queue_scoped(client: Client, submit: Any, demo: Any) -> None:
    report = submit()
    client.force_login(demo.user("truongphong"))
    assert report.code in client.get("/quan-tri/phan-anh/").content.decode()
    client.force_login(demo.user("tiepnhan2"))
    assert report.code not in client.get("/quan-tri/phan-anh/?hop=all").content.decode()
    assert client.get(f"/quan-tri/phan-anh/{report.code}/").status_code == 404
    client.force_login(demo.user("congdan"))
    assert client.get("/quan-tri/phan-anh/").status_code == 403


def test_staff_transfer_and_resolve_through_pages(client: Client, submit: Any, demo: Any) -> None:
    report = submit()
    client.force_login(demo.user("truongphong"))
    url = f"/quan-tri/phan-anh/{report.code}/"
    response = client.post(url, {"action": "verify", "version": "1"})
    assert response.status_code == 302
    response = client.post(url, {"action": "assign", "assignee": "xuly", "version": "1"})
    assert response.status_code == 409 or "thay đổi" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "resolve",
            "answer": "Đã thay bóng đèn.",
            "version": "2",
            "photos": SimpleUploadedFile("s.jpg", jpeg_with_gps()),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.photos.filter(kind="after").count() == 1


def test_citizen_dispute_page(client: Client, submit: Any, demo: Any) -> None:
    report = submit()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("verify", {}),
        ("resolve", {"answer": "Đã xử lý xong việc này."}),
    ]
    for action, kw in steps:
        report_act(actor=demo.user("truongphong"), code=report.code, action=action, **kw)
    client.force_login(demo.user("congdan"))
    url = f"/phan-anh/theo-doi/{report.code}/"
    assert "Không đồng ý với kết quả" in client.get(url).content.decode()
    response = client.post(url, {"action": "dispute", "ly_do": "Đèn vẫn chưa sáng."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DISPUTED
    client.force_login(demo.user("truongphong"))
    assert report.code in client.get("/quan-tri/phan-anh/").content.decode()


def test_open311_keys_page(client: Client, demo: Any) -> None:
    client.force_login(demo.user("truongphong"))
    assert client.get("/quan-tri/phan-anh/khoa-open311/").status_code == 403
    client.force_login(demo.user("quantri"))
    response = client.post("/quan-tri/phan-anh/khoa-open311/", {"action": "create", "name": "App"})
    assert response.status_code == 200
    assert "o311_" in response.content.decode()
