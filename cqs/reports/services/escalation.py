"""Deadlines: escalation to the agency's head, and closing answers nobody disputed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cqs.accounts.models import User
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.notifications.services import notification_enqueue
from cqs.reports import rules
from cqs.reports.models import Report
from cqs.reports.services._common import append_event, fmt_local, lock_report
from cqs.reports.services.actions import report_act
from cqs.reports.workflow import CLOSED_STATES, SYSTEM, Action, Status
from cqs.units.models import Agency
from cqs.workdays.selectors import work_calendar


def _heads_of(agency: Agency) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__agency=agency,
            role_assignments__role__in=[Role.LEADER, Role.HEAD_OF_DIVISION],
        ).distinct()
    )


def reports_escalate(*, now: datetime | None = None) -> tuple[int, int]:
    """Mark reports near or past their deadline and tell the agency's head; returns (near,
    overdue) newly escalated. Each level is escalated once (the flags make it idempotent)."""
    now = now or timezone.now()
    cal = work_calendar()
    near_window = timedelta(hours=float(settings.CQS_REPORTS_NEAR_HOURS))
    counts = {rules.Urgency.NEAR: 0, rules.Urgency.OVERDUE: 0}
    candidates = Report.objects.filter(
        status__in=[s for s in Status if s not in CLOSED_STATES],
        escalated_overdue=False,
        deadline__isnull=False,
    ).values_list("code", flat=True)
    for code in list(candidates):
        with transaction.atomic():
            report = lock_report(code, None)
            if report.deadline is None:
                continue
            level = rules.urgency(cal, now, report.deadline, near_window)
            if level == rules.Urgency.NONE or (
                level == rules.Urgency.NEAR and report.escalated_near
            ):
                continue
            if level == rules.Urgency.OVERDUE:
                report.escalated_overdue = True
            report.escalated_near = True
            report.version += 1
            report.save(update_fields=["escalated_near", "escalated_overdue", "version"])
            label = "đã quá hạn" if level == rules.Urgency.OVERDUE else "sắp đến hạn"
            append_event(
                report,
                type="escalated",
                actor=None,
                at=now,
                note=f"Phản ánh {label}; đã báo lãnh đạo {report.agency.name}.",
                data={"level": str(level)},
            )
            audit_record(
                actor=None, action="report.escalate", obj=report, changes={"level": str(level)}
            )
            for head in _heads_of(report.agency):
                notification_enqueue(
                    email=head.email,
                    phone="",
                    subject=f"Phản ánh {report.code} {label}",
                    body=f"Hạn xử lý: {fmt_local(report.deadline)}. {report.category.name}: "
                    f"{report.public_description[:200]}",
                    reference=report.code,
                )
            counts[level] += 1
    return counts[rules.Urgency.NEAR], counts[rules.Urgency.OVERDUE]


def reports_close_expired(*, now: datetime | None = None) -> int:
    """Close resolved reports whose reopen window has passed."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.CQS_REPORTS_REOPEN_DAYS)
    codes = list(
        Report.objects.filter(status=Status.RESOLVED, resolved_at__lt=limit).values_list(
            "code", flat=True
        )
    )
    for code in codes:
        report_act(actor=SYSTEM, code=code, action=Action.CLOSE, now=now)
    return len(codes)
