"""Django admin for field reports. Categories, routing rules and answer templates are edited by
a province administrator through the config services (checked, audited); reports, their events
and Open311 keys are read-only here (reports change only through their workflow pages, keys on
the back-office page «Khóa Open311»)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from cqs.core.errors import ValidationError
from cqs.reports.models import AnswerTemplate, Category, Open311Key, Report, RoutingRule
from cqs.reports.permissions import can_configure_reports
from cqs.reports.services import report_config_delete, report_config_save
from cqs.reports.services.config import report_config_check


class _ConfigForm(forms.ModelForm):  # type: ignore[type-arg]
    """Shows the service's rules across fields as form errors instead of failing on save."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if not self.errors:
            try:
                report_config_check(self.instance)
            except ValidationError as exc:
                self.add_error(None, exc.message)


class _ConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = _ConfigForm

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_configure_reports(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_configure_reports(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_configure_reports(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_configure_reports(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_configure_reports(request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would bypass the service
        return actions

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        report_config_save(actor=request.user, obj=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        report_config_delete(actor=request.user, obj=obj)


class AnswerTemplateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AnswerTemplate
    extra = 0
    fields = ("title", "body")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(_ConfigAdmin):
    list_display = (
        "code",
        "name",
        "deadline_value",
        "deadline_unit",
        "default_agency",
        "is_active",
    )
    list_filter = ("is_active", "deadline_unit")
    search_fields = ("code", "name", "keywords")
    ordering = ("position", "code")
    inlines = (AnswerTemplateInline,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # reports point at their category: deactivate it instead


@admin.register(RoutingRule)
class RoutingRuleAdmin(_ConfigAdmin):
    list_display = (
        "priority",
        "name",
        "category",
        "commune",
        "start_time",
        "end_time",
        "keywords",
        "agency",
        "is_active",
    )
    list_filter = ("is_active", "category")
    search_fields = ("name", "keywords")
    autocomplete_fields = ("commune", "agency")
    ordering = ("priority", "id")


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(_ConfigAdmin):
    list_display = ("title", "category")
    list_filter = ("category",)
    search_fields = ("title", "body")


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(_ReadOnly):
    list_display = ("code", "category", "status", "agency", "created_at", "deadline", "is_public")
    list_filter = ("status", "category", "is_public")
    search_fields = ("code",)
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over every report on each page
    list_select_related = ("category", "agency")


@admin.register(Open311Key)
class Open311KeyAdmin(_ReadOnly):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
