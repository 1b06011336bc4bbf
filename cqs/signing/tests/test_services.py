"""Signing services against real PDFs, checked by poppler's pdfsig and pyHanko's validator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cqs.audit.models import AuditEvent
from cqs.core.errors import PermissionDenied
from cqs.signing.certificates import certificate_issue_demo, certificate_revoke
from cqs.signing.errors import SigningError
from cqs.signing.models import Certificate, CertificateKind, SignatureRecord
from cqs.signing.pki import sha256_hex
from cqs.signing.services import pdf_seal, pdf_seal_system, pdf_sign
from cqs.signing.tests.conftest import make_pdf, pdfsig, pdfsig_blocks
from cqs.signing.verify import pdf_verify

pytestmark = pytest.mark.django_db


def test_leader_signs_and_clerk_seals_both_valid_in_pdfsig_and_cqs(demo, pdf, tmp_path):
    leader, clerk = demo.user("lanhdao"), demo.user("vanthu")
    signed = pdf_sign(actor=leader, pdf=pdf, context="dossier:TEST-1")
    sealed = pdf_seal(actor=clerk, pdf=signed, context="dossier:TEST-1")

    # originals stay bit-exact: each signature is an incremental update
    assert signed.startswith(pdf)
    assert sealed.startswith(signed)

    out = pdfsig(sealed, tmp_path)
    blocks = pdfsig_blocks(out)
    assert len(blocks) == 2, out
    assert "Phạm Quốc Hùng" in blocks[0]
    assert "Ủy ban nhân dân phường Hạ Long" in blocks[1]
    for block in blocks:
        assert "Signature Validation: Signature is Valid." in block
    assert "Total document signed" in blocks[1]  # nothing changed after the last signature

    report = pdf_verify(sealed)
    assert [s.kind for s in report.signatures] == ["personal", "seal"]
    assert report.all_valid
    for sig in report.signatures:
        assert sig.chain_trusted
        assert sig.revocation == "good"  # the demo CA's CRL is embedded (LTV)
        assert sig.document_intact
    assert report.signatures[1].integrity == "intact"
    assert report.signatures[0].integrity == "later_signatures"
    assert report.signatures[0].signer == "Phạm Quốc Hùng"

    records = list(SignatureRecord.objects.filter(context="dossier:TEST-1").order_by("id"))
    assert [r.kind for r in records] == ["personal", "seal"]
    assert records[0].sha256_in == sha256_hex(pdf)
    assert records[0].sha256_out == sha256_hex(signed)
    assert records[1].sha256_out == sha256_hex(sealed)
    assert records[0].level == "commune"
    audited = AuditEvent.objects.filter(action__in=["signing.personal", "signing.seal"])
    assert {e.changes["sha256_out"] for e in audited} >= {sha256_hex(signed), sha256_hex(sealed)}


def test_seal_covers_left_third_of_the_signer_image(demo, pdf):
    from cqs.signing.engine import existing_signature_boxes

    sealed = pdf_seal(actor=demo.user("vanthu"), pdf=pdf_sign(actor=demo.user("lanhdao"), pdf=pdf))
    (_, signer), (_, seal) = existing_signature_boxes(sealed)
    overlap = min(seal[2], signer[2]) - max(seal[0], signer[0])
    assert overlap == pytest.approx((signer[2] - signer[0]) / 3, abs=1.5)
    assert seal[0] < signer[0]  # the seal sits on the left


def test_incremental_update_after_signing_is_reported_as_modified(demo, pdf, tmp_path):
    signed = pdf_sign(actor=demo.user("lanhdao"), pdf=pdf)
    # Append a new revision that changes the page content (a forged incremental update).
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page_ref, _ = writer.find_page_for_modification(0)
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (DA SUA) Tj ET")
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    tampered = out.getvalue()

    report = pdf_verify(tampered)
    assert report.signatures[0].integrity == "modified"
    assert not report.signatures[0].valid
    assert report.modified_after_last_signature
    block = pdfsig_blocks(pdfsig(tampered, tmp_path))[0]
    assert "Not total document signed" in block


def test_byte_flip_breaks_the_signature_in_cqs_and_pdfsig(demo, pdf, tmp_path):
    signed = bytearray(pdf_sign(actor=demo.user("lanhdao"), pdf=pdf))
    # flip one byte inside the signed page content (before the signature's byte range gap)
    index = signed.index(b"stream") + 20
    signed[index] ^= 0x01
    report = pdf_verify(bytes(signed))
    assert report.signatures[0].integrity == "broken"
    assert not report.all_valid
    block = pdfsig_blocks(pdfsig(bytes(signed), tmp_path))[0]
    assert "Signature is Valid" not in block


def test_revoked_certificate_is_refused(demo, pdf):
    leader = demo.user("lanhdao")
    cert = Certificate.objects.get(kind=CertificateKind.PERSONAL, user=leader)
    certificate_revoke(actor=None, certificate=cert)
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=leader, pdf=pdf)
    assert exc.value.status == 422
    assert exc.value.code == "certificate_revoked"
    assert "đã bị thu hồi" in exc.value.message


def test_expired_certificate_is_refused(demo, pdf):
    leader = demo.user("lanhdao")
    Certificate.objects.filter(user=leader).delete()
    now = timezone.now()
    certificate_issue_demo(
        actor=None,
        kind=CertificateKind.PERSONAL,
        agency=demo.agency("000.00.20.H49"),
        user=leader,
        not_before=now - timedelta(days=400),
        not_after=now - timedelta(days=1),
    )
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=leader, pdf=pdf)
    assert exc.value.code == "certificate_expired"
    assert "đã hết hạn" in exc.value.message


def test_official_without_certificate_and_non_pdf_are_refused(demo, pdf):
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=demo.user("xuly"), pdf=pdf)
    assert exc.value.code == "no_certificate"
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=demo.user("lanhdao"), pdf=b"GIF89a not a pdf")
    assert exc.value.code == "not_a_pdf"
    assert exc.value.message == "Tệp tải lên không phải là tệp PDF hợp lệ."
    with pytest.raises(SigningError):
        pdf_sign(actor=demo.user("lanhdao"), pdf=b"%PDF-1.7\ngarbage with no trailer")
    assert not SignatureRecord.objects.exists()


def test_citizen_cannot_sign_and_other_agency_clerk_cannot_seal(demo, pdf):
    with pytest.raises(PermissionDenied):
        pdf_sign(actor=demo.user("congdan"), pdf=pdf)
    with pytest.raises(PermissionDenied):
        pdf_seal(actor=demo.user("vanthu"), pdf=pdf, agency=demo.agency("000.00.21.H49"))
    with pytest.raises(PermissionDenied):
        pdf_seal(actor=demo.user("lanhdao"), pdf=pdf)


def test_system_seal_signs_receipts_and_respects_required_setting(demo, pdf, settings, tmp_path):
    desk = demo.agency("001.00.20.H49")
    sealed = pdf_seal_system(pdf=pdf, agency=desk, context="receipt:1")
    report = pdf_verify(sealed)
    assert report.all_valid
    assert report.signatures[0].kind == "seal"
    assert "Signature is Valid" in pdfsig(sealed, tmp_path)
    assert SignatureRecord.objects.get(context="receipt:1").kind == "system"

    SignatureRecord.objects.all().delete()
    # the desk seals with its own certificate, else with its committee's
    Certificate.objects.filter(agency=desk).delete()
    assert pdf_verify(pdf_seal_system(pdf=pdf, agency=desk)).signatures[0].signer == (
        "Ủy ban nhân dân phường Hạ Long"
    )
    SignatureRecord.objects.all().delete()
    Certificate.objects.filter(agency=desk.parent).delete()
    assert pdf_seal_system(pdf=pdf, agency=desk) == pdf  # not configured, not required
    settings.CQS_SIGNING_REQUIRED = True
    with pytest.raises(SigningError) as exc:
        pdf_seal_system(pdf=pdf, agency=desk)
    assert exc.value.code == "no_certificate"


def test_unsigned_pdf_and_untrusted_signer(demo, pdf):
    assert pdf_verify(pdf).signatures == []
    assert not pdf_verify(pdf).all_valid
    signed = pdf_sign(actor=demo.user("lanhdao"), pdf=pdf)
    from cqs.signing.models import TrustAnchor

    TrustAnchor.objects.all().delete()
    sig = pdf_verify(signed).signatures[0]
    assert sig.document_intact
    assert not sig.chain_trusted
    assert not sig.valid


def test_multi_page_sign_on_chosen_page(demo):
    data = make_pdf(pages=3)
    signed = pdf_sign(actor=demo.user("lanhdao"), pdf=data, page=0, box=(50, 50, 250, 130))
    from cqs.signing.engine import existing_signature_boxes

    assert existing_signature_boxes(signed) == [(0, (50.0, 50.0, 250.0, 130.0))]


def test_demo_passphrase_is_refused_in_production(demo, pdf, settings):
    from cqs.signing import keys

    keys.clear_cache()
    settings.IS_PRODUCTION = True
    with pytest.raises(SigningError) as exc:
        pdf_sign(actor=demo.user("lanhdao"), pdf=pdf)
    assert exc.value.code == "key_unavailable"
    assert "CQS_PKI_PASSPHRASE" in exc.value.message
    keys.clear_cache()
