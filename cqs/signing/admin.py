"""Django admin for signing: read-only tables; revoking a certificate and adding a trust anchor
go through the services (checked, audited). Key material never appears here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cqs.core.errors import ApplicationError
from cqs.signing.certificates import certificate_revoke, trust_anchor_add
from cqs.signing.models import Certificate, SignatureRecord, TrustAnchor


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(_ReadOnly):
    list_display = ("subject", "kind", "agency", "user", "key_kind", "not_after", "revoked_at")
    list_filter = ("kind", "key_kind", "is_demo")
    search_fields = ("subject", "serial", "fingerprint")
    actions = ("revoke",)

    @admin.action(description="Thu hồi chứng thư đã chọn")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> None:
        try:
            for cert in queryset:
                certificate_revoke(actor=request.user, certificate=cert)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"Đã thu hồi {queryset.count()} chứng thư.")


class TrustAnchorForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = TrustAnchor
        fields = ("name", "pem")


@admin.register(TrustAnchor)
class TrustAnchorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = TrustAnchorForm
    list_display = ("name", "fingerprint", "is_demo", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TrustAnchor, form: Any, change: bool) -> None:
        try:
            saved = trust_anchor_add(actor=request.user, name=obj.name, pem=obj.pem)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk


@admin.register(SignatureRecord)
class SignatureRecordAdmin(_ReadOnly):
    list_display = ("at", "kind", "agency", "level", "context", "sha256_out")
    list_filter = ("kind", "level")
    search_fields = ("context", "sha256_in", "sha256_out")
