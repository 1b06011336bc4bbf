"""Login with the national e-ID (OpenID Connect) against a REAL provider: django-oauth-toolkit
run as a separate process (tests/oidc_provider), reached over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client

from cqs.accounts import oidc
from cqs.accounts.models import ExternalIdentity, User

ROOT = Path(__file__).resolve().parents[3]
CALLBACK = "http://testserver/dang-nhap/dinh-danh-dien-tu/ket-qua/"
CLIENT_ID = "cqs-portal"
CLIENT_SECRET = "cqs-portal-secret-for-tests"
NEW_CITIZEN = {"username": "vneid-an", "password": "eid-pass-123", "name": "Đỗ Văn Tú",
               "id_number": "022203004567", "email": "tu@example.invalid"}  # fmt: skip
EXISTING = {"username": "vneid-congdan", "password": "eid-pass-456", "name": "Nguyễn Văn An",
            "id_number": "022090001234"}  # fmt: skip
NO_NUMBER = {"username": "vneid-bad", "password": "eid-pass-789", "name": "Không Số",
             "id_number": "12345"}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def provider(tmp_path_factory: Any) -> Iterator[str]:
    port = _free_port()
    config = tmp_path_factory.mktemp("oidc") / "config.json"
    config.write_text(
        json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [CALLBACK],
                "users": [NEW_CITIZEN, EXISTING, NO_NUMBER],
            }
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), str(config)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "READY", process.stderr.read() if process.stderr else line
        yield f"http://127.0.0.1:{port}/o"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def eid(settings: Any, provider: str) -> str:
    settings.CQS_OIDC_ISSUER = provider
    settings.CQS_OIDC_CLIENT_ID = CLIENT_ID
    settings.CQS_OIDC_CLIENT_SECRET = CLIENT_SECRET
    oidc._discovery_cache.clear()
    return provider


def _provider_login(authorize_url: str, person: dict[str, str]) -> str:
    """Log in at the provider as a person would; return the redirect back to CQS."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)  # -> the provider's login page
    assert "Đăng nhập định danh điện tử" in page.text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    token = found.group(1)
    response = browser.post(
        page.url,
        data={
            "csrfmiddlewaretoken": token,
            "username": person["username"],
            "password": person["password"],
            "next": urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["next"][0],
        },
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    # -> the authorize endpoint again, now logged in: it redirects to CQS with a code.
    response = browser.get(
        urllib.parse.urljoin(page.url, response.headers["Location"]),
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return str(response.headers["Location"])


def _start(client: Client) -> str:
    response = client.get("/dang-nhap/dinh-danh-dien-tu/")
    assert response.status_code == 302
    url = response["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"]
    return str(url)


def test_new_citizen_logs_in_with_eid(client: Client, demo: Any, eid: str) -> None:
    back = _provider_login(_start(client), NEW_CITIZEN)
    assert back.startswith(CALLBACK)
    response = client.get(back.removeprefix("http://testserver"), follow=True)
    assert response.redirect_chain[-1][0] == "/ca-nhan/"
    assert "Xin chào, Đỗ Văn Tú" in response.content.decode()
    user = User.objects.get(id_number="022203004567")
    assert user.is_active and user.kind == "citizen"
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.filter(user=user, issuer=eid).exists()


def test_eid_login_reaches_the_existing_citizen_account(
    client: Client, demo: Any, eid: str
) -> None:
    back = _provider_login(_start(client), EXISTING)
    response = client.get(back.removeprefix("http://testserver"), follow=True)
    assert "Xin chào, Nguyễn Văn An" in response.content.decode()
    assert ExternalIdentity.objects.get(issuer=eid).user == demo.user("congdan")


def test_forged_state_is_refused(client: Client, demo: Any, eid: str) -> None:
    back = _provider_login(_start(client), NEW_CITIZEN)
    forged = re.sub(r"state=[^&]+", "state=forged", back)
    response = client.get(forged.removeprefix("http://testserver"))
    assert response.status_code == 400
    assert "Tham số state không khớp" in response.content.decode()
    assert not User.objects.filter(id_number="022203004567").exists()


def test_replayed_code_is_refused(client: Client, demo: Any, eid: str) -> None:
    back = _provider_login(_start(client), NEW_CITIZEN)
    client.get(back.removeprefix("http://testserver"))
    other = Client()
    other.get("/dang-nhap/dinh-danh-dien-tu/")  # a fresh session of its own
    response = other.get(back.removeprefix("http://testserver"))
    assert response.status_code == 400  # state of another session (and a used code)


def test_eid_without_a_valid_id_number_is_refused(client: Client, demo: Any, eid: str) -> None:
    back = _provider_login(_start(client), NO_NUMBER)
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 422
    assert "không có số định danh cá nhân hợp lệ" in response.content.decode()


def test_tampered_id_token_fails_signature_check(demo: Any, eid: str) -> None:
    import jwt as pyjwt

    # A token signed with a key the provider never published.
    from cryptography.hazmat.primitives.asymmetric import rsa

    from cqs.core.errors import ApplicationError

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    real_kid = requests.get(oidc.discovery()["jwks_uri"], timeout=10).json()["keys"][0]["kid"]
    forged = pyjwt.encode(
        {
            "iss": eid,
            "sub": "1",
            "aud": CLIENT_ID,
            "exp": int(time.time()) + 60,
            "iat": int(time.time()),
            "nonce": "n",
        },
        key,
        algorithm="RS256",
        headers={"kid": real_kid},
    )
    with pytest.raises(ApplicationError, match="ID token không hợp lệ"):
        oidc.verify_id_token(forged, nonce="n")


def test_login_page_offers_eid_only_when_configured(
    client: Client, demo: Any, settings: Any
) -> None:
    settings.CQS_OIDC_ISSUER = ""
    assert "định danh điện tử" not in client.get("/dang-nhap/").content.decode()
    assert client.get("/dang-nhap/dinh-danh-dien-tu/").status_code == 404
    settings.CQS_OIDC_ISSUER = "http://127.0.0.1:9/o"
    settings.CQS_OIDC_CLIENT_ID = CLIENT_ID
    assert "định danh điện tử VNeID" in client.get("/dang-nhap/").content.decode()
