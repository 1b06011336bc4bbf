"""Blank form files on disk, content-addressed by SHA-256 (the style of dossiers' storage)."""

from __future__ import annotations

from cqs.catalogue.models import DocumentRequirement
from cqs.core.files import put_content_addressed


def form_storage_name(digest: str, extension: str) -> str:
    return f"catalogue/forms/{digest[:2]}/{digest}{extension}"


def put_form(content: bytes, digest: str, extension: str) -> str:
    """Write ``content`` under its content address unless those bytes are there already.

    Files are never overwritten or deleted: a replaced form keeps its old file (a few
    hundred KB), so a page cached a moment ago never links to a missing file and the audit
    log's SHA-256 still names bytes that exist."""
    name = form_storage_name(digest, extension)
    storage = DocumentRequirement._meta.get_field("form_file").storage
    return put_content_addressed(storage, name, content)
