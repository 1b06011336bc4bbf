"""Pure answer templates: short Vietnamese answers built only from catalogue and FAQ fields.

Every fee, time limit and document in an answer is copied from the entry it cites; nothing
here computes or guesses one. No Django import (the services pass plain dicts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cqs.core.text import format_dong

CHANNEL_LABELS = {
    "counter": "trực tiếp tại Bộ phận Một cửa",
    "online": "trực tuyến",
    "post": "qua dịch vụ bưu chính",
}
ONLINE_LABELS = {
    "full": "Có, dịch vụ công trực tuyến toàn trình (nộp và nhận kết quả trực tuyến)",
    "partial": "Có, dịch vụ công trực tuyến một phần (nộp trực tuyến, một số bước tại cơ quan)",
    "none": "Chưa có dịch vụ công trực tuyến; nộp trực tiếp hoặc theo cách nêu trên",
}
INTENT_ORDER = ("where", "documents", "fee", "time", "online")


@dataclass(frozen=True)
class ProcedureFacts:
    code: str
    name: str
    url: str
    implementing_agency: str
    channels: list[str]
    documents: list[dict[str, Any]]
    fees: list[dict[str, Any]]
    time_limit_value: Decimal
    time_limit_unit: str
    time_limit_note: str
    online_level: str


@dataclass
class Composed:
    text: str
    links: list[dict[str, str]] = field(default_factory=list)


def number(value: Decimal) -> str:
    """1.00 -> "1", 0.50 -> "0,5" (Vietnamese decimal comma)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def fee_line(fee: dict[str, Any]) -> str:
    """The catalogue page's text for one fee, word for word."""
    parts = [f"{fee.get('name', '')}:"]
    amount = fee.get("amount")
    if amount is not None:
        parts.append("Miễn phí" if amount == 0 else f"{format_dong(int(amount))} đồng")
    if fee.get("formula"):
        parts.append(str(fee["formula"]))
    if fee.get("note"):
        parts.append(f"({fee['note']})")
    return " ".join(parts)


def time_line(p: ProcedureFacts) -> str:
    line = f"Thời hạn giải quyết: {number(p.time_limit_value)} {p.time_limit_unit}"
    if p.time_limit_note:
        line += f" ({p.time_limit_note})"
    return line + "."


def _document_line(d: dict[str, Any]) -> str:
    counts = []
    if d.get("originals"):
        counts.append(f"{d['originals']} bản chính")
    if d.get("copies"):
        counts.append(f"{d['copies']} bản sao")
    line = f"- {d['name']}"
    if counts:
        line += f" ({', '.join(counts)})"
    if not d.get("mandatory", True):
        line += " — nếu có"
    return line


def procedure_answer(
    p: ProcedureFacts, intents: set[str], related: list[tuple[str, str, str]]
) -> Composed:
    """Answer about one procedure; ``intents`` picks the fields (all of them when empty)."""
    shown = [i for i in INTENT_ORDER if i in intents] or list(INTENT_ORDER)
    lines = [f"Thủ tục phù hợp: {p.name} (mã {p.code})."]
    for intent in shown:
        if intent == "where":
            lines.append(f"Nơi nộp: {p.implementing_agency}.")
            channels = [CHANNEL_LABELS[c] for c in p.channels if c in CHANNEL_LABELS]
            if channels:
                lines.append(f"Cách nộp: {', '.join(channels)}.")
        elif intent == "documents":
            if p.documents:
                lines.append("Giấy tờ cần chuẩn bị:")
                lines.extend(_document_line(d) for d in p.documents)
            else:
                lines.append("Danh mục chưa ghi thành phần hồ sơ cho thủ tục này.")
        elif intent == "fee":
            if p.fees:
                lines.append("Phí, lệ phí:")
                lines.extend(f"- {fee_line(f)}" for f in p.fees)
            else:
                lines.append("Phí, lệ phí: không thu phí, lệ phí.")
        elif intent == "time":
            lines.append(time_line(p))
        elif intent == "online":
            lines.append(f"Nộp trực tuyến: {ONLINE_LABELS.get(p.online_level, '')}.")
    lines.append(f"Xem chi tiết và nộp hồ sơ: {p.url}")
    links = [{"title": p.name, "url": p.url}]
    if related:
        lines.append(
            "Có thể bạn cần: " + "; ".join(f"{name} (mã {code})" for code, name, _ in related) + "."
        )
        links += [{"title": name, "url": url} for _, name, url in related]
    return Composed("\n".join(lines), links)


def faq_answer(question: str, answer: str, procedures: list[tuple[str, str, str]]) -> Composed:
    lines = [answer.strip()]
    links = [{"title": name, "url": url} for _, name, url in procedures]
    if procedures:
        lines.append(
            "Thủ tục liên quan: "
            + "; ".join(f"{name} (mã {code})" for code, name, _ in procedures)
            + "."
        )
    return Composed("\n".join(lines), links)


def unknown_answer(hotline: str, search_url: str, hint: str = "") -> Composed:
    text = (
        "Xin lỗi, tôi không biết chắc câu trả lời: tôi chưa tìm thấy thông tin phù hợp trong "
        "danh mục thủ tục hành chính và câu hỏi thường gặp của tỉnh, nên không đoán về phí, "
        f"thời hạn hay giấy tờ. Bạn có thể tìm thủ tục tại {search_url} hoặc gọi đường dây "
        f"nóng {hotline}."
    )
    if hint:
        text += f"\n{hint}"
    return Composed(text, [{"title": "Tìm thủ tục hành chính", "url": search_url}])


def dossier_answer(info: dict[str, str], lookup_url: str) -> Composed:
    lines = [
        f"Hồ sơ {info['code']} ({info['procedure']}), người nộp {info['applicant']}: "
        f"{info['status_label']}."
    ]
    if info.get("received_at"):
        lines.append(f"Ngày tiếp nhận: {info['received_at']}.")
    if info.get("due_at"):
        lines.append(f"Hẹn trả kết quả: {info['due_at']}.")
    if info.get("finished_at"):
        lines.append(f"Hoàn thành: {info['finished_at']}.")
    if info.get("last_step"):
        lines.append(f"Bước gần nhất: {info['last_step']}.")
    lines.append(f"Tra cứu chi tiết: {lookup_url}")
    return Composed("\n".join(lines), [{"title": "Tra cứu hồ sơ", "url": lookup_url}])


def dossier_not_found(code: str, hotline: str, lookup_url: str) -> Composed:
    return Composed(
        f"Không tìm thấy hồ sơ có mã {code}. Vui lòng kiểm tra lại mã trên giấy tiếp nhận "
        f"hoặc gọi đường dây nóng {hotline}.",
        [{"title": "Tra cứu hồ sơ", "url": lookup_url}],
    )
