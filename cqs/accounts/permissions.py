"""Who may do what, where. Plain functions ``can_<verb>_<entity>`` and scope helpers.

Every list an official sees is filtered by ``agency_scope``: an official sees only the
agencies where they hold a role (and the sub-tree for the roles that reach it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from cqs.accounts.models import User
from cqs.accounts.rules import SUBTREE_ROLES, Role
from cqs.units.models import Agency
from cqs.units.selectors import agency_descendant_ids

ADMIN_ROLES = (Role.AGENCY_ADMIN, Role.PROVINCE_ADMIN)
DASHBOARD_ROLES = (Role.DASHBOARD_VIEWER, Role.LEADER, Role.PROVINCE_ADMIN, Role.AGENCY_ADMIN)


def _is_active_official(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.kind == "official"
    )


def _assignments(user: User) -> list[tuple[str, int]]:
    cached: list[tuple[str, int]] | None = getattr(user, "_cqs_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.values_list("role", "agency_id"))
        user._cqs_assignments = cached  # type: ignore[attr-defined]
    return cached


def roles_of(user: Any) -> set[Role]:
    if not _is_active_official(user):
        return set()
    return {Role(role) for role, _ in _assignments(user)}


def agency_scope(user: Any, roles: Iterable[Role] | None = None) -> frozenset[int]:
    """Ids of agencies where ``user`` holds one of ``roles`` (any role when None)."""
    if not _is_active_official(user):
        return frozenset()
    wanted = set(roles) if roles is not None else set(Role)
    cache: dict[frozenset[Role], frozenset[int]] = user.__dict__.setdefault("_cqs_scope", {})
    key = frozenset(wanted)
    if key in cache:
        return cache[key]
    direct: set[int] = set()
    subtree_roots: set[int] = set()
    for role, agency_id in _assignments(user):
        if Role(role) not in wanted:
            continue
        (subtree_roots if Role(role) in SUBTREE_ROLES else direct).add(agency_id)
    scope = frozenset(direct | agency_descendant_ids(subtree_roots))
    cache[key] = scope
    return scope


def has_role(user: Any, role: Role, agency: Agency | None = None) -> bool:
    if agency is None:
        return role in roles_of(user)
    return agency.pk in agency_scope(user, [role])


def visible_agencies(user: Any) -> QuerySet[Agency]:
    """Agencies an official may see: those in their scope. Citizens see none here."""
    return Agency.objects.filter(pk__in=agency_scope(user))


def can_access_backoffice(user: Any) -> bool:
    return _is_active_official(user) and bool(roles_of(user))


def can_view_agency(user: Any, agency: Agency) -> bool:
    return agency.pk in agency_scope(user)


def can_manage_agency(user: Any, agency: Agency) -> bool:
    return agency.pk in agency_scope(user, ADMIN_ROLES)


def can_manage_users(user: Any, agency: Agency) -> bool:
    return agency.pk in agency_scope(user, ADMIN_ROLES)


def can_manage_catalogue(user: Any) -> bool:
    return Role.PROVINCE_ADMIN in roles_of(user)


def can_manage_calendar(user: Any) -> bool:
    return Role.PROVINCE_ADMIN in roles_of(user)


def can_view_dashboard(user: Any, agency: Agency) -> bool:
    return agency.pk in agency_scope(user, DASHBOARD_ROLES)


def can_receive_dossier(user: Any, agency: Agency) -> bool:
    return agency.pk in agency_scope(user, [Role.RECEIVING_OFFICER])


def can_view_audit(user: Any) -> bool:
    return Role.PROVINCE_ADMIN in roles_of(user)


def visible_users(user: Any) -> QuerySet[User]:
    """Officials an admin may see: those holding a role in an agency the admin manages."""
    scope = agency_scope(user, ADMIN_ROLES)
    return User.objects.filter(role_assignments__agency_id__in=scope).distinct()
