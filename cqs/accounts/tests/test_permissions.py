"""The permission matrix: personas × actions × agencies."""

from __future__ import annotations

from typing import Any

import pytest

from cqs.accounts import permissions as perm
from cqs.accounts.models import User
from cqs.units.models import Agency

HA_LONG = "000.00.20.H49"  # UBND phường Hạ Long (first demo commune)
HA_LONG_DESK = "001.00.20.H49"
HA_LONG_DIVISION = "004.00.20.H49"
BAI_CHAY = "000.00.21.H49"
BAI_CHAY_DESK = "001.00.21.H49"
PROVINCE = "000.00.00.H49"
JUSTICE = "000.00.15.H49"

Y, N = True, False

# persona, action, agency, expected
MATRIX: list[tuple[str, str, str, bool]] = [
    # receiving officer of Hạ Long: receives at their desk only
    ("tiepnhan", "receive", HA_LONG_DESK, Y),
    ("tiepnhan", "receive", BAI_CHAY_DESK, N),
    ("tiepnhan", "view", HA_LONG_DESK, Y),
    ("tiepnhan", "view", HA_LONG, N),
    ("tiepnhan", "manage_users", HA_LONG_DESK, N),
    ("tiepnhan", "dashboard", HA_LONG_DESK, N),
    ("tiepnhan2", "receive", BAI_CHAY_DESK, Y),
    ("tiepnhan2", "receive", HA_LONG_DESK, N),
    # processing officer and head: their own agency, not its sub-tree
    ("xuly", "view", HA_LONG, Y),
    ("xuly", "view", HA_LONG_DIVISION, N),
    ("xuly", "view", BAI_CHAY, N),
    ("xuly", "receive", HA_LONG_DESK, N),
    ("truongphong", "view", HA_LONG, Y),
    ("truongphong", "manage_agency", HA_LONG, N),
    # leader: the commune and its sub-tree, dashboard too
    ("lanhdao", "view", HA_LONG_DIVISION, Y),
    ("lanhdao", "view", HA_LONG_DESK, Y),
    ("lanhdao", "dashboard", HA_LONG, Y),
    ("lanhdao", "view", BAI_CHAY, N),
    ("lanhdao", "manage_users", HA_LONG, N),
    ("vanthu", "view", HA_LONG, Y),
    ("vanthu", "receive", HA_LONG_DESK, N),
    # agency admin of Bãi Cháy: manages Bãi Cháy's tree only
    ("quantrixa", "manage_users", BAI_CHAY, Y),
    ("quantrixa", "manage_users", BAI_CHAY_DESK, Y),
    ("quantrixa", "manage_agency", BAI_CHAY_DESK, Y),
    ("quantrixa", "manage_users", HA_LONG, N),
    ("quantrixa", "receive", BAI_CHAY_DESK, N),
    # province admin: everything below the province committee
    ("quantri", "manage_users", HA_LONG_DESK, Y),
    ("quantri", "manage_agency", JUSTICE, Y),
    ("quantri", "dashboard", BAI_CHAY, Y),
    ("quantri", "receive", HA_LONG_DESK, N),
    # dashboard viewer: sees the province, changes nothing
    ("theodoi", "dashboard", HA_LONG, Y),
    ("theodoi", "view", JUSTICE, Y),
    ("theodoi", "manage_users", HA_LONG, N),
    ("theodoi", "receive", HA_LONG_DESK, N),
    # citizens: no back-office permission anywhere
    ("congdan", "view", HA_LONG, N),
    ("congdan", "receive", HA_LONG_DESK, N),
    ("doanhnghiep", "dashboard", PROVINCE, N),
]

ACTIONS = {
    "view": perm.can_view_agency,
    "receive": perm.can_receive_dossier,
    "manage_users": perm.can_manage_users,
    "manage_agency": perm.can_manage_agency,
    "dashboard": perm.can_view_dashboard,
}


@pytest.mark.parametrize(("persona", "action", "agency", "expected"), MATRIX)
def test_permission_matrix(
    demo: Any, persona: str, action: str, agency: str, expected: bool
) -> None:
    user = demo.user(persona)
    assert ACTIONS[action](user, Agency.objects.get(code=agency)) is expected


@pytest.mark.parametrize(
    ("persona", "backoffice", "catalogue", "calendar", "audit"),
    [
        ("tiepnhan", Y, N, N, N),
        ("lanhdao", Y, N, N, N),
        ("quantrixa", Y, N, N, N),
        ("quantri", Y, Y, Y, Y),
        ("theodoi", Y, N, N, N),
        ("congdan", N, N, N, N),
        ("doanhnghiep", N, N, N, N),
    ],
)
def test_global_permissions(
    demo: Any, persona: str, backoffice: bool, catalogue: bool, calendar: bool, audit: bool
) -> None:
    user = demo.user(persona)
    assert perm.can_access_backoffice(user) is backoffice
    assert perm.can_manage_catalogue(user) is catalogue
    assert perm.can_manage_calendar(user) is calendar
    assert perm.can_view_audit(user) is audit


def test_visible_agencies_never_leak(demo: Any) -> None:
    codes = set(perm.visible_agencies(demo.user("tiepnhan")).values_list("code", flat=True))
    assert codes == {HA_LONG_DESK}
    leader = set(perm.visible_agencies(demo.user("lanhdao")).values_list("code", flat=True))
    assert HA_LONG in leader
    assert not any(c.endswith(".21.H49") for c in leader)
    assert not perm.visible_agencies(demo.user("congdan")).exists()
    assert perm.visible_agencies(demo.user("quantri")).count() == Agency.objects.count()


def test_inactive_official_loses_everything(demo: Any) -> None:
    user = demo.user("tiepnhan")
    User.objects.filter(pk=user.pk).update(is_active=False)
    user = demo.user("tiepnhan")
    assert not perm.can_access_backoffice(user)
    assert not perm.can_receive_dossier(user, Agency.objects.get(code=HA_LONG_DESK))


def test_visible_users_for_admins(demo: Any) -> None:
    names = set(perm.visible_users(demo.user("quantrixa")).values_list("username", flat=True))
    assert names == {"quantrixa", "tiepnhan2"}
    assert not perm.visible_users(demo.user("tiepnhan")).exists()
