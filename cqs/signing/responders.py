"""Minimal RFC 3161 time-stamping and RFC 6960 OCSP responders for the demo CA, as WSGI apps.

They speak the real protocols (DER over HTTP: ``application/timestamp-query`` →
``application/timestamp-reply``; ``application/ocsp-request`` → ``application/ocsp-response``),
so pyHanko, pdfsig and any other client can use them. The test suite starts them on
127.0.0.1 with ``serve_in_thread``; a demo install can run them the same way. The TSA token is
built by pyHanko's own RFC 3161 token builder (``DummyTimeStamper``, RSA only).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from pyhanko.sign.timestamps import DummyTimeStamper

from cqs.signing import pki

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
# serial -> None (good) or the revocation time
StatusLookup = Callable[[int], "datetime | bool | None"]
MAX_REQUEST = 64 * 1024


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0 or length > MAX_REQUEST:
        return b""
    data: bytes = environ["wsgi.input"].read(length)
    return data


def _reply(start: StartResponse, status: str, ctype: str, body: bytes) -> Iterable[bytes]:
    start(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


class TimestampAuthority:
    """RFC 3161 TSA signing with an RSA key whose certificate has the timeStamping EKU."""

    def __init__(self, tsa: pki.KeyPair, chain: list[x509.Certificate]) -> None:
        der_key = tsa.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        as_asn1 = [
            asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain
        ]
        self.stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(
                tsa.certificate.public_bytes(serialization.Encoding.DER)
            ),
            tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
            certs_to_embed=as_asn1,  # type: ignore[arg-type]
        )
        self.served = 0

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start, "405 Method Not Allowed", "text/plain", b"POST only")
        try:
            req = tsp.TimeStampReq.load(_read_body(environ))
            resp = self.stamper.request_tsa_response(req)
        except (ValueError, KeyError, TypeError):
            return _reply(start, "400 Bad Request", "text/plain", b"bad timestamp request")
        self.served += 1
        return _reply(start, "200 OK", "application/timestamp-reply", resp.dump())


class OcspResponder:
    """RFC 6960 responder for certificates issued by ``issuer``; signs with ``responder``
    (a delegated OCSP-signing certificate)."""

    def __init__(self, issuer: pki.KeyPair, responder: pki.KeyPair, status: StatusLookup) -> None:
        self.issuer = issuer
        self.responder = responder
        self.status = status
        self.served = 0

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start, "405 Method Not Allowed", "text/plain", b"POST only")
        try:
            request = ocsp.load_der_ocsp_request(_read_body(environ))
        except ValueError:
            body = ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
            return _reply(start, "200 OK", "application/ocsp-response", body)
        serial = request.serial_number
        known = self.status(serial)
        now = datetime.now(tz=pki_utc())
        if known is False:
            cert_status, revoked_at = ocsp.OCSPCertStatus.UNKNOWN, None
        elif isinstance(known, datetime):
            cert_status, revoked_at = ocsp.OCSPCertStatus.REVOKED, known
        else:
            cert_status, revoked_at = ocsp.OCSPCertStatus.GOOD, None
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=serial,
                algorithm=request.hash_algorithm,
                cert_status=cert_status,
                this_update=now - timedelta(minutes=1),
                next_update=now + timedelta(hours=12),
                revocation_time=revoked_at,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder.certificate)
            .certificates([self.responder.certificate])
        )
        for ext in request.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        response = builder.sign(self.responder.key, hashes.SHA256())
        self.served += 1
        return _reply(
            start,
            "200 OK",
            "application/ocsp-response",
            response.public_bytes(serialization.Encoding.DER),
        )


def pki_utc() -> Any:
    from datetime import UTC

    return UTC


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class RunningServer:
    def __init__(self, server: WSGIServer, thread: threading.Thread) -> None:
        self.server = server
        self.thread = thread

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``app`` over real HTTP on ``host:port`` (0 = a free port) in a daemon thread."""
    server = make_server(host, port, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return RunningServer(server, thread)
