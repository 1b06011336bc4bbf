from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.workdays.models import CalendarOverride
from cqs.workdays.services import calendar_override_delete, calendar_override_set


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    list_display = ("day", "is_working_day", "reason")
    list_filter = ("is_working_day",)
    date_hierarchy = "day"

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        saved = calendar_override_set(
            actor=request.user, day=obj.day, is_working_day=obj.is_working_day, reason=obj.reason
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_delete(actor=request.user, day=obj.day)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would bypass the service
        return actions
