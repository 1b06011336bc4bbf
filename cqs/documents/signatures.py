"""The documents app's use of ``cqs.signing`` (its documented contract): sign, seal, verify."""

from __future__ import annotations

from typing import Any

from cqs.signing import services as signing
from cqs.signing.errors import SigningError
from cqs.signing.verify import pdf_verify


def sign(*, actor: Any, pdf: bytes, reason: str, context: str) -> bytes:
    return signing.pdf_sign(actor=actor, pdf=pdf, reason=reason, context=context)


def seal(*, actor: Any, pdf: bytes, agency: Any, reason: str, context: str) -> bytes:
    return signing.pdf_seal(actor=actor, pdf=pdf, agency=agency, reason=reason, context=context)


def verify(pdf: bytes) -> dict[str, Any]:
    """Summary of a PDF's signatures, stored on the document and shown to officials.

    ``intact`` is False when a signature's bytes were changed after signing (tampering) or
    its cryptography fails; ``valid`` additionally needs a trusted chain and no revocation.
    """
    try:
        report = pdf_verify(pdf)
    except SigningError as exc:
        return {"signatures": 0, "valid": False, "intact": True, "error": exc.message, "report": {}}
    sigs = report.signatures
    return {
        "signatures": len(sigs),
        "valid": report.all_valid,
        "intact": all(s.document_intact and s.cryptographically_valid for s in sigs),
        "error": "",
        "report": report.as_dict(),
    }
