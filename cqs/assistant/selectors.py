"""Reads for the administrators: the questions the assistant could not answer well."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from cqs.assistant.models import QuestionLog
from cqs.assistant.permissions import can_manage_assistant
from cqs.core.errors import PermissionDenied


def question_log_weak(*, user: Any, only_unanswered: bool = True) -> QuerySet[QuestionLog]:
    """Unanswered and low-confidence questions, newest first (everything when asked)."""
    if not can_manage_assistant(user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xem nhật ký câu hỏi của trợ lý ảo.")
    qs = QuestionLog.objects.all()
    if only_unanswered:
        qs = qs.filter(confident=False)
    return qs.order_by("-created_at", "-id")


def question_log_frequent(*, user: Any, limit: int = 20) -> list[dict[str, Any]]:
    """The unanswered questions asked most often (same normalised text), for new FAQ entries."""
    qs = question_log_weak(user=user)
    return list(
        qs.values("normalised").annotate(n=Count("id")).order_by("-n", "normalised")[:limit]
    )
