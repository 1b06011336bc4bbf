from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.dossiers.models import Dossier, DossierEvent, DossierRating


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Dossiers change only through the one-stop services (back office and API)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("seq", "type", "at", "actor_name", "agency", "step", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnly):
    list_display = ("code", "procedure", "agency", "status", "received_at", "due_at", "outcome")
    list_filter = ("status", "channel", "outcome")
    search_fields = ("code", "search_text")
    date_hierarchy = "received_at"
    inlines = (EventInline,)


@admin.register(DossierRating)
class DossierRatingAdmin(ReadOnly):
    """Ratings are written by the applicant only (portal, ``dossiers.online.dossier_rate``)."""

    list_display = ("dossier", "score", "access", "procedure_clarity", "officers", "result",
                    "timeliness", "created_at")  # fmt: skip
    list_filter = ("score",)
    search_fields = ("dossier__code",)
