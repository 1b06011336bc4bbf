"""Storing uploaded files bit-exact, content-addressed by SHA-256."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from cqs.core.errors import PayloadTooLarge, ValidationError
from cqs.dossiers.models import Dossier, DossierFile, FileKind
from cqs.dossiers.rules import sniff_content_type


@dataclass(frozen=True)
class Upload:
    """One file as received: bytes and the name the sender gave it."""

    filename: str
    content: bytes
    requirement: int | None = None  # position of the catalogue document it satisfies
    name: str = ""


def check_upload(upload: Upload) -> tuple[str, str]:
    """Validate one upload; return (content type, extension) sniffed from its bytes."""
    limit = settings.CQS_MAX_UPLOAD_MB * 1024 * 1024
    if not upload.content:
        raise ValidationError(f"Tệp «{upload.filename}» rỗng.", details={"file": upload.filename})
    if len(upload.content) > limit:
        raise PayloadTooLarge(
            f"Tệp «{upload.filename}» vượt quá {settings.CQS_MAX_UPLOAD_MB} MB.",
            details={"file": upload.filename, "size": len(upload.content), "limit": limit},
        )
    kind = sniff_content_type(upload.content[:16])
    if kind is None:
        raise ValidationError(
            f"Tệp «{upload.filename}» không phải PDF, JPEG hoặc PNG.",
            details={"file": upload.filename},
        )
    return kind


def _put(content: bytes, digest: str, extension: str) -> str:
    """Write ``content`` at its content address unless the same bytes are there already.

    The name is a function of the SHA-256, so a file present under it holds these bytes: no
    database look-up, no second copy. On the local file system the bytes go to a temporary
    file renamed into place, so a crash never leaves a partial file under a valid name."""
    name = f"dossiers/{digest[:2]}/{digest}{extension}"
    storage = DossierFile._meta.get_field("file").storage
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
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return name
    if storage.exists(name):
        return name
    return str(storage.save(name, ContentFile(content)))


def store_files(
    *,
    uploads: list[tuple[Dossier, Upload, Any]],
    kind: FileKind,
    actor: Any,
) -> list[DossierFile]:
    """Store several (dossier, upload, requirement) triples with one INSERT."""
    records = [
        _record(dossier=d, upload=u, kind=kind, actor=actor, requirement=r) for d, u, r in uploads
    ]
    return DossierFile.objects.bulk_create(records) if records else []


def _record(
    *, dossier: Dossier, upload: Upload, kind: FileKind, actor: Any, requirement: Any
) -> DossierFile:
    content_type, extension = check_upload(upload)
    digest = hashlib.sha256(upload.content).hexdigest()
    record = DossierFile(
        dossier=dossier,
        requirement=requirement,
        kind=kind,
        name=(upload.name or upload.filename)[:255],
        original_filename=upload.filename[:255],
        content_type=content_type,
        extension=extension,
        size=len(upload.content),
        sha256=digest,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    record.file.name = _put(upload.content, digest, extension)  # same bytes: shared
    return record


def store_file(
    *, dossier: Dossier, upload: Upload, kind: FileKind, actor: Any, requirement: Any = None
) -> DossierFile:
    record = _record(
        dossier=dossier, upload=upload, kind=kind, actor=actor, requirement=requirement
    )
    record.save()
    return record
