"""Services for certificates and trust anchors: the demo PKI (``pki_init``), issuing, revoking,
importing PKCS#12 files, registering PKCS#11 token keys and adding trust anchors.

The demo root CA's key is a PKCS#12 file (``demo-root.p12``) under ``CQS_PKI_DIR``; its CRL
(``demo-root.crl``, DER) is rewritten on every revocation and embedded in signatures for
long-term validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.utils import timezone

from cqs.accounts.models import User
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.core.errors import PermissionDenied, ValidationError
from cqs.signing import keys, pki
from cqs.signing.models import Certificate, CertificateKind, KeyKind, TrustAnchor
from cqs.units.models import Agency, AgencyKind

ROOT_FILE = "demo-root.p12"
CRL_FILE = "demo-root.crl"
ROOT_NAME = f"CQS DEMO Root CA — {pki.DEMO_MARK}"
# Agencies that sign with a seal: committees, one-stop desks, service centres, departments
# (divisions sign through their committee).
SEALING_KINDS = {
    AgencyKind.PROVINCE_COMMITTEE,
    AgencyKind.COMMUNE_COMMITTEE,
    AgencyKind.ONE_STOP_DESK,
    AgencyKind.PUBLIC_SERVICE_CENTER,
    AgencyKind.DEPARTMENT,
}
DEMO_YEARS = 3


def _pki_admin(actor: Any) -> None:
    """Certificates are managed by province administrators (or the system: actor None)."""
    if actor is None:
        return
    from cqs.accounts.permissions import has_role

    if not (getattr(actor, "is_superuser", False) or has_role(actor, Role.PROVINCE_ADMIN)):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được quản lý chứng thư số.")


def _dt(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def demo_root() -> pki.KeyPair | None:
    path = keys.pki_dir() / ROOT_FILE
    if not path.exists():
        return None
    pair, _ = keys.load_pkcs12_pair(ROOT_FILE)
    return pair


def _ensure_root(now: datetime) -> tuple[pki.KeyPair, bool]:
    root = demo_root()
    created = False
    if root is None:
        root = pki.make_root(ROOT_NAME, now=now, organization="CQS")
        pki.write_private(
            keys.pki_dir() / ROOT_FILE,
            pki.pkcs12_dump(root, chain=[], passphrase=_passphrase()),
        )
        created = True
    fp = pki.fingerprint(root.certificate)
    if not TrustAnchor.objects.filter(fingerprint=fp).exists():
        TrustAnchor.objects.create(
            name=ROOT_NAME, pem=pki.pem(root.certificate), fingerprint=fp, is_demo=True
        )
    return root, created


def _passphrase() -> str:
    return keys.passphrase()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "x"


def _store(
    pair: pki.KeyPair,
    chain: list[x509.Certificate],
    *,
    kind: str,
    agency: Agency,
    user: User | None,
    file_name: str,
    is_demo: bool,
) -> Certificate:
    pki.write_private(
        keys.pki_dir() / file_name, pki.pkcs12_dump(pair, chain=chain, passphrase=_passphrase())
    )
    return _register(
        pair.certificate,
        kind=kind,
        agency=agency,
        user=user,
        key_kind=KeyKind.PKCS12,
        key_ref=file_name,
        is_demo=is_demo,
    )


def _register(
    cert: x509.Certificate,
    *,
    kind: str,
    agency: Agency,
    user: User | None,
    key_kind: str,
    key_ref: str,
    is_demo: bool,
) -> Certificate:
    return Certificate.objects.create(
        kind=kind,
        user=user,
        agency=agency,
        subject=cert.subject.rfc4514_string()[:500],
        issuer=cert.issuer.rfc4514_string()[:500],
        serial=format(cert.serial_number, "x"),
        not_before=_dt(cert.not_valid_before_utc),
        not_after=_dt(cert.not_valid_after_utc),
        fingerprint=pki.fingerprint(cert),
        pem=pki.pem(cert),
        key_kind=key_kind,
        key_ref=key_ref,
        is_demo=is_demo,
    )


def _subject_for(kind: str, agency: Agency, user: User | None) -> x509.Name:
    province = "Quảng Ninh"
    if kind == CertificateKind.SEAL or user is None:
        return pki.name(
            agency.name, organization=agency.name, unit=pki.DEMO_MARK, province=province
        )
    return pki.name(
        user.full_name or user.username,
        organization=agency.name,
        unit=pki.DEMO_MARK,
        province=province,
    )


def certificate_issue_demo(
    *,
    actor: Any,
    kind: str,
    agency: Agency,
    user: User | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    ocsp_url: str = "",
    key_kind: str = KeyKind.PKCS12,
) -> Certificate:
    """Issue a demo certificate from the demo root CA (personal or agency seal)."""
    _pki_admin(actor)
    if kind == CertificateKind.PERSONAL and user is None:
        raise ValidationError("Chứng thư cá nhân phải gắn với một cán bộ.")
    now = timezone.now()
    with transaction.atomic():
        root, _ = _ensure_root(now)
        pair = pki.issue(
            root,
            subject=_subject_for(kind, agency, user),
            purpose="sign",
            not_before=not_before or now - timedelta(hours=1),
            not_after=not_after or now + timedelta(days=365 * DEMO_YEARS),
            ocsp_url=ocsp_url,
            email=(user.email if user and user.email else ""),
        )
        owner = user.username if user else agency.code
        stem = f"{kind}-{_slug(owner)}-{format(pair.certificate.serial_number, 'x')[:12]}"
        if key_kind == KeyKind.REMOTE:
            file_name = f"remote/{stem}.p12"
            pki.write_private(
                keys.pki_dir() / file_name,
                pki.pkcs12_dump(pair, chain=[root.certificate], passphrase=_passphrase()),
            )
            cert = _register(
                pair.certificate,
                kind=kind,
                agency=agency,
                user=user,
                key_kind=KeyKind.REMOTE,
                key_ref=stem,
                is_demo=True,
            )
        else:
            cert = _store(
                pair,
                [root.certificate],
                kind=kind,
                agency=agency,
                user=user,
                file_name=f"{stem}.p12",
                is_demo=True,
            )
        audit_record(
            actor=actor,
            action="signing.certificate_issue",
            obj=cert,
            changes={"kind": kind, "agency": agency.code, "fingerprint": cert.fingerprint},
        )
    return cert


def crl_write(root: pki.KeyPair | None = None) -> Path | None:
    """Rewrite the demo CA's CRL with every revoked demo certificate."""
    root = root or demo_root()
    if root is None:
        return None
    issuer = root.certificate.subject.rfc4514_string()[:500]
    revoked = [
        (int(serial, 16), at)
        for serial, at in Certificate.objects.filter(
            issuer=issuer, revoked_at__isnull=False
        ).values_list("serial", "revoked_at")
        if at is not None
    ]
    crl = pki.make_crl(root, revoked=revoked, now=timezone.now())
    path = keys.pki_dir() / CRL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return path


def known_crls() -> list[bytes]:
    path = keys.pki_dir() / CRL_FILE
    try:
        return [path.read_bytes()]
    except OSError:
        return []


_crl_cache: dict[tuple[str, int, int], list[asn1_crl.CertificateList]] = {}


def known_crl_lists() -> list[asn1_crl.CertificateList]:
    """``known_crls`` parsed, read again only when the file changes (a revocation rewrites it)
    instead of read and parsed for every signature and verification."""
    path = keys.pki_dir() / CRL_FILE
    try:
        stat = path.stat()
    except OSError:
        return []
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _crl_cache.get(key)
    if cached is None:
        cached = [asn1_crl.CertificateList.load(data) for data in known_crls()]
        _crl_cache.clear()
        _crl_cache[key] = cached
    return cached


def certificate_revoke(*, actor: Any, certificate: Certificate) -> Certificate:
    _pki_admin(actor)
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if cert.revoked_at is None:
            cert.revoked_at = timezone.now()
            cert.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="signing.certificate_revoke",
                obj=cert,
                changes={"fingerprint": cert.fingerprint},
            )
        transaction.on_commit(crl_write)
    return cert


def certificate_import_pkcs12(
    *,
    actor: Any,
    kind: str,
    agency: Agency,
    data: bytes,
    passphrase: str,
    user: User | None = None,
) -> Certificate:
    """Import a PKCS#12 file issued by a real CA; the key is re-encrypted with
    ``CQS_PKI_PASSPHRASE`` and kept under ``CQS_PKI_DIR``, never in the database."""
    _pki_admin(actor)
    try:
        pair, chain = pki.pkcs12_load(data, passphrase)
    except ValueError as exc:
        raise ValidationError("Không mở được tệp PKCS#12 (sai mật khẩu hoặc tệp hỏng).") from exc
    with transaction.atomic():
        stem = f"{kind}-imported-{pair.fingerprint[:16]}"
        cert = _store(
            pair, chain, kind=kind, agency=agency, user=user, file_name=f"{stem}.p12", is_demo=False
        )
        audit_record(
            actor=actor,
            action="signing.certificate_import",
            obj=cert,
            changes={"fingerprint": cert.fingerprint, "key_kind": "pkcs12"},
        )
    return cert


def certificate_register_pkcs11(
    *,
    actor: Any,
    kind: str,
    agency: Agency,
    certificate_pem: str,
    token_label: str,
    key_label: str,
    user: User | None = None,
) -> Certificate:
    """Register a key that stays on a USB token/HSM; signing goes through PKCS#11."""
    _pki_admin(actor)
    try:
        cert = pki.load_pem(certificate_pem)
    except ValueError as exc:
        raise ValidationError("Chứng thư số (PEM) không hợp lệ.") from exc
    with transaction.atomic():
        row = _register(
            cert,
            kind=kind,
            agency=agency,
            user=user,
            key_kind=KeyKind.PKCS11,
            key_ref=f"token={token_label};key={key_label}",
            is_demo=False,
        )
        audit_record(
            actor=actor,
            action="signing.certificate_register_pkcs11",
            obj=row,
            changes={"fingerprint": row.fingerprint, "token": token_label},
        )
    return row


def trust_anchor_add(*, actor: Any, name: str, pem: str | bytes) -> TrustAnchor:
    """Trust a root CA, e.g. Vietnam's national root CA or the government CA."""
    _pki_admin(actor)
    try:
        cert = pki.load_pem(pem)
    except ValueError as exc:
        raise ValidationError("Chứng thư gốc không hợp lệ (cần PEM hoặc DER).") from exc
    fp = pki.fingerprint(cert)
    with transaction.atomic():
        anchor, created = TrustAnchor.objects.get_or_create(
            fingerprint=fp,
            defaults={"name": name or cert.subject.rfc4514_string()[:255], "pem": pki.pem(cert)},
        )
        if created:
            audit_record(
                actor=actor, action="signing.trust_anchor_add", obj=anchor, changes={"fp": fp}
            )
    return anchor


@dataclass
class PkiInitReport:
    root_created: bool
    seals: int
    personal: int


def pki_init(*, actor: Any = None) -> PkiInitReport:
    """Idempotent demo PKI: root CA, a seal certificate for every agency that signs, a personal
    certificate for every official with the leader role, and the CRL."""
    _pki_admin(actor)
    now = timezone.now()
    seals = personal = 0
    with transaction.atomic():
        root, created = _ensure_root(now)
        root_issuer = root.certificate.subject.rfc4514_string()[:500]
        usable = Certificate.objects.filter(
            issuer=root_issuer, revoked_at__isnull=True, not_after__gt=now
        )
        have = [c for c in usable if _key_present(c)]
        have_seal = {c.agency_id for c in have if c.kind == CertificateKind.SEAL}
        have_personal = {c.user_id for c in have if c.kind == CertificateKind.PERSONAL}
        for agency in Agency.objects.filter(kind__in=SEALING_KINDS, is_active=True):
            if agency.pk in have_seal:
                continue
            certificate_issue_demo(actor=None, kind=CertificateKind.SEAL, agency=agency)
            seals += 1
        leaders = (
            User.objects.filter(role_assignments__role=Role.LEADER, is_active=True)
            .distinct()
            .prefetch_related("role_assignments__agency")
        )
        for user in leaders:
            if user.pk in have_personal:
                continue
            agency = next(ra.agency for ra in user.role_assignments.all() if ra.role == Role.LEADER)
            certificate_issue_demo(
                actor=None, kind=CertificateKind.PERSONAL, agency=agency, user=user
            )
            personal += 1
        crl_write(root)
        if created or seals or personal:  # a run that changes nothing writes nothing
            audit_record(
                actor=actor,
                action="signing.pki_init",
                object_type="signing.pki",
                object_id="demo",
                changes={"root_created": created, "seals": seals, "personal": personal},
            )
    return PkiInitReport(root_created=created, seals=seals, personal=personal)


def _key_present(cert: Certificate) -> bool:
    if cert.key_kind == KeyKind.PKCS12:
        return (keys.pki_dir() / cert.key_ref).exists()
    if cert.key_kind == KeyKind.REMOTE:
        return (keys.pki_dir() / "remote" / f"{cert.key_ref}.p12").exists()
    return True
