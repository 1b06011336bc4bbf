"""An Open311 GeoReport v2 client written from the spec (wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree as ET  # our own responses, not untrusted input

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cqs.reports.models import Report
from cqs.reports.services import open311_key_create, report_moderate
from cqs.reports.tests.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


class GeoReportClient:
    """Speaks only what the spec says: form-encoded POST, .json/.xml suffixes, error lists."""

    def __init__(self, client: Client, api_key: str, fmt: str) -> None:
        self.client, self.api_key, self.fmt = client, api_key, fmt

    def _parse(self, response: Any) -> Any:
        if self.fmt == "json":
            assert response["Content-Type"].startswith("application/json")
            return json.loads(response.content)
        assert response["Content-Type"].startswith("text/xml")
        return ET.fromstring(  # noqa: S314
            response.content
        )

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        response = self.client.get(f"{BASE}/{path}.{self.fmt}", params)
        return response.status_code, self._parse(response)

    def post_request(self, **params: Any) -> tuple[int, Any]:
        data = {"api_key": self.api_key, **params}
        response = self.client.post(f"{BASE}/requests.{self.fmt}", data)
        return response.status_code, self._parse(response)

    # Normalise XML into the JSON shape so that one set of assertions covers both formats.
    def rows(self, body: Any) -> list[dict[str, Any]]:
        if self.fmt == "json":
            return body
        return [{child.tag: (child.text or None) for child in item} for item in body]

    def errors(self, body: Any) -> list[dict[str, Any]]:
        if self.fmt == "json":
            return body
        assert body.tag == "errors"
        return [
            {"code": int(e.findtext("code")), "description": e.findtext("description")}
            for e in body
        ]


@pytest.fixture(params=["json", "xml"])
def o311(request: Any, demo: Any) -> GeoReportClient:
    _, raw = open311_key_create(actor=demo.user("quantri"), name="Hạ Long Smart")
    return GeoReportClient(Client(), raw, request.param)


def test_discovery(o311: GeoReportClient) -> None:
    status, body = o311.get("discovery")
    assert status == 200
    if o311.fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2/")
        assert "application/json" in endpoint["formats"]
    else:
        assert body.tag == "discovery"
        assert body.find("endpoints/endpoint/specification").text.endswith("GeoReport_v2")
        assert [f.text for f in body.findall("endpoints/endpoint/formats/format")] == [
            "text/xml",
            "application/json",
        ]


def test_services_and_definition(o311: GeoReportClient) -> None:
    status, body = o311.get("services")
    assert status == 200
    services = o311.rows(body)
    codes = [s["service_code"] for s in services]
    assert "trat-tu-xay-dung" in codes and "moi-truong" in codes
    building = next(s for s in services if s["service_code"] == "trat-tu-xay-dung")
    assert str(building["metadata"]).lower() == "true"
    assert building["type"] == "realtime"
    status, body = o311.get("services/trat-tu-xay-dung")
    assert status == 200
    if o311.fmt == "json":
        attribute = body["attributes"][0]
        assert body["service_code"] == "trat-tu-xay-dung"
        assert attribute["code"] == "cong_trinh"
        assert attribute["datatype"] == "singlevaluelist"
        assert attribute["variable"] is True and attribute["required"] is False
        assert {"key": "nha_o", "name": "Nhà ở"} in attribute["values"]
    else:
        assert body.tag == "service_definition"
        assert body.findtext("attributes/attribute/code") == "cong_trinh"
        assert body.findtext("attributes/attribute/values/value/key") == "nha_o"
    status, body = o311.get("services/khong-co")
    assert status == 404
    assert o311.errors(body)[0]["code"] == 404


def test_post_find_by_token_and_id_and_filter(o311: GeoReportClient, demo: Any) -> None:
    status, body = o311.post_request(
        service_code="trat-tu-do-thi",
        lat="20.9515",
        long="107.078",
        address_string="12 Lê Thánh Tông, Hạ Long",
        description="Lấn chiếm vỉa hè, gọi 0912345678",
        email="dan@example.invalid",
        **{"attribute[unknown]": "x"},
    )
    assert status == 201, body
    created = o311.rows(body)[0]
    request_id, token = created["service_request_id"], created["token"]
    assert isinstance(request_id, str) and token
    status, body = o311.get(f"tokens/{token}")
    assert status == 200
    assert o311.rows(body)[0]["service_request_id"] == request_id
    status, body = o311.get(f"requests/{request_id}")
    assert status == 200
    row = o311.rows(body)[0]
    assert row["service_request_id"] == request_id
    assert row["status"] == "open"
    assert row["service_code"] == "trat-tu-do-thi"
    assert float(row["lat"]) == pytest.approx(20.9515)
    assert float(row["long"]) == pytest.approx(107.078)
    assert row["description"] in (None, "")  # not public before moderation
    assert "dan@example.invalid" not in json.dumps(row, default=str)
    report_moderate(
        actor=demo.user("quantri"),
        code=request_id,
        public_description="Lấn chiếm vỉa hè, gọi 0912345678",
        publish=True,
    )
    _, body = o311.get(f"requests/{request_id}")
    assert "0912345678" not in o311.rows(body)[0]["description"]
    # filters
    for params, found in [
        ({}, True),
        ({"service_request_id": f"{request_id},PA000000-XXXXXX"}, True),
        ({"service_code": "trat-tu-do-thi"}, True),
        ({"service_code": "moi-truong"}, False),
        ({"status": "open"}, True),
        ({"status": "closed"}, False),
        ({"status": "open,closed"}, True),
        ({"start_date": (timezone.now() - timedelta(days=1)).isoformat()}, True),
        ({"end_date": (timezone.now() - timedelta(days=1)).isoformat()}, False),
        (
            {
                "start_date": (timezone.now() - timedelta(days=10)).isoformat(),
                "end_date": (timezone.now() + timedelta(days=1)).isoformat(),
            },
            True,
        ),
    ]:
        status, body = o311.get("requests", **params)
        assert status == 200, (params, body)
        ids = [r["service_request_id"] for r in o311.rows(body)]
        assert (request_id in ids) is found, params


def test_post_with_media_and_address_id(o311: GeoReportClient) -> None:
    media = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = o311.client.post(
        f"{BASE}/requests.{o311.fmt}",
        {
            "api_key": o311.api_key,
            "service_code": "moi-truong",
            "address_id": "06673",
            "address_string": "Bến phà Bãi Cháy",
            "description": "Nước thải xả trực tiếp ra vịnh.",
            "media": media,
        },
    )
    assert response.status_code == 201
    report = Report.objects.latest("id")
    assert report.commune.code == "06673"
    assert report.agency.code == "000.00.21.H49"
    assert report.photos.count() == 1


@pytest.mark.parametrize("key", ["", "o311_wrong", "cqs_not-an-open311-key"])
def test_wrong_api_key_403(o311: GeoReportClient, key: str) -> None:
    before = Report.objects.count()
    o311.api_key = key
    status, body = o311.post_request(
        service_code="moi-truong", lat="20.95", long="107.07", description="Ô nhiễm nặng ở đây."
    )
    assert status == 403
    errors = o311.errors(body)
    assert errors[0]["code"] == 403 and errors[0]["description"]
    assert Report.objects.count() == before


def test_revoked_key_403(o311: GeoReportClient, demo: Any) -> None:
    from cqs.reports.models import Open311Key
    from cqs.reports.services import open311_key_revoke

    open311_key_revoke(actor=demo.user("quantri"), key=Open311Key.objects.latest("id"))
    status, _ = o311.post_request(
        service_code="moi-truong", lat="20.95", long="107.07", description="Ô nhiễm nặng."
    )
    assert status == 403


@pytest.mark.parametrize(
    "params",
    [
        {},  # no service_code, no location
        {"service_code": "moi-truong"},  # no location
        {"service_code": "khong-co", "lat": "20.95", "long": "107.07"},
        {"service_code": "moi-truong", "lat": "abc", "long": "107.07"},
        {
            "service_code": "moi-truong",
            "lat": "48.85",
            "long": "2.35",
            "description": "Paris is not here",
        },
        {"service_code": "moi-truong", "lat": "20.95", "long": "107.07", "description": "x"},
    ],
)
def test_malformed_post_400(o311: GeoReportClient, params: dict[str, str]) -> None:
    before = Report.objects.count()
    status, body = o311.post_request(**params)
    assert status == 400
    errors = o311.errors(body)
    assert errors and all(e["code"] == 400 and e["description"] for e in errors)
    assert Report.objects.count() == before


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-06-01T00:00:00+07:00"},
        {"start_date": "2026-02-01T00:00:00+07:00", "end_date": "2026-01-01T00:00:00+07:00"},
        {"status": "pending"},
        {"page": "0"},
        {"page_size": "100000"},
    ],
)
def test_malformed_get_400(o311: GeoReportClient, params: dict[str, str]) -> None:
    status, body = o311.get("requests", **params)
    assert status == 400
    assert o311.errors(body)[0]["code"] == 400


def test_unknown_404(o311: GeoReportClient) -> None:
    for path in ("requests/PA000000-XXXXXX", "tokens/khong-co"):
        status, body = o311.get(path)
        assert status == 404
        assert o311.errors(body)[0]["code"] == 404


def test_unknown_format_404(client: Client) -> None:
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 404
    assert json.loads(response.content)[0]["code"] == 404


def test_paging_extension(o311: GeoReportClient) -> None:
    for i in range(3):
        status, _ = o311.post_request(
            service_code="moi-truong",
            lat="20.95",
            long=f"107.0{i}",
            description=f"Ô nhiễm số {i} ở đây.",
        )
        assert status == 201
    response = o311.client.get(f"{BASE}/requests.{o311.fmt}", {"page_size": 2})
    assert 'rel="next"' in response["Link"]
    first = [r["service_request_id"] for r in o311.rows(o311._parse(response))]
    _, body = o311.get("requests", page_size=2, page=2)
    second = [r["service_request_id"] for r in o311.rows(body)]
    assert len(first) == 2 and len(second) >= 1 and not set(first) & set(second)


def test_description_script_is_escaped_in_xml(o311: GeoReportClient, demo: Any) -> None:
    _status, body = o311.post_request(
        service_code="moi-truong",
        lat="20.95",
        long="107.07",
        description="<script>alert(1)</script> khói",
    )
    request_id = o311.rows(body)[0]["service_request_id"]
    report_moderate(
        actor=demo.user("quantri"),
        code=request_id,
        public_description="<script>alert(1)</script> khói",
        publish=True,
    )
    response = o311.client.get(f"{BASE}/requests/{request_id}.{o311.fmt}")
    if o311.fmt == "xml":
        assert b"<script>" not in response.content
        assert (
            ET.fromstring(  # noqa: S314
                response.content
            )
            .findtext("request/description")
            .startswith("<script>")
        )
    else:
        assert json.loads(response.content)[0]["description"].startswith("<script>")


def test_open311_key_command(demo: Any) -> None:
    import io

    from django.core.management import call_command

    from cqs.reports.services import open311_key_authenticate

    out = io.StringIO()
    call_command("open311_key", "create", "Ứng dụng Di Linh", stdout=out)
    raw = out.getvalue().strip()
    key = open311_key_authenticate(raw)
    assert key is not None and key.name == "Ứng dụng Di Linh"
    call_command("open311_key", "revoke", str(key.pk), stdout=io.StringIO())
    assert open311_key_authenticate(raw) is None
