"""Every write of the assistant: answering a question (conversation + question log), and the
FAQ and synonym edits of the province administrators (audited)."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cqs.assistant import compose, llm, rules
from cqs.assistant.index import Hit, current_index
from cqs.assistant.models import AnswerKind, Conversation, FaqEntry, QuestionLog, Synonym
from cqs.assistant.permissions import can_manage_assistant
from cqs.audit.services import audit_record
from cqs.catalogue.models import Procedure
from cqs.core.errors import ApplicationError, PermissionDenied, ValidationError
from cqs.dossiers.api import public_lookup

DEFAULT_SYNONYMS = Path(__file__).resolve().parent / "fixtures" / "default_synonyms.json"
SOURCES_SHOWN = 5
RELATED_SHOWN = 2
# A sibling procedure is offered as "Có thể bạn cần" when it scores this close to the best.
RELATED_MARGIN = 0.8


@dataclass
class Answer:
    answer: str
    kind: str
    confident: bool
    sources: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    conversation: str = ""
    generated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "kind": self.kind,
            "confident": self.confident,
            "sources": self.sources,
            "links": self.links,
            "conversation": self.conversation,
            "generated": self.generated,
        }


def _check_question(question: str) -> str:
    question = question.strip()
    if not question:
        raise ValidationError(
            "Vui lòng nhập câu hỏi, ví dụ: «đăng ký khai sinh cần giấy tờ gì?».",
            code="question_empty",
        )
    if len(question) > rules.MAX_QUESTION_CHARS:
        raise ValidationError(
            f"Câu hỏi quá dài ({len(question):,} ký tự; tối đa 1.000 ký tự). Vui lòng hỏi ngắn "
            "gọn, mỗi lần một việc.".replace(",", "."),
            code="question_too_long",
            details={"max_length": rules.MAX_QUESTION_CHARS, "length": len(question)},
        )
    return question


def _conversation(token: str) -> Conversation:
    token = token.strip()[:43]
    if token:
        found = Conversation.objects.filter(token=token).select_related("last_procedure").first()
        if found is not None:
            return found
    return Conversation.objects.create(token=secrets.token_urlsafe(24))


def procedure_url(code: str) -> str:
    return reverse("portal:procedure_detail", args=[code])


def _search_url(question: str = "") -> str:
    url = reverse("portal:procedure_list")
    return f"{url}?{urlencode({'q': question[:100]})}" if question else url


def _facts(p: Procedure) -> compose.ProcedureFacts:
    return compose.ProcedureFacts(
        code=p.code,
        name=p.name,
        url=procedure_url(p.code),
        implementing_agency=p.implementing_agency,
        channels=list(p.submission_channels),
        documents=[
            {
                "name": d.name,
                "originals": d.originals,
                "copies": d.copies,
                "mandatory": d.mandatory,
            }
            for d in p.documents.all()
        ],
        fees=list(p.fees),
        time_limit_value=p.time_limit_value,
        time_limit_unit=p.get_time_limit_unit_display(),
        time_limit_note=p.time_limit_note,
        online_level=p.online_level,
    )


def _source_text(p: Procedure) -> str:
    """What the generative layer may say about a procedure: the catalogue entry itself."""
    f = _facts(p)
    return compose.procedure_answer(f, set(compose.INTENT_ORDER), []).text


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _dossier_answer(code: str) -> Answer:
    lookup_url = f"{reverse('portal:lookup')}?{urlencode({'ma': code})}"
    try:
        info = public_lookup(code)
    except ApplicationError:
        c = compose.dossier_not_found(code, settings.CQS_HOTLINE, lookup_url)
        return Answer(c.text, AnswerKind.DOSSIER, False, [], c.links)
    last = info["timeline"][-1] if info["timeline"] else None
    c = compose.dossier_answer(
        {
            "code": info["code"],
            "procedure": info["procedure"],
            "applicant": info["applicant"],
            "status_label": info["status_label"],
            "received_at": _local(info["received_at"]),
            "due_at": _local(info["due_at"]),
            "finished_at": _local(info["finished_at"]),
            "last_step": (
                f"{last['label']}" + (f" ({last['agency']})" if last["agency"] else "")
                if last
                else ""
            ),
        },
        lookup_url,
    )
    sources = [{"type": "dossier", "id": info["code"], "title": info["procedure"], "score": 1.0}]
    return Answer(c.text, AnswerKind.DOSSIER, True, sources, c.links)


def _sources(hits: list[Hit]) -> list[dict[str, Any]]:
    return [
        {
            "type": h.entry.kind,
            "id": h.entry.ref,
            "title": h.entry.title,
            "score": round(h.score, 3),
            "coverage": round(h.coverage, 2),
        }
        for h in hits
    ]


def _procedures(codes: list[str]) -> dict[str, Procedure]:
    qs = Procedure.objects.filter(code__in=codes, is_active=True).prefetch_related("documents")
    return {p.code: p for p in qs}


def _unknown(question: str, hits: list[Hit]) -> Answer:
    c = compose.unknown_answer(settings.CQS_HOTLINE, _search_url(question))
    return Answer(c.text, AnswerKind.UNKNOWN, False, _sources(hits), c.links)


def _answer_from_index(
    question: str, conversation: Conversation
) -> tuple[Answer, Procedure | None, list[llm.Source]]:
    index = current_index()
    query = rules.parse_question(question, synonyms=index.synonyms, vocabulary=index.vocabulary)
    hits = index.search(query, k=SOURCES_SHOWN)
    best = hits[0] if hits else None
    confident = best is not None and best.confident

    last = conversation.last_procedure
    if query.follow_up and last is not None and last.is_active and not confident:
        p = _procedures([last.code])[last.code]
        c = compose.procedure_answer(_facts(p), query.intents, [])
        sources = [
            {"type": "procedure", "id": p.code, "title": p.name, "score": 1.0, "coverage": 1.0}
        ]
        return (
            Answer(c.text, AnswerKind.PROCEDURE, True, sources, c.links),
            p,
            [llm.Source(p.code, _source_text(p))],
        )
    if best is None or not confident:
        return _unknown(question, hits), None, []

    if best.entry.kind == "faq":
        faq = FaqEntry.objects.get(id=int(best.entry.ref))
        procs = _procedures([str(c) for c in faq.procedure_codes])
        related = [(p.code, p.name, procedure_url(p.code)) for p in procs.values()]
        c = compose.faq_answer(faq.question, faq.answer, related)
        return (
            Answer(c.text, AnswerKind.FAQ, True, _sources(hits), c.links),
            next(iter(procs.values()), None),
            [llm.Source(f"FAQ-{faq.id}", f"{faq.question}\n{faq.answer}")],
        )

    close = [
        h
        for h in hits[1:]
        if h.entry.kind == "procedure" and h.score >= best.score * RELATED_MARGIN and h.confident
    ][:RELATED_SHOWN]
    procs = _procedures([best.entry.ref] + [h.entry.ref for h in close])
    p = procs[best.entry.ref]
    related = [(h.entry.ref, h.entry.title, procedure_url(h.entry.ref)) for h in close]
    c = compose.procedure_answer(_facts(p), query.intents, related)
    llm_sources = [llm.Source(code, _source_text(proc)) for code, proc in procs.items()]
    return Answer(c.text, AnswerKind.PROCEDURE, True, _sources(hits), c.links), p, llm_sources


_CODE_IN_TEXT = re.compile(r"\S+-\d{6}-\d{4,}")


def assistant_ask(*, question: str, conversation_token: str = "") -> Answer:
    """Answer one citizen question from the catalogue, the FAQ or the dossier register."""
    question = _check_question(question)
    with transaction.atomic():
        conversation = _conversation(conversation_token)
        code = rules.find_dossier_code(question)
        procedure: Procedure | None = None
        sources: list[llm.Source] = []
        if code:
            answer = _dossier_answer(code)
        else:
            answer, procedure, sources = _answer_from_index(question, conversation)
        if answer.confident and sources and llm.enabled():
            generated = llm.generate(question, sources)
            if generated:
                answer.answer = generated
                answer.generated = True
        answer.conversation = conversation.token
        if procedure is not None and conversation.last_procedure_id != procedure.id:
            conversation.last_procedure = procedure
            conversation.save(update_fields=["last_procedure", "updated_at"])
        # The log keeps no dossier code: the code plus the masked name is enough to trace
        # a person, and the admins only need to know what kind of question it was.
        logged = _CODE_IN_TEXT.sub("<mã hồ sơ>", question)
        QuestionLog.objects.create(
            conversation=conversation,
            question=logged,
            normalised=rules.folded(logged)[:2000],
            kind=answer.kind,
            sources=answer.sources,
            confident=answer.confident,
            generated=answer.generated,
        )
    return answer


# --- Administration: FAQ and synonyms -------------------------------------------------------


def _require_admin(actor: Any) -> None:
    if not can_manage_assistant(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được sửa dữ liệu của trợ lý ảo.")


def faq_save(
    *,
    actor: Any,
    faq: FaqEntry | None = None,
    question: str,
    answer: str,
    keywords: str = "",
    procedure_codes: list[str] | None = None,
    is_active: bool = True,
) -> FaqEntry:
    _require_admin(actor)
    codes = [c.strip() for c in procedure_codes or [] if c.strip()]
    known = set(Procedure.objects.filter(code__in=codes).values_list("code", flat=True))
    if set(codes) - known:
        raise ValidationError(
            f"Không có thủ tục mã: {', '.join(sorted(set(codes) - known))}.",
            details={"procedure_codes": sorted(set(codes) - known)},
        )
    if not question.strip() or not answer.strip():
        raise ValidationError("Câu hỏi và câu trả lời không được để trống.")
    with transaction.atomic():
        created = faq is None
        faq = faq or FaqEntry()
        faq.question = question.strip()
        faq.answer = answer.strip()
        faq.keywords = keywords.strip()
        faq.procedure_codes = codes
        faq.is_active = is_active
        faq.save()
        audit_record(
            actor=actor,
            action="assistant.faq_created" if created else "assistant.faq_changed",
            obj=faq,
            changes={"question": faq.question, "procedure_codes": codes, "active": is_active},
        )
    return faq


def faq_delete(*, actor: Any, faq: FaqEntry) -> None:
    _require_admin(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="assistant.faq_deleted", obj=faq)
        faq.delete()


def _clean_expansions(expansions: list[str]) -> list[str]:
    return [rules.normalise(e) for e in expansions if rules.normalise(e)]


def synonym_save(
    *, actor: Any, synonym: Synonym | None = None, term: str, expansions: list[str]
) -> Synonym:
    _require_admin(actor)
    term = rules.normalise(term)
    cleaned = _clean_expansions(expansions)
    if not term or not cleaned:
        raise ValidationError("Cần có từ và ít nhất một nghĩa.")
    with transaction.atomic():
        created = synonym is None
        synonym = synonym or Synonym()
        synonym.term = term
        synonym.expansions = cleaned
        synonym.save()
        audit_record(
            actor=actor,
            action="assistant.synonym_created" if created else "assistant.synonym_changed",
            obj=synonym,
            changes={"term": term, "expansions": cleaned},
        )
    return synonym


def synonym_delete(*, actor: Any, synonym: Synonym) -> None:
    _require_admin(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="assistant.synonym_deleted", obj=synonym)
        synonym.delete()


def assistant_defaults_load(*, path: Path = DEFAULT_SYNONYMS) -> int:
    """Add the shipped synonyms that are missing; never overwrites an administrator's edit.

    Returns how many were added. Running it twice adds nothing the second time.
    """
    data: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    existing = set(Synonym.objects.values_list("term", flat=True))
    added = 0
    with transaction.atomic():
        for term, expansions in data.items():
            key = rules.normalise(term)
            if key in existing:
                continue
            Synonym.objects.create(term=key, expansions=_clean_expansions(expansions))
            existing.add(key)
            added += 1
        if added:
            audit_record(
                actor=None,
                action="assistant.synonym_defaults_loaded",
                object_type="assistant.synonym",
                changes={"added": added},
            )
    return added
