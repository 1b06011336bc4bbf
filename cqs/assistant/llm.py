"""Optional generative layer: an OpenAI-compatible ``/v1/chat/completions`` endpoint.

Off unless CQS_ASSISTANT_LLM_URL is set. The model sees only the retrieved entries and must
cite them as [mã]; its answer is thrown away (the grounded template stays) when it cites
nothing, cites something it was not given, or names an amount of money or a duration that
does not occur in the entries it was given.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from cqs.core.text import fold

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 8
SYSTEM_PROMPT = (
    "Bạn là trợ lý ảo của cổng dịch vụ công. Chỉ trả lời bằng tiếng Việt, ngắn gọn, và CHỈ "
    "dựa trên các mục nguồn được cung cấp. Mỗi ý phải trích dẫn mục nguồn bằng mã trong ngoặc "
    "vuông, ví dụ [1.001193]. Không được nêu bất kỳ mức phí, thời hạn, giấy tờ nào không có "
    "trong nguồn. Nếu nguồn không đủ để trả lời, hãy nói là không biết."
)

_CITATION = re.compile(r"\[([^\[\]]{1,40})\]")
# Amounts of money and durations: "50.000 đồng", "50000đ", "3 ngày", "2 tuần", "15 giờ".
_FIGURE = re.compile(
    r"(\d[\d.,]*)\s*(dong|d\b|vnd|nghin|ngan|trieu|ngay|gio|tuan|thang|nam|phut)",
)


@dataclass(frozen=True)
class Source:
    ref: str
    text: str


def enabled() -> bool:
    return bool(settings.CQS_ASSISTANT_LLM_URL)


def _figures(text: str) -> set[tuple[str, str]]:
    out = set()
    for amount, unit in _FIGURE.findall(fold(text)):
        digits = re.sub(r"[.,]", "", amount)
        out.add((digits.lstrip("0") or "0", unit[:4]))
    return out


def validate(answer: str, sources: list[Source]) -> str | None:
    """Why ``answer`` must be rejected, or None when it is grounded in ``sources``."""
    refs = {s.ref for s in sources}
    cited = {c.strip() for c in _CITATION.findall(answer)}
    if not cited & refs:
        return "no citation"
    if cited - refs:
        return "cites an entry it was not given"
    allowed = set().union(*(_figures(s.text) for s in sources))
    invented = _figures(answer) - allowed
    if invented:
        return f"figures not in the sources: {sorted(invented)}"
    return None


def generate(question: str, sources: list[Source]) -> str | None:
    """The model's answer when it passes ``validate``; None on any failure or rejection."""
    if not enabled() or not sources:
        return None
    context = "\n\n".join(f"[{s.ref}]\n{s.text}" for s in sources)
    body = {
        "model": settings.CQS_ASSISTANT_LLM_MODEL,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Nguồn:\n{context}\n\nCâu hỏi: {question}"},
        ],
    }
    url = settings.CQS_ASSISTANT_LLM_URL.rstrip("/")
    if not url.endswith("/chat/completions"):
        url += "/v1/chat/completions" if not url.endswith("/v1") else "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if settings.CQS_ASSISTANT_LLM_KEY:
        headers["Authorization"] = f"Bearer {settings.CQS_ASSISTANT_LLM_KEY}"
    if not url.startswith(("http://", "https://")):
        return None
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            payload = json.loads(response.read().decode())
        answer = str(payload["choices"][0]["message"]["content"]).strip()
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        logger.warning("assistant LLM call failed", exc_info=True)
        return None
    reason = validate(answer, sources)
    if reason:
        logger.info("assistant LLM answer rejected: %s", reason)
        return None
    return answer
