"""What the reporter adds after sending (photos, a note), its moderation, and the Open311
service request updates extension as FixMyStreet / mySociety's open311-adapter define it
(GET and POST servicerequestupdates, root ``service_request_updates``, items ``request_update``).
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from cqs.audit.models import AuditEvent
from cqs.core.errors import PayloadTooLarge, PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.reports.models import PhotoKind, PhotoReview, Report, ReportPhoto
from cqs.reports.photos import PhotoUpload, read_file
from cqs.reports.selectors import report_queue, report_timeline
from cqs.reports.services import (
    Contact,
    open311_key_create,
    report_act,
    report_moderate,
    report_supplement,
)
from cqs.reports.tests.conftest import jpeg_with_gps
from cqs.reports.tests.test_open311 import BASE, GeoReportClient
from cqs.reports.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["json", "xml"])
def o311(request: Any, demo: Any) -> GeoReportClient:
    _, raw = open311_key_create(actor=demo.user("quantri"), name="FixMyStreet")
    return GeoReportClient(Client(), raw, request.param)


def _photo(name: str = "them.jpg") -> PhotoUpload:
    return PhotoUpload(name, jpeg_with_gps())


def _publish(report: Report, demo: Any, **kw: Any) -> None:
    report_moderate(
        actor=demo.user("truongphong"),
        code=report.code,
        public_description=report.description,
        publish=True,
        **kw,
    )


# --- Service ----------------------------------------------------------------------------------


def test_reporter_adds_photos_waiting_for_review(submit: Any, demo: Any) -> None:
    report = submit()
    added = report_supplement(
        actor=demo.user("congdan"), code=report.code, note="Ảnh chụp sáng nay.", photos=[_photo()]
    )
    assert added.photos == 1
    photo = report.photos.get()
    assert photo.review == PhotoReview.PENDING and photo.kind == PhotoKind.BEFORE
    public = Image.open(io.BytesIO(read_file(photo.public)))
    assert dict(public.getexif()) == {} and "exif" not in public.info  # GPS gone
    report.refresh_from_db()
    assert report.status == Status.RECEIVED  # an update does not move the workflow
    event = report.events.get(type="supplement")
    assert event.is_public is False and event.note == "Ảnh chụp sáng nay."
    assert event not in report_timeline(report)  # the public timeline does not show it
    assert event in report_timeline(report, private=True)
    assert AuditEvent.objects.filter(action="report.supplement", object_id=str(report.pk)).exists()


def test_anonymous_reporter_by_key_or_email(demo: Any, submit: Any) -> None:
    report = submit(actor=None, contact=Contact(phone="0987654321", email="Dan@Example.invalid"))
    report_supplement(actor=None, code=report.code, photos=[_photo()], reporter_key=report.token)
    report_supplement(actor=None, code=report.code, note="Thêm.", email="dan@example.invalid")
    assert report.events.filter(type="supplement").count() == 2


@pytest.mark.parametrize(
    "who", [{"actor": None}, {"actor": None, "reporter_key": "x" * 32}, {"email": "a@b.invalid"}]
)
def test_only_the_reporter_may_add(submit: Any, demo: Any, who: dict[str, Any]) -> None:
    report = submit()
    kw = {"actor": demo.user("doanhnghiep"), **who}
    with pytest.raises(PermissionDenied):
        report_supplement(code=report.code, photos=[_photo()], **kw)
    assert not ReportPhoto.objects.filter(report=report).exists()


def test_nothing_after_final_state(submit: Any, demo: Any) -> None:
    report = submit()
    report_act(
        actor=demo.user("truongphong"),
        code=report.code,
        action="reject",
        reason="out_of_scope",
        note="Không thuộc phạm vi của phường.",
    )
    with pytest.raises(TransitionNotAllowed, match="không thể bổ sung"):
        report_supplement(actor=demo.user("congdan"), code=report.code, photos=[_photo()])


def test_bad_photos_write_nothing(submit: Any, demo: Any, settings: Any) -> None:
    report = submit(photos=[_photo(f"{i}.jpg") for i in range(4)])
    congdan = demo.user("congdan")
    with pytest.raises(ValidationError, match="tối đa 5 ảnh"):
        report_supplement(actor=congdan, code=report.code, photos=[_photo(), _photo()])
    with pytest.raises(ValidationError, match="không phải ảnh"):
        report_supplement(actor=congdan, code=report.code, photos=[PhotoUpload("a.jpg", b"%PDF-")])
    settings.CQS_REPORTS_PHOTO_MAX_MB = 0.0001  # about 100 bytes
    with pytest.raises(PayloadTooLarge):
        report_supplement(actor=congdan, code=report.code, photos=[_photo()])
    with pytest.raises(ValidationError, match="chọn ảnh"):
        report_supplement(actor=congdan, code=report.code, note="   ")
    assert report.photos.count() == 4
    assert not report.events.filter(type="supplement").exists()


def test_moderation_publishes_or_withholds_added_photos(
    client: Client, submit: Any, demo: Any
) -> None:
    report = submit()
    _publish(report, demo)
    report_supplement(
        actor=demo.user("congdan"), code=report.code, photos=[_photo("a.jpg"), _photo("b.jpg")]
    )
    first, second = report.photos.order_by("id")
    url = f"/phan-anh/anh/{report.code}/{first.pk}"
    assert client.get(url).status_code == 404  # the public does not see pending photos
    truongphong = demo.user("truongphong")
    assert report in report_queue(truongphong, box="moderation")
    _publish(report, demo, withhold_photos=[second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review, second.review) == (PhotoReview.APPROVED, PhotoReview.WITHHELD)
    assert client.get(url).status_code == 200
    assert client.get(f"/phan-anh/anh/{report.code}/{second.pk}").status_code == 404
    assert report not in report_queue(truongphong, box="moderation")


def test_public_timeline_masks_personal_data(client: Client, submit: Any, demo: Any) -> None:
    report = submit()
    truongphong = demo.user("truongphong")
    report_act(actor=truongphong, code=report.code, action="verify")
    report_act(actor=truongphong, code=report.code, action="resolve", answer="Đã dọn sạch vỉa hè.")
    report_act(
        actor=demo.user("congdan"),
        code=report.code,
        action="dispute",
        note="Vẫn còn lấn chiếm, gọi tôi 0912 345 678.",
    )
    body = client.get(f"/phan-anh/theo-doi/{report.code}/").content.decode()
    assert "0912 345 678" not in body and "[đã ẩn số điện thoại]" in body


# --- Tracking page ----------------------------------------------------------------------------


def test_tracking_page_offers_adding_photos(client: Client, submit: Any, demo: Any) -> None:
    report = submit(actor=None, contact=Contact(phone="0987654321"))
    url = f"/phan-anh/theo-doi/{report.code}/"
    assert "Bổ sung ảnh" not in client.get(url).content.decode()  # strangers see no form
    page = client.get(url, {"khoa": report.token}).content.decode()
    assert "Bổ sung ảnh" in page and "tối đa 5 ảnh" in page
    photo = SimpleUploadedFile("moi.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        url, {"action": "supplement", "khoa": report.token, "photos": photo}, follow=True
    )
    body = response.content.decode()
    assert "Đã bổ sung 1 ảnh" in body and "Chờ duyệt" in body
    assert report.photos.get().review == PhotoReview.PENDING
    # Without the key the same post is refused with a message, and nothing is stored.
    photo = SimpleUploadedFile("moi.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(url, {"action": "supplement", "photos": photo})
    assert response.status_code == 422
    assert "Chỉ người gửi phản ánh" in response.content.decode()
    assert report.photos.count() == 1


def test_tracking_page_refuses_a_non_image(client: Client, submit: Any, demo: Any) -> None:
    report = submit()
    client.force_login(demo.user("congdan"))
    fake = SimpleUploadedFile("a.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = client.post(
        f"/phan-anh/theo-doi/{report.code}/", {"action": "supplement", "photos": fake}
    )
    assert response.status_code == 422
    assert "không phải ảnh JPEG, PNG hoặc WebP" in response.content.decode()
    assert report.photos.count() == 0


def test_staff_page_lets_the_moderator_withhold(client: Client, submit: Any, demo: Any) -> None:
    report = submit()
    report_supplement(actor=demo.user("congdan"), code=report.code, photos=[_photo()])
    client.force_login(demo.user("truongphong"))
    url = f"/quan-tri/phan-anh/{report.code}/"
    page = client.get(url).content.decode()
    assert "1 ảnh chờ duyệt" in page and "Không công khai ảnh bổ sung 1" in page
    photo = report.photos.get()
    response = client.post(
        url,
        {
            "action": "moderate",
            "public_description": report.description,
            "publish": "1",
            "giu_anh": str(photo.pk),
        },
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.review == PhotoReview.WITHHELD


# --- Open311 servicerequestupdates ------------------------------------------------------------


def _post_update(o311: GeoReportClient, files: dict[str, Any] | None = None, **params: Any) -> Any:
    data = {
        "api_key": o311.api_key,
        "update_id": "fms-1",
        "status": "OPEN",
        "updated_datetime": "2026-03-02T09:00:00+07:00",
        "description": "Ảnh chụp thêm",
        **params,
        **(files or {}),
    }
    data = {k: v for k, v in data.items() if v is not None}
    response = o311.client.post(f"{BASE}/servicerequestupdates.{o311.fmt}", data)
    return response.status_code, o311._parse(response)


def test_get_updates_feed(o311: GeoReportClient, submit: Any, demo: Any) -> None:
    report = submit()
    truongphong = demo.user("truongphong")
    report_act(actor=truongphong, code=report.code, action="verify")
    report_act(
        actor=truongphong,
        code=report.code,
        action="resolve",
        answer="Đã dọn dẹp, gọi 0912345678 nếu cần.",
        photos=[PhotoUpload("sau.jpg", jpeg_with_gps())],
    )
    _publish(report, demo)
    other = submit(description="Một phản ánh khác về rác thải.")
    status, body = o311.get("servicerequestupdates", service_request_id=report.code)
    assert status == 200
    if o311.fmt == "xml":
        assert body.tag == "service_request_updates"
        assert {item.tag for item in body} == {"request_update"}
    rows = o311.rows(body)
    assert [r["status"] for r in rows] == ["open", "investigating", "fixed"]
    assert all(isinstance(r["update_id"], str) and r["update_id"] for r in rows)
    assert {r["service_request_id"] for r in rows} == {report.code}
    fixed = rows[-1]
    assert fixed["external_status_code"] == "resolved"
    assert "0912345678" not in fixed["description"] and "đã ẩn" in fixed["description"]
    assert fixed["media_url"].endswith(
        f"/phan-anh/anh/{report.code}/{report.photos.get(kind='after').pk}"
    )
    assert (rows[0]["media_url"] or "") == ""
    # The feed without a request id covers every report in the window, oldest first.
    status, body = o311.get("servicerequestupdates")
    codes = [r["service_request_id"] for r in o311.rows(body)]
    assert codes.count(report.code) == 3 and other.code in codes
    # A window in the past holds nothing; one over 90 days is refused.
    start = (timezone.now() - timedelta(days=60)).isoformat()
    end = (timezone.now() - timedelta(days=30)).isoformat()
    status, body = o311.get("servicerequestupdates", start_date=start, end_date=end)
    assert status == 200 and o311.rows(body) == []
    status, body = o311.get(
        "servicerequestupdates",
        start_date="2026-01-01T00:00:00+07:00",
        end_date="2026-06-01T00:00:00+07:00",
    )
    assert status == 400
    assert o311.errors(body)[0] == {
        "code": 400,
        "description": "start_date and end_date may be at most 90 days apart",
    }


def test_get_updates_paging(o311: GeoReportClient, submit: Any, demo: Any) -> None:
    report = submit()
    report_act(actor=demo.user("truongphong"), code=report.code, action="verify")
    response = o311.client.get(
        f"{BASE}/servicerequestupdates.{o311.fmt}",
        {"service_request_id": report.code, "page_size": "1"},
    )
    assert response.status_code == 200 and len(o311.rows(o311._parse(response))) == 1
    assert "page=2" in response["Link"] and 'rel="next"' in response["Link"]


def test_post_update_with_media_by_token(o311: GeoReportClient, submit: Any) -> None:
    report = submit(actor=None, contact=Contact(email="dan@example.invalid"))
    media = SimpleUploadedFile("sau.jpg", jpeg_with_gps(), content_type="image/jpeg")
    status, body = _post_update(
        o311, service_request_id=report.code, token=report.token, files={"media": media}
    )
    assert status == 201, body
    [row] = o311.rows(body)
    if o311.fmt == "xml":
        assert body.tag == "service_request_updates" and body[0].tag == "request_update"
    event = report.events.get(type="supplement")
    assert row["update_id"] == str(event.pk)
    assert event.data["client_update_id"] == "fms-1" and event.data["source"] == "open311"
    assert report.photos.get().review == PhotoReview.PENDING
    # The client retries the same update (its answer was lost): the same update, once.
    status, body = _post_update(
        o311,
        service_request_id=report.code,
        token=report.token,
        files={"media": SimpleUploadedFile("sau.jpg", jpeg_with_gps())},
    )
    assert status == 201 and o311.rows(body)[0]["update_id"] == str(event.pk)
    assert report.photos.count() == 1
    # By the e-mail given when reporting, with a remote link kept for staff (not fetched).
    status, body = _post_update(
        o311,
        service_request_id=report.code,
        email="dan@example.invalid",
        update_id="fms-2",
        media_url="https://fixmystreet.example/photo/1.jpeg",
    )
    assert status == 201
    assert "https://fixmystreet.example/photo/1.jpeg" in report.events.last().note


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"api_key": "o311_wrong"}, 403, "api_key"),
        ({"token": "not-the-token"}, 403, "original requester"),
        ({"token": None, "email": "someone@else.invalid"}, 403, "original requester"),
        ({"service_request_id": "PA260101-ZZZZZZ"}, 404, "not found"),
        ({"status": "DONE"}, 400, "status must be one of"),
        ({"update_id": None, "updated_datetime": "hôm qua"}, 400, "update_id is required"),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url must be http(s)"),
    ],
)
def test_post_update_errors(
    o311: GeoReportClient,
    submit: Any,
    params: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    report = submit()
    data = {"service_request_id": report.code, "token": report.token, **params}
    got, body = _post_update(o311, **data)
    assert got == status
    errors = o311.errors(body)
    assert all(e["code"] == status for e in errors)
    assert any(fragment in e["description"] for e in errors), errors
    if fragment == "update_id is required":
        assert any("updated_datetime must be a W3C datetime" in e["description"] for e in errors)
    assert not report.events.filter(type="supplement").exists()


def test_post_update_photo_checks(o311: GeoReportClient, submit: Any, settings: Any) -> None:
    report = submit()
    fake = SimpleUploadedFile("a.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    status, body = _post_update(
        o311, service_request_id=report.code, token=report.token, files={"media": fake}
    )
    assert status == 400 and "không phải ảnh" in o311.errors(body)[0]["description"]
    settings.CQS_REPORTS_PHOTO_MAX_MB = 0.01
    big = SimpleUploadedFile("b.jpg", jpeg_with_gps() + b"\0" * 20_000)
    status, body = _post_update(
        o311, service_request_id=report.code, token=report.token, files={"media": big}
    )
    assert status == 413 and o311.errors(body)[0]["code"] == 413
    assert report.photos.count() == 0


def test_post_update_on_closed_request(o311: GeoReportClient, submit: Any, demo: Any) -> None:
    report = submit()
    report_act(
        actor=demo.user("truongphong"),
        code=report.code,
        action="reject",
        reason="out_of_scope",
        note="Không thuộc phạm vi.",
    )
    status, body = _post_update(o311, service_request_id=report.code, token=report.token)
    assert status == 400
    assert "không thể bổ sung" in o311.errors(body)[0]["description"]
