from __future__ import annotations

import unicodedata

import pytest

from cqs.assistant import rules

SYNONYMS = rules.synonym_table(
    [
        ("cccd", ["căn cước công dân"]),
        ("sổ đỏ", ["giấy chứng nhận quyền sử dụng đất"]),
        ("con mới sinh", ["đăng ký khai sinh"]),
        ("mới sinh", ["đăng ký khai sinh"]),
        ("cưới", ["kết hôn"]),
    ]
)
VOCAB = {
    "dang": 9,
    "ky": 9,
    "khai": 5,
    "sinh": 5,
    "ket": 3,
    "hon": 3,
    "dang_ky": 1,
    "khai_sinh": 1,
    "ket_hon": 1,
    "ky_khai": 1,
}


def parse(text: str) -> rules.Query:
    return rules.parse_question(text, synonyms=SYNONYMS, vocabulary=VOCAB)


def test_normalise_is_nfc_lower_and_drops_punctuation() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng Ký, KẾT HÔN?!")
    assert rules.normalise(decomposed) == "đăng ký kết hôn"
    assert rules.normalise(decomposed) == unicodedata.normalize("NFC", "đăng ký kết hôn")


def test_folded_form_and_spelling_variants() -> None:
    assert rules.folded("Đăng kí khai sinh") == "dang ky khai sinh"
    assert rules.folded("lí lịch tư pháp") == "ly lich tu phap"


def test_index_tokens_have_both_forms_and_bigrams() -> None:
    tokens = rules.index_tokens("Kết hôn")
    assert tokens == ["ket", "~kết", "ket_hon", "hon", "~hôn"]


def test_title_terms_make_no_bigram_across_fields() -> None:
    terms = rules.title_terms("khai sinh", "bản sao")
    assert "sinh_ban" not in terms
    assert {"khai_sinh", "ban_sao", "khai"} <= terms


@pytest.mark.parametrize(
    ("typo", "neighbours", "fixed"),
    [
        ("sihn", ["khai"], "sinh"),  # transposition
        ("khia", ["sinh"], "khai"),
        ("sinhh", ["khai"], "sinh"),  # insertion
        ("dag", ["ky"], "dang"),  # deletion
        ("hin", ["ket"], "hon"),  # substitution
        ("tiet", ["thoi"], "tiet"),  # no known word with its neighbour: left alone
        ("ab", [], "ab"),  # too short to correct
    ],
)
def test_one_letter_typos(typo: str, neighbours: list[str], fixed: str) -> None:
    assert rules._correct(typo, VOCAB, neighbours) == fixed


def test_typo_in_a_question_is_corrected() -> None:
    q = parse("dang ky khai sihn")
    assert q.corrections == {"sihn": "sinh"}
    assert "khai_sinh" in q.tokens


def test_synonyms_expand_abbreviations_longest_first() -> None:
    q = parse("con mới sinh cần giấy tờ gì")
    assert q.synonyms_used == ["con moi sinh"]
    assert "khai_sinh" in q.tokens
    assert q.intents == {"documents"}
    q = parse("làm SỔ ĐỎ")
    assert q.synonyms_used == ["so do"]
    assert "quyen_su" in q.tokens


@pytest.mark.parametrize(
    ("question", "intents"),
    [
        ("đăng ký kết hôn mất bao lâu", {"time"}),
        ("dang ky ket hon can giay to gi", {"documents"}),
        ("lệ phí khai sinh bao nhiêu tiền", {"fee"}),
        ("làm khai sinh ở đâu", {"where"}),
        ("khai sinh online được không", {"online"}),
        ("khai sinh nop truc tuyen o dau", {"online", "where"}),
        ("đăng ký khai sinh", set()),
    ],
)
def test_intents(question: str, intents: set[str]) -> None:
    assert parse(question).intents == intents


def test_follow_up_questions() -> None:
    assert parse("còn lệ phí thì sao?").follow_up
    assert parse("con le phi thi sao").follow_up
    assert parse("mất bao lâu?").follow_up
    assert not parse("đăng ký kết hôn mất bao lâu").follow_up
    assert not parse("đăng ký kết hôn").follow_up


def test_coverage_needs_a_strong_match() -> None:
    q = parse("đăng ký kết hôn")
    cov, strong = rules.coverage(q, rules.title_terms("Thủ tục đăng ký kết hôn"))
    assert (cov, strong) == (1.0, True)
    assert rules.is_confident(cov, strong)
    # Only folded syllables in common (hồ/hộ/họ): half credit, never strong.
    q = parse("hồ bơi")
    cov, strong = rules.coverage(q, rules.title_terms("Đăng ký hộ kinh doanh", "bơi"))
    assert not strong
    assert not rules.is_confident(cov, strong)


def test_synonym_is_covered_by_its_meaning() -> None:
    q = parse("cưới")
    assert rules.coverage(q, rules.title_terms("Thủ tục đăng ký kết hôn")) == (1.0, True)


def test_find_dossier_code() -> None:
    assert (
        rules.find_dossier_code("hồ sơ 000.00.20.H49-261123-0001 đến đâu rồi")
        == "000.00.20.H49-261123-0001"
    )
    assert rules.find_dossier_code("ho so 000.00.21.h35-261015-0007?") == (
        "000.00.21.H35-261015-0007"
    )
    assert rules.find_dossier_code("đăng ký kết hôn") is None
