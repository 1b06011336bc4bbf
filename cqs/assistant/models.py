from __future__ import annotations

from typing import ClassVar

from django.db import models

from cqs.catalogue.models import Procedure


class FaqEntry(models.Model):
    """Câu hỏi thường gặp: a question and its answer, written and kept by the province."""

    question = models.CharField("câu hỏi", max_length=500)
    answer = models.TextField("trả lời")
    keywords = models.CharField(
        "từ khóa", max_length=500, blank=True, help_text="các từ khóa, cách nhau bởi dấu phẩy"
    )
    procedure_codes = models.JSONField("mã thủ tục liên quan", default=list, blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "câu hỏi thường gặp"
        verbose_name_plural = "câu hỏi thường gặp"
        ordering: ClassVar = ["question"]

    def __str__(self) -> str:
        return self.question


class Synonym(models.Model):
    """Từ đồng nghĩa, viết tắt: a term citizens type and what it means in the catalogue."""

    term = models.CharField("từ, cụm từ", max_length=100, unique=True)
    expansions = models.JSONField("nghĩa, cách gọi khác", default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "từ đồng nghĩa"
        verbose_name_plural = "từ đồng nghĩa"
        ordering: ClassVar = ["term"]

    def __str__(self) -> str:
        return self.term


class Conversation(models.Model):
    """Cuộc hội thoại with the assistant: remembers the procedure talked about last."""

    token = models.CharField(max_length=43, unique=True)
    last_procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "cuộc hội thoại"
        verbose_name_plural = "cuộc hội thoại"

    def __str__(self) -> str:
        return self.token[:8]


class AnswerKind(models.TextChoices):
    PROCEDURE = "procedure", "Thủ tục"
    DOSSIER = "dossier", "Hồ sơ"
    FAQ = "faq", "Câu hỏi thường gặp"
    UNKNOWN = "unknown", "Không biết"


class QuestionLog(models.Model):
    """Nhật ký câu hỏi: what was asked and how sure the answer was (no personal data)."""

    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    question = models.TextField("câu hỏi")
    normalised = models.TextField("dạng chuẩn hóa")
    kind = models.CharField("loại trả lời", max_length=10, choices=AnswerKind.choices)
    sources = models.JSONField("nguồn", default=list)
    confident = models.BooleanField("chắc chắn")
    generated = models.BooleanField("sinh bởi mô hình ngôn ngữ", default=False)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "câu hỏi đã nhận"
        verbose_name_plural = "nhật ký câu hỏi"
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["confident", "-created_at"])]

    def __str__(self) -> str:
        return self.question[:80]
