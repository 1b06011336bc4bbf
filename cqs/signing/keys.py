"""Where private keys live and how a pyHanko ``Signer`` is obtained for a certificate.

Three key locations (``Certificate.key_kind``):

- ``pkcs12``: a PKCS#12 file under ``CQS_PKI_DIR``, decrypted with ``CQS_PKI_PASSPHRASE``;
  the parsed signer is kept in memory (performance-notes.md: parsing per signature costs
  most of the 82 ms of a naive signature).
- ``pkcs11``: a USB token or HSM through a PKCS#11 module (``CQS_PKCS11_MODULE``, PIN in
  ``CQS_PKCS11_PIN``); ``key_ref`` is ``token=<token label>;key=<key label>``.
- ``remote``: a remote-signing service ("ký số từ xa") behind the ``RemoteSigningAdapter``
  protocol, chosen by ``CQS_SIGNING_BACKEND``; CQS ships the ``local`` adapter, which signs
  with a PKCS#12 key held by this server.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cqs.signing import pki
from cqs.signing.errors import SigningError

_lock = threading.Lock()
_pkcs12_cache: dict[tuple[str, float], signers.Signer] = {}


DEMO_PASSPHRASE = "CQS-demo-pki"  # noqa: S105 - the documented demo default, refused in production


def pki_dir() -> Path:
    return Path(settings.CQS_PKI_DIR)


def passphrase() -> str:
    """``CQS_PKI_PASSPHRASE``; the demo default is refused when ``CQS_ENV=production``."""
    value = str(settings.CQS_PKI_PASSPHRASE)
    if settings.IS_PRODUCTION and value == DEMO_PASSPHRASE:
        raise SigningError(
            "Máy chủ chưa đặt mật khẩu bảo vệ khóa ký (CQS_PKI_PASSPHRASE); không thể ký số.",
            code="key_unavailable",
        )
    return value


def _asn1_cert(cert: Any) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def simple_signer(pair: pki.KeyPair, chain: list[Any]) -> signers.SimpleSigner:
    key_der = pair.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    registry.register_multiple([_asn1_cert(c) for c in chain])
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(pair.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=registry,
    )


def load_pkcs12_pair(file_name: str) -> tuple[pki.KeyPair, list[Any]]:
    path = pki_dir() / file_name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(
            "Không đọc được khóa bí mật của chứng thư số trên máy chủ. "
            "Vui lòng liên hệ quản trị hệ thống.",
            code="key_unavailable",
        ) from exc
    try:
        return pki.pkcs12_load(data, passphrase())
    except ValueError as exc:
        raise SigningError(
            "Không mở được khóa bí mật (sai mật khẩu CQS_PKI_PASSPHRASE hoặc tệp hỏng).",
            code="key_unavailable",
        ) from exc


def pkcs12_signer(file_name: str) -> signers.Signer:
    path = pki_dir() / file_name
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    key = (str(path), mtime)
    with _lock:
        cached = _pkcs12_cache.get(key)
    if cached is not None:
        return cached
    pair, chain = load_pkcs12_pair(file_name)
    signer = simple_signer(pair, chain)
    with _lock:
        _pkcs12_cache[key] = signer
    return signer


def parse_pkcs11_ref(key_ref: str) -> dict[str, str]:
    parts = dict(p.split("=", 1) for p in key_ref.split(";") if "=" in p)
    if "token" not in parts or "key" not in parts:
        raise SigningError(
            "Cấu hình khóa trên USB token/HSM không hợp lệ (cần token=…;key=…).",
            code="key_unavailable",
        )
    return parts


class Pkcs11Handle:
    """An open PKCS#11 session and its signer; close it after signing."""

    def __init__(self, key_ref: str, certificate_pem: str) -> None:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as hanko_pkcs11

        parts = parse_pkcs11_ref(key_ref)
        try:
            self.session = hanko_pkcs11.open_pkcs11_session(
                settings.CQS_PKCS11_MODULE,
                token_criteria=TokenCriteria(label=parts["token"]),
                user_pin=settings.CQS_PKCS11_PIN or None,
            )
        except Exception as exc:
            raise SigningError(
                "Không kết nối được USB token/HSM chứa khóa ký. Kiểm tra thiết bị và mã PIN.",
                code="key_unavailable",
            ) from exc
        cert = pki.load_pem(certificate_pem)
        self.signer = hanko_pkcs11.PKCS11Signer(
            self.session,
            key_label=parts["key"],
            signing_cert=_asn1_cert(cert),
            other_certs_to_pull=None,
            # Many tokens (SoftHSM2 among them) only offer raw CKM_ECDSA: hash in software.
            use_raw_mechanism=isinstance(cert.public_key(), ec.EllipticCurvePublicKey),
        )

    def close(self) -> None:
        self.session.close()


class RemoteSigningAdapter(Protocol):
    """A remote-signing provider ("ký số từ xa"): it holds the key and signs a digest."""

    def certificate_chain(self, key_id: str) -> list[Any]:
        """The signer's certificate first, then its issuers (``cryptography`` objects)."""
        ...

    def sign_digest(self, key_id: str, data: bytes, digest_algorithm: str) -> bytes:
        """Sign ``data`` (the DER of the CMS signed attributes) with ``digest_algorithm``."""
        ...


class LocalRemoteSigningAdapter:
    """The ``local`` adapter: the key is a PKCS#12 file ``<key_id>.p12`` on this server."""

    def _pair(self, key_id: str) -> tuple[pki.KeyPair, list[Any]]:
        return load_pkcs12_pair(f"remote/{key_id}.p12")

    def certificate_chain(self, key_id: str) -> list[Any]:
        pair, chain = self._pair(key_id)
        return [pair.certificate, *chain]

    def sign_digest(self, key_id: str, data: bytes, digest_algorithm: str) -> bytes:
        pair, _ = self._pair(key_id)
        algorithm = getattr(hashes, digest_algorithm.upper().replace("-", ""))()
        if isinstance(pair.key, ec.EllipticCurvePrivateKey):
            return pair.key.sign(data, ec.ECDSA(algorithm))
        if isinstance(pair.key, rsa.RSAPrivateKey):
            return pair.key.sign(data, padding.PKCS1v15(), algorithm)
        raise SigningError("Loại khóa không được hỗ trợ.", code="key_unavailable")


REMOTE_BACKENDS: dict[str, type[Any]] = {"local": LocalRemoteSigningAdapter}


def remote_adapter() -> RemoteSigningAdapter:
    backend = REMOTE_BACKENDS.get(settings.CQS_SIGNING_BACKEND)
    if backend is None:
        raise SigningError(
            f"Dịch vụ ký số từ xa «{settings.CQS_SIGNING_BACKEND}» chưa được cấu hình.",
            code="key_unavailable",
        )
    adapter: RemoteSigningAdapter = backend()
    return adapter


class RemoteSigner(signers.Signer):
    """pyHanko signer that delegates the raw signature to a ``RemoteSigningAdapter``."""

    def __init__(self, adapter: RemoteSigningAdapter, key_id: str) -> None:
        chain = adapter.certificate_chain(key_id)
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple([_asn1_cert(c) for c in chain])
        self.adapter = adapter
        self.key_id = key_id
        super().__init__(
            signing_cert=_asn1_cert(chain[0]),
            cert_registry=registry,
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(256)
        return self.adapter.sign_digest(self.key_id, data, digest_algorithm)


def clear_cache() -> None:
    with _lock:
        _pkcs12_cache.clear()
