"""Enveloped XML-DSig on edXML envelopes (QCVN 102:2016 envelope ``Signature``).

W3C XML Signature 1.1 via ``signxml``: enveloped signature, exclusive c14n, RSA-SHA256 or
ECDSA-SHA256 by the key type, the signer's X.509 certificate (and its chain) in ``KeyInfo``.
The sender signs with its agency seal key (cqs.signing); the receiver checks the signature and
that the certificate chains to a trust anchor (cqs.signing.selectors.trust_roots).
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree  # type: ignore[import-untyped]
from signxml import (  # type: ignore[attr-defined]
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureConstructionMethod,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import SignXMLException
from signxml.util import X509CertChainVerifier

from cqs.documents.edxml import EdxmlError

DS_NS = "http://www.w3.org/2000/09/xmldsig#"


def _signer(key: Any) -> XMLSigner:
    method = (
        SignatureMethod.ECDSA_SHA256
        if isinstance(key, ec.EllipticCurvePrivateKey)
        else SignatureMethod.RSA_SHA256
    )
    return XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=method,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )


def sign(xml: bytes, key: Any, chain: list[x509.Certificate]) -> bytes:
    """``xml`` with an enveloped ``ds:Signature`` as the envelope's last child."""
    root = etree.fromstring(xml)
    pem = [c.public_bytes(serialization.Encoding.PEM).decode() for c in chain]
    signed = _signer(key).sign(root, key=key, cert=pem, always_add_key_value=False)
    out: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return out


def has_signature(xml: bytes) -> bool:
    """Whether the (already parsed and validated) envelope carries a ``ds:Signature``."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    return root.find(f"{{{DS_NS}}}Signature") is not None


class _RootsChainVerifier(X509CertChainVerifier):
    """signxml's chain check against our trust anchors instead of a CA file on disk."""

    def __init__(self, roots: list[x509.Certificate], **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self._roots = roots

    @property
    def store(self) -> x509.verification.Store:
        return x509.verification.Store(self._roots)


class _Verifier(XMLVerifier):
    def __init__(self, roots: list[x509.Certificate]) -> None:
        super().__init__()
        self._roots = roots

    def get_cert_chain_verifier(self, ca_pem_file: Any, ee_policy: Any, ca_policy: Any) -> Any:
        return _RootsChainVerifier(
            self._roots,
            verification_time=self._get_cert_verification_time(),  # type: ignore[no-untyped-call]
            ee_policy=ee_policy,
            ca_policy=ca_policy,
        )


def verify(xml: bytes, roots: list[x509.Certificate]) -> None:
    """Check the enveloped signature over the whole envelope and the chain of its certificate
    to one of ``roots``; ``EdxmlError`` when anything is wrong."""
    if not roots:
        raise EdxmlError(
            "edxml_signature_invalid",
            "Máy chủ nhận chưa có chứng thư gốc tin cậy để kiểm tra chữ ký của gói edXML.",
        )
    try:
        result = _Verifier(roots).verify(
            xml,
            # The signature sits directly under edXMLEnvelope and covers it all (URI="").
            expect_config=SignatureConfiguration(location="./", expect_references=1),
        )
    except (SignXMLException, ValueError) as exc:
        raise EdxmlError(
            "edxml_signature_invalid",
            "Chữ ký số (XML-DSig) của gói edXML không hợp lệ: gói đã bị thay đổi sau khi ký "
            "hoặc chứng thư số không thuộc chuỗi tin cậy.",
            {"error": str(exc)[:300]},
        ) from exc
    signed = getattr(result, "signed_xml", None)
    if signed is None or etree.QName(signed).localname != "edXMLEnvelope":
        raise EdxmlError(
            "edxml_signature_invalid", "Chữ ký số của gói edXML không ký toàn bộ gói tin."
        )
