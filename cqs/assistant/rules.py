"""Pure rules of the virtual assistant: Vietnamese normalisation, tokens, synonyms, typos,
intents and the confidence measure. No Django: everything here is tested exhaustively.

Citizens type the way they talk: without diacritics, with abbreviations, with one wrong
letter. Every word therefore exists in two forms, the accented one (NFC, lower case) and the
folded one (no diacritics, đ → d); retrieval indexes both plus folded syllable bigrams,
because most Vietnamese words are two syllables ("khai sinh", "kết hôn") and one folded
syllable alone is ambiguous (hộ, hồ, họ all fold to "ho").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cqs.core.text import fold

MAX_QUESTION_CHARS = 1000

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DOSSIER_CODE = re.compile(r"\b[0-9A-Za-z]{3}(?:\.[0-9A-Za-z]{2,3}){2,4}-\d{6}-\d{4,}\b")

# Spelling variants that are not typos: "đăng kí" and "đăng ký" are both correct.
_VARIANTS = {"ki": "ky", "li": "ly", "qui": "quy", "hoá": "hóa"}


def normalise(text: str) -> str:
    """NFC, lower case, punctuation to spaces, single spaces: the accented form."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(_WORD.findall(text))


@dataclass(frozen=True)
class Word:
    accented: str
    folded: str

    @property
    def has_diacritics(self) -> bool:
        return self.accented != self.folded


def words(text: str) -> list[Word]:
    out = []
    for w in normalise(text).split():
        f = fold(w)
        out.append(Word(w, _VARIANTS.get(f, f)))
    return out


def folded(text: str) -> str:
    return " ".join(w.folded for w in words(text))


def bigram(a: str, b: str) -> str:
    return f"{a}_{b}"


def index_tokens(text: str) -> list[str]:
    """Tokens of an indexed field: folded syllables, accented syllables (marked with ~ when
    they differ), folded syllable bigrams."""
    ws = words(text)
    tokens: list[str] = []
    for i, w in enumerate(ws):
        tokens.append(w.folded)
        if w.has_diacritics:
            tokens.append("~" + w.accented)
        if i + 1 < len(ws):
            tokens.append(bigram(w.folded, ws[i + 1].folded))
    return tokens


def title_terms(*fields: str) -> set[str]:
    """Folded syllables and bigrams of title fields (no bigram across two fields)."""
    terms: set[str] = set()
    for text in fields:
        ws = [w.folded for w in words(text)]
        terms |= set(ws) | {bigram(a, b) for a, b in itertools.pairwise(ws)}
    return terms


# --- Stop words and intents -------------------------------------------------------------------

# Words that carry no topic. Checked on the accented form when the user typed diacritics
# (so "bản" in "bản sao" survives while "bạn" goes), on the folded form otherwise.
_STOP_ACCENTED = {
    "tôi",
    "mình",
    "em",
    "anh",
    "chị",
    "bạn",
    "cô",
    "chú",
    "bác",
    "ông",
    "bà",
    "cháu",
    "muốn",
    "cần",
    "làm",
    "thế",
    "nào",
    "như",
    "gì",
    "ở",
    "thì",
    "sao",
    "có",
    "được",
    "không",
    "cho",
    "của",
    "và",
    "là",
    "ạ",
    "ơi",
    "với",
    "nhé",
    "vậy",
    "à",
    "xin",
    "hỏi",
    "giúp",
    "hướng",
    "dẫn",
    "thủ",
    "tục",
    "cách",
    "phải",
    "đi",
    "những",
    "các",
    "một",
    "này",
    "đó",
    "đây",
    "rồi",
    "chưa",
    "nữa",
    "nhỉ",
    "hả",
    "đâu",
    "ai",
    "khi",
    "bị",
    "mà",
    "để",
    "nên",
    "vào",
    "ra",
    "lên",
    "tại",
    "theo",
    "về",
    "nhờ",
    "thể",
    "biết",
    "tư",
    "vấn",
    "việc",
    "sẽ",
    "đang",
    "hay",
    "hoặc",
    "từ",
    "bằng",
    "hiện",
    "nay",
    "mới",
    "bây",
    "giờ",
    "lúc",
    "nơi",
    "chỗ",
    "cái",
    "nhiêu",
    "bao",
    "mất",
    "hết",
    "tốn",
    "lâu",
    "mấy",
    "ngày",
    "tiền",
    "thời",
    "gian",
}
# Without diacritics many syllables are ambiguous ("ban": bạn/bản, "tu": từ/tư/tử, "dau":
# đâu/đầu, "di": đi/di chúc): only the folded forms that are almost never a topic stop.
_STOP_FOLDED = {
    "toi",
    "em",
    "anh",
    "muon",
    "lam",
    "the",
    "nao",
    "nhu",
    "gi",
    "o",
    "thi",
    "sao",
    "duoc",
    "dc",
    "khong",
    "ko",
    "k",
    "j",
    "z",
    "v",
    "a",
    "oi",
    "voi",
    "nhe",
    "vay",
    "ah",
    "xin",
    "hoi",
    "giup",
    "thu",
    "tuc",
    "phai",
    "nhung",
    "cac",
    "mot",
    "nay",
    "roi",
    "chua",
    "nua",
    "nhi",
    "ha",
    "ai",
    "khi",
    "ma",
    "de",
    "nen",
    "vao",
    "theo",
    "nho",
    "biet",
    "se",
    "hay",
    "hoac",
    "bao",
    "nhieu",
    "lau",
    "tien",
    "cho",
    "cua",
    "co",
    "la",
    "va",
    "can",
    "mat",
    "het",
    "ton",
    "cach",
    "uh",
    "nha",
    "vs",
    "ntn",
}
# "còn" (and still) vs "con" (child) fold alike; only a leading "còn ..." marks a follow-up.

INTENTS: dict[str, tuple[str, ...]] = {
    "documents": (
        "giay to",
        "ho so gom",
        "ho so can",
        "thanh phan ho so",
        "thanh phan",
        "can nhung gi",
        "can gi",
        "chuan bi gi",
        "chuan bi nhung",
        "mang theo",
        "giay gi",
        "gom nhung gi",
        "nop nhung gi",
        "can nop",
        "ho so",
    ),
    "time": (
        "bao lau",
        "may ngay",
        "bao nhieu ngay",
        "thoi gian",
        "thoi han",
        "khi nao co",
        "bao gio co",
        "bao gio",
        "lau khong",
        "lau ko",
        "may hom",
        "bao nhieu lau",
        "tra ket qua",
        "nhanh khong",
    ),
    "fee": (
        "le phi",
        "bao nhieu tien",
        "het bao nhieu",
        "ton bao nhieu",
        "mat bao nhieu",
        "chi phi",
        "mien phi",
        "mat phi",
        "mat tien",
        "tra phi",
        "phi",
        "tien",
    ),
    "where": (
        "o dau",
        "nop dau",
        "lam dau",
        "di dau",
        "den dau",
        "cho nao",
        "noi nao",
        "co quan nao",
        "noi nop",
        "nop tai",
        "o cho nao",
        "dia chi",
        "phuong hay",
        "xa hay",
        "dau lam",
    ),
    "online": (
        "online",
        "onl",
        "truc tuyen",
        "qua mang",
        "tren mang",
        "qua internet",
        "dich vu cong",
        "dvc",
        "tai nha",
        "nop mang",
        "tren dien thoai",
        "qua app",
        "vneid",
    ),
}
_INTENT_PHRASES = sorted(
    ((tuple(p.split()), name) for name, ps in INTENTS.items() for p in ps),
    key=lambda t: -len(t[0]),
)
_FOLLOW_UP_STARTS = ("con", "the con", "vay con", "con cai", "thi sao", "con ve")


@dataclass(frozen=True)
class Synonym:
    """A term (folded words) and what it means; both sides are free text."""

    term: tuple[str, ...]
    expansions: tuple[str, ...]


def synonym_table(pairs: Iterable[tuple[str, Sequence[str]]]) -> list[Synonym]:
    table = [
        Synonym(tuple(folded(term).split()), tuple(e for e in expansions if e.strip()))
        for term, expansions in pairs
        if folded(term)
    ]
    return sorted(table, key=lambda s: -len(s.term))


@dataclass
class Concept:
    """A synonym found in the question: covered when one of its meanings is in a title.

    It weighs one word more than its term's length: a curated synonym says more about the
    topic than the loose words around it ("đăng ký" in "đăng ký hộ nghèo")."""

    alternatives: list[set[str]]
    label: str
    weight: int

    def covered_by(self, terms: set[str]) -> bool:
        return any(alt <= terms for alt in self.alternatives)


@dataclass
class Query:
    text: str
    folded: str
    intents: set[str] = field(default_factory=set)
    tokens: list[str] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    runs: list[list[str]] = field(default_factory=list)
    vocabulary_words: set[str] = field(default_factory=set)
    synonyms_used: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    follow_up: bool = False


def _correct(word: str, vocabulary: Mapping[str, int], neighbours: Sequence[str] = ()) -> str:
    """The most frequent vocabulary word one edit away from ``word`` (or ``word`` itself).

    One substitution, insertion, deletion or transposition of a letter: the typos a phone
    keyboard makes. Short words are left alone, where one letter changes the meaning.
    """
    if word in vocabulary or len(word) < 3 or word.isdigit():
        return word
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    candidates = {a + b[1:] for a, b in splits if b}
    candidates |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    candidates |= {a + c + b[1:] for a, b in splits if b for c in letters}
    candidates |= {a + c + b for a, b in splits for c in letters}
    known = [c for c in candidates if c in vocabulary and len(c) >= 2 and c not in _STOP_FOLDED]
    if neighbours:
        # Vietnamese syllables are short, so one edit away there is almost always another
        # syllable: accept a correction only when it forms a known word with a neighbour.
        known = [
            c
            for c in known
            if any(bigram(n, c) in vocabulary or bigram(c, n) in vocabulary for n in neighbours)
        ]
    if not known:
        return word
    return max(known, key=lambda c: (vocabulary[c], c))


def _match_phrase(seq: Sequence[str], start: int, phrase: Sequence[str]) -> bool:
    return tuple(seq[start : start + len(phrase)]) == tuple(phrase)


def parse_question(
    text: str, *, synonyms: Sequence[Synonym], vocabulary: Mapping[str, int]
) -> Query:
    """Turn a question into retrieval tokens, coverage concepts and intents."""
    ws = words(text)
    fw = [w.folded for w in ws]
    query = Query(text=normalise(text), folded=" ".join(fw))

    # 1. Synonyms (longest first) on the raw folded words: abbreviations are not typos.
    kind = ["" for _ in ws]  # "", "syn", "intent", "stop"
    i = 0
    syn_concepts: list[Concept] = []
    expansions_tokens: list[str] = []
    while i < len(fw):
        for syn in synonyms:
            if syn.term and _match_phrase(fw, i, syn.term):
                alts = [set(_content_terms(list(syn.term)))]
                for e in syn.expansions:
                    alts.append(set(_content_terms(folded(e).split())))
                    expansions_tokens.extend(index_tokens(e))
                syn_concepts.append(
                    Concept([a for a in alts if a], " ".join(syn.term), len(syn.term) + 1)
                )
                query.synonyms_used.append(" ".join(syn.term))
                for j in range(i, i + len(syn.term)):
                    kind[j] = "syn"
                i += len(syn.term)
                break
        else:
            i += 1

    # 2. Intent phrases.
    i = 0
    while i < len(fw):
        if kind[i]:
            i += 1
            continue
        for phrase, name in _INTENT_PHRASES:
            if _match_phrase(fw, i, phrase) and not any(kind[i : i + len(phrase)]):
                query.intents.add(name)
                for j in range(i, i + len(phrase)):
                    kind[j] = "intent"
                i += len(phrase)
                break
        else:
            i += 1

    # A leading "còn"/"con" in a short question with an intent is "and what about ...".
    if (
        ws
        and fw[0] == "con"
        and not kind[0]
        and len(ws) <= 8
        and (ws[0].accented == "còn" or query.intents or query.folded.endswith("thi sao"))
    ):
        kind[0] = "stop"

    # 3. Stop words, then one-letter typos on what is left.
    for i, w in enumerate(ws):
        if kind[i]:
            continue
        stop = w.accented in _STOP_ACCENTED if w.has_diacritics else w.folded in _STOP_FOLDED
        if stop:
            kind[i] = "stop"
            continue
        if w.has_diacritics:
            continue  # a word typed with its accents is meant as typed
        neighbours = [fw[j] for j in (i - 1, i + 1) if 0 <= j < len(fw)]
        fixed = _correct(w.folded, vocabulary, neighbours)
        if fixed != w.folded:
            query.corrections[w.folded] = fixed
            fw[i] = fixed

    # 4. Concepts: the synonyms found, and runs of adjacent content words.
    query.concepts = syn_concepts
    run: list[str] = []
    for i in range(len(fw) + 1):
        if i < len(fw) and not kind[i]:
            run.append(fw[i])
        elif run:
            query.runs.append(run)
            run = []
    concepts = query.concepts
    query.vocabulary_words = {w for i, w in enumerate(fw) if kind[i] != "stop"}
    for concept in syn_concepts:
        for alt in concept.alternatives:
            for term in alt:
                query.vocabulary_words.update(term.split("_"))

    # 5. Retrieval tokens: content syllables (both forms), every bigram, synonym expansions.
    tokens: list[str] = []
    for i, w in enumerate(ws):
        if kind[i] in {"stop", "intent"}:
            pass
        else:
            tokens.append(fw[i])
            if w.has_diacritics and fw[i] == w.folded:
                tokens.append("~" + w.accented)
        if i + 1 < len(ws) and kind[i] != "intent" and kind[i + 1] != "intent":
            tokens.append(bigram(fw[i], fw[i + 1]))
    tokens.extend(expansions_tokens)
    query.tokens = tokens

    lead = " ".join(w.folded for w in ws[:2])
    query.follow_up = bool(query.intents) and (
        not (concepts or query.runs)
        or (len(ws) <= 7 and any(lead.startswith(s) for s in _FOLLOW_UP_STARTS))
        or query.folded.endswith("thi sao")
    )
    return query


def _content_terms(fws: list[str]) -> list[str]:
    """Coverage terms of a phrase: its bigrams, or the word itself when it is one word."""
    if len(fws) == 1:
        return fws
    return [bigram(a, b) for a, b in itertools.pairwise(fws)]


def coverage(query: Query, terms: set[str]) -> tuple[float, bool]:
    """How much of the question a title covers (0..1), and whether it covers a strong part.

    Each content word counts once: fully when it forms a covered bigram with a neighbour
    (or is a lone word found as such), half when only the folded syllable occurs (hộ, hồ and
    họ fold alike). A synonym counts as many words as its term and is covered when one of its
    meanings is. "Strong" means a covered synonym or bigram: one syllable alone is never
    enough to answer.
    """
    total = 0.0
    got = 0.0
    strong = False
    for c in query.concepts:
        total += c.weight
        if c.covered_by(terms):
            got += c.weight
            strong = True
    for run in query.runs:
        total += len(run)
        for i, w in enumerate(run):
            pairs = []
            if i > 0:
                pairs.append(bigram(run[i - 1], w))
            if i + 1 < len(run):
                pairs.append(bigram(w, run[i + 1]))
            if any(p in terms for p in pairs):
                got += 1
                strong = True
            elif len(run) == 1 and w in terms:
                got += 1
            elif w in terms:
                got += 0.5
    return (got / total if total else 0.0), strong


def precision(query: Query, name_words: frozenset[str]) -> float:
    """Share of a procedure name's words the question used: prefers the plain procedure
    ("đăng ký kết hôn") over its longer siblings ("đăng ký lại kết hôn")."""
    if not name_words:
        return 0.0
    return len(name_words & query.vocabulary_words) / len(name_words)


# Calibrated on the evaluation set (cqs/assistant/fixtures/eval_questions.json): the best
# entry must cover at least half of the question, including a synonym or a two-syllable word.
CONFIDENT_COVERAGE = 0.5


def is_confident(cov: float, strong: bool) -> bool:
    return strong and cov >= CONFIDENT_COVERAGE


def find_dossier_code(text: str) -> str | None:
    m = _DOSSIER_CODE.search(unicodedata.normalize("NFC", text))
    return m.group(0).upper() if m else None
