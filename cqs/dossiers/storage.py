"""Storing uploaded files bit-exact, content-addressed by SHA-256."""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from cqs.core.errors import PayloadTooLarge, ValidationError
from cqs.core.files import put_content_addressed
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
    """Write ``content`` at its content address unless the same bytes are there already."""
    name = f"dossiers/{digest[:2]}/{digest}{extension}"
    return put_content_addressed(DossierFile._meta.get_field("file").storage, name, content)


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


@dataclass(frozen=True)
class PurgeReport:
    checked: int
    deleted: int
    freed_bytes: int
    kept_recent: int


def files_purge_unreferenced(
    *, actor: Any, older_than: timedelta = timedelta(hours=24), dry_run: bool = False
) -> PurgeReport:
    """Delete stored dossier files that no dossier and no draft refers to any more — papers
    of a draft the citizen deleted or replaced (personal data kept no longer than needed:
    Decree 13/2023/ND-CP art. 3.8, storage limitation), and bytes left by an intake that failed
    after writing them. Files changed within ``older_than`` are kept (an intake may be about to
    commit a reference to them). Local file storage only."""
    from django.db import transaction
    from django.utils import timezone

    from cqs.audit.services import audit_record
    from cqs.dossiers.models import DossierDraft

    storage = DossierFile._meta.get_field("file").storage
    if not isinstance(storage, FileSystemStorage):
        return PurgeReport(0, 0, 0, 0)
    root = os.path.join(storage.location, "dossiers")
    cutoff = (timezone.now() - older_than).timestamp()
    referenced = set(DossierFile.objects.values_list("file", flat=True).iterator(5000))
    for files in DossierDraft.objects.values_list("files", flat=True).iterator(2000):
        referenced.update(str(f.get("path", "")) for f in files or [])
    checked = deleted = freed = recent = 0
    for folder, _, names in os.walk(root):
        for filename in names:
            if filename.startswith(".upload-"):
                continue  # being written now, or left by a crash: the rename never happened
            path = os.path.join(folder, filename)
            name = os.path.relpath(path, storage.location).replace(os.sep, "/")
            checked += 1
            if name in referenced:
                continue
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            if info.st_mtime > cutoff:
                recent += 1
                continue
            if not dry_run:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            deleted += 1
            freed += info.st_size
    report = PurgeReport(checked, deleted, freed, recent)
    if not dry_run and deleted:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="dossier_files.purge",
                object_type="dossiers.dossierfile",
                object_repr=f"{deleted} tệp không còn hồ sơ nào dùng",
                changes={
                    "deleted": deleted,
                    "freed_bytes": freed,
                    "older_than_hours": older_than.total_seconds() / 3600,
                },
            )
    return report
