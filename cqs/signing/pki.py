"""X.509 building blocks for the demo PKI and the local responders: keys, certificates, CRLs,
PKCS#12 files. No Django: plain functions over ``cryptography`` objects.

Keys are ECDSA P-256 (about 10 ms per PAdES signature, performance-notes.md); the TSA key is
RSA-2048 because pyHanko's RFC 3161 token builder signs with RSA only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

DEMO_MARK = "KHÔNG DÙNG THẬT"  # "not for real use": every demo subject carries it
COUNTRY = "VN"


@dataclass(frozen=True)
class KeyPair:
    key: PrivateKey
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def new_ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def name(
    common_name: str, *, organization: str = "", unit: str = "", province: str = ""
) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY)]
    if province:
        attrs.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, province))
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]))
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attrs)


def make_root(
    common_name: str, *, now: datetime, years: int = 10, organization: str = ""
) -> KeyPair:
    key = new_ec_key()
    subject = name(common_name, organization=organization, unit=DEMO_MARK)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, cert)


def issue(
    ca: KeyPair,
    *,
    subject: x509.Name,
    purpose: str,
    not_before: datetime,
    not_after: datetime,
    key: PrivateKey | None = None,
    ocsp_url: str = "",
    crl_url: str = "",
    email: str = "",
) -> KeyPair:
    """Issue an end-entity certificate. ``purpose``: ``sign`` (officials and agency seals:
    digitalSignature + nonRepudiation), ``tsa`` (RFC 3161, critical timeStamping EKU) or
    ``ocsp`` (OCSP responder, OCSPSigning EKU)."""
    key = key or new_ec_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=purpose == "sign",
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
    )
    if purpose == "tsa":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    elif purpose == "ocsp":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False
        ).add_extension(x509.OCSPNoCheck(), critical=False)
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    if ocsp_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(ocsp_url),
                    )
                ]
            ),
            critical=False,
        )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return KeyPair(key, builder.sign(ca.key, hashes.SHA256()))


def make_crl(
    ca: KeyPair, *, revoked: list[tuple[int, datetime]], now: datetime, days: int = 7
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(when)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(ca.key, hashes.SHA256())


def pkcs12_dump(pair: KeyPair, *, chain: list[x509.Certificate], passphrase: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name=f"cqs-{pair.fingerprint[:16]}".encode(),
        key=pair.key,
        cert=pair.certificate,
        cas=chain or None,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )


def pkcs12_load(data: bytes, passphrase: str) -> tuple[KeyPair, list[x509.Certificate]]:
    key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode())
    if (
        key is None
        or cert is None
        or not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    ):
        msg = "PKCS#12 file holds no usable key and certificate"
        raise ValueError(msg)
    return KeyPair(key, cert), list(extra)


def write_private(path: Path, data: bytes) -> None:
    """Write key material readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def load_pem(text: str | bytes) -> x509.Certificate:
    data = text.encode() if isinstance(text, str) else text
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
