from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from cqs.catalogue.models import DocumentRequirement, Procedure, ProcessStep, Sector
from cqs.catalogue.permissions import can_manage_document_form
from cqs.catalogue.rules import ACCEPTED_LABELS
from cqs.catalogue.services import document_form_attach, document_form_remove
from cqs.core.errors import ApplicationError


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _form_summary(obj: DocumentRequirement) -> str:
    if not obj.form_file:
        return "—"
    return format_html(
        '<a href="{}">{}</a> ({}, {})',
        obj.form_url,
        obj.form_filename,
        obj.form_type_label,
        obj.form_size_text,
    )


class DocumentInline(ReadOnlyInline):
    model = DocumentRequirement
    fields = ("position", "name", "originals", "copies", "form_name", "mandatory", "form_file_link")
    readonly_fields = ("form_file_link",)

    @admin.display(description="tệp mẫu")
    def form_file_link(self, obj: DocumentRequirement) -> str:
        change = reverse("admin:catalogue_documentrequirement_change", args=[obj.pk])
        label = "Thay hoặc gỡ tệp mẫu" if obj.form_file else "Tải lên tệp mẫu"
        return format_html('{} · <a href="{}">{}</a>', _form_summary(obj), change, label)


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


class DocumentFormForm(forms.ModelForm):  # type: ignore[type-arg]
    """Upload or remove the blank form of one document requirement.

    The service is called from ``clean``: its refusals (type, size, permission) then show on
    the form as field errors and nothing is saved, instead of a red message above a green
    "changed successfully". The admin's change view runs in one transaction, so the service's
    write, its audit row and the admin's own log commit together."""

    upload = forms.FileField(
        label="Tệp mẫu mới",
        required=False,
        help_text=f"{ACCEPTED_LABELS}; loại tệp được kiểm tra theo nội dung; thay tệp đang có.",
    )
    remove = forms.BooleanField(label="Gỡ tệp mẫu đang có", required=False)

    class Meta:
        model = DocumentRequirement
        fields: tuple[str, ...] = ()

    actor: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, remove = data.get("upload"), data.get("remove")
        if upload and remove:
            self.add_error("remove", "Chọn tải tệp mới hoặc gỡ tệp, không chọn cả hai.")
            return data
        try:
            if upload:
                document_form_attach(
                    actor=self.actor,
                    requirement=self.instance,
                    filename=upload.name or "",
                    # One byte over the limit is enough for the service to refuse it: a
                    # 2 GB upload is never read into memory.
                    content=upload.read(settings.CQS_MAX_UPLOAD_MB * 1024 * 1024 + 1),
                )
            elif remove:
                document_form_remove(actor=self.actor, requirement=self.instance)
        except ApplicationError as exc:
            self.add_error("upload" if upload else "remove", exc.message)
        return data


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(admin.ModelAdmin[DocumentRequirement]):
    """The blank forms (mẫu đơn, tờ khai) of the catalogue's documents. The documents
    themselves change through import; only the form file is edited here, through the service."""

    form = DocumentFormForm
    list_display = ("procedure", "position", "name", "form_name", "form_current")
    list_select_related = ("procedure",)
    search_fields = ("procedure__code", "procedure__name", "name", "form_name")
    fields = ("procedure", "position", "name", "form_name", "form_current", "upload", "remove")
    readonly_fields = ("procedure", "position", "name", "form_name", "form_current")

    @admin.display(description="tệp mẫu đang đăng")
    def form_current(self, obj: DocumentRequirement) -> str:
        return _form_summary(obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing left to save: the service wrote the change while the form was cleaned."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return obj is None or can_manage_document_form(user, obj)
