"""The workflow actions of ``workflow.TRANSITIONS`` (staff, reporter, system) and the change
of category, which routes the report again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cqs.accounts.models import User
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.core.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.reports import rules
from cqs.reports.models import Category, PhotoKind, Report
from cqs.reports.permissions import actor_roles, staff_roles_at
from cqs.reports.photos import PhotoUpload, check_photo, store_photo
from cqs.reports.services._common import (
    MAX_DESCRIPTION,
    Errors,
    append_event,
    lock_report,
    notify_reporter,
    tracking_url,
    validate_where,
)
from cqs.reports.services.routing import report_route
from cqs.reports.workflow import (
    ACTION_LABELS,
    CLOSED_STATES,
    HD,
    LD,
    PO,
    STATUS_LABELS,
    SYSTEM,
    Action,
    Status,
    transition,
)
from cqs.units.models import AdministrativeUnit, Agency
from cqs.workdays.selectors import work_calendar

REJECT_REASONS = {"duplicate": "Trùng với phản ánh khác", "out_of_scope": "Không thuộc phạm vi"}


def report_act(
    *,
    actor: Any,
    code: str,
    action: str,
    expected_version: int | None = None,
    reporter_key: str = "",
    note: str = "",
    assignee: User | None = None,
    to_agency: Agency | None = None,
    answer: str = "",
    reason: str = "",
    duplicate_of: str = "",
    photos: list[PhotoUpload] | None = None,
    now: datetime | None = None,
) -> Report:
    """Perform one workflow action (see ``workflow.TRANSITIONS``)."""
    now = now or timezone.now()
    note = rules.clean_text(note)[:2000]
    checked = [check_photo(p) for p in (photos or [])[: rules.MAX_PHOTOS]]
    with transaction.atomic():
        report = lock_report(code, expected_version)
        t = transition(report.status, action)
        if t is None:
            raise TransitionNotAllowed(
                f"Không thể «{ACTION_LABELS.get(Action(action), action) if action in Action else action}» "
                f"khi phản ánh ở trạng thái «{report.status_label}».",
                details={"status": report.status, "action": action},
            )
        roles = {SYSTEM} if actor == SYSTEM else actor_roles(actor, report, reporter_key)
        if not (t.roles & roles):
            raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với phản ánh.")
        user = None if actor == SYSTEM else actor
        previous = report.status
        data: dict[str, Any] = {}
        public_note = note
        handler = _HANDLERS[Action(action)]
        handler(
            report,
            user=user,
            now=now,
            note=note,
            assignee=assignee,
            to_agency=to_agency,
            answer=answer,
            reason=reason,
            duplicate_of=duplicate_of,
            data=data,
            reporter_key=reporter_key,
        )
        if t.to is not None and report.status == previous:
            report.status = t.to
        report.is_open = report.status not in CLOSED_STATES
        report.updated_at = now
        report.version += 1
        report.save()
        if action == Action.RESOLVE:
            stored = [
                store_photo(report=report, photo=photo, kind=PhotoKind.AFTER) for photo in checked
            ]
            if stored:
                data["photos"] = [p.pk for p in stored]
            public_note = report.answer
        append_event(
            report,
            type=str(action),
            actor=user,
            at=now,
            from_status=previous,
            note=public_note if action != Action.TRANSFER else data.get("reason", ""),
            data=data,
        )
        audit_record(
            actor=user,
            action=f"report.{action}",
            obj=report,
            changes={"from": previous, "to": report.status, **data},
        )
        if report.status != previous or action == Action.TRANSFER:
            notify_reporter(
                report,
                f"Phản ánh {report.code}: {STATUS_LABELS[Status(report.status)]}",
                (report.answer if action == Action.RESOLVE else note) or tracking_url(report),
            )
    return report


def _h_verify(report: Report, **_: Any) -> None:
    return None


def _h_assign(report: Report, *, assignee: User | None, data: dict[str, Any], **_: Any) -> None:
    if assignee is None:
        raise ValidationError("Vui lòng chọn cán bộ xử lý.")
    if not staff_roles_at(assignee, report.agency_id) & {PO, HD, LD}:
        raise ValidationError(f"{assignee} không phải cán bộ xử lý của {report.agency.name}.")
    report.assignee = assignee
    data["assignee"] = assignee.username


def _h_start(report: Report, *, user: Any, **_: Any) -> None:
    if report.assignee_id is None and user is not None:
        report.assignee = user


def _h_resolve(
    report: Report, *, answer: str, now: datetime, data: dict[str, Any], **_: Any
) -> None:
    text = rules.clean_text(answer)
    if len(text) < 10:
        raise ValidationError("Vui lòng nhập nội dung trả lời người dân (ít nhất 10 ký tự).")
    report.answer = text[:MAX_DESCRIPTION]
    report.resolved_at = now
    data["on_time"] = report.deadline is None or now <= report.deadline


def _h_reject(
    report: Report,
    *,
    reason: str,
    duplicate_of: str,
    note: str,
    now: datetime,
    user: Any,
    data: dict[str, Any],
    **_: Any,
) -> None:
    if reason not in REJECT_REASONS:
        raise ValidationError("Vui lòng chọn lý do: trùng phản ánh khác hoặc không thuộc phạm vi.")
    if not note:
        raise ValidationError("Vui lòng ghi rõ lý do cho người dân.")
    report.reject_reason = reason
    report.closed_at = now
    data["reason"] = reason
    if reason == "duplicate":
        target = Report.objects.select_for_update().filter(code=duplicate_of.strip()).first()
        if target is None or target.pk == report.pk:
            raise ValidationError("Vui lòng nhập mã phản ánh gốc (đang xử lý) để gộp.")
        while target.merged_into_id is not None:  # follow a chain of merges to its root
            target = Report.objects.select_for_update().get(pk=target.merged_into_id)
        if target.status == Status.REJECTED or target.pk == report.pk:
            raise ValidationError("Phản ánh gốc đã bị từ chối, không thể gộp vào.")
        report.merged_into = target
        data["merged_into"] = target.code
        append_event(
            target,
            type="merged",
            actor=user,
            at=now,
            note=f"Gộp phản ánh trùng {report.code}.",
            data={"duplicate": report.code},
        )


def _h_transfer(
    report: Report,
    *,
    to_agency: Agency | None,
    note: str,
    now: datetime,
    data: dict[str, Any],
    **_: Any,
) -> None:
    if to_agency is None or not to_agency.is_active:
        raise ValidationError("Vui lòng chọn cơ quan nhận chuyển.")
    if to_agency.pk == report.agency_id:
        raise ValidationError("Phản ánh đang ở cơ quan này.")
    if not note:
        raise ValidationError("Vui lòng ghi lý do chuyển.")
    # The clock is not reset: the deadline stays; the office time this agency held the report
    # is recorded so that SLA figures attribute delay to whoever held it.
    spent = work_calendar().working_time_between(report.agency_since, now)
    data.update(
        {
            "from_agency": report.agency.code,
            "to_agency": to_agency.code,
            "reason": note,
            "seconds_held": int(spent.total_seconds()),
        }
    )
    report.agency = to_agency
    report.agency_since = now
    report.assignee = None
    report.escalated_near = report.escalated_overdue = False
    if report.status in {Status.ASSIGNED, Status.IN_PROGRESS}:
        report.status = Status.VERIFIED


def _h_close(report: Report, *, now: datetime, **_: Any) -> None:
    report.closed_at = now


def _h_reopen(report: Report, *, now: datetime, note: str, data: dict[str, Any], **_: Any) -> None:
    days = settings.CQS_REPORTS_REOPEN_DAYS
    if report.resolved_at is None or not rules.within_window(report.resolved_at, now, days):
        raise TransitionNotAllowed(f"Đã quá {days} ngày kể từ khi có kết quả, không thể mở lại.")
    if not note:
        raise ValidationError("Vui lòng cho biết vì sao chưa đồng ý với kết quả.")
    report.reopen_count += 1
    report.resolved_at = None
    report.assignee = None
    report.escalated_near = report.escalated_overdue = False
    data["reopen_count"] = report.reopen_count


_HANDLERS: dict[Action, Callable[..., None]] = {
    Action.VERIFY: _h_verify,
    Action.ASSIGN: _h_assign,
    Action.START: _h_start,
    Action.RESOLVE: _h_resolve,
    Action.REJECT: _h_reject,
    Action.TRANSFER: _h_transfer,
    Action.CLOSE: _h_close,
    Action.REOPEN: _h_reopen,
    Action.DISPUTE: _h_reopen,
}


def report_recategorize(*, actor: Any, code: str, category: Category) -> Report:
    """Change the category and route again (the deadline stays, as for a transfer)."""
    with transaction.atomic():
        report = lock_report(code, None)
        roles = actor_roles(actor, report)
        if not roles & {Role.RECEIVING_OFFICER, Role.HEAD_OF_DIVISION, Role.LEADER}:
            raise PermissionDenied("Bạn không có quyền đổi lĩnh vực phản ánh.")
        if not report.is_open:
            raise TransitionNotAllowed("Phản ánh đã đóng.")
        now = timezone.now()
        old = report.category.code
        report.category = category
        agency, rule_id = report_route(
            category=category, commune=report.commune, text=report.description, at=now
        )
        data: dict[str, Any] = {"from": old, "to": category.code}
        if agency.pk != report.agency_id:
            # As for a transfer: the office time the previous agency held it (SLA attribution).
            spent = work_calendar().working_time_between(report.agency_since, now)
            data.update(
                {
                    "agency": agency.code,
                    "from_agency": report.agency.code,
                    "seconds_held": int(spent.total_seconds()),
                }
            )
            report.agency = agency
            report.agency_since = now
            report.assignee = None
        report.routing_rule_id = rule_id
        report.version += 1
        report.updated_at = now
        report.save()
        append_event(report, type="recategorized", actor=actor, at=now, data=data)
        audit_record(actor=actor, action="report.recategorize", obj=report, changes=data)
    return report


def report_relocate(
    *,
    actor: Any,
    code: str,
    lat: Decimal | None,
    lon: Decimal | None,
    commune: AdministrativeUnit | None,
    address: str = "",
) -> Report:
    """Correct where the problem is and route again (the issue: routing is re-run when the
    category or the location changes). As for a transfer the deadline stays, and the office
    time the previous agency held the report is recorded for SLA attribution."""
    errors = Errors()
    validate_where(lat, lon, commune, address, errors)
    errors.raise_if_any()
    with transaction.atomic():
        report = lock_report(code, None)
        roles = actor_roles(actor, report)
        if not roles & {Role.RECEIVING_OFFICER, Role.HEAD_OF_DIVISION, Role.LEADER}:
            raise PermissionDenied("Bạn không có quyền sửa vị trí phản ánh.")
        if not report.is_open:
            raise TransitionNotAllowed("Phản ánh đã đóng.")
        now = timezone.now()
        data: dict[str, Any] = {
            "from": {
                "lat": str(report.lat or ""),
                "lon": str(report.lon or ""),
                "commune": report.commune.code if report.commune else "",
            },
            "to": {
                "lat": str(lat or ""),
                "lon": str(lon or ""),
                "commune": commune.code if commune else "",
            },
        }
        report.lat, report.lon, report.commune = lat, lon, commune
        report.address = rules.clean_text(address)[:255]
        agency, rule_id = report_route(
            category=report.category, commune=commune, text=report.description, at=now
        )
        if agency.pk != report.agency_id:
            spent = work_calendar().working_time_between(report.agency_since, now)
            data.update(
                {
                    "from_agency": report.agency.code,
                    "agency": agency.code,
                    "seconds_held": int(spent.total_seconds()),
                }
            )
            report.agency = agency
            report.agency_since = now
            report.assignee = None
            report.escalated_near = report.escalated_overdue = False
            if report.status in {Status.ASSIGNED, Status.IN_PROGRESS}:
                report.status = Status.VERIFIED
        report.routing_rule_id = rule_id
        report.version += 1
        report.updated_at = now
        report.save()
        append_event(report, type="relocated", actor=actor, at=now, data=data)
        audit_record(actor=actor, action="report.relocate", obj=report, changes=data)
    return report
