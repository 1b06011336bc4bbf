"""Content-addressed file storage shared by the apps that keep uploaded bytes."""

from __future__ import annotations

import contextlib
import os
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage


def put_content_addressed(storage: Storage, name: str, content: bytes) -> str:
    """Write ``content`` under ``name`` (a function of its SHA-256) unless it is there already.

    A file present under the name holds these bytes: no look-up, no second copy. On the local
    file system the bytes go to a temporary file renamed into place, so a crash never leaves a
    partial file under a valid name; a reused file gets a fresh mtime, so a purge of
    unreferenced files (which spares recent ones) cannot delete it while the transaction that
    now refers to it is still open."""
    if isinstance(storage, FileSystemStorage):
        path = storage.path(name)
        if os.path.exists(path):
            with contextlib.suppress(OSError):
                os.utime(path)
            return name
        directory = os.path.dirname(path)
        tmp = os.path.join(directory, f".upload-{secrets.token_hex(8)}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:  # the first file under this prefix
            os.makedirs(directory, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return name
    if storage.exists(name):
        return name
    return str(storage.save(name, ContentFile(content)))
