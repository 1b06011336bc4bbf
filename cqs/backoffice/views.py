"""The officials' back office (/quan-tri/). Thin views over services and selectors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from cqs.accounts import permissions
from cqs.accounts.rules import ROLE_LABELS, Role
from cqs.audit.selectors import audit_events
from cqs.catalogue.selectors import procedure_search
from cqs.catalogue.services import catalogue_export, catalogue_import_file
from cqs.catalogue.xlsx import write_catalogue
from cqs.core.errors import ApplicationError, PermissionDenied
from cqs.workdays.selectors import calendar_overrides, work_calendar
from cqs.workdays.services import calendar_override_delete, calendar_override_set

View = Callable[..., HttpResponseBase]
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def official_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.can_access_backoffice(request.user):
            raise PermissionDenied("Trang quản trị chỉ dành cho cán bộ đã được phân vai trò.")
        return view(request, *args, **kwargs)

    return wrapper


@official_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = request.user.role_assignments.select_related("agency").order_by(  # type: ignore[union-attr]
        "agency__code", "role"
    )
    roles = [(ROLE_LABELS[Role(a.role)], a.agency) for a in assignments]
    today = timezone.localdate()
    cal = work_calendar()
    return render(
        request,
        "backoffice/home.html",
        {
            "roles": roles,
            "agencies": permissions.visible_agencies(request.user).select_related("unit"),
            "today_is_working": cal.is_working_day(today),
            "holiday_name": cal.holiday_name(today),
            "can_manage_catalogue": permissions.can_manage_catalogue(request.user),
            "can_manage_calendar": permissions.can_manage_calendar(request.user),
            "can_view_audit": permissions.can_view_audit(request.user),
        },
    )


@official_required
def agencies(request: HttpRequest) -> HttpResponse:
    qs = (
        permissions.visible_agencies(request.user).select_related("unit", "parent").order_by("code")
    )
    return render(request, "backoffice/agencies.html", {"agencies": qs})


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp danh mục (.json hoặc .xlsx)",
        error_messages={"required": "Vui lòng chọn tệp."},
    )


@official_required
def catalogue(request: HttpRequest) -> HttpResponse:
    can_manage = permissions.can_manage_catalogue(request.user)
    report = None
    form = ImportForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Chỉ quản trị cấp tỉnh được cập nhật danh mục thủ tục.")
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", "Tệp quá lớn (tối đa 10 MB).")
            else:
                try:
                    report = catalogue_import_file(
                        actor=request.user, filename=upload.name, content=upload.read()
                    )
                except ApplicationError as exc:
                    form.add_error("file", exc.message)
                else:
                    summary = (
                        f"Đã nhập: {len(report.created)} thêm mới, {len(report.updated)} cập "
                        f"nhật, {len(report.unchanged)} không đổi, {len(report.errors)} lỗi."
                    )
                    if report.errors:
                        messages.warning(request, summary)
                    else:
                        messages.success(request, summary)
    q = request.GET.get("q", "")[:200]
    page = Paginator(procedure_search(q=q), 25).get_page(request.GET.get("trang"))
    return render(
        request,
        "backoffice/catalogue.html",
        {"page": page, "q": q, "form": form, "report": report, "can_manage": can_manage},
        status=422 if form.errors or (report is not None and report.errors) else 200,
    )


@official_required
def catalogue_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    data = catalogue_export(procedure_search())
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2, default=str),
            content_type="application/json; charset=utf-8",
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            write_catalogue(json.loads(json.dumps(data, default=str))),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return render(
            request,
            "error.html",
            {"status": 404, "error": {"message": "Định dạng không hỗ trợ."}},
            status=404,
        )
    response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc-{stamp}.{fmt}"'
    return response


class OverrideForm(forms.Form):
    day = forms.DateField(
        label="Ngày",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Vui lòng chọn ngày.", "invalid": "Ngày không hợp lệ."},
    )
    is_working_day = forms.TypedChoiceField(
        label="Loại",
        choices=[("0", "Ngày nghỉ (nghỉ bù, nghỉ theo quyết định)"), ("1", "Ngày làm bù")],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label="Lý do / văn bản", max_length=255)


@official_required
def calendar(request: HttpRequest) -> HttpResponse:
    can_manage = permissions.can_manage_calendar(request.user)
    form = OverrideForm()
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Chỉ quản trị cấp tỉnh được điều chỉnh lịch làm việc.")
        if "delete" in request.POST:
            try:
                day = date.fromisoformat(request.POST["delete"])
                calendar_override_delete(actor=request.user, day=day)
            except ValueError:
                messages.error(request, "Ngày không hợp lệ.")
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Đã xóa điều chỉnh ngày {day:%d/%m/%Y}.")
            return redirect("backoffice:calendar")
        form = OverrideForm(request.POST)
        if form.is_valid():
            try:
                calendar_override_set(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                for field, errors in (exc.details or {}).items():
                    if field in form.fields:
                        for error in errors:
                            form.add_error(field, error)
            else:
                messages.success(request, "Đã lưu điều chỉnh lịch làm việc.")
                return redirect("backoffice:calendar")
        status = 422
    cal = work_calendar()
    today = timezone.localdate()
    upcoming = []
    for offset in range(120):
        day = today + timedelta(days=offset)
        name = cal.holiday_name(day)
        if name or (day.weekday() >= 5 and cal.is_working_day(day)):
            upcoming.append((day, name or "Ngày làm bù", cal.is_working_day(day)))
    now = timezone.localtime()
    return render(
        request,
        "backoffice/calendar.html",
        {
            "form": form,
            "can_manage": can_manage,
            "overrides": calendar_overrides()[:100],
            "upcoming": upcoming,
            "working_hours": settings.CQS_WORKING_HOURS,
            "example_start": now,
            "example_due": cal.add_working_days(now, 5),
        },
        status=status,
    )


@official_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xem nhật ký hệ thống.")
    action = request.GET.get("thao-tac", "")[:80]
    qs = audit_events(action_prefix=action)
    page = Paginator(qs, 50).get_page(request.GET.get("trang"))
    return render(request, "backoffice/audit.html", {"page": page, "action": action})
