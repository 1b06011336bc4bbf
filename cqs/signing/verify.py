"""Verification of every signature in a PDF: signer, signing time, integrity (was the document
changed after signing?), chain to the configured trust anchors, revocation, timestamp.

Revocation data comes from the document's DSS (LTV data embedded at signing), the demo CA's CRL
and, when ``CQS_SIGNING_FETCH_REVOCATION`` is on, from the CA's OCSP/CRL addresses.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from django.conf import settings
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cqs.signing.certificates import known_crl_lists
from cqs.signing.engine import not_a_pdf
from cqs.signing.models import Certificate
from cqs.signing.selectors import trust_anchors_version, trust_roots, version_of

INTEGRITY_LABELS = {
    "intact": "Nguyên vẹn — tài liệu không bị thay đổi sau khi ký",
    "later_signatures": "Nguyên vẹn — sau khi ký chỉ thêm chữ ký số hoặc dữ liệu kiểm tra hợp lệ",
    "modified": "Tài liệu đã bị thay đổi sau khi ký",
    "broken": "Chữ ký không khớp nội dung — tài liệu đã bị sửa",
}
REVOCATION_LABELS = {
    "good": "Chứng thư còn hiệu lực (chưa bị thu hồi)",
    "revoked": "Chứng thư đã bị thu hồi",
    "unknown": "Không có thông tin thu hồi",
}


@dataclass
class SignatureResult:
    field_name: str
    signer: str
    signer_subject: str
    issuer: str
    serial: str
    fingerprint: str
    signing_time: datetime | None
    integrity: str  # intact / later_signatures / modified / broken
    cryptographically_valid: bool
    chain_trusted: bool
    chain_message: str
    revocation: str  # good / revoked / unknown
    timestamp: datetime | None
    timestamp_valid: bool | None
    kind: str = ""  # personal / seal (when the certificate is registered in CQS)
    is_demo: bool = False
    reason: str = ""

    @property
    def document_intact(self) -> bool:
        return self.integrity in ("intact", "later_signatures")

    @property
    def valid(self) -> bool:
        return (
            self.cryptographically_valid
            and self.document_intact
            and self.chain_trusted
            and self.revocation != "revoked"
        )

    @property
    def integrity_label(self) -> str:
        return INTEGRITY_LABELS[self.integrity]

    @property
    def revocation_label(self) -> str:
        return REVOCATION_LABELS[self.revocation]

    def as_dict(self) -> dict[str, Any]:
        return {
            "field_name": self.field_name,
            "signer": self.signer,
            "signer_subject": self.signer_subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "fingerprint": self.fingerprint,
            "kind": self.kind,
            "is_demo": self.is_demo,
            "reason": self.reason,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "valid": self.valid,
            "integrity": self.integrity,
            "integrity_label": self.integrity_label,
            "document_intact": self.document_intact,
            "cryptographically_valid": self.cryptographically_valid,
            "chain_trusted": self.chain_trusted,
            "chain_message": self.chain_message,
            "revocation": self.revocation,
            "revocation_label": self.revocation_label,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "timestamp_valid": self.timestamp_valid,
        }


@dataclass
class VerificationReport:
    sha256: str
    size: int
    signatures: list[SignatureResult] = field(default_factory=list)

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(s.valid for s in self.signatures)

    @property
    def modified_after_last_signature(self) -> bool:
        return bool(self.signatures) and not self.signatures[-1].document_intact

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "signature_count": len(self.signatures),
            "all_valid": self.all_valid,
            "signatures": [s.as_dict() for s in self.signatures],
        }


def _name_of(cert: Any) -> str:
    try:
        return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
    except (AttributeError, ValueError):
        return ""


def _has_revinfo(cert: Any, crls: list[Any], ocsps: list[Any]) -> bool:
    for c in crls:
        crl = c if isinstance(c, asn1_crl.CertificateList) else asn1_crl.CertificateList.load(c)
        if crl.issuer == cert.issuer:
            return True
    for o in ocsps:
        resp = o if isinstance(o, asn1_ocsp.OCSPResponse) else asn1_ocsp.OCSPResponse.load(o)
        try:
            for single in resp.basic_ocsp_response["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native == cert.serial_number:
                    return True
        except (KeyError, ValueError, TypeError):
            continue
    return False


def pdf_verify(pdf: bytes) -> VerificationReport:
    """Check every signature of ``pdf``. Raises ``SigningError`` (not_a_pdf) for non-PDFs."""
    if pdf.lstrip()[:5] != b"%PDF-":
        raise not_a_pdf()
    report = VerificationReport(sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise not_a_pdf() from exc
    if not signatures:
        return report
    crls: list[Any] = list(known_crl_lists())
    ocsps: list[Any] = []
    other_certs: list[Any] = []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        other_certs = list(dss.load_certs())
        for ref in dss.ocsps:
            ocsps.append(asn1_ocsp.OCSPResponse.load(ref.get_object().data))
        for ref in dss.crls:
            crls.append(asn1_crl.CertificateList.load(ref.get_object().data))
    except NoDSSFoundError:
        pass
    except (PdfError, ValueError, KeyError, TypeError):
        pass
    fingerprints = [hashlib.sha256(s.signer_cert.dump()).hexdigest() for s in signatures]
    registered = {
        c.fingerprint: c
        for c in Certificate.objects.filter(fingerprint__in=fingerprints).annotate(
            **trust_anchors_version()  # saves trust_roots() its own query
        )
    }
    roots = trust_roots(version_of(next(iter(registered.values()), None)))
    for sig, fp in zip(signatures, fingerprints, strict=True):
        vc = ValidationContext(
            trust_roots=roots,
            other_certs=other_certs,
            crls=crls,
            ocsps=ocsps,
            allow_fetching=settings.CQS_SIGNING_FETCH_REVOCATION,
            revocation_mode="soft-fail",
        )
        report.signatures.append(
            _one(sig, vc=vc, fp=fp, registered=registered.get(fp), crls=crls, ocsps=ocsps)
        )
    return report


def _one(
    sig: Any,
    *,
    vc: ValidationContext,
    fp: str,
    registered: Certificate | None,
    crls: list[Any],
    ocsps: list[Any],
) -> SignatureResult:
    cert = sig.signer_cert
    field_name = str(sig.field_name)
    reason = ""
    try:
        reason = str(sig.sig_object.get("/Reason", "") or "")
    except (KeyError, ValueError, TypeError):
        reason = ""
    base = {
        "field_name": field_name,
        "signer": _name_of(cert),
        "signer_subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "serial": format(cert.serial_number, "x"),
        "fingerprint": fp,
        "kind": registered.kind if registered else "",
        "is_demo": bool(registered and registered.is_demo),
        "reason": reason,
    }
    try:
        status = validate_pdf_signature(sig, signer_validation_context=vc)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        return SignatureResult(
            **base,
            signing_time=sig.self_reported_timestamp,
            integrity="broken",
            cryptographically_valid=False,
            chain_trusted=False,
            chain_message=str(exc)[:200],
            revocation="unknown",
            timestamp=None,
            timestamp_valid=None,
        )
    if not status.intact or not status.valid:
        integrity = "broken"
    elif status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        integrity = "intact"
    elif (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.FORM_FILLING
    ):
        integrity = "later_signatures"
    else:
        integrity = "modified"
    if status.revocation_details is not None or (registered and registered.revoked_at):
        revocation = "revoked"
    elif status.trusted and _has_revinfo(cert, crls, ocsps):
        revocation = "good"
    else:
        revocation = "unknown"
    if status.trusted:
        chain_message = "Chuỗi chứng thư hợp lệ đến chứng thư gốc tin cậy"
    elif status.revocation_details is not None:
        chain_message = "Chứng thư đã bị thu hồi"
    else:
        chain_message = "Không xác lập được chuỗi tin cậy đến chứng thư gốc đã cấu hình"
    ts = status.timestamp_validity
    return SignatureResult(
        **base,
        signing_time=ts.timestamp if ts else status.signer_reported_dt,
        integrity=integrity,
        cryptographically_valid=bool(status.intact and status.valid),
        chain_trusted=bool(status.trusted),
        chain_message=chain_message,
        revocation=revocation,
        timestamp=ts.timestamp if ts else None,
        timestamp_valid=bool(ts.valid and ts.intact) if ts else None,
    )
