"""Shared helpers for the catalogue tests: the demo catalogue file and fresh entries."""

from __future__ import annotations

import copy
import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from cqs.core.text import fold

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "demo_catalogue.json"

BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh
MARRIAGE = "1.000894"  # Thủ tục đăng ký kết hôn


@cache
def _demo_entries() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(FIXTURE.read_text("utf-8")))


def demo_entries() -> list[dict[str, Any]]:
    """A fresh deep copy of the demo catalogue file (the source the demo province was seeded from)."""
    return copy.deepcopy(list(_demo_entries()))


def demo_entry(code: str) -> dict[str, Any]:
    return next(e for e in demo_entries() if e["code"] == code)


def new_entry(
    code: str = "1.999001", name: str = "Thủ tục thử nghiệm cấp giấy phép"
) -> dict[str, Any]:
    """A valid entry not in the demo catalogue, built from the birth registration entry."""
    entry = demo_entry(BIRTH)
    entry["code"] = code
    entry["name"] = name
    entry.pop("agency_codes", None)
    return entry


def matches(entry: dict[str, Any], query: str) -> bool:
    """Oracle for search: every folded word occurs in the folded code, name or sector name."""
    haystack = fold(f"{entry['code']} {entry['name']} {entry['sector']['name']}")
    return all(word in haystack for word in fold(query).split())


def is_vietnamese(text: str) -> bool:
    """True when ``text`` has Vietnamese letters (a diacritic or đ), i.e. it is not plain English."""
    decomposed = unicodedata.normalize("NFD", text)
    return "đ" in text.lower() or any(unicodedata.category(ch) == "Mn" for ch in decomposed)
