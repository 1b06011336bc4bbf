"""The public catalogue API and the account endpoint, as an API client sees them."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cqs.accounts.services import api_token_create, api_token_revoke
from cqs.catalogue.models import Procedure
from cqs.catalogue.tests.helpers import BIRTH, MARRIAGE, demo_entries, demo_entry, is_vietnamese

LIST = "/api/v1/procedures"


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check the uniform error shape {code, message, details} and return the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert is_vietnamese(body["message"]), body["message"]
    return body


# --- a light OpenAPI response check -----------------------------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _conforms(value: Any, schema: dict[str, Any], spec: dict[str, Any], path: str) -> list[str]:
    """Problems of ``value`` against ``schema``: $ref, anyOf, type, enum, required, items."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _conforms(value, spec["components"]["schemas"][name], spec, path)
    if "anyOf" in schema:
        options = [_conforms(value, s, spec, path) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{path}: matches no anyOf branch"]
    problems: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        allowed = _TYPES[kind]
        is_bool_as_number = isinstance(value, bool) and kind in {"integer", "number"}
        if not isinstance(value, allowed) or is_bool_as_number:
            return [f"{path}: expected {kind}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        problems += [f"{path}.{k}: required" for k in schema.get("required", []) if k not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += _conforms(value[key], sub, spec, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += _conforms(item, schema["items"], spec, f"{path}[{i}]")
    return problems


@pytest.fixture
def spec(client, db) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _response_schema(spec: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    return spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


# --- list ------------------------------------------------------------------------------------


def test_list_items_carry_the_public_fields(demo, client):
    response = client.get(LIST, {"q": "khai sinh"})

    assert response.status_code == 200
    items = response.json()["items"]
    birth = next(i for i in items if i["code"] == BIRTH)
    source = demo_entry(BIRTH)
    assert birth["name"] == source["name"]
    assert birth["sector"] == source["sector"]
    assert birth["level"] == "commune"
    assert birth["online_level"] == "full"
    assert birth["time_limit"]["value"] == source["time_limit"]["value"]
    assert birth["time_limit"]["unit"] == "working_days"
    assert [f["name"] for f in birth["fees"]] == [f["name"] for f in source["fees"]]
    assert [f.get("amount") for f in birth["fees"]] == [f.get("amount") for f in source["fees"]]
    for item in items:
        assert {"code", "name", "sector", "level", "time_limit", "fees", "online_level"} <= set(
            item
        )
        assert {"value", "unit"} <= set(item["time_limit"])


def test_list_pagination(demo, client):
    total = len(demo_entries())

    first = client.get(LIST, {"page_size": 10}).json()
    last = client.get(LIST, {"page_size": 10, "page": math.ceil(total / 10)}).json()

    assert first["count"] == total
    assert first["page"] == 1
    assert first["page_size"] == 10
    assert first["pages"] == math.ceil(total / 10)
    assert len(first["items"]) == 10
    assert len(last["items"]) == total - 10 * (first["pages"] - 1)
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in last["items"]}


def test_pages_together_list_every_procedure_once(demo, client):
    codes: list[str] = []
    page = 1
    while True:
        body = client.get(LIST, {"page_size": 7, "page": page}).json()
        if not body["items"]:
            break
        codes += [i["code"] for i in body["items"]]
        page += 1

    assert page - 1 == body["pages"]
    assert sorted(codes) == sorted(e["code"] for e in demo_entries())


def test_page_beyond_the_end_is_empty_not_an_error(demo, client):
    response = client.get(LIST, {"page": 999, "page_size": 20})

    assert response.status_code == 200
    body = response.json()
    assert body["items"] == []
    assert body["count"] == len(demo_entries())
    assert body["page"] == 999


def test_list_filters(demo, client):
    province = client.get(LIST, {"level": "province", "page_size": 100}).json()
    sector = client.get(LIST, {"sector": "ho-tich", "page_size": 100}).json()
    plain = client.get(LIST, {"q": "dang ky ket hon"}).json()

    assert province["count"] == sum(e["level"] == "province" for e in demo_entries())
    assert {i["level"] for i in province["items"]} == {"province"}
    assert {i["sector"]["code"] for i in sector["items"]} == {"ho-tich"}
    assert MARRIAGE in [i["code"] for i in plain["items"]]


def test_list_filter_by_agency(demo, client):
    agency = Procedure.objects.get(code=BIRTH).agencies.order_by("code").first()

    body = client.get(LIST, {"agency": agency.code, "page_size": 100}).json()

    assert BIRTH in [i["code"] for i in body["items"]]
    assert body["count"] == agency.procedures.count()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 101}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "abc"}, "page"),
        ({"level": "xyz"}, "level"),
        ({"online_level": "toan-trinh"}, "online_level"),
        ({"q": "x" * 201}, "q"),
    ],
    ids=["page-size-101", "page-size-0", "page-0", "page-abc", "level-xyz", "online-bad", "q-long"],
)
def test_bad_list_parameters_give_422_json(demo, client, params, field):
    body = _error(client.get(LIST, params), 422, "validation_error")

    assert any(d["field"].endswith(field) for d in body["details"]), body["details"]


# --- detail ----------------------------------------------------------------------------------


def test_detail_has_documents_steps_and_agencies(demo, client):
    response = client.get(f"{LIST}/{BIRTH}")

    assert response.status_code == 200
    body = response.json()
    source = demo_entry(BIRTH)
    assert body["code"] == BIRTH
    assert [d["name"] for d in body["documents"]] == [d["name"] for d in source["documents"]]
    assert [d["position"] for d in body["documents"]] == list(
        range(1, len(source["documents"]) + 1)
    )
    assert [s["name"] for s in body["steps"]] == [s["name"] for s in source["steps"]]
    assert sum(Decimal(str(s["share_percent"])) for s in body["steps"]) == 100
    stored = Procedure.objects.get(code=BIRTH)
    assert sorted(a["code"] for a in body["agencies"]) == sorted(
        stored.agencies.values_list("code", flat=True)
    )
    assert body["agencies"]
    assert all(a["name"] for a in body["agencies"])
    assert body["submission_channels"] == source["submission_channels"]
    assert body["legal_basis"] == source["legal_basis"]


@pytest.mark.parametrize("code", ["9.999999", "khong-co", "1.001193x"])
def test_unknown_procedure_is_404_json(demo, client, code):
    body = _error(client.get(f"{LIST}/{code}"), 404, "not_found")

    assert code in body["message"]


def test_inactive_procedure_is_404(demo, client):
    Procedure.objects.filter(code=BIRTH).update(is_active=False)

    _error(client.get(f"{LIST}/{BIRTH}"), 404, "not_found")
    assert BIRTH not in [i["code"] for i in client.get(LIST, {"page_size": 100}).json()["items"]]


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v1/procedures/1.001193/steps", "/api/v2/procedures"]
)
def test_unknown_api_address_is_404_json(demo, client, path):
    _error(client.get(path), 404, "not_found")


# --- OpenAPI ---------------------------------------------------------------------------------


def test_openapi_lists_both_catalogue_paths(spec):
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/procedures" in spec["paths"]
    assert "/api/v1/procedures/{code}" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/procedures"]["get"]["parameters"]}
    assert {"q", "sector", "level", "online_level", "agency", "page", "page_size"} <= params


def test_list_response_matches_the_openapi_schema(demo, client, spec):
    schema = _response_schema(spec, "/api/v1/procedures", "200")

    for params in ({}, {"page_size": 100}, {"q": "khai sinh"}, {"page": 500}):
        body = client.get(LIST, params).json()
        assert _conforms(body, schema, spec, "$") == []


def test_every_detail_response_matches_the_openapi_schema(demo, client, spec):
    schema = _response_schema(spec, "/api/v1/procedures/{code}", "200")

    for entry in demo_entries():
        body = client.get(f"{LIST}/{entry['code']}").json()
        assert _conforms(body, schema, spec, entry["code"]) == []


def test_404_matches_the_openapi_error_schema(demo, client, spec):
    schema = _response_schema(spec, "/api/v1/procedures/{code}", "404")

    assert _conforms(client.get(f"{LIST}/9.999999").json(), schema, spec, "$") == []


def test_schema_checker_catches_a_missing_key(spec):
    """Guard for the checker itself: a response missing a required key must be reported."""
    schema = _response_schema(spec, "/api/v1/procedures", "200")
    broken = {"count": 1, "page": 1, "page_size": 20, "pages": 1, "items": [{"code": "1"}]}

    assert _conforms(broken, schema, spec, "$")


def test_api_docs_render_without_external_cdn(demo, client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "external asset"
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis"):
        assert cdn not in html


# --- query count -----------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_page_size(demo, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        small = client.get(LIST, {"page_size": 1})
    with django_assert_max_num_queries(3):
        large = client.get(LIST, {"page_size": 100, "q": "thu tuc"})
    with CaptureQueriesContext(connection) as one:
        client.get(LIST, {"page_size": 1})
    with CaptureQueriesContext(connection) as hundred:
        client.get(LIST, {"page_size": 100})

    assert small.status_code == large.status_code == 200
    assert len(large.json()["items"]) > 1
    assert len(hundred.captured_queries) == len(one.captured_queries)


def test_detail_query_count_does_not_grow_with_documents(
    demo, client, django_assert_max_num_queries
):
    by_size = sorted(demo_entries(), key=lambda e: len(e["documents"]) + len(e["steps"]))
    small, large = by_size[0]["code"], by_size[-1]["code"]

    # procedure + sector, documents, steps, agencies
    with django_assert_max_num_queries(4):
        few = client.get(f"{LIST}/{small}")
    with django_assert_max_num_queries(4):
        many = client.get(f"{LIST}/{large}")

    assert few.status_code == many.status_code == 200
    assert len(many.json()["documents"]) > len(few.json()["documents"])


# --- authentication --------------------------------------------------------------------------


def test_bearer_token_authenticates_the_officer(demo, client):
    officer = demo.user("tiepnhan")
    _, raw = api_token_create(actor=officer, user=officer, name="máy trạm")

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "tiepnhan"
    assert body["kind"] == officer.kind
    assert [r["role"] for r in body["roles"]] == ["receiving_officer"]
    assert body["roles"][0]["agency_code"] == officer.role_assignments.get().agency.code
    assert is_vietnamese(body["roles"][0]["label"])


def test_revoked_token_is_rejected(demo, client):
    officer = demo.user("tiepnhan")
    token, raw = api_token_create(actor=officer, user=officer)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    api_token_revoke(actor=officer, token=token)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")

    _error(response, 401, "invalid_token")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer garbage", "Bearer cqs_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "cqs_abc"],
)
def test_garbage_authorization_is_rejected(demo, client, header):
    _error(client.get("/api/v1/me", HTTP_AUTHORIZATION=header), 401, "invalid_token")


def test_token_of_a_deactivated_user_is_rejected(demo, client):
    officer = demo.user("tiepnhan")
    _, raw = api_token_create(actor=officer, user=officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    _error(client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}"), 401, "invalid_token")


def test_me_without_authentication_is_401_json(demo, client):
    body = _error(client.get("/api/v1/me"), 401, "authentication_required")

    assert body["details"] == {}


def test_me_with_a_browser_session(demo, client):
    client.force_login(demo.user("congdan"))

    body = client.get("/api/v1/me").json()

    assert body["username"] == "congdan"
    assert body["roles"] == []


def test_public_catalogue_needs_no_authentication_but_accepts_a_token(demo, client):
    officer = demo.user("tiepnhan")
    _, raw = api_token_create(actor=officer, user=officer)

    anonymous = client.get(LIST, {"page_size": 5})
    with_token = client.get(LIST, {"page_size": 5}, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert anonymous.status_code == with_token.status_code == 200
    assert anonymous.json() == with_token.json()
