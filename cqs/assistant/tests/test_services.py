from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest

from cqs.assistant.evaluation import eval_questions, evaluate
from cqs.assistant.models import FaqEntry, QuestionLog, Synonym
from cqs.assistant.services import (
    assistant_defaults_load,
    faq_save,
    synonym_save,
)
from cqs.catalogue.models import Procedure
from cqs.core.errors import PermissionDenied, ValidationError
from cqs.core.text import fold

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"
MARRIAGE = "1.000894"


def test_eval_set_is_large_and_honest() -> None:
    questions = eval_questions()
    positives = [q for q in questions if q["expected"]]
    negatives = [q for q in questions if not q["expected"]]
    assert len(positives) >= 150
    assert len(negatives) >= 20
    no_diacritics = [q for q in positives if fold(q["q"]) == q["q"].lower()]
    assert len(no_diacritics) >= len(positives) / 3
    informal = [q for q in positives if {"abbreviation", "typo", "mixed_case"} & set(q["tags"])]
    assert len(informal) >= len(positives) / 5
    codes = set(Procedure.objects.values_list("code", flat=True))
    assert {c for q in positives for c in q["expected"]} <= codes


def test_eval_targets(ask: Any) -> None:
    report = evaluate(ask)
    summary = f"top1={report.top1:.3f} top3={report.top3:.3f} refusals={report.refusals:.3f}"
    assert report.top3 >= 0.90, summary + "\n" + "\n".join(report.misses)
    assert report.top1 >= 0.75, summary + "\n" + "\n".join(report.misses)
    assert report.refusals >= 0.90, summary + "\n" + "\n".join(report.misses)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("con mới sinh cần giấy tờ gì", BIRTH),
        ("dang ky ket hon mat bao lau", MARRIAGE),
        ("Đăng Ký Kết Hôn", MARRIAGE),
        ("dang ky khai sihn", BIRTH),
        ("xin giấy phép xây nhà", "1.013225"),
        ("làm sổ đỏ lần đầu", "1.013978"),
        ("xin lltp", "2.000488"),
    ],
)
def test_retrieval_on_the_demo_catalogue(ask: Any, question: str, code: str) -> None:
    answer = ask(question)
    assert answer.kind == "procedure"
    assert answer.confident
    assert answer.sources[0]["id"] == code
    assert f"/thu-tuc/{code}/" in answer.answer
    assert {"title", "url"} <= set(answer.links[0])


def test_intent_picks_the_fields(ask: Any) -> None:
    time = ask("đăng ký kết hôn mất bao lâu").answer
    assert "Thời hạn giải quyết: 1 ngày làm việc" in time
    assert "Phí, lệ phí" not in time
    assert "Giấy tờ cần chuẩn bị" not in time
    docs = ask("dang ky khai sinh can giay to gi").answer
    assert "- Giấy chứng sinh (1 bản chính)" in docs
    assert "Thời hạn" not in docs
    where = ask("làm khai sinh ở đâu").answer
    assert "Nơi nộp: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ." in where
    online = ask("đăng ký khai sinh online được không").answer
    assert "trực tuyến toàn trình" in online


_FIGURES = re.compile(r"(\d[\d.,]*)\s*(đồng|ngày|giờ|tháng|năm)")


def _figures(text: str) -> set[tuple[str, str]]:
    return {(a.replace(".", "").replace(",", "."), u) for a, u in _FIGURES.findall(text)}


@pytest.mark.parametrize(
    "question",
    [q["q"] for q in eval_questions() if q["expected"]][::4],
)
def test_answers_never_contain_a_fee_or_time_not_in_the_source(ask: Any, question: str) -> None:
    answer = ask(question)
    if answer.kind != "procedure":
        return
    cited = [
        Procedure.objects.get(code=s["id"]) for s in answer.sources if s["type"] == "procedure"
    ]
    shown = [p for p in cited if p.code in answer.answer]
    source_text = " ".join(
        json.dumps(p.fees, ensure_ascii=False)
        + f" {Decimal(p.time_limit_value).normalize():f} {p.get_time_limit_unit_display()} "
        + p.time_limit_note
        + " ".join(d.name + d.note for d in p.documents.all())
        + p.name
        for p in shown
    )
    source_figures = _figures(source_text) | {
        (str(int(f["amount"])), "đồng") for p in shown for f in p.fees if f.get("amount")
    }
    assert _figures(answer.answer) <= source_figures, answer.answer


def test_fee_text_is_copied_from_the_catalogue(ask: Any) -> None:
    answer = ask("lệ phí đăng ký khai sinh bao nhiêu").answer
    assert "Lệ phí đăng ký khai sinh: Miễn phí" in answer
    assert "Phí cấp bản sao Giấy khai sinh (nếu có yêu cầu): 8.000 đồng" in answer


def test_out_of_scope_question_gets_i_dont_know_with_hotline(ask: Any, settings: Any) -> None:
    answer = ask("thời tiết hôm nay thế nào")
    assert answer.kind == "unknown"
    assert not answer.confident
    assert "không biết" in answer.answer
    assert settings.CQS_HOTLINE in answer.answer
    assert "/thu-tuc/?q=" in answer.answer
    assert "đồng" not in answer.answer


def test_a_procedure_not_in_the_catalogue_is_not_invented(ask: Any) -> None:
    answer = ask("lam cccd o dau")
    assert answer.kind == "unknown"
    assert "Nơi nộp" not in answer.answer


def test_follow_up_in_the_same_conversation(ask: Any) -> None:
    first = ask("đăng ký kết hôn mất bao lâu")
    follow = ask("còn lệ phí thì sao?", first.conversation)
    assert follow.conversation == first.conversation
    assert follow.kind == "procedure"
    assert follow.sources[0]["id"] == MARRIAGE
    assert "Phí, lệ phí" in follow.answer
    assert "Thời hạn" not in follow.answer
    docs = ask("cần giấy tờ gì?", first.conversation)
    assert "Giấy tờ cần chuẩn bị" in docs.answer
    # Without the conversation the same words are not enough.
    assert ask("còn lệ phí thì sao?").kind == "unknown"


def test_a_new_topic_replaces_the_follow_up(ask: Any) -> None:
    first = ask("đăng ký kết hôn")
    second = ask("còn đăng ký khai sinh thì sao", first.conversation)
    assert second.sources[0]["id"] == BIRTH


def test_dossier_status_question(ask: Any, receive: Any) -> None:
    dossier = receive()
    answer = ask(f"hồ sơ {dossier.code} đến đâu rồi")
    assert answer.kind == "dossier"
    assert answer.confident
    assert dossier.code in answer.answer
    assert "Nguyễn Văn An" not in answer.answer  # masked name only
    assert "022090001234" not in answer.answer
    assert "0912345678" not in answer.answer
    assert "Thủ tục đăng ký khai sinh" in answer.answer
    log = QuestionLog.objects.latest("id")
    assert dossier.code not in log.question


def test_unknown_dossier_code(ask: Any, settings: Any) -> None:
    answer = ask("hồ sơ 000.00.20.H49-261123-9999 đến đâu rồi")
    assert answer.kind == "dossier"
    assert not answer.confident
    assert "Không tìm thấy hồ sơ" in answer.answer
    assert settings.CQS_HOTLINE in answer.answer


def test_empty_and_too_long_questions_are_refused(demo: Any) -> None:
    from cqs.assistant.services import assistant_ask

    with pytest.raises(ValidationError) as empty:
        assistant_ask(question="   ")
    assert empty.value.code == "question_empty"
    with pytest.raises(ValidationError) as long:
        assistant_ask(question="a" * 10_000)
    assert "tối đa 1.000 ký tự" in long.value.message
    assert QuestionLog.objects.count() == 0


def test_every_question_is_logged(ask: Any) -> None:
    ask("thời tiết hôm nay thế nào")
    ask("đăng ký kết hôn")
    logs = list(QuestionLog.objects.order_by("id"))
    assert [(q.kind, q.confident) for q in logs] == [("unknown", False), ("procedure", True)]
    assert logs[1].sources[0]["id"] == MARRIAGE


def test_faq_entry_is_answered(ask: Any, demo: Any) -> None:
    faq = faq_save(
        actor=demo.user("quantri"),
        question="Giờ làm việc của Bộ phận Một cửa",
        answer="Bộ phận Một cửa làm việc từ thứ Hai đến thứ Sáu.",
        keywords="giờ mở cửa, làm việc buổi sáng",
        procedure_codes=[BIRTH],
    )
    answer = ask("bộ phận một cửa giờ làm việc thế nào")
    assert answer.kind == "faq"
    assert answer.sources[0] == {
        "type": "faq",
        "id": str(faq.id),
        "title": faq.question,
        "score": answer.sources[0]["score"],
        "coverage": answer.sources[0]["coverage"],
    }
    assert "thứ Hai đến thứ Sáu" in answer.answer
    assert f"/thu-tuc/{BIRTH}/" in answer.links[0]["url"]


def test_faq_and_synonym_edits_need_the_province_admin(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        faq_save(actor=demo.user("tiepnhan"), question="q", answer="a")
    with pytest.raises(PermissionDenied):
        synonym_save(actor=demo.user("quantrixa"), term="abc", expansions=["x"])
    with pytest.raises(ValidationError):
        faq_save(actor=demo.user("quantri"), question="q", answer="a", procedure_codes=["9.9"])


def test_a_new_synonym_takes_effect_at_once(ask: Any, demo: Any) -> None:
    assert ask("bé chào đời làm giấy tờ gì").kind == "unknown"
    synonym_save(actor=demo.user("quantri"), term="bé chào đời", expansions=["khai sinh"])
    answer = ask("bé chào đời làm giấy tờ gì")
    assert answer.sources[0]["id"] == BIRTH


def test_defaults_are_loaded_once(demo: Any) -> None:
    assert Synonym.objects.filter(term="cccd").exists()  # the data migration
    assert assistant_defaults_load() == 0
    Synonym.objects.filter(term="cccd").delete()
    assert assistant_defaults_load() == 1
    assert assistant_defaults_load() == 0


def test_inactive_faq_is_not_used(ask: Any, demo: Any) -> None:
    faq_save(
        actor=demo.user("quantri"),
        question="Bãi đỗ xe của trung tâm hành chính",
        answer="Có bãi đỗ xe miễn phí.",
        is_active=False,
    )
    assert ask("bãi đỗ xe trung tâm hành chính").kind == "unknown"
    assert FaqEntry.objects.count() == 1
