"""Catalogue import/export: JSON and XLSX files as a province admin uploads them."""

from __future__ import annotations

import io
import json
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from cqs.audit.models import AuditEvent
from cqs.catalogue import xlsx
from cqs.catalogue.models import Procedure
from cqs.catalogue.services import (
    catalogue_export,
    catalogue_import,
    catalogue_import_file,
)
from cqs.catalogue.tests.helpers import demo_entries, demo_entry, is_vietnamese, new_entry
from cqs.core.errors import PermissionDenied, ValidationError


def _procedure_audits() -> int:
    return AuditEvent.objects.filter(action__startswith="procedure.").count()


def _as_file(entries: Any) -> bytes:
    return json.dumps(entries, ensure_ascii=False).encode("utf-8")


def _exported() -> list[dict[str, Any]]:
    """The whole catalogue as a file would carry it (through JSON, as the download does)."""
    return json.loads(json.dumps(catalogue_export(Procedure.objects.all()), ensure_ascii=False))


@pytest.fixture
def admin(demo):
    return demo.user("quantri")


# --- JSON import ------------------------------------------------------------------------------


def test_import_creates_then_unchanged_then_updates_with_audit_only_for_changes(admin):
    first, second = new_entry("1.999001"), new_entry("1.999002", "Thủ tục thử nghiệm thứ hai")
    audits = _procedure_audits()

    report = catalogue_import(actor=admin, entries=[first, second])

    assert sorted(report.created) == ["1.999001", "1.999002"]
    assert report.updated == report.unchanged == report.errors == []
    created = Procedure.objects.get(code="1.999001")
    assert created.name == first["name"]
    assert created.sector.code == first["sector"]["code"]
    assert [d.name for d in created.documents.order_by("position")] == [
        d["name"] for d in first["documents"]
    ]
    assert sum(s.share_percent for s in created.steps.all()) == 100
    assert _procedure_audits() == audits + 2
    assert set(
        AuditEvent.objects.filter(action="procedure.create").values_list("object_id", flat=True)
    ) >= {str(created.pk), str(Procedure.objects.get(code="1.999002").pk)}

    again = catalogue_import(actor=admin, entries=[new_entry("1.999001"), second])
    assert sorted(again.unchanged) == ["1.999001", "1.999002"]
    assert again.created == again.updated == again.errors == []
    assert _procedure_audits() == audits + 2

    changed = new_entry("1.999001")
    changed["name"] = "Thủ tục thử nghiệm đã đổi tên"
    changed["time_limit"]["value"] = 4
    changed["documents"] = changed["documents"][:1]
    third = catalogue_import(actor=admin, entries=[changed, second])
    assert third.updated == ["1.999001"]
    assert third.unchanged == ["1.999002"]
    assert _procedure_audits() == audits + 3
    updated = Procedure.objects.get(code="1.999001")
    assert updated.name == "Thủ tục thử nghiệm đã đổi tên"
    assert updated.time_limit_value == Decimal(4)
    assert updated.documents.count() == 1
    last = AuditEvent.objects.filter(action__startswith="procedure.").order_by("-id").first()
    assert last is not None
    assert last.action == "procedure.update"
    assert last.object_id == str(updated.pk)
    assert last.actor_username == "quantri"


def test_updated_entry_is_found_by_its_new_name(admin):
    catalogue_import(actor=admin, entries=[new_entry("1.999003", "Thủ tục thử nghiệm cũ")])
    catalogue_import(actor=admin, entries=[new_entry("1.999003", "Thủ tục cấp phép bay thử")])

    from cqs.catalogue.selectors import procedure_search

    assert [p.code for p in procedure_search(q="cap phep bay")] == ["1.999003"]
    assert not procedure_search(q="thu nghiem cu").exists()


def _bad_shares() -> dict[str, Any]:
    entry = new_entry("1.999011")
    biggest = max(entry["steps"], key=lambda s: s["share_percent"])
    biggest["share_percent"] -= 10  # every step still positive; they now sum to 90 %
    return entry


def _bad_level() -> dict[str, Any]:
    entry = new_entry("1.999012")
    entry["level"] = "district"  # no district level since 1 July 2025
    return entry


def _missing_name() -> dict[str, Any]:
    entry = new_entry("1.999013")
    del entry["name"]
    return entry


def _online_without_channel() -> dict[str, Any]:
    entry = new_entry("1.999015")
    entry["online_level"] = "full"
    entry["submission_channels"] = ["counter"]
    return entry


def _unknown_agency() -> dict[str, Any]:
    entry = new_entry("1.999014")
    entry["agency_codes"] = ["999.99.99.Z99"]
    return entry


@pytest.mark.parametrize(
    ("make_bad", "field"),
    [
        (_bad_shares, "steps"),
        (_bad_level, "level"),
        (_missing_name, "name"),
        (_online_without_channel, "online_level"),
        (_unknown_agency, "agency_codes"),
    ],
    ids=["shares-sum-90", "unknown-level", "missing-name", "online-no-channel", "unknown-agency"],
)
def test_bad_entry_is_reported_with_index_and_field_and_good_ones_are_saved(admin, make_bad, field):
    bad = make_bad()
    good_before, good_after = new_entry("1.999021"), new_entry("1.999022", "Thủ tục tốt thứ hai")
    audits = _procedure_audits()

    report = catalogue_import(actor=admin, entries=[good_before, bad, good_after])

    assert sorted(report.created) == ["1.999021", "1.999022"]
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error["index"] == 2
    assert error["code"] == bad["code"]
    assert field in [e["field"].split(".")[0] for e in error["errors"]]
    assert all(is_vietnamese(e["message"]) for e in error["errors"]), error["errors"]
    assert not Procedure.objects.filter(code=bad["code"]).exists()
    assert _procedure_audits() == audits + 2


def test_step_shares_error_tells_the_admin_the_actual_total(admin):
    report = catalogue_import(actor=admin, entries=[_bad_shares()])

    (error,) = report.errors
    messages = " ".join(e["message"] for e in error["errors"])
    assert "100" in messages
    assert "90" in messages
    assert is_vietnamese(messages)


def test_schema_errors_are_explained_in_vietnamese(admin):
    entry = _bad_level()
    del entry["name"]
    entry["applicant_kinds"] = []
    entry["documents"][0]["originals"] = "hai"

    report = catalogue_import(actor=admin, entries=[entry])

    by_field = {e["field"]: e["message"] for e in report.errors[0]["errors"]}
    assert set(by_field) == {"level", "name", "applicant_kinds", "documents.0.originals"}
    assert "commune" in by_field["level"]  # names the accepted values
    assert "province" in by_field["level"]
    assert all(is_vietnamese(m) for m in by_field.values()), by_field


def test_unknown_agency_leaves_no_trace_of_the_entry(admin):
    """The entry is written and then rejected inside one transaction: nothing may remain."""
    entry = _unknown_agency()
    entry["sector"] = {"code": "linh-vuc-thu", "name": "Lĩnh vực thử"}
    audits = AuditEvent.objects.count()

    report = catalogue_import(actor=admin, entries=[entry])

    assert report.created == []
    assert "999.99.99.Z99" in report.errors[0]["errors"][0]["message"]
    assert not Procedure.objects.filter(code=entry["code"]).exists()
    assert AuditEvent.objects.count() == audits
    from cqs.catalogue.models import Sector

    assert not Sector.objects.filter(code="linh-vuc-thu").exists()


def test_bad_update_keeps_the_stored_procedure(admin):
    before = Procedure.objects.get(code="1.001193")
    entry = demo_entry("1.001193")
    entry["name"] = "Tên mới không được lưu"
    entry["agency_codes"] = ["999.99.99.Z99"]

    report = catalogue_import(actor=admin, entries=[entry])

    assert report.updated == []
    assert len(report.errors) == 1
    after = Procedure.objects.get(code="1.001193")
    assert after.name == before.name
    assert after.agencies.count() > 0
    assert after.documents.count() == len(demo_entry("1.001193")["documents"])


def test_duplicate_code_in_file_keeps_the_first_and_reports_the_second(admin):
    first = new_entry("1.999031", "Thủ tục xuất hiện lần đầu")
    duplicate = new_entry("1.999031", "Thủ tục xuất hiện lần hai")

    report = catalogue_import(actor=admin, entries=[first, duplicate])

    assert report.created == ["1.999031"]
    assert len(report.errors) == 1
    assert report.errors[0]["index"] == 2
    assert report.errors[0]["errors"][0]["field"] == "code"
    assert is_vietnamese(report.errors[0]["errors"][0]["message"])
    assert Procedure.objects.get(code="1.999031").name == "Thủ tục xuất hiện lần đầu"


def test_non_object_entry_is_reported_not_crashing(admin):
    report = catalogue_import(actor=admin, entries=["1.999041", new_entry("1.999042")])

    assert report.created == ["1.999042"]
    assert report.errors[0]["index"] == 1
    assert report.errors[0]["code"] is None


# --- whole-file errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("danh-muc.json", _as_file({"code": "1.999001"}), "mảng"),
        ("danh-muc.json", b'[{"code": "1.999001",', "JSON"),
        ("danh-muc.json", b"\xff\xfe\x00garbage", "JSON"),
        ("danh-muc.csv", b"code,name\n1.999001,x\n", ".xlsx"),
        ("danh-muc", _as_file([]), ".json"),
    ],
    ids=["not-a-list", "broken-json", "not-utf8", "csv-extension", "no-extension"],
)
def test_unreadable_file_is_rejected_with_a_vietnamese_message(admin, filename, content, expected):
    count = Procedure.objects.count()

    with pytest.raises(ValidationError) as caught:
        catalogue_import_file(actor=admin, filename=filename, content=content)

    assert caught.value.status == 422
    assert caught.value.code == "validation_error"
    assert expected in caught.value.message
    assert is_vietnamese(caught.value.message)
    assert Procedure.objects.count() == count


def test_json_file_with_bom_and_upper_case_extension_is_accepted(admin):
    content = b"\xef\xbb\xbf" + _as_file([new_entry("1.999051")])

    report = catalogue_import_file(actor=admin, filename="DANH-MUC.JSON", content=content)

    assert report.created == ["1.999051"]


# --- permissions ------------------------------------------------------------------------------


def test_receiving_officer_may_not_import(demo):
    officer = demo.user("tiepnhan")

    with pytest.raises(PermissionDenied) as caught:
        catalogue_import(actor=officer, entries=[new_entry("1.999061")])
    with pytest.raises(PermissionDenied):
        catalogue_import_file(
            actor=officer, filename="a.json", content=_as_file([new_entry("1.999061")])
        )

    assert caught.value.status == 403
    assert is_vietnamese(caught.value.message)
    assert not Procedure.objects.filter(code="1.999061").exists()


def test_citizen_may_not_import(demo):
    with pytest.raises(PermissionDenied):
        catalogue_import(actor=demo.user("congdan"), entries=[])


def test_province_admin_may_import(admin):
    report = catalogue_import(actor=admin, entries=[new_entry("1.999062")])

    assert report.created == ["1.999062"]
    event = AuditEvent.objects.filter(action="procedure.create").order_by("-id").first()
    assert event is not None
    assert event.actor_username == "quantri"


# --- round trips ------------------------------------------------------------------------------


def test_json_export_then_import_leaves_the_whole_catalogue_unchanged(admin):
    exported = _exported()
    audits = _procedure_audits()

    report = catalogue_import(actor=admin, entries=exported)

    assert len(exported) == len(demo_entries()) == Procedure.objects.count()
    assert len(report.unchanged) == len(demo_entries())
    assert report.created == report.updated == report.errors == []
    assert _procedure_audits() == audits


def test_export_keeps_what_the_file_said(demo):
    by_code = {e["code"]: e for e in _exported()}
    source = demo_entry("1.001193")
    exported = by_code["1.001193"]

    for key in ("name", "level", "fees", "documents", "steps", "legal_basis", "online_level"):
        assert exported[key] == source[key], key
    assert exported["time_limit"]["value"] == source["time_limit"]["value"]
    assert exported["agency_codes"]  # the demo seeding linked the commune committees


def test_xlsx_export_read_import_round_trip_leaves_everything_unchanged(admin):
    content = xlsx.write_catalogue(_exported())
    audits = _procedure_audits()

    entries = xlsx.read_catalogue(io.BytesIO(content))
    report = catalogue_import(actor=admin, entries=entries)

    assert len(entries) == Procedure.objects.count() == len(demo_entries())
    assert report.errors == []
    assert len(report.unchanged) == len(entries)
    assert report.created == report.updated == []
    assert _procedure_audits() == audits


def test_xlsx_file_import_through_the_file_entry_point(admin):
    entry = new_entry("1.999071", "Thủ tục nhập từ bảng tính")
    content = xlsx.write_catalogue([entry])

    report = catalogue_import_file(actor=admin, filename="bang-tinh.xlsx", content=content)

    assert report.created == ["1.999071"]
    saved = Procedure.objects.get(code="1.999071")
    assert saved.documents.count() == len(entry["documents"])
    assert saved.steps.count() == len(entry["steps"])
    assert saved.fees == entry["fees"]
    # The entry has no supplement policy: its empty cell means the default, not an error.
    assert "supplement_policy" not in entry
    assert saved.supplement_policy == "restart"


def test_xlsx_edit_in_a_spreadsheet_updates_the_procedure(admin):
    content = xlsx.write_catalogue(_exported())
    wb = load_workbook(io.BytesIO(content))
    ws = wb[xlsx.SHEET_PROCEDURES]
    header = [c.value for c in ws[1]]
    code_col, name_col = header.index("Mã thủ tục"), header.index("Tên thủ tục")
    for row in ws.iter_rows(min_row=2):
        if row[code_col].value == "1.000894":
            row[name_col].value = "Thủ tục đăng ký kết hôn (sửa trong Excel)"
    out = io.BytesIO()
    wb.save(out)

    report = catalogue_import_file(actor=admin, filename="sua.xlsx", content=out.getvalue())

    assert report.updated == ["1.000894"]
    assert len(report.unchanged) == Procedure.objects.count() - 1
    assert Procedure.objects.get(code="1.000894").name.endswith("(sửa trong Excel)")


def _workbook_without(*, sheet: str | None = None, column: str | None = None) -> bytes:
    wb = load_workbook(io.BytesIO(xlsx.write_catalogue([new_entry("1.999081")])))
    if sheet is not None:
        del wb[sheet]
    if column is not None:
        ws = wb[xlsx.SHEET_PROCEDURES]
        idx = [c.value for c in ws[1]].index(column) + 1
        ws.delete_cols(idx)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (lambda: _workbook_without(sheet=xlsx.SHEET_STEPS), xlsx.SHEET_STEPS),
        (lambda: _workbook_without(column="Cấp thực hiện"), "Cấp thực hiện"),
        (lambda: b"this is not a spreadsheet at all", "xlsx"),
        (lambda: _as_file([new_entry("1.999081")]), "xlsx"),
    ],
    ids=["missing-sheet", "missing-column", "plain-bytes", "json-named-xlsx"],
)
def test_malformed_xlsx_gives_a_clear_error(admin, content, expected):
    with pytest.raises(ValidationError) as caught:
        catalogue_import_file(actor=admin, filename="danh-muc.xlsx", content=content())

    assert expected in caught.value.message
    assert is_vietnamese(caught.value.message)
    assert not Procedure.objects.filter(code="1.999081").exists()


def test_xlsx_with_broken_json_cell_names_the_row_and_column(admin):
    wb = load_workbook(io.BytesIO(xlsx.write_catalogue([new_entry("1.999091")])))
    ws = wb[xlsx.SHEET_PROCEDURES]
    col = [c.value for c in ws[1]].index("Phí, lệ phí (JSON)") + 1
    ws.cell(row=2, column=col, value="[{not json")
    out = io.BytesIO()
    wb.save(out)

    with pytest.raises(ValidationError) as caught:
        catalogue_import_file(actor=admin, filename="loi.xlsx", content=out.getvalue())

    assert "dòng 2" in caught.value.message
    assert "Phí, lệ phí (JSON)" in caught.value.message


# --- text normalisation -----------------------------------------------------------------------


def test_nfd_encoded_text_is_stored_nfc(admin):
    name = "Thủ tục đăng ký thử nghiệm Unicode tổ hợp"
    entry = new_entry("1.999101", unicodedata.normalize("NFD", name))
    entry["documents"][0]["name"] = unicodedata.normalize("NFD", "Tờ khai đề nghị")
    assert entry["name"] != name  # really decomposed

    report = catalogue_import(actor=admin, entries=[entry])

    assert report.created == ["1.999101"]
    saved = Procedure.objects.get(code="1.999101")
    assert saved.name == name
    assert unicodedata.is_normalized("NFC", saved.name)
    assert saved.documents.order_by("position").first().name == "Tờ khai đề nghị"
    assert Procedure.objects.filter(name=name).count() == 1
    # The same entry typed composed is the same procedure: nothing to update.
    composed = new_entry("1.999101", name)
    composed["documents"][0]["name"] = "Tờ khai đề nghị"
    again = catalogue_import(actor=admin, entries=[composed])
    assert again.unchanged == ["1.999101"]
