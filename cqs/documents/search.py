"""Full-text search over documents, accent-insensitive.

The folded text (``cqs.core.text.fold``: lower case, no diacritics) of the number and
notation, summary, issuer and the text extracted from attached PDFs is kept in
``Document.search_text``. On SQLite an FTS5 table ``documents_search`` (created by migration
0002, rowid = document id) indexes it; on PostgreSQL a GIN index over
``to_tsvector('simple', search_text)`` does. The services keep both in sync.
"""

from __future__ import annotations

import re

from django.db import connection

from cqs.core.text import fold

_WORD = re.compile(r"[0-9a-z]+")


def words(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:12]


def normalize(text: str) -> str:
    """Folded words separated by single spaces: '12/QĐ-UBND' -> '12 qd ubnd' (so PostgreSQL's
    parser does not read it as a file path, and both engines see the same tokens)."""
    return " ".join(_WORD.findall(fold(text)))


def index_document(document_id: int, text: str) -> None:
    """Refresh the FTS5 row of one document (PostgreSQL reads the column directly)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM documents_search WHERE rowid = %s", [document_id])
        cursor.execute(
            "INSERT INTO documents_search (rowid, body) VALUES (%s, %s)", [document_id, text]
        )


def matching_ids_sql(query: str) -> tuple[str, list[str]] | None:
    """(SQL selecting matching document ids, params); None for an empty query."""
    terms = words(query)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        expr = " & ".join(f"{t}:*" for t in terms)
        return (
            "SELECT id FROM documents_document "
            "WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)",
            [expr],
        )
    match = " ".join(f'"{t}"*' for t in terms)
    return "SELECT rowid FROM documents_search WHERE documents_search MATCH %s", [match]
