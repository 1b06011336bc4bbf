"""Blank forms (mẫu đơn, tờ khai) of the catalogue's documents: what a catalogue administrator
can upload, what is refused and why, what the demo seeds and what the API tells a client."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cqs.audit.models import AuditEvent
from cqs.catalogue import rules
from cqs.catalogue.demo_forms import demo_forms_attach, needs_demo_form
from cqs.catalogue.models import DocumentRequirement, Procedure
from cqs.catalogue.services import catalogue_import, document_form_attach, document_form_remove
from cqs.catalogue.tests.helpers import BIRTH, MARRIAGE, demo_entry
from cqs.core.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationError

PDF = b"%PDF-1.4\n% a blank form\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/{part}" ContentType="application/vnd.openxmlformats-'
    'officedocument.{kind}.main+xml"/></Types>'
)


def docx(macro: bool = False) -> bytes:
    types = CONTENT_TYPES.format(part="word/document.xml", kind="wordprocessingml.document")
    members = {"[Content_Types].xml": types.encode(), "word/document.xml": b"<w:document/>"}
    if macro:
        members["word/vbaProject.bin"] = b"\x00" * 10
    return _zip(members)


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Tờ khai"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
    )


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56


def doc() -> bytes:
    return OLE2 + "WordDocument".encode("utf-16-le") + b"\x00" * 64


def xls() -> bytes:
    return OLE2 + "Workbook".encode("utf-16-le") + b"\x00" * 64


def _requirement(code: str = BIRTH, position: int = 1) -> DocumentRequirement:
    return DocumentRequirement.objects.select_related("procedure").get(
        procedure__code=code, position=position
    )


def _bare(code: str = MARRIAGE, position: int = 2) -> DocumentRequirement:
    """A document of the demo without a form file (its form, if any, removed first)."""
    requirement = _requirement(code, position)
    if requirement.form_file:
        document_form_remove(actor=None, requirement=requirement)
        requirement.refresh_from_db()
    return requirement


# --- the sniffer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "label"),
    [
        (PDF, "PDF"),
        (docx(), "DOCX"),
        (xlsx(), "XLSX"),
        (odt(), "ODT"),
        (doc(), "DOC"),
        (xls(), "XLS"),
    ],
)
def test_sniffer_names_each_accepted_type_from_its_bytes(content: bytes, label: str) -> None:
    kind = rules.sniff_form_type(content)

    assert kind is not None and kind.label == label


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 an executable renamed to-khai.pdf",
        b"<html><script>alert(1)</script></html>",
        docx(macro=True),  # .docm content: macros are never published
        _zip({"readme.txt": b"not an office file"}),
        b"PK\x03\x04 broken zip",
        OLE2 + b"\x00" * 64,  # an OLE2 file that is neither Word nor Excel (PowerPoint, MSI)
        OLE2 + "WordDocument".encode("utf-16-le") + "Macros".encode("utf-16-le"),
    ],
)
def test_sniffer_refuses_other_files(content: bytes) -> None:
    assert rules.sniff_form_type(content) is None


def test_clean_filename_keeps_vietnamese_and_drops_paths() -> None:
    assert rules.clean_filename("C:\\Users\\x\\Tờ khai khai sinh.pdf") == "Tờ khai khai sinh.pdf"
    assert rules.clean_filename('../../etc/"passwd"\x00') == "passwd"
    assert rules.with_extension("to-khai.doc", ".pdf") == "to-khai.pdf"
    assert rules.human_size(38_662) == "37,8 KB"


# --- attach / remove ------------------------------------------------------------------------


def test_province_admin_attaches_a_form_stored_bit_exact_and_audited(demo) -> None:
    requirement = _bare()
    content = docx()

    saved = document_form_attach(
        actor=demo.user("quantri"),
        requirement=requirement,
        filename="Giấy tờ chứng minh nơi cư trú.docx",
        content=content,
    )

    saved.refresh_from_db()
    digest = hashlib.sha256(content).hexdigest()
    assert saved.form_sha256 == digest
    assert saved.form_file.name == f"catalogue/forms/{digest[:2]}/{digest}.docx"
    with saved.form_file.open("rb") as stored:
        assert stored.read() == content
    assert saved.form_filename == "Giấy tờ chứng minh nơi cư trú.docx"
    assert saved.form_type_label == "DOCX"
    assert saved.form_size == len(content)
    event = AuditEvent.objects.filter(action="document_form.attach").latest("id")
    assert event.object_id == str(saved.pk)
    assert event.changes["sha256"] == digest
    assert event.actor_username == "quantri"


def test_the_name_follows_the_bytes_not_the_extension(demo) -> None:
    saved = document_form_attach(
        actor=demo.user("quantri"), requirement=_bare(), filename="mau-don.doc", content=PDF
    )

    assert saved.form_filename == "mau-don.pdf"
    assert saved.form_content_type == "application/pdf"


@pytest.mark.parametrize(
    ("filename", "content", "error", "message"),
    [
        ("to-khai.pdf", b"MZ\x90\x00 not a pdf", ValidationError, "không phải mẫu đơn hợp lệ"),
        ("to-khai.docm", docx(macro=True), ValidationError, "không chứa macro"),
        ("to-khai.pdf", b"", ValidationError, "rỗng"),
        ("to-khai.pdf", PDF + b"0" * (1024 * 1024), PayloadTooLarge, "vượt quá 1 MB"),
    ],
)
def test_bad_files_are_refused_with_a_vietnamese_reason_and_nothing_saved(
    demo, settings: Any, filename: str, content: bytes, error: type, message: str
) -> None:
    settings.CQS_MAX_UPLOAD_MB = 1
    requirement = _bare()
    audits = AuditEvent.objects.count()

    with pytest.raises(error) as caught:
        document_form_attach(
            actor=demo.user("quantri"), requirement=requirement, filename=filename, content=content
        )

    assert message in caught.value.message
    requirement.refresh_from_db()
    assert not requirement.form_file and requirement.form_sha256 == ""
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("username", ["tiepnhan", "quantrixa", "congdan"])
def test_other_roles_may_not_attach_or_remove(demo, username: str) -> None:
    requirement = _requirement()  # the birth declaration: seeded with its demo form
    before = requirement.form_sha256

    with pytest.raises(PermissionDenied) as caught:
        document_form_attach(
            actor=demo.user(username), requirement=requirement, filename="x.pdf", content=PDF
        )
    with pytest.raises(PermissionDenied):
        document_form_remove(actor=demo.user(username), requirement=requirement)

    assert "không có quyền cập nhật mẫu đơn" in caught.value.message
    assert caught.value.status == 403
    requirement.refresh_from_db()
    assert requirement.form_sha256 == before != ""


def test_agency_admin_manages_forms_of_procedures_only_their_agencies_carry_out(demo) -> None:
    requirement = _bare()
    requirement.procedure.agencies.set([demo.agency("000.00.21.H49")])  # Bãi Cháy only

    saved = document_form_attach(
        actor=demo.user("quantrixa"), requirement=requirement, filename="mau.pdf", content=PDF
    )

    assert saved.form_sha256 == hashlib.sha256(PDF).hexdigest()
    removed = document_form_remove(actor=demo.user("quantrixa"), requirement=saved)
    assert not removed.form_file


def test_attaching_the_same_file_twice_changes_nothing(demo) -> None:
    requirement = _bare()
    document_form_attach(actor=None, requirement=requirement, filename="m.pdf", content=PDF)
    audits = AuditEvent.objects.count()

    document_form_attach(actor=None, requirement=requirement, filename="m.pdf", content=PDF)

    assert AuditEvent.objects.count() == audits


def test_remove_without_a_file_is_a_clear_error(demo) -> None:
    with pytest.raises(ValidationError, match="chưa có tệp mẫu"):
        document_form_remove(actor=demo.user("quantri"), requirement=_bare())


def test_a_deleted_requirement_is_not_found(demo) -> None:
    requirement = _bare()
    DocumentRequirement.objects.filter(pk=requirement.pk).delete()

    with pytest.raises(NotFound):
        document_form_attach(actor=None, requirement=requirement, filename="m.pdf", content=PDF)


def test_reimporting_the_catalogue_keeps_attached_forms(demo) -> None:
    before = _requirement()
    entry = demo_entry(BIRTH)
    entry["requirements"] = entry["requirements"] + " (cập nhật)"

    report = catalogue_import(actor=None, entries=[entry])

    assert report.updated == [BIRTH]
    after = _requirement()
    assert after.pk != before.pk  # the rows were rebuilt...
    assert after.form_sha256 == before.form_sha256 != ""  # ...with their form
    assert after.form_file.name == before.form_file.name


# --- demo forms -----------------------------------------------------------------------------


def test_demo_seeds_a_real_pdf_birth_declaration(demo, tmp_path: Path) -> None:
    requirement = _requirement(BIRTH, 1)
    assert requirement.form_content_type == "application/pdf"
    pdf = tmp_path / "to-khai.pdf"
    with requirement.form_file.open("rb") as stored:
        pdf.write_bytes(stored.read())

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout

    flat = " ".join(text.split())
    assert "Tờ khai đăng ký khai sinh" in flat
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "Họ, chữ đệm, tên người mẹ" in flat
    assert "NGƯỜI YÊU CẦU" in flat
    assert "Mẫu trình diễn do CQS tạo" in flat
    assert requirement.form_filename == "Tờ khai đăng ký khai sinh.pdf"


def test_demo_marriage_declaration_has_both_parties(demo, tmp_path: Path) -> None:
    requirement = _requirement(MARRIAGE, 1)
    pdf = tmp_path / "ket-hon.pdf"
    with requirement.form_file.open("rb") as stored:
        pdf.write_bytes(stored.read())

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout

    assert "TỜ KHAI ĐĂNG KÝ KẾT HÔN" in text
    assert "BÊN NỮ" in text and "BÊN NAM" in text


def test_every_demo_declaration_and_petition_has_a_form_and_seeding_is_idempotent(demo) -> None:
    expected = [
        d
        for d in DocumentRequirement.objects.select_related("procedure")
        if needs_demo_form(d.name, d.form_name)
    ]
    assert len(expected) >= 30
    for d in expected:
        assert d.form_file and d.form_name, f"{d.procedure.code} #{d.position} {d.name}"
    e_form = DocumentRequirement.objects.get(procedure__code="2.000986", position=1)
    assert not e_form.form_file  # the VNeID e-form has nothing to print

    assert demo_forms_attach(actor=None) == 0


# --- API ------------------------------------------------------------------------------------


def test_api_detail_gives_the_form_url_beside_the_existing_fields(demo, client) -> None:
    body = client.get(f"/api/v1/procedures/{BIRTH}").json()

    first = body["documents"][0]
    requirement = _requirement()
    assert first["form"] == demo_entry(BIRTH)["documents"][0]["form"]
    assert first["form_url"] == f"/thu-tuc/{BIRTH}/mau/1/?v={requirement.form_sha256[:12]}"
    assert first["form_type"] == "PDF"
    assert first["form_size"] == requirement.form_size
    assert first["form_sha256"] == requirement.form_sha256
    without = next(d for d in body["documents"] if d["position"] == 2)
    assert without["form_url"] is None and without["form_size"] is None
    download = client.get(first["form_url"])
    assert download.status_code == 200


def test_openapi_schema_documents_form_url(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()

    properties = schema["components"]["schemas"]["DocumentOut"]["properties"]
    assert {"form", "form_url", "form_type", "form_size"} <= set(properties)


# --- admin ----------------------------------------------------------------------------------


def _admin_url(requirement: DocumentRequirement) -> str:
    return f"/admin/catalogue/documentrequirement/{requirement.pk}/change/"


def test_admin_uploads_a_form_through_the_service(demo, client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    requirement = _bare()
    client.force_login(demo.user("quantri"))
    procedure_page = client.get(f"/admin/catalogue/procedure/{requirement.procedure.pk}/change/")
    assert "Tải lên tệp mẫu" in procedure_page.content.decode()

    response = client.post(
        _admin_url(requirement),
        {"upload": SimpleUploadedFile("Bản khai.odt", odt()), "_continue": "1"},
        follow=True,
    )

    assert response.status_code == 200
    requirement.refresh_from_db()
    assert requirement.form_filename == "Bản khai.odt"
    assert requirement.form_type_label == "ODT"
    page = response.content.decode()
    assert "Bản khai.odt" in page and "ODT" in page
    assert AuditEvent.objects.filter(
        action="document_form.attach", actor_username="quantri", object_id=str(requirement.pk)
    ).exists()


def test_admin_shows_the_refusal_on_the_form_and_saves_nothing(demo, client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    requirement = _bare()
    client.force_login(demo.user("quantri"))

    response = client.post(
        _admin_url(requirement),
        {"upload": SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00 program")},
    )

    assert response.status_code == 200  # the form again, with the error
    assert "không phải mẫu đơn hợp lệ" in response.content.decode()
    requirement.refresh_from_db()
    assert not requirement.form_file


def test_admin_removes_a_form(demo, client) -> None:
    requirement = _requirement()
    client.force_login(demo.user("quantri"))

    client.post(_admin_url(requirement), {"remove": "on"})

    requirement.refresh_from_db()
    assert not requirement.form_file
    assert Procedure.objects.filter(code=BIRTH).exists()


def test_admin_refuses_an_oversized_upload_with_the_limit(demo, client, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CQS_MAX_UPLOAD_MB = 1
    requirement = _bare()
    client.force_login(demo.user("quantri"))

    response = client.post(
        _admin_url(requirement),
        {"upload": SimpleUploadedFile("to-khai.pdf", PDF + b"0" * (2 * 1024 * 1024))},
    )

    assert "vượt quá 1 MB" in response.content.decode()
    requirement.refresh_from_db()
    assert not requirement.form_file


def test_admin_is_closed_to_officials_without_staff_access(demo, client) -> None:
    requirement = _requirement()
    client.force_login(demo.user("quantrixa"))

    response = client.get(_admin_url(requirement))

    assert response.status_code == 302  # to the admin login: no staff access
    assert "/admin/login/" in response["Location"]
