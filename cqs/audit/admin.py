from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log has no change or delete path, here or anywhere."""

    list_display = ("occurred_at", "actor_username", "action", "object_repr", "chain", "seq")
    list_filter = ("action",)
    search_fields = ("action", "object_repr", "actor_username", "object_id")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
