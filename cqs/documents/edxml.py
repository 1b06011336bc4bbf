"""edXML packages (QCVN 102:2016/BTTTT): build, parse, validate. No Django, no database.

A package is a MIME ``multipart/related`` message: the root part is the edXML envelope
(``text/xml``), each attached file a further part whose Content-ID the envelope's
``edXMLManifest/Reference/ContentId`` names. Element names follow the regulation's structure
as public implementations use it (``edXMLEnvelope > edXMLHeader > MessageHeader | Status``,
``TraceHeaderList``, ``edXMLBody > edXMLManifest > Reference``); the XSD in ``schemas/`` is
CQS's schema of that structure (QCVN 102 publishes none) and every package we build or receive
is validated against it.

Parsing is hardened: no DTD, no entities, no network, a size bound, and a plain XML tree only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
ROOT_CID = "edxml@cqs"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "edxml-cqs.xsd"


class EdxmlError(ValueError):
    """A package we refuse; ``code`` is machine-readable, the message is Vietnamese."""

    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details if details is not None else {}


@dataclass(frozen=True)
class Party:
    code: str
    name: str


@dataclass(frozen=True)
class Attachment:
    content_id: str
    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class DocumentPackage:
    document_id: str
    sender: Party
    recipients: tuple[Party, ...]
    number: str
    notation: str
    place: str
    promulgation_date: date
    type_code: str
    type_name: str
    subject: str
    content: str
    competence: str
    function: str
    signer: str
    priority: int
    promulgation_amount: int
    pages: int
    trace: tuple[tuple[str, datetime], ...]
    attachments: tuple[Attachment, ...] = field(default=())


@dataclass(frozen=True)
class StatusPackage:
    document_id: str  # DocumentId of the package this status answers
    original_sender: str  # ResponseFor/OrganId: who sent that document
    code: str  # number and notation of that document
    promulgation_date: date | None
    responder: Party
    status_code: str
    description: str
    timestamp: datetime
    department: str = ""
    staff: str = ""
    trace: tuple[tuple[str, datetime], ...] = ()


Package = DocumentPackage | StatusPackage


# --- building -------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, _q(name))
    if text is not None:
        el.text = text
    return el


def _organization(parent: etree._Element, name: str, party: Party) -> None:
    org = _sub(parent, name)
    _sub(org, "OrganId", party.code)
    _sub(org, "OrganName", party.name)


def _trace(header: etree._Element, trace: tuple[tuple[str, datetime], ...]) -> None:
    lst = _sub(header, "TraceHeaderList")
    for code, ts in trace:
        th = _sub(lst, "TraceHeader")
        _sub(th, "OrganId", code)
        _sub(th, "Timestamp", ts.isoformat())


def envelope_xml(package: Package) -> bytes:
    """The edXML envelope of ``package`` (deterministic bytes)."""
    root = etree.Element(_q("edXMLEnvelope"), nsmap={PREFIX: NS})
    header = _sub(root, "edXMLHeader")
    if isinstance(package, StatusPackage):
        st = _sub(header, "Status")
        rf = _sub(st, "ResponseFor")
        _sub(rf, "OrganId", package.original_sender)
        _sub(rf, "Code", package.code)
        if package.promulgation_date is not None:
            _sub(rf, "PromulgationDate", package.promulgation_date.isoformat())
        _sub(rf, "DocumentId", package.document_id)
        _organization(st, "From", package.responder)
        _sub(st, "StatusCode", package.status_code)
        _sub(st, "Description", package.description)
        _sub(st, "Timestamp", package.timestamp.isoformat())
        if package.department or package.staff:
            si = _sub(st, "StaffInfo")
            _sub(si, "Department", package.department)
            _sub(si, "Staff", package.staff)
        _trace(header, package.trace or ((package.responder.code, package.timestamp),))
        return _serialize(root)
    mh = _sub(header, "MessageHeader")
    _organization(mh, "From", package.sender)
    for r in package.recipients:
        _organization(mh, "To", r)
    _sub(mh, "DocumentId", package.document_id)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", package.number)
    _sub(code, "CodeNotation", package.notation)
    pi = _sub(mh, "PromulgationInfo")
    _sub(pi, "Place", package.place)
    _sub(pi, "PromulgationDate", package.promulgation_date.isoformat())
    dt = _sub(mh, "DocumentType")
    _sub(dt, "Type", package.type_code)
    _sub(dt, "TypeName", package.type_name)
    _sub(mh, "Subject", package.subject)
    _sub(mh, "Content", package.content)
    au = _sub(mh, "Author")
    _sub(au, "Competence", package.competence)
    _sub(au, "Function", package.function)
    _sub(au, "FullName", package.signer)
    oi = _sub(mh, "OtherInfo")
    _sub(oi, "Priority", str(package.priority))
    _sub(oi, "PromulgationAmount", str(package.promulgation_amount))
    _sub(oi, "PageAmount", str(package.pages))
    _trace(header, package.trace)
    body = _sub(root, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    for a in package.attachments:
        ref = _sub(manifest, "Reference")
        _sub(ref, "ContentId", a.content_id)
        _sub(ref, "ContentType", a.content_type)
        _sub(ref, "AttachmentName", a.name)
        _sub(ref, "Size", str(len(a.data)))
        _sub(ref, "SHA256", a.sha256)
    return _serialize(root)


def _serialize(root: etree._Element) -> bytes:
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    _validate(etree.fromstring(xml, _parser()))
    return xml


def _part(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers).encode("utf-8")
    return head + b"\r\n" + payload


def build(package: Package, *, sign: Callable[[bytes], bytes] | None = None) -> tuple[bytes, str]:
    """(body, Content-Type header) of the MIME package (RFC 2387 multipart/related): the
    envelope first (8-bit UTF-8 XML), then each file as ``binary`` (HTTP is 8-bit clean, so no
    base64 inflation; the parser also accepts base64 parts from other systems). ``sign`` adds
    the envelope's enveloped ``ds:Signature`` (QCVN 102:2016 envelope ``Signature``)."""
    xml = envelope_xml(package)
    if sign is not None:
        xml = sign(xml)
        _validate(etree.fromstring(xml, _parser()))
    files = package.attachments if isinstance(package, DocumentPackage) else ()
    salt = 0
    while True:  # a boundary that occurs in no part (deterministic for identical packages)
        seed = f"{package.document_id}{getattr(package, 'status_code', '')}{salt}"
        boundary = "edxml-" + hashlib.sha256(seed.encode()).hexdigest()[:32]
        delimiter = f"--{boundary}".encode()
        if delimiter not in xml and not any(delimiter in a.data for a in files):
            break
        salt += 1
    parts = [
        _part(
            [
                ("Content-Type", 'text/xml; charset="utf-8"'),
                ("Content-Transfer-Encoding", "8bit"),
                ("Content-ID", f"<{ROOT_CID}>"),
            ],
            xml,
        )
    ]
    for a in files:
        name = urllib.parse.quote(a.name, safe="")
        parts.append(
            _part(
                [
                    ("Content-Type", a.content_type),
                    ("Content-Transfer-Encoding", "binary"),
                    ("Content-ID", f"<{a.content_id}>"),
                    ("Content-Disposition", f"attachment; filename*=utf-8''{name}"),
                ],
                a.data,
            )
        )
    body = b"".join(delimiter + b"\r\n" + part + b"\r\n" for part in parts)
    body += delimiter + b"--\r\n"
    content_type = (
        f'multipart/related; type="text/xml"; start="<{ROOT_CID}>"; boundary="{boundary}"'
    )
    return body, content_type


# --- parsing --------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
    )


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _validate(root: etree._Element) -> None:
    schema = _schema()
    if not schema.validate(root):
        errors = [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:5]]
        raise EdxmlError(
            "edxml_invalid",
            "Gói edXML không đúng cấu trúc theo QCVN 102:2016.",
            {"errors": errors},
        )


def parse_envelope(xml: bytes) -> etree._Element:
    """Parse and validate an envelope; refuse DTDs and entities outright."""
    head = xml[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in xml.lower():
        raise EdxmlError(
            "edxml_forbidden_dtd",
            "Gói edXML chứa DTD hoặc thực thể (entity): không được chấp nhận.",
        )
    try:
        tree = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        raise EdxmlError(
            "edxml_malformed", "Gói edXML không phải XML hợp lệ.", {"error": str(exc)[:300]}
        ) from exc
    docinfo = tree.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise EdxmlError(
            "edxml_forbidden_dtd",
            "Gói edXML chứa DTD hoặc thực thể (entity): không được chấp nhận.",
        )
    _validate(tree)
    return tree


def _t(el: etree._Element, path: str) -> str:
    found = el.find(path, {PREFIX: NS})
    return (found.text or "") if found is not None else ""


def _parties(el: etree._Element, name: str) -> tuple[Party, ...]:
    return tuple(
        Party(_t(o, "edXML:OrganId"), _t(o, "edXML:OrganName"))
        for o in el.findall(f"edXML:{name}", {PREFIX: NS})
    )


def _trace_of(header: etree._Element) -> tuple[tuple[str, datetime], ...]:
    return tuple(
        (_t(th, "edXML:OrganId"), datetime.fromisoformat(_t(th, "edXML:Timestamp")))
        for th in header.findall("edXML:TraceHeaderList/edXML:TraceHeader", {PREFIX: NS})
    )


def package_from_envelope(root: etree._Element, files: dict[str, Attachment]) -> Package:
    ns = {PREFIX: NS}
    header = root.find("edXML:edXMLHeader", ns)
    if header is None:  # the schema guarantees it; kept for a clear error
        raise EdxmlError("edxml_invalid", "Gói edXML thiếu edXMLHeader.")
    st = header.find("edXML:Status", ns)
    if st is not None:
        pd = _t(st, "edXML:ResponseFor/edXML:PromulgationDate")
        return StatusPackage(
            document_id=_t(st, "edXML:ResponseFor/edXML:DocumentId"),
            original_sender=_t(st, "edXML:ResponseFor/edXML:OrganId"),
            code=_t(st, "edXML:ResponseFor/edXML:Code"),
            promulgation_date=date.fromisoformat(pd) if pd else None,
            responder=_parties(st, "From")[0],
            status_code=_t(st, "edXML:StatusCode"),
            description=_t(st, "edXML:Description"),
            timestamp=datetime.fromisoformat(_t(st, "edXML:Timestamp")),
            department=_t(st, "edXML:StaffInfo/edXML:Department"),
            staff=_t(st, "edXML:StaffInfo/edXML:Staff"),
            trace=_trace_of(header),
        )
    mh = header.find("edXML:MessageHeader", ns)
    if mh is None:
        raise EdxmlError("edxml_invalid", "Gói edXML thiếu MessageHeader.")
    attachments = []
    for ref in root.findall("edXML:edXMLBody/edXML:edXMLManifest/edXML:Reference", ns):
        cid = _t(ref, "edXML:ContentId")
        part = files.get(cid)
        if part is None:
            raise EdxmlError(
                "edxml_missing_part",
                f"Gói edXML thiếu tệp đính kèm «{_t(ref, 'edXML:AttachmentName')}».",
                {"content_id": cid},
            )
        if part.sha256 != _t(ref, "edXML:SHA256") or str(len(part.data)) != _t(ref, "edXML:Size"):
            raise EdxmlError(
                "edxml_attachment_mismatch",
                f"Tệp «{_t(ref, 'edXML:AttachmentName')}» không khớp mã băm trong gói edXML.",
                {"content_id": cid},
            )
        attachments.append(
            Attachment(
                cid, _t(ref, "edXML:AttachmentName"), _t(ref, "edXML:ContentType"), part.data
            )
        )
    return DocumentPackage(
        document_id=_t(mh, "edXML:DocumentId"),
        sender=_parties(mh, "From")[0],
        recipients=_parties(mh, "To"),
        number=_t(mh, "edXML:Code/edXML:CodeNumber"),
        notation=_t(mh, "edXML:Code/edXML:CodeNotation"),
        place=_t(mh, "edXML:PromulgationInfo/edXML:Place"),
        promulgation_date=date.fromisoformat(
            _t(mh, "edXML:PromulgationInfo/edXML:PromulgationDate")
        ),
        type_code=_t(mh, "edXML:DocumentType/edXML:Type"),
        type_name=_t(mh, "edXML:DocumentType/edXML:TypeName"),
        subject=_t(mh, "edXML:Subject"),
        content=_t(mh, "edXML:Content"),
        competence=_t(mh, "edXML:Author/edXML:Competence"),
        function=_t(mh, "edXML:Author/edXML:Function"),
        signer=_t(mh, "edXML:Author/edXML:FullName"),
        priority=int(_t(mh, "edXML:OtherInfo/edXML:Priority")),
        promulgation_amount=int(_t(mh, "edXML:OtherInfo/edXML:PromulgationAmount")),
        pages=int(_t(mh, "edXML:OtherInfo/edXML:PageAmount")),
        trace=_trace_of(header),
        attachments=tuple(attachments),
    )


_BOUNDARY = re.compile(r'boundary="?([^";]{1,200})"?', re.IGNORECASE)


def _split_parts(body: bytes, content_type: str) -> list[tuple[Message, bytes]]:
    found = _BOUNDARY.search(content_type)
    if found is None:
        raise EdxmlError("edxml_malformed", "Gói edXML thiếu boundary của MIME multipart.")
    delimiter = b"--" + found.group(1).encode("latin-1", "replace")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise EdxmlError("edxml_malformed", "Gói edXML không phải MIME multipart hợp lệ.")
    parts = []
    header_parser = BytesHeaderParser(policy=policy.compat32)
    for raw in chunks[1:-1]:
        head, sep, payload = raw.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        payload = payload.removesuffix(b"\r\n")
        if not sep:
            raise EdxmlError("edxml_malformed", "Một phần của gói edXML không có tiêu đề.")
        headers = header_parser.parsebytes(head + b"\r\n\r\n")
        encoding = (headers.get("Content-Transfer-Encoding") or "8bit").strip().lower()
        if encoding == "base64":
            try:
                payload = base64.b64decode(payload.replace(b"\r\n", b""), validate=True)
            except (ValueError, binascii.Error) as exc:
                raise EdxmlError("edxml_malformed", "Tệp đính kèm không giải mã được.") from exc
        elif encoding not in {"8bit", "7bit", "binary"}:
            raise EdxmlError("edxml_malformed", f"Kiểu mã hóa {encoding[:20]} không được hỗ trợ.")
        parts.append((headers, payload))
    return parts


def parse(body: bytes, content_type: str, *, max_bytes: int) -> Package:
    """Parse a received MIME package (or a bare envelope sent as text/xml)."""
    return parse_with_envelope(body, content_type, max_bytes=max_bytes)[0]


def parse_with_envelope(body: bytes, content_type: str, *, max_bytes: int) -> tuple[Package, bytes]:
    """``parse``, with the envelope's raw bytes (for checking its XML signature)."""
    if len(body) > max_bytes:
        raise EdxmlError(
            "edxml_too_large",
            f"Gói edXML vượt quá giới hạn {max_bytes // (1024 * 1024)} MB.",
            {"size": len(body), "limit": max_bytes},
        )
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype in {"text/xml", "application/xml"}:
        return package_from_envelope(parse_envelope(body), {}), body
    if ctype != "multipart/related":
        raise EdxmlError(
            "edxml_content_type",
            "Gói edXML phải gửi dạng multipart/related hoặc text/xml.",
            {"content_type": content_type[:100]},
        )
    envelope: bytes | None = None
    files: dict[str, Attachment] = {}
    for headers, payload in _split_parts(body, content_type):
        cid = (headers.get("Content-ID") or "").strip().strip("<>")
        part_type = (headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if cid == ROOT_CID or (envelope is None and part_type == "text/xml"):
            envelope = payload
            continue
        files[cid] = Attachment(cid, cid, part_type, payload)
    if envelope is None:
        raise EdxmlError("edxml_malformed", "Gói edXML không có phần edXMLEnvelope.")
    return package_from_envelope(parse_envelope(envelope), files), envelope
