"""Vietnamese text helpers: NFC normalisation and diacritic-free folding for search."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# U+0300-U+036F (Combining Diacritical Marks) are all nonspacing marks (Mn): every mark
# Vietnamese and other Latin text decomposes into.
_LATIN_MARKS = dict.fromkeys(range(0x300, 0x370))


def fold(text: str) -> str:
    """Lower-case, diacritic-free, single-spaced form of ``text``: 'Đăng ký' -> 'dang ky'."""
    stripped = unicodedata.normalize("NFD", text.lower()).translate(_LATIN_MARKS)
    stripped = stripped.replace("đ", "d")
    if not stripped.isascii():  # marks of other scripts: the general (slower) rule
        stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.split())  # str.split and re's \s agree on Unicode whitespace


def format_dong(amount: int) -> str:
    """8000 -> "8.000": Vietnamese groups thousands with dots (Django's "vi" locale sets no
    thousand separator, so intcomma would print 8000)."""
    return f"{amount:,}".replace(",", ".")
