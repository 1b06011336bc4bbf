"""The back-office sidebar: each official sees only the pages they may open.

Every link carries the permission check of the view behind it (the same function the view
calls, never a second rule), so a shown link opens and a hidden one would answer 403. The
checks read the roles cached on the user (``accounts.permissions.roles_of`` /
``agency_scope``): the menu costs no query per link, only the scope look-ups the page
usually needs anyway (one walk down the agency tree per distinct role set, cached on the
user) and, for a receiving officer, the receiving desks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cqs.accounts.permissions import can_access_backoffice, can_view_audit
from cqs.assistant.permissions import can_manage_assistant
from cqs.dashboard.permissions import can_open_dashboard
from cqs.dossiers.selectors import receiving_desks
from cqs.payments.permissions import can_view_reconciliation

Check = Callable[[HttpRequest], bool]


def _official(request: HttpRequest) -> bool:
    # backoffice.views.official_required, reports/documents views' official_required.
    return can_access_backoffice(request.user)


def _receiving_officer(request: HttpRequest) -> bool:
    # backoffice.dossier_views.dossier_intake refuses a user without a desk.
    return bool(receiving_desks(request.user))


def _reconciliation(request: HttpRequest) -> bool:
    # payments.selectors.reconciliation, called by payments.views.reconciliation_view.
    return can_access_backoffice(request.user) and can_view_reconciliation(request.user)


def _dashboard(request: HttpRequest) -> bool:
    # dashboard.views.dashboard_required.
    return can_open_dashboard(request.user)


def _audit(request: HttpRequest) -> bool:
    # backoffice.views.audit_log.
    return can_access_backoffice(request.user) and can_view_audit(request.user)


def _assistant(request: HttpRequest) -> bool:
    # assistant.selectors.question_log_weak, called by assistant.views.question_log.
    return can_manage_assistant(request.user)


def _django_admin(request: HttpRequest) -> bool:
    # The admin site's own gate (active staff member).
    return admin.site.has_permission(request)


def _anyone(request: HttpRequest) -> bool:
    return True


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str | Promise
    check: Check


# Order is the sidebar's order.
NAV_LINKS: tuple[NavLink, ...] = (
    NavLink("backoffice:home", _("Bàn làm việc"), _official),
    NavLink("backoffice:inbox", _("Hồ sơ"), _official),
    NavLink("backoffice:intake", _("Tiếp nhận hồ sơ"), _receiving_officer),
    NavLink("payments:reconciliation", _("Đối soát thanh toán"), _reconciliation),
    NavLink("dashboard:index", _("Điều hành (chỉ số 766)"), _dashboard),
    NavLink("reports:staff_queue", _("Phản ánh hiện trường"), _official),
    NavLink("documents:home", _("Văn bản"), _official),
    NavLink("documents:tasks", _("Nhiệm vụ"), _official),
    NavLink("backoffice:agencies", _("Cơ quan"), _official),
    NavLink("backoffice:catalogue", _("Danh mục thủ tục"), _official),
    NavLink("backoffice:calendar", _("Lịch làm việc"), _official),
    NavLink("backoffice:audit", _("Nhật ký hệ thống"), _audit),
    NavLink("assistant:question_log", _("Trợ lý ảo"), _assistant),
    NavLink("admin:index", _("Quản trị danh mục (admin)"), _django_admin),
    NavLink("portal:home", _("Cổng dịch vụ công"), _anyone),
)


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str | Promise
    current: str  # "page" on the page itself, "true" inside its section, "" elsewhere


def _current(href: str, path: str, section: str) -> str:
    if path == href:
        return "page"
    return "true" if href == section else ""


def nav_items(request: HttpRequest) -> list[NavItem]:
    """The sidebar links ``request.user`` may open, the current one marked."""
    shown = [(reverse(link.url_name), link) for link in NAV_LINKS if link.check(request)]
    path = request.path
    # The longest link that prefixes the path is the page's section (a dossier page sits
    # under "Hồ sơ"); the home and portal links are prefixes of everything, so only an
    # exact match marks them.
    roots = {reverse("backoffice:home"), reverse("portal:home")}
    prefixes = [h for h, _link in shown if h not in roots and path.startswith(h)]
    section = max(prefixes, key=len, default="")
    return [NavItem(href, link.label, _current(href, path, section)) for href, link in shown]
