"""The province's configuration of field reports: categories (Open311 services, deadlines,
attributes), routing rules and answer templates. Edited by a province administrator in the
Django admin (/admin/), which calls these services so that every change is checked and audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from cqs.audit.services import audit_record
from cqs.core.errors import Conflict, PermissionDenied, ValidationError
from cqs.reports.models import AnswerTemplate, Category, RoutingRule
from cqs.reports.permissions import can_configure_reports

ConfigObject = Category | RoutingRule | AnswerTemplate
ATTRIBUTE_TYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def _check_attributes(attributes: Any) -> None:
    """Open311 service attributes: [{"code", "datatype", "description", "required", "values"}]."""
    if not isinstance(attributes, list):
        raise ValidationError("Thuộc tính bổ sung phải là một danh sách.")
    for a in attributes:
        if not isinstance(a, dict) or not str(a.get("code", "")).strip():
            raise ValidationError("Mỗi thuộc tính cần có mã (code).")
        if a.get("datatype", "string") not in ATTRIBUTE_TYPES:
            raise ValidationError(
                f"Kiểu dữ liệu «{a.get('datatype')}» không hợp lệ; dùng một trong: "
                + ", ".join(sorted(ATTRIBUTE_TYPES))
                + "."
            )
        values = a.get("values", [])
        if not isinstance(values, list) or any(
            not isinstance(v, dict) or "key" not in v or "name" not in v for v in values
        ):
            raise ValidationError("Giá trị của thuộc tính cần dạng {key, name}.")


def report_config_check(obj: ConfigObject) -> None:
    """The rules across fields, raised as a ValidationError (also used by the admin form)."""
    if isinstance(obj, Category):
        if obj.deadline_value < 1:
            raise ValidationError("Thời hạn xử lý tối thiểu là 1.")
        _check_attributes(obj.attributes)
    if isinstance(obj, RoutingRule):
        if (obj.start_time is None) != (obj.end_time is None):
            raise ValidationError("Khung giờ cần đủ «từ giờ» và «đến giờ» (hoặc bỏ trống cả hai).")
        if not obj.agency.is_active:
            raise ValidationError("Cơ quan nhận phản ánh đã ngừng hoạt động.")
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        details = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(details.values()), ["Dữ liệu không hợp lệ."])[0]
        raise ValidationError(first, details=details) from exc


def report_config_save(*, actor: Any, obj: ConfigObject) -> ConfigObject:
    """Create or change a category, routing rule or answer template."""
    if not can_configure_reports(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cấu hình phản ánh hiện trường.")
    report_config_check(obj)
    creating = obj.pk is None
    with transaction.atomic():
        obj.save()
        changes = {k: str(v) for k, v in model_to_dict(obj).items()}
        audit_record(
            actor=actor,
            action=f"report_config.{type(obj).__name__.lower()}.{'create' if creating else 'change'}",
            obj=obj,
            changes=changes,
        )
    return obj


def report_config_delete(*, actor: Any, obj: RoutingRule | AnswerTemplate) -> None:
    """Delete a routing rule or an answer template (categories are deactivated instead: the
    reports filed under them keep pointing at them)."""
    if not can_configure_reports(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cấu hình phản ánh hiện trường.")
    if not isinstance(obj, RoutingRule | AnswerTemplate):
        raise Conflict("Lĩnh vực phản ánh không xóa được; hãy bỏ chọn «đang dùng».")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"report_config.{type(obj).__name__.lower()}.delete",
            obj=obj,
            changes={"name": str(obj)},
        )
        obj.delete()
