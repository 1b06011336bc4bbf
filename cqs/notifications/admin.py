from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("channel", "status")
    search_fields = ("recipient", "reference", "subject")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
