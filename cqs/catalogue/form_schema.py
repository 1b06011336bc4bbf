"""Declared fields of an online application (trường khai báo): a JSON Schema (draft 2020-12)
stored with the procedure, rendered as the online form and validated on the server.

Supported field shapes (anything else is refused when the catalogue is saved, so the form can
always be rendered): ``string`` (optionally ``format: date`` or ``email``, ``maxLength``,
``pattern``, ``enum``), ``integer`` (``minimum``/``maximum``) and ``boolean``; each property has
a Vietnamese ``title`` and optionally a ``description``; ``required`` lists mandatory fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from cqs.core.errors import ValidationError

SUPPORTED_TYPES = ("string", "integer", "boolean")
SUPPORTED_FORMATS = ("date", "email")
MAX_STRING = 500


@dataclass(frozen=True)
class DeclaredField:
    name: str
    title: str
    type: str
    required: bool
    description: str = ""
    format: str = ""
    choices: tuple[str, ...] = ()
    max_length: int = MAX_STRING


def schema_problems(schema: dict[str, Any]) -> list[str]:
    """Why ``schema`` cannot be used as a declared-fields schema (empty list: usable)."""
    if not schema:
        return []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"JSON Schema không hợp lệ: {exc.message}"]
    problems: list[str] = []
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return ["Trường khai báo phải là JSON Schema kiểu object có «properties»."]
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict) or prop.get("type") not in SUPPORTED_TYPES:
            problems.append(f"Trường «{name}»: chỉ hỗ trợ kiểu string, integer, boolean.")
            continue
        if not prop.get("title"):
            problems.append(f"Trường «{name}» thiếu nhãn hiển thị (title).")
        if prop.get("format") and prop["format"] not in SUPPORTED_FORMATS:
            problems.append(f"Trường «{name}»: định dạng «{prop['format']}» chưa hỗ trợ.")
    for name in schema.get("required", []):
        if name not in schema["properties"]:
            problems.append(f"Trường bắt buộc «{name}» không có trong «properties».")
    return problems


def declared_fields(schema: dict[str, Any]) -> list[DeclaredField]:
    if not schema or not isinstance(schema.get("properties"), dict):
        return []
    required = set(schema.get("required", []))
    return [
        DeclaredField(
            name=name,
            title=str(prop.get("title") or name),
            type=str(prop.get("type", "string")),
            required=name in required,
            description=str(prop.get("description") or ""),
            format=str(prop.get("format") or ""),
            choices=tuple(str(c) for c in prop.get("enum", [])),
            max_length=int(prop.get("maxLength") or MAX_STRING),
        )
        for name, prop in schema["properties"].items()
        if isinstance(prop, dict)
    ]


def _coerce(field: DeclaredField, raw: Any) -> Any:
    """Form values arrive as text; give the validator the schema's types."""
    if field.type == "boolean":
        return raw in (True, "1", "on", "true", "yes")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if field.type == "integer":
        try:
            return int(str(raw).strip())
        except ValueError:
            return str(raw)  # left as text: the validator reports the wrong type
    return str(raw).strip()


_MESSAGES = {
    "required": "Vui lòng nhập «{title}».",
    "type": "«{title}» phải là {kind}.",
    "format": "«{title}» không đúng định dạng {fmt}.",
    "maxLength": "«{title}» dài quá {limit} ký tự.",
    "minimum": "«{title}» phải từ {limit} trở lên.",
    "maximum": "«{title}» không được lớn hơn {limit}.",
    "enum": "«{title}»: vui lòng chọn một giá trị trong danh sách.",
    "pattern": "«{title}» không đúng định dạng.",
}
_KINDS = {"integer": "số nguyên", "string": "chuỗi ký tự", "boolean": "có/không"}
_FORMATS = {"date": "ngày (năm-tháng-ngày)", "email": "thư điện tử"}


def declared_data_validate(schema: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """The cleaned declared data, or a ValidationError with one Vietnamese message per field."""
    fields = {f.name: f for f in declared_fields(schema)}
    if not fields:
        return {}
    data = {}
    for name, field in fields.items():
        value = _coerce(field, raw.get(name))
        if value is not None:
            data[name] = value
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    for error in validator.iter_errors(data):
        if error.validator == "required":
            missing = str(error.message).split("'")[1] if "'" in error.message else ""
            name = missing
        else:
            name = str(error.path[0]) if error.path else ""
        found = fields.get(name)
        title = found.title if found else name
        template = _MESSAGES.get(str(error.validator), "«{title}» không hợp lệ.")
        errors.setdefault(f"fields.{name}", []).append(
            template.format(
                title=title,
                kind=_KINDS.get(found.type if found else "", "giá trị hợp lệ"),
                fmt=_FORMATS.get(found.format if found else "", ""),
                limit=error.validator_value,
            )
        )
    if errors:
        raise ValidationError("Thông tin khai báo chưa hợp lệ.", details=errors)
    return data
