"""The in-process BM25 index over the catalogue and the FAQ (bm25s).

Built lazily on the first question, never at import time, and rebuilt when a cheap version
check (count and latest ``updated_at`` of procedures, FAQ entries and synonyms) changes, so
an import into the catalogue or an FAQ edit in another process shows up on the next question.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
from django.db.models import Count, Max

from cqs.assistant import rules
from cqs.assistant.models import FaqEntry, Synonym
from cqs.catalogue.models import Procedure

CANDIDATES = 20


@dataclass(frozen=True)
class Entry:
    kind: str  # "procedure" | "faq"
    ref: str  # procedure code or FAQ id
    title: str
    terms: frozenset[str]
    name_words: frozenset[str]


@dataclass
class Hit:
    entry: Entry
    bm25: float
    coverage: float
    strong: bool
    score: float

    @property
    def confident(self) -> bool:
        return rules.is_confident(self.coverage, self.strong)


@dataclass
class AssistantIndex:
    version: tuple[Any, ...]
    entries: list[Entry]
    retriever: Any
    vocabulary: dict[str, int]
    synonyms: list[rules.Synonym]

    def search(self, query: rules.Query, k: int = 5) -> list[Hit]:
        if not self.entries or not query.tokens:
            return []
        scores = self.retriever.get_scores(query.tokens)
        n = min(CANDIDATES, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        best = float(scores[top].max()) or 1.0
        hits = []
        for i in top:
            bm25 = float(scores[i])
            if bm25 <= 0:
                continue
            entry = self.entries[int(i)]
            cov, strong = rules.coverage(query, set(entry.terms))
            # Coverage decides, then how exactly the name fits, then BM25.
            score = 2 * cov + 0.5 * rules.precision(query, entry.name_words) + 0.3 * bm25 / best
            hits.append(Hit(entry, bm25, cov, strong, score))
        hits.sort(key=lambda h: (-h.score, h.entry.kind, h.entry.ref))
        return hits[:k]


_lock = threading.Lock()
_current: AssistantIndex | None = None


def index_version() -> tuple[Any, ...]:
    versions: list[Any] = []
    for qs in (
        Procedure.objects.filter(is_active=True),
        FaqEntry.objects.filter(is_active=True),
        Synonym.objects.all(),
    ):
        agg = qs.aggregate(n=Count("id"), last=Max("updated_at"))
        versions += [agg["n"], agg["last"]]
    return tuple(versions)


def current_index() -> AssistantIndex:
    """The index for the data as it is now (rebuilt only when the version changed)."""
    global _current  # noqa: PLW0603 - one index per process, swapped atomically
    version = index_version()
    index = _current
    if index is not None and index.version == version:
        return index
    with _lock:
        if _current is None or _current.version != version:
            _current = build_index(version)
        return _current


_NAME_NOISE = frozenset({"thu", "tuc"})


def _name_words(name: str) -> frozenset[str]:
    return frozenset(rules.folded(name).split()) - _NAME_NOISE


def build_index(version: tuple[Any, ...]) -> AssistantIndex:
    entries: list[Entry] = []
    corpus: list[list[str]] = []
    vocabulary: Counter[str] = Counter()
    bigrams: set[str] = set()

    procedures = (
        Procedure.objects.filter(is_active=True)
        .select_related("sector")
        .prefetch_related("documents")
        .order_by("code")
    )
    for p in procedures:
        results = " ".join(str(r) for r in p.results)
        documents = " ".join(d.name for d in p.documents.all())
        title = f"{p.name} {p.sector.name} {results}"
        title_fields = [p.name, p.sector.name, *(str(r) for r in p.results)]
        tokens = (
            rules.index_tokens(p.name) * 2
            + rules.index_tokens(p.sector.name)
            + rules.index_tokens(results)
            + rules.index_tokens(documents)
        )
        entries.append(
            Entry(
                "procedure",
                p.code,
                p.name,
                frozenset(rules.title_terms(*title_fields)),
                _name_words(p.name),
            )
        )
        corpus.append(tokens)
        vocabulary.update(rules.folded(f"{title} {documents}").split())
        bigrams |= rules.title_terms(*title_fields, *(d.name for d in p.documents.all()))

    for f in FaqEntry.objects.filter(is_active=True).order_by("id"):
        title = f"{f.question} {f.keywords}"
        tokens = rules.index_tokens(title) * 2 + rules.index_tokens(f.answer)
        entries.append(
            Entry(
                "faq",
                str(f.id),
                f.question,
                frozenset(rules.title_terms(f.question, *f.keywords.split(","))),
                _name_words(f.question),
            )
        )
        corpus.append(tokens)
        vocabulary.update(rules.folded(f"{title} {f.answer}").split())
        bigrams |= rules.title_terms(f.question, f.keywords, f.answer)

    pairs = [(s.term, list(s.expansions)) for s in Synonym.objects.order_by("term")]
    synonyms = rules.synonym_table(pairs)
    for term, expansions in pairs:
        vocabulary.update(rules.folded(" ".join([term, *expansions])).split())
        for text in [term, *expansions]:
            bigrams |= rules.title_terms(text)
    # Known bigrams let the typo rule check a correction against its neighbour.
    vocabulary.update({b: 1 for b in bigrams if "_" in b and b not in vocabulary})

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    retriever = bm25s.BM25()
    if corpus:
        retriever.index(corpus, show_progress=False)
    return AssistantIndex(version, entries, retriever, dict(vocabulary), synonyms)
