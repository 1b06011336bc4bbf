"""Who may act on a field report: staff by role at its agency, the reporter by identity or key."""

from __future__ import annotations

import hmac
from typing import Any

from django.db.models import Q, QuerySet

from cqs.accounts.permissions import agency_scope, roles_of
from cqs.accounts.rules import Role
from cqs.reports.models import Report
from cqs.reports.workflow import REPORTER, STAFF

QUEUE_ROLES = (*STAFF, Role.AGENCY_ADMIN, Role.PROVINCE_ADMIN, Role.DASHBOARD_VIEWER)
MODERATOR_ROLES = (Role.RECEIVING_OFFICER, Role.HEAD_OF_DIVISION, Role.LEADER, Role.PROVINCE_ADMIN)


def staff_roles_at(user: Any, agency_id: int) -> set[str]:
    """The workflow roles ``user`` holds at the agency (``leader`` reaches its sub-tree)."""
    return {str(role) for role in STAFF if agency_id in agency_scope(user, [role])}


def is_reporter(user: Any, report: Report, key: str = "") -> bool:
    if key and hmac.compare_digest(key.encode(), report.token.encode()):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and report.reporter_id is not None
        and report.reporter_id == user.pk
    )


def actor_roles(user: Any, report: Report, key: str = "") -> set[str]:
    roles = staff_roles_at(user, report.agency_id)
    if is_reporter(user, report, key):
        roles.add(REPORTER)
    return roles


def can_view_report_private(user: Any, report: Report, key: str = "") -> bool:
    """Contact details, original photos and the full description: staff in scope, reporter."""
    return report.agency_id in agency_scope(user, QUEUE_ROLES) or is_reporter(user, report, key)


def can_moderate_report(user: Any, report: Report) -> bool:
    return report.agency_id in agency_scope(user, MODERATOR_ROLES)


def can_manage_open311_keys(user: Any) -> bool:
    return Role.PROVINCE_ADMIN in roles_of(user)


def can_configure_reports(user: Any) -> bool:
    """Categories, routing rules and answer templates are province-wide settings."""
    return Role.PROVINCE_ADMIN in roles_of(user)


def can_view_report_stats(user: Any) -> bool:
    return bool(
        agency_scope(
            user, [Role.DASHBOARD_VIEWER, Role.LEADER, Role.PROVINCE_ADMIN, Role.AGENCY_ADMIN]
        )
    )


def visible_to(user: Any) -> QuerySet[Report]:
    """Reports in the official's queue scope; nothing for anyone else."""
    return Report.objects.filter(agency_id__in=agency_scope(user, QUEUE_ROLES))


def public_reports() -> QuerySet[Report]:
    """What the public may see: approved by a moderator and not merged away."""
    return Report.objects.filter(Q(is_public=True) & Q(merged_into__isnull=True))
