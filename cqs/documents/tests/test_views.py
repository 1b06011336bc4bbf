from __future__ import annotations

from typing import Any

from django.test import Client

from cqs.documents.models import Document
from cqs.documents.tests.conftest import COMMITTEE, make_pdf


def login(demo: Any, username: str) -> Client:
    c = Client()
    c.force_login(demo.user(username))
    return c


def test_register_form_shows_a_vietnamese_error_and_keeps_nothing(demo: Any) -> None:
    c = login(demo, "vanthu")
    r = c.post(
        "/quan-tri/van-ban/den/moi/",
        {
            "agency": COMMITTEE,
            "doc_type": "CV",
            "issuer_name": "Sở Tư pháp",
            "summary": "",
            "channel": "paper",
        },
    )
    assert r.status_code == 422
    assert "Vui lòng nhập trích yếu văn bản." in r.content.decode()
    assert not Document.objects.exists()


def test_register_form_creates_and_redirects(demo: Any) -> None:
    c = login(demo, "vanthu")
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(
        "/quan-tri/van-ban/den/moi/",
        {
            "agency": COMMITTEE,
            "doc_type": "CV",
            "issuer_name": "Sở Tư pháp",
            "summary": "Về việc tập huấn",
            "channel": "paper",
            "pages": "2",
            "files": SimpleUploadedFile("scan.pdf", make_pdf("Tập huấn"), "application/pdf"),
        },
    )
    doc = Document.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/quan-tri/van-ban/{doc.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "số đến 1" in page and "Về việc tập huấn" in page and "Không có chữ ký số" in page
    file_id = doc.files.get().pk
    assert c.get(f"/quan-tri/van-ban/{doc.pk}/tep/{file_id}/").status_code == 200
    # another agency's official sees neither the page nor the file
    other = login(demo, "tiepnhan2")
    assert other.get(f"/quan-tri/van-ban/{doc.pk}/").status_code == 404
    assert other.get(f"/quan-tri/van-ban/{doc.pk}/tep/{file_id}/").status_code == 404


def test_pages_need_a_role(demo: Any) -> None:
    assert Client().get("/quan-tri/van-ban/").status_code == 302
    assert login(demo, "congdan").get("/quan-tri/van-ban/").status_code == 403
    assert login(demo, "xuly").get("/quan-tri/van-ban/den/moi/").status_code == 403
    assert login(demo, "xuly").get("/quan-tri/van-ban/lien-thong/").status_code == 403
    assert login(demo, "quantri").get("/quan-tri/van-ban/lien-thong/").status_code == 200
    assert login(demo, "lanhdao").get("/quan-tri/nhiem-vu/").status_code == 200


def test_exchange_endpoint_refuses_get_and_unsigned_posts(demo: Any) -> None:
    c = Client()
    assert c.get("/lien-thong/edxml/").status_code == 405
    r = c.post("/lien-thong/edxml/", b"<x/>", content_type="text/xml")
    assert r.status_code == 401 and r.json()["code"] == "unknown_sender"


def test_api_lists_and_searches_visible_documents(demo: Any, register: Any) -> None:
    doc = register(summary="Về việc phòng chống thiên tai")
    c = login(demo, "vanthu")
    data = c.get("/api/v1/documents?q=thien tai").json()
    assert [d["id"] for d in data] == [doc.pk] and data[0]["number_notation"] == "15/STP-VP"
    assert c.get(f"/api/v1/documents/{doc.pk}").json()["history"][0]["action"] == "registered"
    other = login(demo, "tiepnhan2")
    assert other.get("/api/v1/documents").json() == []
    r = other.get(f"/api/v1/documents/{doc.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
