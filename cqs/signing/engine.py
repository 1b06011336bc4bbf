"""PAdES signing of PDF bytes with pyHanko, independent of the database.

``sign_bytes`` appends one incremental update holding the signature, so the bytes of the input
stay as they are at the start of the output (earlier signatures stay valid).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.stamp import BaseStampStyle
from pyhanko_certvalidator import ValidationContext

from cqs.signing.appearance import Box
from cqs.signing.errors import SigningError

A4_WIDTH = 595.0
PDF_MAGIC = b"%PDF-"
# Room for the CMS blob: an ECDSA signature with a two-certificate chain needs about 2 KB; a
# timestamp token (RSA TSA with its chain) about 4 KB more; fetched OCSP responses ~2 KB each;
# CRLs their own size. Passing the size avoids pyHanko's dry-run signature (performance-notes:
# 82 ms → 11 ms), and keeping it tight matters too: verifiers parse the reserved hex string
# byte by byte (32 KB reserved cost ~100 ms per verification).
BYTES_RESERVED = 6144
TIMESTAMP_RESERVE = 8192
FETCHED_REVOCATION_RESERVE = 8192


def not_a_pdf() -> SigningError:
    return SigningError(
        "Tệp tải lên không phải là tệp PDF hợp lệ.", code="not_a_pdf", details={"file": "pdf"}
    )


def open_writer(pdf: bytes) -> IncrementalPdfFileWriter:
    if not pdf.lstrip()[:5] == PDF_MAGIC:
        raise not_a_pdf()
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise not_a_pdf() from exc


@dataclass(frozen=True)
class Placement:
    page: int  # index, negative counts from the end
    box: Box | None


@dataclass
class SignRequest:
    signer: signers.Signer
    field_prefix: str
    reason: str = ""
    location: str = ""
    name: str = ""
    placement: Placement | None = None
    style: BaseStampStyle | None = None
    text_params: dict[str, str] = field(default_factory=dict)
    timestamper: TimeStamper | None = None
    validation_context: ValidationContext | None = None
    revocation_bytes: int = 0  # size of the revocation data that may be embedded


def page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def page_width(writer: IncrementalPdfFileWriter, page_index: int) -> float:
    try:
        page_ref, _ = writer.find_page_for_modification(page_index)  # type: ignore[no-untyped-call]
        page = page_ref.get_object()
        media_box = page.get("/MediaBox") or writer.root["/Pages"].get("/MediaBox")
        return float(media_box[2]) - float(media_box[0])
    except (KeyError, IndexError, TypeError, ValueError, PdfError):
        return A4_WIDTH


def existing_signature_boxes(pdf: bytes) -> list[tuple[int, Box]]:
    """(page index, rectangle) of every visible signature widget already in the PDF."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    boxes: list[tuple[int, Box]] = []
    pages = [p[0].idnum for p in _page_refs(reader)]
    for sig in reader.embedded_signatures:
        widget: Any = sig.sig_field
        rect = widget.get("/Rect")
        if not rect or float(rect[2]) - float(rect[0]) <= 0:
            continue
        page_ref = widget.raw_get("/P") if "/P" in widget else None
        page_id = getattr(page_ref, "idnum", None)
        index = pages.index(page_id) if page_id in pages else len(pages) - 1
        boxes.append((index, (float(rect[0]), float(rect[1]), float(rect[2]), float(rect[3]))))
    return boxes


def _page_refs(reader: PdfFileReader) -> list[Any]:
    refs = []
    for i in range(int(reader.root["/Pages"]["/Count"])):
        refs.append(reader.find_page_for_modification(i))  # type: ignore[no-untyped-call]
    return refs


def sign_bytes(
    pdf: bytes, request: SignRequest, writer: IncrementalPdfFileWriter | None = None
) -> bytes:
    """Sign ``pdf``; ``writer`` is an ``open_writer(pdf)`` not yet written to (saves a parse)."""
    writer = writer or open_writer(pdf)
    try:
        existing = list(fields.enumerate_sig_fields(writer, filled_status=None))
        count = page_count(writer)
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise not_a_pdf() from exc
    field_name = f"{request.field_prefix}{len(existing) + 1}"
    spec = None
    if request.placement is not None and request.placement.box is not None:
        page = request.placement.page % count if count else 0
        box = request.placement.box
        spec = fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page,
            box=(int(box[0]), int(box[1]), int(box[2]), int(box[3])),
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=request.reason or None,
        location=request.location or None,
        name=request.name or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        validation_context=request.validation_context,
        embed_validation_info=request.validation_context is not None,
        signer_key_usage={"non_repudiation"},
        # LTV data in the signature's own revision: the last signature then covers the whole
        # file, which validators without incremental-update analysis (pdfsig) expect.
        dss_settings=DSSContentSettings(
            include_vri=False, placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE
        ),
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=request.signer,
        timestamper=request.timestamper,
        stamp_style=request.style,
        new_field_spec=spec,
    )
    reserved = BYTES_RESERVED + 2 * request.revocation_bytes
    if request.timestamper is not None:
        reserved += TIMESTAMP_RESERVE
    out = io.BytesIO()
    pdf_signer.sign_pdf(
        writer,
        bytes_reserved=reserved,
        appearance_text_params=request.text_params or None,
        output=out,
    )
    return out.getvalue()


def http_timestamper(url: str) -> TimeStamper:
    return HTTPTimeStamper(url, timeout=10)
