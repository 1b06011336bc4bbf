from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree  # type: ignore[import-untyped]

from cqs.documents import edxml

MB = 1024 * 1024


def package(attachments: tuple[edxml.Attachment, ...] = ()) -> edxml.DocumentPackage:
    return edxml.DocumentPackage(
        document_id="5f0c7e0e-1d2b-4c1e-9d0a-2b8d3f4e5a6b",
        sender=edxml.Party("000.00.20.H49", "Ủy ban nhân dân phường Hạ Long"),
        recipients=(edxml.Party("000.00.21.H49", "Ủy ban nhân dân phường Bãi Cháy"),),
        number="12",
        notation="QĐ-UBND",
        place="Hạ Long",
        promulgation_date=date(2026, 11, 20),
        type_code="QĐ",
        type_name="Quyết định",
        subject="Về việc ban hành kế hoạch chuyển đổi số",
        content="",
        competence="TM. Ủy ban nhân dân",
        function="Chủ tịch",
        signer="Phạm Quốc Hùng",
        priority=1,
        promulgation_amount=1,
        pages=3,
        trace=(("000.00.20.H49", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),),
        attachments=attachments,
    )


PDF = edxml.Attachment("main@cqs", "12-QĐ-UBND.pdf", "application/pdf", b"%PDF-1.7\n" + b"x" * 5000)


def test_build_parse_round_trip_is_identical() -> None:
    p = package((PDF,))
    body, ctype = edxml.build(p)
    assert ctype.startswith("multipart/related;")
    parsed = edxml.parse(body, ctype, max_bytes=5 * MB)
    assert parsed == p
    body2, ctype2 = edxml.build(parsed)
    assert (body2, ctype2) == (body, ctype)


def test_status_round_trip() -> None:
    s = edxml.StatusPackage(
        document_id="abc",
        original_sender="000.00.20.H49",
        code="12/QĐ-UBND",
        promulgation_date=date(2026, 11, 20),
        responder=edxml.Party("000.00.21.H49", "UBND phường Bãi Cháy"),
        status_code="05",
        description="Đang xử lý",
        timestamp=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        department="Văn phòng",
        staff="Trần Văn Minh",
    )
    body, ctype = edxml.build(s)
    parsed = edxml.parse(body, ctype, max_bytes=MB)
    assert isinstance(parsed, edxml.StatusPackage)
    assert parsed.status_code == "05" and parsed.description == "Đang xử lý"
    assert edxml.build(parsed) == (body, ctype)


def test_envelope_uses_the_qcvn_102_namespace_and_validates() -> None:
    xml = edxml.envelope_xml(package((PDF,)))
    root = etree.fromstring(xml)
    assert root.tag == "{http://www.mic.gov.vn/TBT/QCVN_102_2016}edXMLEnvelope"
    ns = {"e": edxml.NS}
    assert (
        root.findtext("e:edXMLHeader/e:MessageHeader/e:Code/e:CodeNotation", namespaces=ns)
        == "QĐ-UBND"
    )
    assert (
        root.findtext("e:edXMLBody/e:edXMLManifest/e:Reference/e:ContentId", namespaces=ns)
        == "main@cqs"
    )
    assert edxml._schema().validate(root)


def test_schema_refuses_what_we_would_not_build() -> None:
    with pytest.raises(edxml.EdxmlError) as exc:
        edxml.envelope_xml(package().__class__(**{**package().__dict__, "subject": ""}))
    assert exc.value.code == "edxml_invalid"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<edXML:edXMLEnvelope", "edxml_malformed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',
            "edxml_forbidden_dtd",
        ),
        (b'<?xml version="1.0"?><x xmlns="urn:other"/>', "edxml_invalid"),
    ],
)
def test_bad_envelopes_are_refused(body: bytes, code: str) -> None:
    with pytest.raises(edxml.EdxmlError) as exc:
        edxml.parse(body, "text/xml", max_bytes=MB)
    assert exc.value.code == code
    assert exc.value.message  # Vietnamese, shown to the sender


def test_billion_laughs_is_refused_without_expansion() -> None:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
    )
    with pytest.raises(edxml.EdxmlError) as exc:
        edxml.parse(lol, "application/xml", max_bytes=MB)
    assert exc.value.code == "edxml_forbidden_dtd"


def test_oversized_package_is_refused_before_parsing() -> None:
    body, ctype = edxml.build(package((PDF,)))
    with pytest.raises(edxml.EdxmlError) as exc:
        edxml.parse(body, ctype, max_bytes=len(body) - 1)
    assert exc.value.code == "edxml_too_large"


def test_tampered_attachment_is_refused_by_its_hash() -> None:
    body, ctype = edxml.build(package((PDF,)))
    # The attachment part is base64: change one character of its payload.
    marker = b"Content-ID: <main@cqs>"
    head, _, tail = body.partition(marker)
    i = tail.index(b"\r\n\r\n") + 10
    flipped = bytes([tail[i] ^ 0x01]) if chr(tail[i] ^ 0x01).isalnum() else b"A"
    tampered = head + marker + tail[:i] + flipped + tail[i + 1 :]
    with pytest.raises(edxml.EdxmlError) as exc:
        edxml.parse(tampered, ctype, max_bytes=MB)
    assert exc.value.code == "edxml_attachment_mismatch"


def test_wrong_content_type_is_refused() -> None:
    with pytest.raises(edxml.EdxmlError) as exc:
        edxml.parse(b"{}", "application/json", max_bytes=MB)
    assert exc.value.code == "edxml_content_type"


def test_base64_parts_from_other_systems_are_accepted() -> None:
    """Other vendors send attachments base64-encoded (mail-style MIME): parse them too."""
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    xml = edxml.envelope_xml(package((PDF,)))
    outer = MIMEMultipart("related", type="text/xml", start=f"<{edxml.ROOT_CID}>")
    root = MIMEText(xml.decode(), "xml", "utf-8")
    root["Content-ID"] = f"<{edxml.ROOT_CID}>"
    outer.attach(root)
    part = MIMEApplication(PDF.data, _subtype="pdf")  # base64 by default
    part["Content-ID"] = "<main@cqs>"
    outer.attach(part)
    raw = outer.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    _, _, body = raw.partition(b"\r\n\r\n")
    ctype = " ".join(str(outer["Content-Type"]).split())
    assert b"Content-Transfer-Encoding: base64" in body
    parsed = edxml.parse(body, ctype, max_bytes=MB)
    assert parsed == package((PDF,))
