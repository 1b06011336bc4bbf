"""Storing uploaded files bit-exact, content-addressed by SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile

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


def store_file(
    *, dossier: Dossier, upload: Upload, kind: FileKind, actor: Any, requirement: Any = None
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
    existing = DossierFile.objects.filter(sha256=digest).exclude(file="").first()
    if existing is not None and existing.file.storage.exists(existing.file.name):
        record.file.name = existing.file.name  # same bytes already stored: share them
    else:
        record.file.save(f"{digest}{extension}", ContentFile(upload.content), save=False)
    record.save()
    return record
