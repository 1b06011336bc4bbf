from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cqs.payments.models import EReceipt, Payment


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Payments and receipts change only through cqs.payments.services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = (
        "txn_ref",
        "dossier",
        "agency",
        "method",
        "gateway",
        "amount",
        "status",
        "paid_at",
    )
    list_filter = ("status", "method", "gateway")
    search_fields = ("txn_ref", "dossier__code", "gateway_txn_no")
    date_hierarchy = "created_at"


@admin.register(EReceipt)
class EReceiptAdmin(ReadOnly):
    list_display = ("series", "number", "agency", "payer_name", "amount", "issued_at")
    list_filter = ("series", "year")
    search_fields = ("payer_name", "payment__dossier__code")
    exclude = ("pdf",)
