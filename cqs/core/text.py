"""Vietnamese text helpers: NFC normalisation and diacritic-free folding for search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, diacritic-free, single-spaced form of ``text``: 'Đăng ký' -> 'dang ky'."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d")
    return _SPACES.sub(" ", stripped).strip()


def format_dong(amount: int) -> str:
    """8000 -> "8.000": Vietnamese groups thousands with dots (Django's "vi" locale sets no
    thousand separator, so intcomma would print 8000)."""
    return f"{amount:,}".replace(",", ".")
