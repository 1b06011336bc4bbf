"""XLSX form of the catalogue: three sheets a province officer can edit in a spreadsheet."""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

SHEET_PROCEDURES = "Thủ tục"
SHEET_DOCUMENTS = "Thành phần hồ sơ"
SHEET_STEPS = "Quy trình nội bộ"

# (key in the JSON form, column header, kind); kind: str | list (";" separated) | lines | json
PROCEDURE_COLUMNS: list[tuple[str, str, str]] = [
    ("code", "Mã thủ tục", "str"),
    ("name", "Tên thủ tục", "str"),
    ("sector.code", "Mã lĩnh vực", "str"),
    ("sector.name", "Tên lĩnh vực", "str"),
    ("level", "Cấp thực hiện", "str"),
    ("implementing_agency", "Cơ quan thực hiện", "str"),
    ("agency_kind", "Loại cơ quan", "str"),
    ("department_hint", "Sở/ngành", "opt"),
    ("applicant_kinds", "Đối tượng", "list"),
    ("time_limit.value", "Thời hạn", "num"),
    ("time_limit.unit", "Đơn vị thời hạn", "str"),
    ("time_limit.note", "Ghi chú thời hạn", "str"),
    ("fees", "Phí, lệ phí (JSON)", "json"),
    ("submission_channels", "Cách thức nộp", "list"),
    ("online_level", "Mức độ trực tuyến", "str"),
    ("requirements", "Yêu cầu, điều kiện", "str"),
    ("legal_basis", "Căn cứ pháp lý", "lines"),
    ("results", "Kết quả", "lines"),
    ("supplement_policy", "Tính thời hạn khi bổ sung", "str"),
    ("form_schema", "Trường khai báo (JSON)", "json"),
    ("agency_codes", "Mã cơ quan giải quyết", "list"),
    ("source", "Nguồn", "str"),
]
DOCUMENT_COLUMNS: list[tuple[str, str, str]] = [
    ("code", "Mã thủ tục", "str"),
    ("name", "Tên giấy tờ", "str"),
    ("originals", "Bản chính", "int"),
    ("copies", "Bản sao", "int"),
    ("form", "Mẫu đơn, tờ khai", "opt"),
    ("mandatory", "Bắt buộc", "bool"),
    ("note", "Ghi chú", "str"),
]
STEP_COLUMNS: list[tuple[str, str, str]] = [
    ("code", "Mã thủ tục", "str"),
    ("name", "Tên bước", "str"),
    ("role", "Vai trò", "str"),
    ("agency_kind", "Loại cơ quan", "str"),
    ("share_percent", "Tỷ lệ thời gian (%)", "num"),
]


RowsOf = Callable[[dict[str, Any]], list[dict[str, Any]]]


class XlsxFormatError(ValueError):
    pass


def _get(entry: dict[str, Any], key: str) -> Any:
    value: Any = entry
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "list":
        return "; ".join(str(v) for v in value)
    if kind == "lines":
        return "\n".join(str(v) for v in value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return "có" if value else "không"
    return value


def write_catalogue(entries: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    sheets: list[tuple[Any, str, list[tuple[str, str, str]], RowsOf]] = [
        (wb.active, SHEET_PROCEDURES, PROCEDURE_COLUMNS, lambda e: [e]),
        (
            wb.create_sheet(),
            SHEET_DOCUMENTS,
            DOCUMENT_COLUMNS,
            lambda e: [{"code": e["code"], **d} for d in e["documents"]],
        ),
        (
            wb.create_sheet(),
            SHEET_STEPS,
            STEP_COLUMNS,
            lambda e: [{"code": e["code"], **s} for s in e["steps"]],
        ),
    ]
    for ws, title, columns, rows_of in sheets:
        if ws is None:  # pragma: no cover - a new Workbook always has an active sheet
            continue
        ws.title = title
        ws.append([label for _, label, _ in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for entry in entries:
            for row in rows_of(entry):
                ws.append([_cell(_get(row, key), kind) for key, _, kind in columns])
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _parse(value: Any, kind: str, where: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"list": [], "lines": [], "json": None, "opt": None, "str": "", "bool": True}.get(
            kind
        )
    if kind == "list":
        return [v.strip() for v in str(value).split(";") if v.strip()]
    if kind == "lines":
        return [v.strip() for v in str(value).splitlines() if v.strip()]
    if kind == "json":
        try:
            return json.loads(str(value))
        except json.JSONDecodeError as exc:
            msg = f"{where}: JSON không hợp lệ ({exc.msg})"
            raise XlsxFormatError(msg) from exc
    if kind == "bool":
        return str(value).strip().lower() in {"có", "co", "x", "1", "true", "yes", "bắt buộc"}
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            msg = f"{where}: cần một số nguyên"
            raise XlsxFormatError(msg) from exc
    if kind == "str":
        return str(value).strip()
    return value


def _rows(wb: Any, title: str, columns: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    if title not in wb.sheetnames:
        msg = f"Thiếu trang tính «{title}»."
        raise XlsxFormatError(msg)
    ws = wb[title]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    index: dict[str, int] = {}
    for key, label, _ in columns:
        if label not in header:
            msg = f"Trang «{title}» thiếu cột «{label}»."
            raise XlsxFormatError(msg)
        index[key] = header.index(label)
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        record: dict[str, Any] = {}
        for key, label, kind in columns:
            raw = row[index[key]] if index[key] < len(row) else None
            value = _parse(raw, kind, f"Trang «{title}» dòng {n}, cột «{label}»")
            target = record
            parts = key.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        out.append(record)
    return out


def read_catalogue(stream: IO[bytes]) -> list[dict[str, Any]]:
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        msg = "Tệp không phải bảng tính Excel (.xlsx) hợp lệ."
        raise XlsxFormatError(msg) from exc
    procedures = _rows(wb, SHEET_PROCEDURES, PROCEDURE_COLUMNS)
    documents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in _rows(wb, SHEET_DOCUMENTS, DOCUMENT_COLUMNS):
        documents[d.pop("code")].append(d)
    steps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in _rows(wb, SHEET_STEPS, STEP_COLUMNS):
        steps[s.pop("code")].append(s)
    for p in procedures:
        p["documents"] = documents.get(p["code"], [])
        p["steps"] = steps.get(p["code"], [])
        if p.get("fees") is None:
            p["fees"] = []
        if p.get("form_schema") is None:
            p["form_schema"] = {}
        if not p.get("agency_codes"):
            p["agency_codes"] = None
        if not p.get("supplement_policy"):
            p.pop("supplement_policy", None)  # an empty cell means the default
        note = p["time_limit"].get("note")
        p["time_limit"]["note"] = note or ""
    return procedures
