"""Read-only admin pages: every change goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.documents.models import (
    Document,
    DocumentType,
    ExchangePeer,
    InboxMessage,
    OutboxMessage,
    Task,
)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentType)
class DocumentTypeAdmin(ReadOnly):
    list_display = ("abbreviation", "name", "is_letter")


@admin.register(Document)
class DocumentAdmin(ReadOnly):
    list_display = ("id", "direction", "agency", "status", "number", "notation", "summary")
    list_filter = ("direction", "status")
    search_fields = ("summary", "notation")


@admin.register(ExchangePeer)
class ExchangePeerAdmin(ReadOnly):
    list_display = ("agency_code", "name", "url", "is_active")
    exclude = ("token",)


@admin.register(OutboxMessage)
class OutboxAdmin(ReadOnly):
    list_display = ("message_id", "kind", "to_code", "attempts", "delivered_at", "last_error")
    exclude = ("payload",)


@admin.register(InboxMessage)
class InboxAdmin(ReadOnly):
    list_display = ("message_id", "kind", "from_code", "outcome", "received_at")


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ("title", "owner", "deadline", "status", "progress")
