from __future__ import annotations

import base64
import json
import subprocess
from typing import Any

import pytest
from django.test import Client

from cqs.catalogue.models import Procedure
from cqs.dossiers.models import Dossier
from cqs.dossiers.tests.conftest import BIRTH, DESK, PDF

API = "/api/v1/dossiers"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _payload(**over: Any) -> dict[str, Any]:
    procedure = Procedure.objects.get(code=BIRTH)
    files = [
        {
            "filename": f"{d.position}.pdf",
            "content_base64": _b64(PDF + bytes([d.position])),
            "requirement": d.position,
        }
        for d in procedure.documents.all()
        if d.mandatory
    ]
    body = {
        "desk": DESK,
        "procedure": BIRTH,
        "result_delivery": "counter",
        "applicant": {
            "kind": "citizen",
            "name": "Nguyễn Văn An",
            "id_number": "022090001234",
            "phone": "0912345678",
            "email": "an@example.invalid",
        },
        "files": files,
    }
    body.update(over)
    return body


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def officer(client: Client, demo: Any) -> Client:
    client.force_login(demo.user("tiepnhan"))
    return client


def test_counter_intake_and_full_flow(officer: Client, demo: Any) -> None:
    response = _post(officer, API, _payload())
    assert response.status_code == 201, response.content
    body = response.json()
    code = body["code"]
    assert body["status"] == "processing"
    assert body["status_label"] == "Đang giải quyết"
    assert "forward" in body["allowed_actions"]
    assert len(body["files"]) == 3
    receipt = officer.get(f"{API}/{code}/forms/receipt")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")

    officer.force_login(demo.user("xuly"))
    r = _post(officer, f"{API}/{code}/actions/forward", {"expected_version": body["version"]})
    assert r.status_code == 200, r.content
    stale = _post(officer, f"{API}/{code}/actions/forward", {"expected_version": body["version"]})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"

    officer.force_login(demo.user("lanhdao"))
    r = _post(officer, f"{API}/{code}/actions/approve", {})
    assert r.status_code == 422
    assert "Chưa có tệp kết quả" in r.json()["message"]
    r = _post(
        officer,
        f"{API}/{code}/actions/attach_result",
        {
            "files": [
                {
                    "filename": "kq.pdf",
                    "content_base64": _b64(PDF + b"kq"),
                    "name": "Giấy khai sinh",
                }
            ]
        },
    )
    assert r.status_code == 200
    r = _post(officer, f"{API}/{code}/actions/approve", {})
    assert r.json()["status"] == "result_ready"
    file_id = next(f["id"] for f in r.json()["files"] if f["kind"] == "result")
    download = officer.get(f"{API}/{code}/files/{file_id}")
    assert b"".join(download.streaming_content) == PDF + b"kq"  # bit-exact

    officer.force_login(demo.user("tiepnhan"))
    r = _post(officer, f"{API}/{code}/actions/return_result", {"method": "counter"})
    assert r.json()["status"] == "returned"
    sheet = officer.get(f"{API}/{code}/forms/control-sheet")
    assert sheet.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=sheet.content, capture_output=True, check=True
    ).stdout.decode()
    assert "PHIẾU KIỂM SOÁT" in text.upper()
    assert "Nguyễn Văn An" in text


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"procedure": "9.999999"}, 422, "procedure"),
        ({"desk": "000.00.99.H49"}, 422, "desk"),
        (
            {"applicant": {"kind": "citizen", "name": "A", "id_number": "12"}},
            422,
            "applicant.id_number",
        ),
        ({"files": []}, 422, "documents.1"),
        (
            {"files": [{"filename": "a.pdf", "content_base64": "!!!", "requirement": 1}]},
            422,
            "files.0",
        ),
        (
            {"files": [{"filename": "a.pdf", "content_base64": _b64(b"GIF89a"), "requirement": 1}]},
            422,
            "files.0",
        ),
        ({"result_delivery": "pigeon"}, 422, ""),
        ({"applicant": {"kind": "alien", "name": "A"}}, 422, ""),
    ],
)
def test_bad_intake_gets_json_4xx(
    officer: Client, change: dict[str, Any], status: int, field: str
) -> None:
    response = _post(officer, API, _payload(**change))
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    if field:
        assert field in json.dumps(body["details"])
    assert not Dossier.objects.exists()


def test_unauthenticated_and_wrong_role(client: Client, demo: Any) -> None:
    assert _post(client, API, _payload()).status_code == 401
    client.force_login(demo.user("xuly"))
    response = _post(client, API, _payload())
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_malformed_json_is_422(officer: Client) -> None:
    response = officer.post(API, "{not json", content_type="application/json")
    assert response.status_code in {400, 422}
    assert "message" in response.json()


def test_visibility_and_unknown_action(officer: Client, demo: Any) -> None:
    code = _post(officer, API, _payload()).json()["code"]
    officer.force_login(demo.user("tiepnhan2"))
    assert officer.get(f"{API}/{code}").status_code == 404
    assert _post(officer, f"{API}/{code}/actions/forward", {}).status_code == 404
    officer.force_login(demo.user("xuly"))
    assert _post(officer, f"{API}/{code}/actions/teleport", {}).status_code == 404
    r = _post(officer, f"{API}/{code}/actions/return_result", {})
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed"
    assert officer.get(f"{API}/{code}/forms/nope").status_code == 404
    assert officer.get(f"{API}/{code}/forms/apology").status_code == 404


def test_list_keyset_pagination_and_filters(officer: Client, demo: Any) -> None:
    codes = {_post(officer, API, _payload()).json()["code"] for _ in range(5)}
    seen: list[str] = []
    after = ""
    while True:
        page = officer.get(API, {"box": "unit", "limit": "2", "after": after}).json()
        seen += [d["code"] for d in page["items"]]
        after = page["next"]
        if not after:
            break
    assert sorted(seen) == sorted(codes)
    assert len(seen) == len(set(seen))
    assert officer.get(API, {"q": "nguyen van an"}).json()["items"]
    assert not officer.get(API, {"q": "tran thi"}).json()["items"]
    assert officer.get(API, {"limit": 0}).status_code == 422
    assert officer.get(API, {"after": "garbage!"}).status_code == 422
    assert officer.get(API, {"box": "weird"}).status_code == 422
    officer.force_login(demo.user("tiepnhan2"))
    assert officer.get(API).json()["items"] == []


def test_public_lookup_hides_personal_data(officer: Client, client: Client) -> None:
    code = _post(officer, API, _payload()).json()["code"]
    anonymous = Client()
    body = anonymous.get(f"{API}/lookup", {"code": code}).json()
    assert body["applicant"] == "N***** V** A*"
    assert body["status_label"] == "Đang giải quyết"
    assert body["timeline"][0]["label"] == "Tiếp nhận hồ sơ"
    raw = json.dumps(body, ensure_ascii=False)
    assert "022090001234" not in raw and "0912345678" not in raw and "Nguyễn Văn An" not in raw
    assert anonymous.get(f"{API}/lookup", {"code": "000.00.20.H49-990101-0001"}).status_code == 404
    page = anonymous.get("/tra-cuu/", {"ma": code})
    assert page.status_code == 200
    assert "Tiếp nhận hồ sơ" in page.content.decode()
    assert "Nguyễn Văn An" not in page.content.decode()
    missing = anonymous.get("/tra-cuu/", {"ma": "khong-co"})
    assert missing.status_code == 404
    assert "Không tìm thấy hồ sơ" in missing.content.decode()


def test_openapi_lists_dossier_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/dossiers",
        "/api/v1/dossiers/lookup",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/actions/{action}",
        "/api/v1/dossiers/{code}/forms/{kind}",
    ]:
        assert path in paths
