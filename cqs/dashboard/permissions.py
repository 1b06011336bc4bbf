"""Who may read and change the DX plan (kế hoạch chuyển đổi số)."""

from __future__ import annotations

from typing import Any

from cqs.accounts.permissions import DASHBOARD_ROLES, agency_scope
from cqs.accounts.rules import Role
from cqs.units.models import Agency

PLANNER_ROLES = (Role.LEADER, Role.PROVINCE_ADMIN)


def can_open_dashboard(user: Any) -> bool:
    """The operations dashboard (/quan-tri/dieu-hanh/): viewers, leaders and administrators."""
    return bool(agency_scope(user, DASHBOARD_ROLES))


def can_view_dx_plan(user: Any) -> bool:
    """Dashboard viewers, leaders and administrators read the plan; so does any official of an
    agency that owns a target (they report on it)."""
    if agency_scope(user, DASHBOARD_ROLES):
        return True
    from cqs.dashboard.models import DxTarget

    return DxTarget.objects.filter(owner_id__in=agency_scope(user)).exists()


def can_define_dx_target(user: Any, owner: Agency) -> bool:
    """Leaders and province administrators set targets for agencies they oversee."""
    return owner.pk in agency_scope(user, PLANNER_ROLES)


def can_report_dx_target(user: Any, owner: Agency) -> bool:
    """The owner agency's officials report progress; planners may too."""
    return owner.pk in agency_scope(user) or can_define_dx_target(user, owner)


def can_resolve_dx_blocker(user: Any, must_act: Agency) -> bool:
    """The agency that must act marks a blocker resolved; planners may too."""
    return must_act.pk in agency_scope(user) or can_define_dx_target(user, must_act)
