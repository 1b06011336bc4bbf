"""OpenID Connect relying party for the national e-ID (VNeID-style): authorization code flow
with PKCE (RFC 7636, S256), ``state`` against CSRF and ``nonce`` against replay (OpenID
Connect Core 1.0 §3.1), the provider's discovery document (OpenID Connect Discovery 1.0) and
ID tokens verified against its JWKS (signature, ``iss``, ``aud``, ``exp``, ``iat``, ``nonce``).

Off unless CQS_OIDC_ISSUER and CQS_OIDC_CLIENT_ID are set. Only the standard library talks
HTTP, so nothing but PyJWT is needed at run time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings

from cqs.core.errors import ApplicationError

TIMEOUT_SECONDS = 10
DISCOVERY_TTL_SECONDS = 600
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


class OidcError(ApplicationError):
    status = 400
    code = "oidc_failed"
    default_message = "Đăng nhập bằng định danh điện tử không thành công."


def enabled() -> bool:
    return bool(settings.CQS_OIDC_ISSUER and settings.CQS_OIDC_CLIENT_ID)


def _issuer() -> str:
    return str(settings.CQS_OIDC_ISSUER).rstrip("/")


def _http_json(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise OidcError("Địa chỉ nhà cung cấp định danh không hợp lệ.", details={"url": url})
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, headers=headers or {}, method="POST" if data is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data_out = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:300]
        raise OidcError(
            "Nhà cung cấp định danh từ chối yêu cầu.", details={"status": exc.code, "body": body}
        ) from exc
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise OidcError(
            "Không kết nối được nhà cung cấp định danh điện tử. Vui lòng thử lại sau.",
            details={"error": str(exc)[:200]},
        ) from exc
    if not isinstance(data_out, dict):
        raise OidcError("Nhà cung cấp định danh trả về dữ liệu không hợp lệ.")
    return data_out


def discovery() -> dict[str, Any]:
    issuer = _issuer()
    cached = _discovery_cache.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    doc = _http_json(f"{issuer}/.well-known/openid-configuration")
    # Discovery §4.3: the issuer in the document must be exactly the one configured.
    if str(doc.get("issuer", "")).rstrip("/") != issuer:
        raise OidcError(
            "Tài liệu cấu hình của nhà cung cấp định danh không khớp địa chỉ đã cấu hình.",
            details={"issuer": doc.get("issuer")},
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not doc.get(key):
            raise OidcError(f"Tài liệu cấu hình thiếu «{key}».")
    _discovery_cache[issuer] = (time.monotonic() + DISCOVERY_TTL_SECONDS, doc)
    return doc


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_request(redirect_uri: str) -> AuthorizationRequest:
    doc = discovery()
    state = secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)  # 64 characters, within RFC 7636's 43-128
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": settings.CQS_OIDC_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": _s256(verifier),
            "code_challenge_method": "S256",
        }
    )
    endpoint = str(doc["authorization_endpoint"])
    separator = "&" if "?" in endpoint else "?"
    return AuthorizationRequest(f"{endpoint}{separator}{query}", state, nonce, verifier)


def exchange_code(*, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
    doc = discovery()
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
    ).encode("ascii")
    # client_secret_basic, the default client authentication (OpenID Connect Core §9).
    credentials = (
        f"{urllib.parse.quote(settings.CQS_OIDC_CLIENT_ID, safe='')}:"
        f"{urllib.parse.quote(settings.CQS_OIDC_CLIENT_SECRET, safe='')}"
    )
    tokens = _http_json(
        str(doc["token_endpoint"]),
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode("ascii"),
        },
    )
    if not tokens.get("id_token"):
        raise OidcError("Nhà cung cấp định danh không trả về ID token.")
    return tokens


def verify_id_token(id_token: str, *, nonce: str) -> dict[str, Any]:
    doc = discovery()
    jwks_uri = str(doc["jwks_uri"])
    client = _jwks_clients.get(jwks_uri)
    if client is None:
        client = _jwks_clients[jwks_uri] = jwt.PyJWKClient(jwks_uri, timeout=TIMEOUT_SECONDS)
    offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in offered if a in ALLOWED_ALGORITHMS]
    try:
        key = client.get_signing_key_from_jwt(id_token)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key.key,
            algorithms=algorithms,
            audience=settings.CQS_OIDC_CLIENT_ID,
            issuer=str(doc["issuer"]),
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            leeway=60,
        )
    except jwt.PyJWKClientError as exc:
        raise OidcError(
            "Không lấy được khóa ký của nhà cung cấp định danh.", details={"error": str(exc)}
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise OidcError("ID token không hợp lệ.", details={"error": str(exc)}) from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("ID token không khớp phiên đăng nhập (nonce).")
    return claims


def userinfo(access_token: str) -> dict[str, Any]:
    endpoint = discovery().get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    return _http_json(str(endpoint), headers={"Authorization": f"Bearer {access_token}"})
