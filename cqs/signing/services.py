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
