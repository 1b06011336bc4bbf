"""GET /api/v1/assistant/ask: the virtual assistant, open to everyone (no login)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from cqs.assistant.services import assistant_ask
from cqs.core.api_schemas import ErrorOut

router = Router(tags=["Trợ lý ảo"])


class AskIn(Schema):
    # No max_length here: a too-long question gets the service's own clear message.
    q: str = Field("", description="câu hỏi, có dấu hoặc không dấu (tối đa 1.000 ký tự)")
    conversation: str = Field("", max_length=64, description="mã cuộc hội thoại để hỏi tiếp")


class SourceOut(Schema):
    type: Literal["procedure", "faq", "dossier"]
    id: str
    title: str
    score: float
    coverage: float | None = None


class LinkOut(Schema):
    title: str
    url: str


class AnswerOut(Schema):
    answer: str
    kind: Literal["procedure", "dossier", "faq", "unknown"]
    confident: bool
    sources: list[SourceOut]
    links: list[LinkOut]
    conversation: str
    generated: bool


@router.get(
    "/assistant/ask",
    response={200: AnswerOut, 422: ErrorOut},
    auth=None,
    summary="Hỏi trợ lý ảo",
)
def ask(request: HttpRequest, params: Query[AskIn]) -> dict[str, Any]:
    return assistant_ask(question=params.q, conversation_token=params.conversation).as_dict()
