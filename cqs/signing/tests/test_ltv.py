"""Timestamps (RFC 3161) and OCSP (RFC 6960) from local responders the test starts on
127.0.0.1: real HTTP and DER, embedded in the signature for long-term validation."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from cqs.signing.certificates import certificate_issue_demo
from cqs.signing.errors import SigningError
from cqs.signing.models import Certificate, CertificateKind
from cqs.signing.services import pdf_sign
from cqs.signing.tests.conftest import pdfsig, pdfsig_blocks
from cqs.signing.verify import pdf_verify

pytestmark = pytest.mark.django_db


def _leader_with_ocsp(demo, url):
    leader = demo.user("lanhdao")
    Certificate.objects.filter(user=leader).delete()
    cert = certificate_issue_demo(
        actor=None,
        kind=CertificateKind.PERSONAL,
        agency=demo.agency("000.00.20.H49"),
        user=leader,
        ocsp_url=url,
    )
    return leader, cert


def test_timestamp_and_ocsp_are_embedded_and_reported(demo, pdf, responders, settings, tmp_path):
    leader, cert = _leader_with_ocsp(demo, responders.ocsp_url)
    responders.statuses[int(cert.serial, 16)] = None  # good
    settings.CQS_SIGNING_TSA_URL = responders.tsa_url
    settings.CQS_SIGNING_FETCH_REVOCATION = True

    signed = pdf_sign(actor=leader, pdf=pdf)
    assert responders.tsa_app_.served >= 1
    assert responders.ocsp_app_.served >= 1

    reader = PdfFileReader(io.BytesIO(signed))
    dss = reader.root["/DSS"]
    assert len(dss["/OCSPs"]) >= 1  # the OCSP response travels with the document

    # Verification works offline from the embedded data.
    settings.CQS_SIGNING_FETCH_REVOCATION = False
    served = responders.ocsp_app_.served
    sig = pdf_verify(signed).signatures[0]
    assert responders.ocsp_app_.served == served
    assert sig.valid
    assert sig.revocation == "good"
    assert sig.timestamp is not None
    assert sig.timestamp_valid is True
    block = pdfsig_blocks(pdfsig(signed, tmp_path))[0]
    assert "Signature Validation: Signature is Valid." in block
    assert "Total document signed" in block


def test_ocsp_revoked_certificate_is_refused_at_signing(demo, pdf, responders, settings):
    from django.utils import timezone

    leader, cert = _leader_with_ocsp(demo, responders.ocsp_url)
    # Revoked at the CA (the OCSP responder says so) but not yet in CQS's own register.
    responders.statuses[int(cert.serial, 16)] = timezone.now()
    settings.CQS_SIGNING_FETCH_REVOCATION = True
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=leader, pdf=pdf)
    assert exc.value.code == "certificate_revoked"
    assert "thu hồi" in exc.value.message


def test_unreachable_tsa_is_a_clear_error(demo, pdf, settings):
    settings.CQS_SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=demo.user("lanhdao"), pdf=pdf)
    assert exc.value.code == "timestamp_unavailable"
