"""Every change to the procedure catalogue: import (JSON/XLSX), agency assignment and the
blank forms (mẫu đơn, tờ khai) published with each document requirement."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from cqs.accounts.permissions import can_manage_catalogue
from cqs.audit.services import audit_record
from cqs.catalogue import rules, xlsx
from cqs.catalogue.models import DocumentRequirement, Procedure, ProcessStep, Sector
from cqs.catalogue.permissions import can_manage_document_form
from cqs.catalogue.schemas import ProcedureIO
from cqs.catalogue.storage import put_form
from cqs.core.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationError
from cqs.core.text import fold, nfc
from cqs.units.models import Agency, AgencyKind


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "errors": self.errors,
        }


# Import reports are read by province officers: pydantic's English messages, in Vietnamese.
_MESSAGES_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "quá ngắn (tối thiểu {min_length} ký tự)",
    "string_too_long": "quá dài (tối đa {max_length} ký tự)",
    "string_pattern_mismatch": "không đúng định dạng",
    "literal_error": "giá trị không hợp lệ, phải là một trong: {expected}",
    "too_short": "cần ít nhất {min_length} mục",
    "too_long": "nhiều nhất {max_length} mục",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một đối tượng",
    "model_type": "phải là một đối tượng",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "decimal_type": "phải là số",
    "decimal_parsing": "phải là số",
    "decimal_max_digits": "nhiều nhất {max_digits} chữ số",
    "decimal_max_places": "nhiều nhất {decimal_places} chữ số thập phân",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
}


def _message_vi(error: Any) -> str:
    ctx = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in ctx:
        return str(ctx["error"])  # raised by our own validators, already Vietnamese
    template = _MESSAGES_VI.get(error["type"])
    try:
        return template.format(**ctx) if template else str(error["msg"])
    except (KeyError, IndexError):
        return str(error["msg"])


def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_deep(v) for k, v in value.items()}
    return value


def procedure_to_io(p: Procedure) -> dict[str, Any]:
    """Export shape of one procedure (the import shape; re-imports to the same state)."""
    return {
        "code": p.code,
        "name": p.name,
        "sector": {"code": p.sector.code, "name": p.sector.name},
        "level": p.level,
        "implementing_agency": p.implementing_agency,
        "agency_kind": p.agency_kind,
        "department_hint": p.department_hint or None,
        "applicant_kinds": list(p.applicant_kinds),
        "time_limit": {
            "value": _number(p.time_limit_value),
            "unit": p.time_limit_unit,
            "note": p.time_limit_note,
        },
        "fees": list(p.fees),
        "submission_channels": list(p.submission_channels),
        "online_level": p.online_level,
        "requirements": p.requirements,
        "legal_basis": list(p.legal_basis),
        "results": list(p.results),
        "documents": [
            {
                "name": d.name,
                "originals": d.originals,
                "copies": d.copies,
                "form": d.form_name or None,
                "mandatory": d.mandatory,
                "note": d.note,
            }
            for d in p.documents.all()
        ],
        "steps": [
            {
                "name": s.name,
                "role": s.role,
                "agency_kind": s.agency_kind,
                "share_percent": _number(s.share_percent),
            }
            for s in p.steps.all()
        ],
        "supplement_policy": p.supplement_policy,
        "form_schema": p.form_schema,
        "agency_codes": sorted(a.code for a in p.agencies.all()),
        "source": p.source,
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _fees_json(entry: ProcedureIO) -> list[dict[str, Any]]:
    return [f.model_dump(exclude_none=True) for f in entry.fees]


def _save_entry(entry: ProcedureIO, *, actor: Any) -> str:
    """Upsert one procedure with its documents and steps; returns created/updated/unchanged."""
    with transaction.atomic():
        sector, _ = Sector.objects.get_or_create(
            code=entry.sector.code, defaults={"name": entry.sector.name}
        )
        if sector.name != entry.sector.name:
            sector.name = entry.sector.name
            sector.save(update_fields=["name"])
        existing = (
            Procedure.objects.select_for_update()
            .prefetch_related("documents", "steps", "agencies")
            .filter(code=entry.code)
            .first()
        )
        if existing is not None:
            # Compare through the same schema so 1 == "1.00" and absent == None.
            before = ProcedureIO.model_validate(procedure_to_io(existing)).model_dump(mode="json")
            after = entry.model_dump(mode="json")
            if entry.agency_codes is None:
                after["agency_codes"] = before["agency_codes"]
            if before == after:
                return "unchanged"
        procedure = existing or Procedure(code=entry.code)
        procedure.name = entry.name
        procedure.sector = sector
        procedure.level = entry.level
        procedure.implementing_agency = entry.implementing_agency
        procedure.agency_kind = entry.agency_kind
        procedure.department_hint = entry.department_hint or ""
        procedure.applicant_kinds = list(entry.applicant_kinds)
        procedure.time_limit_value = entry.time_limit.value
        procedure.time_limit_unit = entry.time_limit.unit
        procedure.time_limit_note = entry.time_limit.note
        procedure.fees = _fees_json(entry)
        procedure.submission_channels = list(entry.submission_channels)
        procedure.online_level = entry.online_level
        procedure.requirements = entry.requirements
        procedure.legal_basis = list(entry.legal_basis)
        procedure.results = list(entry.results)
        procedure.supplement_policy = entry.supplement_policy
        procedure.form_schema = entry.form_schema
        procedure.source = entry.source
        procedure.search_text = fold(f"{entry.code} {entry.name} {entry.sector.name}")
        procedure.save()
        # The catalogue file does not carry the form files: a re-import keeps each attached
        # form with the document of the same name.
        kept_forms = {
            d.name: {f: getattr(d, f) for f in _FORM_FIELDS}
            for d in procedure.documents.all()
            if d.form_file
        }
        procedure.documents.all().delete()
        DocumentRequirement.objects.bulk_create(
            DocumentRequirement(
                procedure=procedure,
                position=i,
                name=d.name,
                originals=d.originals,
                copies=d.copies,
                form_name=d.form or "",
                mandatory=d.mandatory,
                note=d.note,
                **kept_forms.get(d.name, {}),
            )
            for i, d in enumerate(entry.documents, start=1)
        )
        procedure.steps.all().delete()
        ProcessStep.objects.bulk_create(
            ProcessStep(
                procedure=procedure,
                position=i,
                name=s.name,
                role=s.role,
                agency_kind=s.agency_kind,
                share_percent=s.share_percent,
            )
            for i, s in enumerate(entry.steps, start=1)
        )
        if entry.agency_codes is not None:
            agencies = list(Agency.objects.filter(code__in=entry.agency_codes))
            missing = set(entry.agency_codes) - {a.code for a in agencies}
            if missing:
                raise ValidationError(
                    "Mã cơ quan không tồn tại: " + ", ".join(sorted(missing)),
                    details={"agency_codes": sorted(missing)},
                )
            procedure.agencies.set(agencies)
        outcome = "updated" if existing is not None else "created"
        audit_record(
            actor=actor,
            action=f"procedure.{outcome[:-1]}",
            obj=procedure,
            changes={"via": "import"},
        )
        return outcome


_FORM_FIELDS = (
    "form_file",
    "form_filename",
    "form_content_type",
    "form_size",
    "form_sha256",
    "form_uploaded_at",
)


def catalogue_import(*, actor: Any, entries: Any) -> ImportReport:
    """Import catalogue entries. Each good entry is saved whole; each bad one is reported."""
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cập nhật danh mục thủ tục.")
    if not isinstance(entries, list):
        raise ValidationError("Tệp danh mục phải là một mảng JSON các thủ tục.")
    report = ImportReport()
    seen: set[str] = set()
    for index, raw in enumerate(entries, start=1):
        code = raw.get("code") if isinstance(raw, dict) else None
        try:
            entry = ProcedureIO.model_validate(_nfc_deep(raw))
        except PydanticValidationError as exc:
            report.errors.append(
                {
                    "index": index,
                    "code": code,
                    "errors": [
                        {"field": ".".join(str(p) for p in e["loc"]), "message": _message_vi(e)}
                        for e in exc.errors(include_url=False)
                    ],
                }
            )
            continue
        if entry.code in seen:
            report.errors.append(
                {
                    "index": index,
                    "code": entry.code,
                    "errors": [{"field": "code", "message": "mã thủ tục bị lặp trong tệp"}],
                }
            )
            continue
        seen.add(entry.code)
        try:
            outcome = _save_entry(entry, actor=actor)
        except ValidationError as exc:
            report.errors.append(
                {
                    "index": index,
                    "code": entry.code,
                    "errors": [{"field": "agency_codes", "message": exc.message}],
                }
            )
            continue
        getattr(report, outcome).append(entry.code)
    if report.created or report.updated:
        catalogue_changed()
    return report


def catalogue_changed() -> None:
    """Forget the cached catalogue version once the change commits (cached procedure pages
    are keyed by it; other processes with a local cache see the change within a minute)."""
    from django.core.cache import cache

    from cqs.catalogue.selectors import CATALOGUE_VERSION_KEY

    transaction.on_commit(lambda: cache.delete(CATALOGUE_VERSION_KEY))


def catalogue_import_file(*, actor: Any, filename: str, content: bytes) -> ImportReport:
    """Import a .json or .xlsx catalogue file."""
    lower = filename.lower()
    if lower.endswith(".json"):
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(
                "Tệp JSON không đọc được.", details={"file": [str(exc)[:200]]}
            ) from exc
        return catalogue_import(actor=actor, entries=data)
    if lower.endswith(".xlsx"):
        try:
            data = xlsx.read_catalogue(io.BytesIO(content))
        except xlsx.XlsxFormatError as exc:
            raise ValidationError(str(exc)) from exc
        return catalogue_import(actor=actor, entries=data)
    raise ValidationError("Chỉ nhận tệp .json hoặc .xlsx.")


def catalogue_export(procedures: Any) -> list[dict[str, Any]]:
    qs = procedures.select_related("sector").prefetch_related("documents", "steps", "agencies")
    return [procedure_to_io(p) for p in qs]


def catalogue_assign_agencies(*, actor: Any) -> int:
    """Link every procedure without agencies to the agencies of its kind (demo and first setup).

    Commune procedures go to every commune people's committee; province procedures to the
    department named in ``department_hint`` or, failing that, the province committee.
    """
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cập nhật danh mục thủ tục.")
    communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, is_active=True))
    departments = list(Agency.objects.filter(kind=AgencyKind.DEPARTMENT, is_active=True))
    province = list(Agency.objects.filter(kind=AgencyKind.PROVINCE_COMMITTEE, is_active=True))
    linked = 0
    with transaction.atomic():
        for p in Procedure.objects.filter(agencies__isnull=True):
            targets: list[Agency]
            if p.level == "commune":
                targets = communes
            else:
                hint = fold(p.department_hint or "")
                targets = [d for d in departments if hint and hint in fold(d.name)] or province
            if targets:
                p.agencies.set(targets)
                linked += 1
        if linked:
            catalogue_changed()
            audit_record(
                actor=actor,
                action="catalogue.assign_agencies",
                object_type="catalogue.procedure",
                changes={"procedures": linked},
            )
    return linked


# --- Blank forms (mẫu đơn, tờ khai) ---------------------------------------------------------


def _locked_requirement(requirement: DocumentRequirement) -> DocumentRequirement:
    locked = (
        DocumentRequirement.objects.select_for_update()
        .select_related("procedure")
        .filter(pk=requirement.pk)
        .first()
    )
    if locked is None:
        raise NotFound("Thành phần hồ sơ không còn tồn tại (danh mục vừa được cập nhật).")
    return locked


def _check_form_permission(actor: Any, requirement: DocumentRequirement) -> None:
    if actor is not None and not can_manage_document_form(actor, requirement):
        raise PermissionDenied(
            "Bạn không có quyền cập nhật mẫu đơn, tờ khai của thủ tục "
            f"«{requirement.procedure.code}»: chỉ quản trị cấp tỉnh, hoặc quản trị của cơ quan "
            "thực hiện thủ tục."
        )


def document_form_attach(
    *, actor: Any, requirement: DocumentRequirement, filename: str, content: bytes
) -> DocumentRequirement:
    """Publish ``content`` as the blank form of ``requirement`` (replacing any earlier one).

    The type is sniffed from the bytes (PDF, DOC, DOCX, XLS, XLSX, ODT, ODS; no macros), the
    size is bounded by ``CQS_MAX_UPLOAD_MB``; the file is stored under its SHA-256. Attaching
    the same bytes again changes nothing. actor None = the system (demo seeding).
    """
    _check_form_permission(actor, requirement)
    shown = rules.clean_filename(filename)
    limit = settings.CQS_MAX_UPLOAD_MB * 1024 * 1024
    if not content:
        raise ValidationError(f"Tệp «{shown}» rỗng.", details={"file": shown})
    if len(content) > limit:
        raise PayloadTooLarge(
            f"Tệp «{shown}» vượt quá {settings.CQS_MAX_UPLOAD_MB} MB.",
            details={"file": shown, "size": len(content), "limit": limit},
        )
    kind = rules.sniff_form_type(content)
    if kind is None:
        raise ValidationError(
            f"Tệp «{shown}» không phải mẫu đơn hợp lệ: chỉ nhận {rules.ACCEPTED_LABELS} "
            "(không chứa macro), kiểm tra theo nội dung tệp chứ không theo đuôi tên tệp.",
            details={"file": shown, "accepted": rules.ACCEPTED_LABELS},
        )
    digest = hashlib.sha256(content).hexdigest()
    shown = rules.with_extension(shown, kind.extension)
    stored = put_form(content, digest, kind.extension)  # before the transaction: idempotent
    with transaction.atomic():
        locked = _locked_requirement(requirement)
        if locked.form_sha256 == digest and locked.form_filename == shown:
            return locked
        previous = locked.form_sha256
        locked.form_file.name = stored
        locked.form_filename = shown
        locked.form_content_type = kind.content_type
        locked.form_size = len(content)
        locked.form_sha256 = digest
        locked.form_uploaded_at = timezone.now()
        locked.save(update_fields=list(_FORM_FIELDS))
        audit_record(
            actor=actor,
            action="document_form.attach",
            obj=locked,
            changes={
                "procedure": locked.procedure.code,
                "position": locked.position,
                "filename": shown,
                "content_type": kind.content_type,
                "size": len(content),
                "sha256": digest,
                "previous_sha256": previous or None,
            },
        )
        catalogue_changed()
    return locked


def document_form_remove(*, actor: Any, requirement: DocumentRequirement) -> DocumentRequirement:
    """Stop publishing the blank form of ``requirement`` (the form name stays)."""
    _check_form_permission(actor, requirement)
    with transaction.atomic():
        locked = _locked_requirement(requirement)
        if not locked.form_file:
            raise ValidationError(f"Giấy tờ «{locked.name}» chưa có tệp mẫu để gỡ.")
        previous = {"filename": locked.form_filename, "sha256": locked.form_sha256}
        locked.form_file.name = ""
        locked.form_filename = ""
        locked.form_content_type = ""
        locked.form_size = 0
        locked.form_sha256 = ""
        locked.form_uploaded_at = None
        locked.save(update_fields=list(_FORM_FIELDS))
        audit_record(
            actor=actor,
            action="document_form.remove",
            obj=locked,
            changes={"procedure": locked.procedure.code, "position": locked.position, **previous},
        )
        catalogue_changed()
    return locked
