"""Django admin for the assistant: FAQ and synonyms are edited through the services (audited);
the question log and conversations are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from cqs.assistant.models import Conversation, FaqEntry, QuestionLog, Synonym
from cqs.assistant.permissions import can_manage_assistant
from cqs.assistant.services import faq_delete, faq_save, synonym_delete, synonym_save


class _AssistantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_assistant(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_assistant(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_assistant(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_assistant(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_assistant(request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete would bypass the services (and the audit log).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class FaqForm(forms.ModelForm):  # type: ignore[type-arg]
    procedure_codes_text = forms.CharField(
        label="Mã thủ tục liên quan", required=False, help_text="cách nhau bởi dấu phẩy"
    )

    class Meta:
        model = FaqEntry
        fields = ("question", "answer", "keywords", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["procedure_codes_text"].initial = ", ".join(self.instance.procedure_codes)


@admin.register(FaqEntry)
class FaqEntryAdmin(_AssistantAdmin):
    form = FaqForm
    list_display = ("question", "keywords", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("question", "answer", "keywords")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = faq_save(
            actor=request.user,
            faq=obj if change else None,
            question=data["question"],
            answer=data["answer"],
            keywords=data.get("keywords", ""),
            procedure_codes=data.get("procedure_codes_text", "").split(","),
            is_active=data.get("is_active", True),
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        faq_delete(actor=request.user, faq=obj)


class SynonymForm(forms.ModelForm):  # type: ignore[type-arg]
    expansions_text = forms.CharField(
        label="Nghĩa, cách gọi khác", help_text="mỗi nghĩa một dòng", widget=forms.Textarea
    )

    class Meta:
        model = Synonym
        fields = ("term",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expansions_text"].initial = "\n".join(self.instance.expansions)


@admin.register(Synonym)
class SynonymAdmin(_AssistantAdmin):
    form = SynonymForm
    list_display = ("term", "expansions", "updated_at")
    search_fields = ("term",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = synonym_save(
            actor=request.user,
            synonym=obj if change else None,
            term=form.cleaned_data["term"],
            expansions=form.cleaned_data["expansions_text"].splitlines(),
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        synonym_delete(actor=request.user, synonym=obj)


@admin.register(QuestionLog)
class QuestionLogAdmin(_AssistantAdmin):
    list_display = ("created_at", "question", "kind", "confident", "generated")
    list_filter = ("confident", "kind", "generated")
    search_fields = ("question", "normalised")
    readonly_fields = (
        "conversation",
        "question",
        "normalised",
        "kind",
        "sources",
        "confident",
        "generated",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(QuestionLogAdmin):
    list_display = ("token", "last_procedure", "created_at", "updated_at")  # type: ignore[assignment]
    list_filter = ()  # type: ignore[assignment]
    search_fields = ("token",)  # type: ignore[assignment]
    readonly_fields = ("token", "last_procedure", "created_at", "updated_at")  # type: ignore[assignment]
