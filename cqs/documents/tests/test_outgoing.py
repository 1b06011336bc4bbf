from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.utils import timezone

from cqs.core.errors import PermissionDenied, TransitionNotAllowed
from cqs.documents import selectors, services
from cqs.documents.models import Document, OutboxMessage
from cqs.documents.services import file_bytes
from cqs.documents.tests.conftest import COMMITTEE, doc_type
from cqs.signing.verify import pdf_verify

BAI_CHAY = "000.00.21.H49"


def approved(demo: Any, **kw: Any) -> Document:
    officer, head = demo.user("xuly"), demo.user("truongphong")
    doc = services.outgoing_draft(
        actor=officer,
        agency=demo.agency(COMMITTEE),
        doc_type=doc_type(kw.pop("type", "QĐ")),
        summary=kw.pop("summary", "Về việc thành lập Tổ chuyển đổi số cộng đồng"),
        **kw,
    )
    doc = services.outgoing_submit(actor=officer, document=doc)
    return services.outgoing_review(actor=head, document=doc, approve=True)


def test_sign_issue_number_seal_and_internal_delivery(demo: Any) -> None:
    doc = approved(demo, recipients=[demo.agency(BAI_CHAY)])
    leader, clerk = demo.user("lanhdao"), demo.user("vanthu")
    with pytest.raises(TransitionNotAllowed):
        services.outgoing_issue(actor=clerk, document=doc)  # not signed yet: clerk may not skip
    with pytest.raises(PermissionDenied):
        services.outgoing_sign(actor=clerk, document=doc)
    doc = services.outgoing_sign(actor=leader, document=doc, signer_position="Chủ tịch")
    assert doc.status == "signed" and doc.notation == "QĐ-UBND" and doc.number is None
    doc = services.outgoing_issue(actor=clerk, document=doc)
    year = timezone.localdate().year
    assert (doc.number, doc.year, doc.status) == (1, year, "sent")
    assert doc.display_number == "01/QĐ-UBND" and doc.fully_signed
    issued = doc.files.filter(kind="main").get()
    report = pdf_verify(file_bytes(issued))
    assert len(report.signatures) == 2 and report.all_valid
    assert [s.kind for s in report.signatures] == ["personal", "seal"]
    assert "01/QĐ-UBND" in report.signatures[1].reason
    # poppler accepts both signatures too
    path = issued.file.path
    out = subprocess.run(["pdfsig", path], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    # the recipient inside the system has it as an incoming document, signatures verified
    r = doc.recipients.get()
    incoming = r.incoming
    assert incoming is not None and incoming.agency.code == BAI_CHAY and r.status_code == "03"
    assert incoming.notation == "01/QĐ-UBND" and incoming.fully_signed
    assert incoming.signature_report["files"][0]["signatures"] == 2
    assert not OutboxMessage.objects.exists()
    with pytest.raises(TransitionNotAllowed):
        services.outgoing_issue(actor=clerk, document=doc)


def test_second_document_of_the_year_gets_the_next_number(demo: Any) -> None:
    leader, clerk = demo.user("lanhdao"), demo.user("vanthu")
    numbers = []
    for abbr in ("QĐ", "CV"):
        doc = services.outgoing_sign(actor=leader, document=approved(demo, type=abbr))
        numbers.append(services.outgoing_issue(actor=clerk, document=doc).display_number)
    assert numbers == ["01/QĐ-UBND", "02/UBND"]


def test_leader_returns_the_draft_with_a_comment(demo: Any) -> None:
    doc = approved(demo)
    doc = services.outgoing_sign(
        actor=demo.user("lanhdao"), document=doc, approve=False, comment="Viết lại Điều 2"
    )
    assert doc.status == "draft" and doc.comments.last().text == "Viết lại Điều 2"
    assert doc in selectors.inbox(demo.user("xuly")).my_drafts


def test_external_recipient_gets_an_outbox_package_in_the_same_transaction(
    demo: Any, settings: Any
) -> None:
    settings.CQS_EDXML_SEND_ON_COMMIT = False
    doc = approved(demo, external_recipients=[("000.00.00.G22", "Bộ Nội vụ")])
    doc = services.outgoing_sign(actor=demo.user("lanhdao"), document=doc)
    doc = services.outgoing_issue(actor=demo.user("vanthu"), document=doc)
    msg = OutboxMessage.objects.get()
    assert (msg.kind, msg.to_code, msg.document_id, msg.delivered_at) == (
        "document",
        "000.00.00.G22",
        doc.pk,
        None,
    )
    from cqs.documents import edxml

    package = edxml.parse(bytes(msg.payload), msg.content_type, max_bytes=50 * 1024 * 1024)
    assert isinstance(package, edxml.DocumentPackage)
    assert (package.number, package.notation, package.sender.code) == ("01", "QĐ-UBND", COMMITTEE)
    assert package.attachments[0].data == file_bytes(doc.files.get(kind="main"))
