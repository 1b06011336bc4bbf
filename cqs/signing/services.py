"""Signing services: the one door through which any app signs or seals a PDF.

CONTRACT (other apps code against these names and signatures; the signing work fills in the
bodies and may add keyword arguments with defaults, never remove or rename these):

- ``pdf_sign(*, actor, pdf, reason="", location="", context="", page=None, box=None) -> bytes``
  PAdES signature of ``actor`` (an official) with their personal certificate, visible
  appearance per Decree 30 Appendix I. Raises ``SigningError`` (422, Vietnamese message) when
  the official has no usable certificate (none, revoked, expired, key unavailable) or the input
  is not a PDF.
- ``pdf_seal(*, actor, pdf, agency=None, reason="", context="", page=None, box=None) -> bytes``
  The agency's seal signature added by a records clerk (``actor``) of ``agency`` (default: the
  clerk's agency), as the second signature after the leader's.
- ``pdf_seal_system(*, pdf, agency, reason="", context="") -> bytes``
  Automatic agency signature without a human actor (intake receipts, e-receipts). Returns the
  input unchanged when the agency has no seal certificate configured and
  ``CQS_SIGNING_REQUIRED`` is off; raises ``SigningError`` when it is on.
- ``pdf_verify(pdf) -> VerificationReport`` (in ``cqs.signing.verify``): every signature with
  signer, signing time, integrity, chain to trust anchors, revocation, timestamp.

Every successful sign/seal writes a ``SignatureRecord`` (agency, kind, context, SHA-256 of the
input and of the output) and an audit row in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pkcs11.exceptions import PKCS11Error
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

from cqs.accounts.permissions import agency_scope, roles_of
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.core.errors import PermissionDenied
from cqs.signing import appearance, engine, keys
from cqs.signing.certificates import known_crl_lists
from cqs.signing.errors import SigningError
from cqs.signing.models import (
    Certificate,
    CertificateKind,
    KeyKind,
    SignatureKind,
    SignatureRecord,
)
from cqs.signing.selectors import trust_anchors_version, trust_roots, version_of
from cqs.units.models import Agency, AgencyKind

__all__ = ["SigningError", "pdf_seal", "pdf_seal_system", "pdf_sign"]

Box = tuple[float, float, float, float]


def _check_size(pdf: bytes) -> None:
    if len(pdf) > settings.CQS_SIGNING_MAX_MB * 1024 * 1024:
        raise SigningError(
            f"Tệp PDF vượt quá {settings.CQS_SIGNING_MAX_MB} MB.", code="payload_too_large"
        )


def usable_certificate(
    *, kind: str, user: Any = None, agency: Agency | None = None, required: bool = True
) -> Certificate | None:
    """The newest certificate of the official (personal) or agency (seal), refused with a
    clear message when revoked or expired."""
    rows = (
        Certificate.objects.filter(kind=kind)
        .select_related("agency__unit")
        .annotate(**trust_anchors_version())  # saves trust_roots() its own query
    )
    rows = (
        rows.filter(user=user) if kind == CertificateKind.PERSONAL else rows.filter(agency=agency)
    )
    now = timezone.now()
    best = rows.filter(revoked_at__isnull=True, not_before__lte=now, not_after__gt=now).first()
    if best is not None:
        return best
    if not required:
        return None
    whose = "của bạn" if kind == CertificateKind.PERSONAL else "của cơ quan"
    latest = rows.first()
    if latest is None:
        raise SigningError(
            f"Chưa có chứng thư số {whose}. Vui lòng liên hệ quản trị để được cấp chứng thư số.",
            code="no_certificate",
        )
    if latest.revoked_at is not None:
        raise SigningError(
            f"Chứng thư số {whose} đã bị thu hồi từ "
            f"{timezone.localtime(latest.revoked_at):%d/%m/%Y %H:%M}; không thể ký số.",
            code="certificate_revoked",
            details={"certificate": latest.fingerprint},
        )
    if latest.not_after <= now:
        raise SigningError(
            f"Chứng thư số {whose} đã hết hạn ngày "
            f"{timezone.localtime(latest.not_after):%d/%m/%Y}; không thể ký số.",
            code="certificate_expired",
            details={"certificate": latest.fingerprint},
        )
    raise SigningError(
        f"Chứng thư số {whose} chưa đến thời điểm có hiệu lực.",
        code="certificate_not_yet_valid",
        details={"certificate": latest.fingerprint},
    )


def _validation_context(cert: Certificate) -> tuple[ValidationContext | None, int]:
    """Revocation data to embed (LTV): the demo CA's CRL, and fetched OCSP/CRL when allowed;
    with the number of bytes it may take in the signature."""
    roots = trust_roots(version_of(cert))
    if not roots:
        return None, 0
    crls = known_crl_lists()
    size = sum(len(c.dump()) for c in crls)
    if settings.CQS_SIGNING_FETCH_REVOCATION:
        size += engine.FETCHED_REVOCATION_RESERVE
    context = ValidationContext(
        trust_roots=roots,
        crls=crls,
        allow_fetching=settings.CQS_SIGNING_FETCH_REVOCATION,
        revocation_mode="soft-fail",
    )
    return context, size


def _sign_with(
    cert: Certificate,
    pdf: bytes,
    *,
    prefix: str,
    reason: str,
    location: str,
    placement: engine.Placement | None,
    style: Any,
    text_params: dict[str, str],
    name: str,
    writer: Any = None,
) -> bytes:
    cleanup: Callable[[], None] | None = None
    if cert.key_kind == KeyKind.PKCS11:
        handle = keys.Pkcs11Handle(cert.key_ref, cert.pem)
        signer: Any = handle.signer
        cleanup = handle.close
    elif cert.key_kind == KeyKind.REMOTE:
        signer = keys.RemoteSigner(keys.remote_adapter(), cert.key_ref)
    else:
        signer = keys.pkcs12_signer(cert.key_ref)
    timestamper = (
        engine.http_timestamper(settings.CQS_SIGNING_TSA_URL)
        if settings.CQS_SIGNING_TSA_URL
        else None
    )
    validation_context, revocation_bytes = _validation_context(cert)
    request = engine.SignRequest(
        signer=signer,
        field_prefix=prefix,
        reason=reason,
        location=location,
        name=name,
        placement=placement,
        style=style,
        text_params=text_params,
        timestamper=timestamper,
        validation_context=validation_context,
        revocation_bytes=revocation_bytes,
    )
    try:
        return engine.sign_bytes(pdf, request, writer)
    except PKCS11Error as exc:
        raise SigningError(
            "USB token/HSM từ chối thao tác ký (khóa không tồn tại hoặc bị khóa).",
            code="key_unavailable",
        ) from exc
    except TimestampRequestError as exc:
        raise SigningError(
            "Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA). Vui lòng thử lại.",
            code="timestamp_unavailable",
        ) from exc
    except (PathValidationError, PathBuildingError) as exc:
        raise SigningError(
            "Chứng thư số không hợp lệ tại thời điểm ký (đã bị thu hồi, hết hạn hoặc không "
            "thuộc chuỗi tin cậy); không thể ký số.",
            code="certificate_invalid",
            details={"certificate": cert.fingerprint},
        ) from exc
    except HankoSigningError as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, PathValidationError | PathBuildingError):
            revoked = isinstance(cause, RevokedError)
            raise SigningError(
                "Chứng thư số đã bị thu hồi; không thể ký số."
                if revoked
                else "Chứng thư số không hợp lệ tại thời điểm ký (hết hạn hoặc không thuộc chuỗi "
                "tin cậy); không thể ký số.",
                code="certificate_revoked" if revoked else "certificate_invalid",
                details={"certificate": cert.fingerprint},
            ) from exc
        raise SigningError(
            "Không thể ký số tài liệu: " + str(exc)[:200], code="signing_failed"
        ) from exc
    finally:
        if cleanup is not None:
            cleanup()


def _record(
    *,
    actor: Any,
    cert: Certificate,
    agency: Agency,
    kind: str,
    context: str,
    pdf: bytes,
    signed: bytes,
) -> SignatureRecord:
    from cqs.signing.pki import sha256_hex

    with transaction.atomic():
        record = SignatureRecord.objects.create(
            agency=agency,
            level=agency.unit.level,
            kind=kind,
            certificate=cert,
            actor=actor,
            context=context[:100],
            sha256_in=sha256_hex(pdf),
            sha256_out=sha256_hex(signed),
        )
        audit_record(
            actor=actor,
            action=f"signing.{kind}",
            obj=record,
            changes={
                "context": context,
                "sha256_in": record.sha256_in,
                "sha256_out": record.sha256_out,
                "certificate": cert.fingerprint,
            },
        )
    return record


def _placement(writer: Any, page: int | None, box: Box | None) -> engine.Placement:
    index = -1 if page is None else page
    return engine.Placement(
        page=index,
        box=box or appearance.signature_box(engine.page_width(writer, index)),
    )


def pdf_sign(
    *,
    actor: Any,
    pdf: bytes,
    reason: str = "",
    location: str = "",
    context: str = "",
    page: int | None = None,
    box: Box | None = None,
) -> bytes:
    """The official's own PAdES signature with a visible signature image (see CONTRACT)."""
    _check_size(pdf)
    if not roles_of(actor):
        raise PermissionDenied("Chỉ cán bộ, công chức mới được ký số văn bản.")
    writer = engine.open_writer(pdf)  # not a PDF → SigningError before any certificate
    placement = _placement(writer, page, box)
    cert = usable_certificate(kind=CertificateKind.PERSONAL, user=actor)
    assert cert is not None  # noqa: S101 - required=True raises instead
    full_name = actor.full_name or actor.username
    signed = _sign_with(
        cert,
        pdf,
        prefix="CQS_KySo_",
        reason=reason or "Ký duyệt",
        location=location or settings.CQS_PROVINCE_NAME,
        placement=placement,
        style=appearance.personal_style(
            full_name, cert.agency.name, timezone.localtime(timezone.now())
        ),
        text_params={},
        name=full_name,
        writer=writer,
    )
    _record(
        actor=actor,
        cert=cert,
        agency=cert.agency,
        kind=SignatureKind.PERSONAL,
        context=context,
        pdf=pdf,
        signed=signed,
    )
    return signed


def _clerk_agency(actor: Any) -> Agency:
    scope = agency_scope(actor, [Role.RECORDS_CLERK])
    agency = Agency.objects.filter(pk__in=scope).order_by("code").first()
    if agency is None:
        raise PermissionDenied("Chỉ văn thư của cơ quan được đóng dấu (ký số cơ quan).")
    return agency


def _seal_agency(agency: Agency) -> Agency:
    """Divisions and one-stop desks without a seal of their own use their committee's seal;
    other agencies only ever use their own."""
    if agency.kind not in (AgencyKind.DIVISION, AgencyKind.ONE_STOP_DESK) or not agency.parent_id:
        return agency
    if Certificate.objects.filter(kind=CertificateKind.SEAL, agency=agency).exists():
        return agency
    parent = agency.parent
    assert parent is not None  # noqa: S101 - parent_id checked above
    return parent


def pdf_seal(
    *,
    actor: Any,
    pdf: bytes,
    agency: Agency | None = None,
    reason: str = "",
    context: str = "",
    page: int | None = None,
    box: Box | None = None,
) -> bytes:
    """The agency's seal signature added by its records clerk (see CONTRACT)."""
    _check_size(pdf)
    agency = agency or _clerk_agency(actor)
    if agency.pk not in agency_scope(actor, [Role.RECORDS_CLERK]) and not (
        agency.parent_id and agency.parent_id in agency_scope(actor, [Role.RECORDS_CLERK])
    ):
        raise PermissionDenied("Chỉ văn thư của cơ quan được đóng dấu (ký số cơ quan).")
    engine.open_writer(pdf)
    agency = _seal_agency(agency)
    cert = usable_certificate(kind=CertificateKind.SEAL, agency=agency)
    assert cert is not None  # noqa: S101 - required=True raises instead
    if box is None:
        visible = engine.existing_signature_boxes(pdf)
        if visible:
            page, signer_box = visible[-1]
            box = appearance.seal_box(signer_box)
        else:
            placement = _placement(engine.open_writer(pdf), page, None)
            page = placement.page
            box = appearance.seal_box(placement.box or (0.0, 0.0, 0.0, 0.0))
    signed = _sign_with(
        cert,
        pdf,
        prefix="CQS_DongDau_",
        reason=reason or "Đóng dấu (chữ ký số cơ quan)",
        location=settings.CQS_PROVINCE_NAME,
        placement=engine.Placement(page=-1 if page is None else page, box=box),
        style=appearance.seal_style(agency.name),
        text_params={},
        name=agency.name,
    )
    _record(
        actor=actor,
        cert=cert,
        agency=agency,
        kind=SignatureKind.SEAL,
        context=context,
        pdf=pdf,
        signed=signed,
    )
    return signed


def pdf_seal_system(
    *, pdf: bytes, agency: Agency, reason: str = "", context: str = "", visible: bool = False
) -> bytes:
    """Automatic agency signature on receipts and e-receipts (see CONTRACT)."""
    _check_size(pdf)
    agency = _seal_agency(agency)
    cert = usable_certificate(
        kind=CertificateKind.SEAL, agency=agency, required=settings.CQS_SIGNING_REQUIRED
    )
    if cert is None:
        return pdf
    engine.open_writer(pdf)
    placement = None
    if visible:
        # Decree 30 Appendix I: the agency signature on an attachment sits at the top right
        # of its first page.
        writer = engine.open_writer(pdf)
        width = engine.page_width(writer, 0)
        placement = engine.Placement(page=0, box=(width - 230, 770, width - 30, 812))
    signed = _sign_with(
        cert,
        pdf,
        prefix="CQS_CoQuan_",
        reason=reason or "Ký số tự động của cơ quan",
        location=settings.CQS_PROVINCE_NAME,
        placement=placement,
        style=(
            appearance.system_style(agency.name, timezone.localtime(timezone.now()))
            if visible
            else None
        ),
        text_params={},
        name=agency.name,
    )
    _record(
        actor=None,
        cert=cert,
        agency=agency,
        kind=SignatureKind.SYSTEM,
        context=context,
        pdf=pdf,
        signed=signed,
    )
    return signed
