"""API and public page: verify (anyone), verification report PDF, sign, dashboard stats."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cqs.signing.services import pdf_seal, pdf_sign
from cqs.signing.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def signed(demo, pdf):
    return pdf_seal(
        actor=demo.user("vanthu"),
        pdf=pdf_sign(actor=demo.user("lanhdao"), pdf=pdf, context="dossier:API-1"),
        context="dossier:API-1",
    )


def test_api_verify_is_public_and_reports_each_signature(client, signed):
    r = client.post("/api/v1/signatures/verify", {"file": _upload(signed)})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["signature_count"] == 2
    assert body["all_valid"] is True
    first, second = body["signatures"]
    assert first["signer"] == "Phạm Quốc Hùng"
    assert first["kind"] == "personal"
    assert second["kind"] == "seal"
    assert second["integrity"] == "intact"
    assert second["revocation"] == "good"
    assert first["chain_trusted"] is True
    assert first["signing_time"]


def test_api_verify_bad_input_is_4xx_json(client, settings):
    r = client.post("/api/v1/signatures/verify", {"file": _upload(b"hello", "a.pdf")})
    assert r.status_code == 422
    assert r.json()["code"] == "not_a_pdf"
    assert r.json()["message"] == "Tệp tải lên không phải là tệp PDF hợp lệ."
    r = client.post("/api/v1/signatures/verify", {})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    settings.CQS_SIGNING_MAX_MB = 0
    r = client.post("/api/v1/signatures/verify", {"file": _upload(make_pdf())})
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


def test_api_verify_report_pdf_contains_the_findings(client, signed, tmp_path):
    r = client.post("/api/v1/signatures/verify/report", {"file": _upload(signed)})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=False, capture_output=True, text=True
    ).stdout
    assert "KẾT QUẢ XÁC THỰC CHỮ KÝ SỐ" in text
    assert "Phạm Quốc Hùng" in text
    assert "TẤT CẢ CHỮ KÝ HỢP LỆ" in text


def test_api_sign_needs_login_and_certificate(client, demo, pdf):
    r = client.post("/api/v1/signatures/sign", {"file": _upload(pdf)})
    assert r.status_code == 401
    client.force_login(demo.user("xuly"))
    r = client.post("/api/v1/signatures/sign", {"file": _upload(pdf)})
    assert r.status_code == 422
    assert r.json()["code"] == "no_certificate"
    client.force_login(demo.user("lanhdao"))
    r = client.post("/api/v1/signatures/sign", {"file": _upload(pdf)})
    assert r.status_code == 200
    assert r.content.startswith(pdf)
    client.force_login(demo.user("vanthu"))
    r = client.post("/api/v1/signatures/sign", {"file": _upload(r.content), "seal": "true"})
    assert r.status_code == 200
    verified = client.post("/api/v1/signatures/verify", {"file": _upload(r.content)}).json()
    assert [s["kind"] for s in verified["signatures"]] == ["personal", "seal"]


def test_api_stats_for_dashboard_viewers_only(client, demo, signed):
    client.force_login(demo.user("congdan"))
    assert client.get("/api/v1/signatures/stats").status_code == 403
    client.force_login(demo.user("theodoi"))
    rows = client.get("/api/v1/signatures/stats").json()
    mine = [r for r in rows if r["agency_name"] == "Ủy ban nhân dân phường Hạ Long"]
    assert mine
    assert mine[0]["kind"] == "dossier"
    assert mine[0]["signed"] == 1
    assert mine[0]["level"] == "commune"
    r = client.get("/api/v1/signatures/stats?start=2026-02-01&end=2026-01-01")
    assert r.status_code == 422


def test_public_page_verifies_and_explains_errors(client, signed):
    r = client.get("/xac-thuc-chu-ky/")
    assert r.status_code == 200
    assert "Xác thực chữ ký số" in r.content.decode()
    r = client.post("/xac-thuc-chu-ky/", {"tep": _upload(signed)})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Phạm Quốc Hùng" in html
    assert "tất cả hợp lệ" in html
    assert "Nguyên vẹn — tài liệu không bị thay đổi sau khi ký" in html
    r = client.post("/xac-thuc-chu-ky/", {"tep": _upload(b"not a pdf", "x.pdf")})
    assert r.status_code == 422
    assert "Tệp tải lên không phải là tệp PDF hợp lệ." in r.content.decode()
    r = client.post("/xac-thuc-chu-ky/", {"tep": _upload(signed), "bao_cao": "1"})
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
