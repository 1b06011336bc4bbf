"""The leader signs the result, the records clerk seals it, the receipt is sealed by the agency;
checked with poppler's pdfsig and CQS's verifier. No dossier model change: signed versions are
new result files, the unsigned original stays bit-exact."""

from __future__ import annotations

import subprocess

import pytest

from cqs.audit.models import AuditEvent
from cqs.core.errors import PermissionDenied, ValidationError
from cqs.dossiers.models import DossierFile, FileKind
from cqs.dossiers.services import dossier_act
from cqs.dossiers.signatures import (
    RECEIPT_NAME,
    dossier_result_seal,
    dossier_result_sign,
    receipt_pdf,
    signing_choices,
)
from cqs.dossiers.storage import Upload
from cqs.signing.tests.conftest import make_pdf
from cqs.signing.verify import pdf_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_result(demo, receive):
    d = receive()
    original = make_pdf("Quyết định công nhận kết quả khai sinh")
    d = dossier_act(
        actor=demo.user("xuly"),
        code=d.code,
        action="attach_result",
        files=[Upload("ket-qua.pdf", original, name="Kết quả giải quyết")],
    )
    f = DossierFile.objects.get(dossier=d, kind=FileKind.RESULT)
    return d, f, original


def _pdfsig(data: bytes, tmp_path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], check=False, capture_output=True, text=True).stdout


def test_leader_signs_clerk_seals_then_result_is_returned(demo, with_result, settings, tmp_path):
    settings.CQS_SIGNING_REQUIRED = True
    d, original, original_bytes = with_result
    leader, clerk, desk = demo.user("lanhdao"), demo.user("vanthu"), demo.user("tiepnhan")
    assert signing_choices(leader, d)["sign"] == {original.pk}
    assert signing_choices(clerk, d)["seal"] == set()

    # Clerk cannot seal before the leader signed; leader cannot seal.
    with pytest.raises(ValidationError):
        dossier_result_seal(actor=clerk, code=d.code, file_id=original.pk)
    with pytest.raises(PermissionDenied):
        dossier_result_seal(actor=leader, code=d.code, file_id=original.pk)

    signed = dossier_result_sign(actor=leader, code=d.code, file_id=original.pk)
    d.refresh_from_db()
    assert signing_choices(clerk, d)["seal"] == {signed.pk}
    sealed = dossier_result_seal(actor=clerk, code=d.code, file_id=signed.pk)

    # The unsigned original stays bit-exact; the signed files are new results.
    with original.file.open("rb") as fh:
        assert fh.read() == original_bytes
    with sealed.file.open("rb") as fh:
        sealed_bytes = fh.read()
    assert sealed.name == "Kết quả giải quyết (đã ký số, đóng dấu)"
    out = _pdfsig(sealed_bytes, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2
    assert "Total document signed" in out.split("Signature #2")[1]
    report = pdf_verify(sealed_bytes)
    assert [s.kind for s in report.signatures] == ["personal", "seal"]
    assert report.all_valid

    audit = AuditEvent.objects.filter(action="dossier.result_sealed").latest("id")
    assert audit.changes["sha256_out"] == sealed.sha256
    assert set(d.events.values_list("type", flat=True)) >= {"result_signed", "result_sealed"}

    dossier_act(actor=leader, code=d.code, action="approve")
    dossier_act(actor=desk, code=d.code, action="return_result", method="counter")


def test_unsealed_result_cannot_be_returned_when_signing_required(demo, with_result, settings):
    settings.CQS_SIGNING_REQUIRED = True
    d, _, _ = with_result
    dossier_act(actor=demo.user("lanhdao"), code=d.code, action="approve")
    with pytest.raises(ValidationError) as exc:
        dossier_act(actor=demo.user("tiepnhan"), code=d.code, action="return_result")
    assert "chưa được lãnh đạo ký số" in exc.value.message


def test_processing_officer_cannot_sign(demo, with_result):
    d, f, _ = with_result
    with pytest.raises(PermissionDenied):
        dossier_result_sign(actor=demo.user("xuly"), code=d.code, file_id=f.pk)


def test_receipt_is_sealed_by_the_agency_once(demo, receive, tmp_path):
    from cqs.dossiers.documents import render_form

    d = receive()
    rendered = render_form(d, "receipt")
    first = receipt_pdf(d, rendered)
    assert first.startswith(rendered)
    assert "Signature Validation: Signature is Valid." in _pdfsig(first, tmp_path)
    sig = pdf_verify(first).signatures[0]
    assert sig.kind == "seal"
    assert sig.signer == "Bộ phận Một cửa phường Hạ Long"
    assert receipt_pdf(d, render_form(d, "receipt")) == first  # kept, same bytes
    assert DossierFile.objects.filter(dossier=d, name=RECEIPT_NAME).count() == 1


def test_backoffice_buttons_sign_and_seal(client, demo, with_result):
    d, f, _ = with_result
    client.force_login(demo.user("lanhdao"))
    page = client.get(f"/quan-tri/ho-so/{d.code}/").content.decode()
    assert "Ký số" in page
    r = client.post(
        f"/quan-tri/ho-so/{d.code}/ky-so/",
        {"buoc": "ky", "file_id": f.pk, "version": d.version},
        follow=True,
    )
    assert "Đã ký số: Kết quả giải quyết (đã ký số)" in r.content.decode()
    client.force_login(demo.user("vanthu"))
    d.refresh_from_db()
    page = client.get(f"/quan-tri/ho-so/{d.code}/").content.decode()
    assert "Đóng dấu (ký số cơ quan)" in page
    signed = DossierFile.objects.get(dossier=d, name="Kết quả giải quyết (đã ký số)")
    r = client.post(
        f"/quan-tri/ho-so/{d.code}/ky-so/",
        {"buoc": "dong-dau", "file_id": signed.pk, "version": d.version},
        follow=True,
    )
    assert "Đã ký số: Kết quả giải quyết (đã ký số, đóng dấu)" in r.content.decode()
    # a stale version is refused with the conflict message, nothing signed twice
    r = client.post(
        f"/quan-tri/ho-so/{d.code}/ky-so/",
        {"buoc": "dong-dau", "file_id": signed.pk, "version": d.version},
        follow=True,
    )
    assert "Hồ sơ vừa được người khác xử lý" in r.content.decode()


def test_api_sign_and_seal_result(client, demo, with_result):
    d, f, _ = with_result
    client.force_login(demo.user("xuly"))
    r = client.post(
        f"/api/v1/dossiers/{d.code}/files/{f.pk}/sign", {}, content_type="application/json"
    )
    assert r.status_code == 403
    assert r.json()["message"] == "Chỉ lãnh đạo cơ quan được ký số kết quả."
    client.force_login(demo.user("lanhdao"))
    r = client.post(
        f"/api/v1/dossiers/{d.code}/files/{f.pk}/sign", {}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    signed_id = r.json()["id"]
    assert r.json()["name"] == "Kết quả giải quyết (đã ký số)"
    client.force_login(demo.user("vanthu"))
    r = client.post(
        f"/api/v1/dossiers/{d.code}/files/{signed_id}/seal",
        {"expected_version": 0},
        content_type="application/json",
    )
    assert r.status_code == 409
    r = client.post(
        f"/api/v1/dossiers/{d.code}/files/{signed_id}/seal", {}, content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["name"] == "Kết quả giải quyết (đã ký số, đóng dấu)"
    r = client.post(
        f"/api/v1/dossiers/{d.code}/files/{signed_id}/stamp", {}, content_type="application/json"
    )
    assert r.status_code == 404
