"""Blank form files on disk, content-addressed by SHA-256 (the style of dossiers' storage)."""

from __future__ import annotations

import contextlib
import os
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from cqs.catalogue.models import DocumentRequirement


def form_storage_name(digest: str, extension: str) -> str:
    return f"catalogue/forms/{digest[:2]}/{digest}{extension}"


def put_form(content: bytes, digest: str, extension: str) -> str:
    """Write ``content`` under its content address unless those bytes are there already.

    Files are never overwritten or deleted: a replaced form keeps its old file (a few
    hundred KB), so a page cached a moment ago never links to a missing file and the audit
    log's SHA-256 still names bytes that exist."""
    name = form_storage_name(digest, extension)
    storage = DocumentRequirement._meta.get_field("form_file").storage
    if isinstance(storage, FileSystemStorage):
        path = storage.path(name)
        if os.path.exists(path):
            return name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)  # never a partial file under a valid name
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return name
    if storage.exists(name):
        return name
    return str(storage.save(name, ContentFile(content)))
