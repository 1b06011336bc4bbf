"""Pure rules of the catalogue: which files may be published as a procedure's blank form.

No Django here. The type of a form file comes from its bytes, never from its name: a citizen
downloads it from a government site and opens it, so an ``.exe`` renamed ``to-khai.pdf`` or a
Word file with macros must be refused at upload.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FormType:
    content_type: str
    extension: str
    label: str  # what the portal shows beside the link: "PDF", "DOCX", ...


PDF = FormType("application/pdf", ".pdf", "PDF")
DOC = FormType("application/msword", ".doc", "DOC")
XLS = FormType("application/vnd.ms-excel", ".xls", "XLS")
DOCX = FormType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX"
)
XLSX = FormType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX"
)
ODT = FormType("application/vnd.oasis.opendocument.text", ".odt", "ODT")
ODS = FormType("application/vnd.oasis.opendocument.spreadsheet", ".ods", "ODS")

FORM_TYPES = (PDF, DOC, DOCX, XLS, XLSX, ODT, ODS)
ACCEPTED_LABELS = "PDF, DOC, DOCX, XLS, XLSX, ODT, ODS"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary (Word 97-2003, Excel 97-2003)
_ZIP = b"PK\x03\x04"
# Stream names in an OLE2 directory are UTF-16LE: "WordDocument" in .doc, "Workbook" (or
# "Book" for Excel 5/95) in .xls. PowerPoint, MSI and other OLE2 files have neither.
_OLE_WORD = "WordDocument".encode("utf-16-le")
_OLE_EXCEL = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_MAX_ZIP_MEMBERS = 5000
_MAX_XML_READ = 256 * 1024


def sniff_form_type(content: bytes) -> FormType | None:
    """The real type of a form file, or None when it is not one of ``FORM_TYPES``.

    Office files with macros (``.docm``/``.xlsm``: a ``vbaProject.bin`` member, or an OLE2
    file with a ``Macros``/``_VBA_PROJECT`` storage) are refused: a blank form needs none.
    """
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(_OLE2):
        if "_VBA_PROJECT".encode("utf-16-le") in content or "Macros".encode("utf-16-le") in content:
            return None
        if _OLE_WORD in content:
            return DOC
        if any(name in content for name in _OLE_EXCEL):
            return XLS
        return None
    if content.startswith(_ZIP):
        return _sniff_zip(content)
    return None


def _sniff_zip(content: bytes) -> FormType | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
        if len(infos) > _MAX_ZIP_MEMBERS:
            return None
        names = {i.filename for i in infos}
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            return None
        if "mimetype" in names:
            # OpenDocument: the first member "mimetype" holds the media type, stored as is.
            mimetype = archive.open("mimetype").read(200).decode("ascii", "replace").strip()
            return {ODT.content_type: ODT, ODS.content_type: ODS}.get(mimetype)
        if "[Content_Types].xml" not in names:
            return None
        types = archive.open("[Content_Types].xml").read(_MAX_XML_READ).decode("utf-8", "replace")
        if "macroEnabled" in types:
            return None
        if "word/document.xml" in names and "wordprocessingml.document.main" in types:
            return DOCX
        if "xl/workbook.xml" in names and "spreadsheetml.sheet.main" in types:
            return XLSX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, EOFError):
        return None
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def clean_filename(filename: str, fallback: str = "mau") -> str:
    """The name a download is offered under: NFC, no directory part, no control or reserved
    characters, at most 150 characters (Vietnamese letters are kept)."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub(" ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else name[:150]
    return name or fallback


def with_extension(filename: str, extension: str) -> str:
    """``filename`` ending in the sniffed ``extension`` (a ``.pdf`` named ``x.doc`` becomes
    ``x.pdf``), so the citizen's computer opens it with the right program."""
    stem, dot, ext = filename.rpartition(".")
    if dot and f".{ext.lower()}" in {t.extension for t in FORM_TYPES}:
        filename = stem
    return f"{filename}{extension}"


def human_size(size: int) -> str:
    """1536 -> "1,5 KB"; Vietnamese uses a decimal comma."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    unit = "KB"
    if value >= 1024:
        value /= 1024
        unit = "MB"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} {unit}"
