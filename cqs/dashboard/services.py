"""Every change to the DX plan: targets, progress reports with evidence, blockers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import NotFound, PermissionDenied, ValidationError
from cqs.dashboard.metrics import SYSTEM_METRICS
from cqs.dashboard.models import DxBlocker, DxReport, DxTarget, Pillar
from cqs.dashboard.permissions import (
    can_define_dx_target,
    can_report_dx_target,
    can_resolve_dx_blocker,
)
from cqs.dossiers.storage import Upload, check_upload
from cqs.units.models import Agency


@dataclass(frozen=True)
class TargetInput:
    code: str
    pillar: str
    name: str
    target_value: str | Decimal
    unit_label: str
    start: str | date
    deadline: str | date
    owner_code: str
    metric: str = ""
    baseline: str | Decimal = "0"
    scope_code: str = ""


def _decimal(value: Any, key: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        errors[key] = ["Phải là một số."]
        return Decimal(0)
    if not d.is_finite() or abs(d) >= Decimal("1e12"):
        errors[key] = ["Số không hợp lệ."]
        return Decimal(0)
    return d.quantize(Decimal("0.01"))


def _date(value: Any, key: str, errors: dict[str, list[str]]) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = ["Ngày không hợp lệ (YYYY-MM-DD)."]
        return date.min


def _agency(code: str, key: str, errors: dict[str, list[str]]) -> Agency | None:
    agency = Agency.objects.filter(code=(code or "").strip()).first()
    if agency is None:
        errors[key] = [f"Không có cơ quan mã «{code}»."]
    return agency


def dx_target_save(*, actor: Any, data: TargetInput) -> DxTarget:
    """Create a target, or change the one with the same code."""
    errors: dict[str, list[str]] = {}
    code = data.code.strip()
    if not code or len(code) > 20:
        errors["code"] = ["Mã chỉ tiêu bắt buộc, tối đa 20 ký tự."]
    if data.pillar not in Pillar.values:
        errors["pillar"] = ["Chọn một trụ cột: chính quyền số, kinh tế số, xã hội số."]
    name = data.name.strip()
    if not name:
        errors["name"] = ["Vui lòng ghi tên chỉ tiêu."]
    if data.metric and data.metric not in SYSTEM_METRICS:
        errors["metric"] = [f"Không có chỉ số hệ thống «{data.metric}»."]
    target_value = _decimal(data.target_value, "target_value", errors)
    baseline = _decimal(data.baseline or "0", "baseline", errors)
    start = _date(data.start, "start", errors)
    deadline = _date(data.deadline, "deadline", errors)
    if "start" not in errors and "deadline" not in errors and deadline <= start:
        errors["deadline"] = ["Hạn phải sau ngày bắt đầu."]
    owner = _agency(data.owner_code, "owner", errors)
    if data.scope_code and "owner" not in errors:
        from cqs.dashboard.selectors import resolve_scope

        try:
            resolve_scope(data.scope_code)
        except NotFound:
            errors["scope_code"] = [f"Không có đơn vị hoặc cơ quan mã «{data.scope_code}»."]
    if errors:
        raise ValidationError(
            "Chỉ tiêu chưa hợp lệ. Vui lòng kiểm tra các mục được đánh dấu.", details=errors
        )
    assert owner is not None  # noqa: S101 - errors would have said
    if not can_define_dx_target(actor, owner):
        raise PermissionDenied(
            "Chỉ lãnh đạo hoặc quản trị cấp tỉnh đặt chỉ tiêu cho cơ quan mình phụ trách."
        )
    with transaction.atomic():
        target = DxTarget.objects.select_for_update().filter(code=code).first()
        if target is not None and not can_define_dx_target(actor, target.owner):
            raise PermissionDenied("Bạn không phụ trách cơ quan chủ trì hiện tại của chỉ tiêu này.")
        created = target is None
        target = target or DxTarget(code=code)
        target.pillar = data.pillar
        target.name = name
        target.metric = data.metric
        target.scope_code = data.scope_code.strip()
        target.unit_label = (data.unit_label or "").strip()[:20] or "%"
        target.baseline = baseline
        target.target_value = target_value
        target.start = start
        target.deadline = deadline
        target.owner = owner
        target.save()
        audit_record(
            actor=actor,
            action="dx.target_create" if created else "dx.target_update",
            obj=target,
            changes={
                "code": code,
                "metric": data.metric,
                "target_value": str(target_value),
                "deadline": deadline.isoformat(),
                "owner": owner.code,
            },
        )
    return target


def _target(code: str) -> DxTarget:
    target = DxTarget.objects.select_related("owner").filter(code=code).first()
    if target is None:
        raise NotFound(f"Không có chỉ tiêu «{code}».")
    return target


def dx_report(
    *,
    actor: Any,
    target_code: str,
    value: Any,
    note: str = "",
    evidence_link: str = "",
    evidence: Upload | None = None,
    now: datetime | None = None,
) -> DxReport:
    """The owner reports the current value of a target the system does not measure."""
    target = _target(target_code)
    if not can_report_dx_target(actor, target.owner):
        raise PermissionDenied(f"Chỉ {target.owner.name} báo cáo chỉ tiêu này.")
    if target.metric:
        raise ValidationError(
            "Chỉ tiêu này do hệ thống tự tính, không cần báo cáo.",
            details={"metric": [target.metric]},
        )
    errors: dict[str, list[str]] = {}
    amount = _decimal(value, "value", errors)
    link = (evidence_link or "").strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except DjangoValidationError:
            errors["evidence_link"] = ["Đường dẫn minh chứng không hợp lệ (http/https)."]
    if evidence is not None:
        try:
            check_upload(evidence)
        except ValidationError as e:
            errors["evidence_file"] = [e.message]
    if not link and evidence is None:
        errors["evidence"] = ["Vui lòng đính kèm tệp hoặc đường dẫn minh chứng."]
    if errors:
        raise ValidationError(
            "Báo cáo chưa hợp lệ. Vui lòng kiểm tra các mục được đánh dấu.", details=errors
        )
    with transaction.atomic():
        report = DxReport(
            target=target,
            value=amount,
            note=note.strip(),
            evidence_link=link,
            reported_by=actor,
            reported_at=now or timezone.now(),
        )
        if evidence is not None:
            report.evidence_file.save(
                evidence.filename.rsplit("/", 1)[-1][:100],
                ContentFile(evidence.content),
                save=False,
            )
        report.save()
        audit_record(
            actor=actor,
            action="dx.report",
            obj=report,
            changes={
                "target": target.code,
                "value": str(amount),
                "evidence": bool(evidence) or link,
            },
        )
    return report


def dx_blocker_add(
    *,
    actor: Any,
    description: str,
    must_act_code: str,
    target_code: str = "",
    since: str | date | None = None,
) -> DxBlocker:
    errors: dict[str, list[str]] = {}
    text = (description or "").strip()
    if not text:
        errors["description"] = ["Vui lòng mô tả vướng mắc."]
    must_act = _agency(must_act_code, "must_act", errors)
    target = None
    if target_code:
        target = DxTarget.objects.select_related("owner").filter(code=target_code).first()
        if target is None:
            errors["target"] = [f"Không có chỉ tiêu «{target_code}»."]
    day = _date(since, "since", errors) if since else timezone.localdate()
    if "since" not in errors and day > timezone.localdate():
        errors["since"] = ["Ngày phát sinh không được ở tương lai."]
    if errors:
        raise ValidationError(
            "Vướng mắc chưa hợp lệ. Vui lòng kiểm tra các mục được đánh dấu.", details=errors
        )
    assert must_act is not None  # noqa: S101 - errors would have said
    allowed = (target is not None and can_report_dx_target(actor, target.owner)) or (
        can_define_dx_target(actor, must_act)
    )
    if not allowed:
        raise PermissionDenied(
            "Chỉ cơ quan chủ trì chỉ tiêu hoặc lãnh đạo phụ trách ghi nhận vướng mắc."
        )
    with transaction.atomic():
        blocker = DxBlocker.objects.create(
            target=target, description=text, must_act=must_act, since=day, created_by=actor
        )
        audit_record(
            actor=actor,
            action="dx.blocker_add",
            obj=blocker,
            changes={"must_act": must_act.code, "target": target_code or None},
        )
    return blocker


def dx_blocker_resolve(*, actor: Any, blocker_id: int, resolution: str) -> DxBlocker:
    text = (resolution or "").strip()
    if not text:
        raise ValidationError(
            "Vui lòng ghi cách đã tháo gỡ.", details={"resolution": ["Bắt buộc."]}
        )
    with transaction.atomic():
        blocker = (
            DxBlocker.objects.select_for_update()
            .select_related("must_act")
            .filter(pk=blocker_id)
            .first()
        )
        if blocker is None:
            raise NotFound("Không có vướng mắc này.")
        if not can_resolve_dx_blocker(actor, blocker.must_act):
            raise PermissionDenied(f"Chỉ {blocker.must_act.name} hoặc lãnh đạo phụ trách xử lý.")
        if blocker.resolved_at is not None:
            raise ValidationError("Vướng mắc này đã được tháo gỡ.")
        blocker.resolved_at = timezone.now()
        blocker.resolution = text
        blocker.save(update_fields=["resolved_at", "resolution"])
        audit_record(
            actor=actor, action="dx.blocker_resolve", obj=blocker, changes={"resolution": text}
        )
    return blocker


def dx_plan_seed_demo(*, actor: Any = None) -> int:
    """Load the demo plan (cqs/dashboard/demo.py) once, dated in the current year; returns the
    number of targets created (0 when the plan already has targets)."""
    from cqs.accounts.models import User
    from cqs.dashboard import demo

    if DxTarget.objects.exists():
        return 0
    shift = timezone.localdate().year - demo.Y

    def moved(d: date) -> date:
        return d.replace(year=d.year + shift)

    agencies = {a.code: a for a in Agency.objects.all()}
    reporter = User.objects.filter(username="quantri").first()
    with transaction.atomic():
        targets = {}
        for code, pillar, name, metric, unit, base, goal, owner, deadline in demo.TARGETS:
            targets[code] = DxTarget.objects.create(
                code=code,
                pillar=pillar,
                name=name,
                metric=metric,
                unit_label=unit,
                baseline=Decimal(base),
                target_value=Decimal(goal),
                start=date(moved(deadline).year, 1, 1),
                deadline=moved(deadline),
                owner=agencies[owner],
            )
        if reporter is not None:
            tz = timezone.get_current_timezone()
            for code, value, note, link, day in demo.REPORTS:
                DxReport.objects.create(
                    target=targets[code],
                    value=Decimal(value),
                    note=note,
                    evidence_link=link,
                    reported_by=reporter,
                    reported_at=datetime.combine(moved(day), datetime.min.time(), tzinfo=tz),
                )
            for text, code, must_act, since in demo.BLOCKERS:
                DxBlocker.objects.create(
                    target=targets[code],
                    description=text,
                    must_act=agencies[must_act],
                    since=moved(since),
                    created_by=reporter,
                )
        audit_record(
            actor=actor,
            action="dx.seed_demo",
            object_type="dashboard.dxtarget",
            changes={"targets": len(targets)},
        )
    return len(targets)
