from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.units.models import AdministrativeUnit, Agency, AgencyKind
from cqs.units.services import agency_save


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin[AdministrativeUnit]):
    """National reference data, loaded by `manage.py load_units`; read-only here."""

    list_display = ("code", "name", "level", "division_type", "parent", "valid_from", "valid_until")
    list_filter = ("level", "division_type")
    search_fields = ("code", "name", "codename")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ("code", "name", "kind", "parent", "unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent", "unit")
    fields = ("code", "name", "short_name", "kind", "parent", "unit", "address", "phone", "email")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        # One door for every change: the service validates and writes the audit row.
        saved, _ = agency_save(
            actor=request.user,
            code=obj.code,
            name=obj.name,
            kind=AgencyKind(obj.kind),
            unit=obj.unit,
            parent=obj.parent,
            short_name=obj.short_name,
            address=obj.address,
            phone=obj.phone,
            email=obj.email,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
