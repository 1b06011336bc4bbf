"""The evaluation set (fixtures/eval_questions.json) and its figures, shared by the test and
the benchmark. A question counts as found at rank k when the assistant answered (did not
refuse) and one of its expected procedure codes is among the first k sources."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVAL_SET = Path(__file__).resolve().parent / "fixtures" / "eval_questions.json"


def eval_questions() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(EVAL_SET.read_text(encoding="utf-8"))
    return list(data["questions"])


@dataclass
class EvalReport:
    top1: float
    top3: float
    refusals: float
    latencies: list[float]
    misses: list[str] = field(default_factory=list)


def evaluate(ask: Callable[[str], Any]) -> EvalReport:
    """``ask(question)`` returns an object with ``confident`` and ``sources``."""
    top1 = top3 = positives = refused = negatives = 0
    latencies: list[float] = []
    misses: list[str] = []
    for item in eval_questions():
        start = time.perf_counter()
        answer = ask(item["q"])
        latencies.append(time.perf_counter() - start)
        ranked = [s["id"] for s in answer.sources if s["type"] == "procedure"]
        expected = set(item["expected"])
        if not expected:
            negatives += 1
            if not answer.confident:
                refused += 1
            else:
                misses.append(f"answered out-of-scope: {item['q']!r} -> {ranked[:1]}")
            continue
        positives += 1
        hit1 = answer.confident and bool(set(ranked[:1]) & expected)
        hit3 = answer.confident and bool(set(ranked[:3]) & expected)
        top1 += hit1
        top3 += hit3
        if not hit1:
            state = "refused" if not answer.confident else "ranked"
            misses.append(f"{state}: {item['q']!r} want {sorted(expected)} got {ranked[:3]}")
    return EvalReport(
        top1=top1 / positives,
        top3=top3 / positives,
        refusals=refused / negatives,
        latencies=latencies,
        misses=misses,
    )
