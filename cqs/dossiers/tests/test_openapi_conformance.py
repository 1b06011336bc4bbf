"""Every answer of the dossier API matches what /api/v1/openapi.json promises for it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from django.test import Client

from cqs.dossiers.tests.test_api import _payload

API = "/api/v1"


@pytest.fixture
def spec(client: Client) -> dict[str, Any]:
    return dict(client.get(f"{API}/openapi.json").json())


def _check(spec: dict[str, Any], path: str, method: str, response: Any) -> Any:
    """Validate the response body against the spec's schema for its path, method and status."""
    operation = spec["paths"][f"{API}{path}"][method]
    status = str(response.status_code)
    assert status in operation["responses"], (path, method, status, response.content[:300])
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    body = response.json()
    validator = jsonschema.Draft202012Validator({**schema, "components": spec["components"]})
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, (path, method, status, errors[:5])
    return body


def _post(client: Client, url: str, body: Any, **headers: Any) -> Any:
    return client.post(f"{API}{url}", json.dumps(body), content_type="application/json", **headers)


def test_dossier_answers_match_the_openapi_document(
    client: Client, demo: Any, spec: dict[str, Any]
) -> None:
    client.force_login(demo.user("tiepnhan"))
    created = _check(spec, "/dossiers", "post", _post(client, "/dossiers", _payload()))
    code = created["code"]
    _check(spec, "/dossiers", "post", _post(client, "/dossiers", _payload(files=[])))  # 422
    _check(spec, "/dossiers", "post", _post(client, "/dossiers", {"desk": 1}))  # 422 schema
    batch = _post(
        client, "/dossiers/batch", {"items": [_payload(), _payload(procedure="9.999999")]}
    )
    body = _check(spec, "/dossiers/batch", "post", batch)
    assert [r["status"] for r in body["results"]] == [201, 422]
    _check(spec, "/dossiers/{code}", "get", client.get(f"{API}/dossiers/{code}"))
    _check(spec, "/dossiers/{code}", "get", client.get(f"{API}/dossiers/000.00.00.H00-000000-0001"))
    _check(spec, "/dossiers", "get", client.get(f"{API}/dossiers?box=all&limit=2"))
    _check(spec, "/dossiers", "get", client.get(f"{API}/dossiers?box=nowhere"))  # 422
    lookup = client.get(f"{API}/dossiers/lookup?code={code}")
    _check(spec, "/dossiers/lookup", "get", lookup)

    client.force_login(demo.user("xuly"))
    version = created["version"]
    forward = _post(client, f"/dossiers/{code}/actions/forward", {"expected_version": version})
    _check(spec, "/dossiers/{code}/actions/{action}", "post", forward)
    stale = _post(client, f"/dossiers/{code}/actions/forward", {"expected_version": version})
    assert stale.status_code == 409
    _check(spec, "/dossiers/{code}/actions/{action}", "post", stale)
    client.force_login(demo.user("congdan"))
    denied = _post(client, f"/dossiers/{code}/actions/approve", {})
    assert denied.status_code in (403, 404)
    _check(spec, "/dossiers/{code}/actions/{action}", "post", denied)
    client.logout()
    _check(spec, "/dossiers", "post", _post(client, "/dossiers", _payload()))  # 401
