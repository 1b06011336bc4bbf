from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.accounts.models import ApiToken, RoleAssignment, User


class RoleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    extra = 0
    can_delete = False
    fields = ("role", "agency", "created_at")
    readonly_fields = ("role", "agency", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    """Browse accounts; creation and role changes go through services (seed, commands)."""

    list_display = ("username", "full_name", "kind", "is_active", "is_demo", "last_login")
    list_filter = ("kind", "is_active", "is_demo")
    search_fields = ("username", "full_name", "email", "id_number")
    fields = (
        "username",
        "full_name",
        "kind",
        "email",
        "phone",
        "id_number",
        "is_active",
        "is_demo",
        "last_login",
        "date_joined",
    )
    readonly_fields = fields
    inlines = (RoleInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = (
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = (
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    exclude = ("key_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
