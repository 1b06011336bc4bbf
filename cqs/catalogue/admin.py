from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.catalogue.models import DocumentRequirement, Procedure, ProcessStep, Sector


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DocumentInline(ReadOnlyInline):
    model = DocumentRequirement
    fields = ("position", "name", "originals", "copies", "form_name", "mandatory")


class StepInline(ReadOnlyInline):
    model = ProcessStep
    fields = ("position", "name", "role", "agency_kind", "share_percent")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin[Procedure]):
    """Browse the catalogue. Changes go through import (back office «Danh mục thủ tục»),
    which validates every entry and writes the audit log."""

    list_display = ("code", "name", "sector", "level", "online_level", "is_active")
    list_filter = ("level", "online_level", "sector")
    search_fields = ("code", "name", "search_text")
    inlines = (DocumentInline, StepInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin[Sector]):
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
