"""Photo checks and storage: type from the bytes, size bounded, a public copy without EXIF."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from cqs.core.errors import PayloadTooLarge, ValidationError
from cqs.reports.models import PhotoReview, Report, ReportPhoto
from cqs.reports.rules import MAX_PHOTOS, sniff_photo

MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; more is a decompression bomb
PUBLIC_MAX_SIDE = 1600


@dataclass(frozen=True)
class PhotoUpload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedPhoto:
    upload: PhotoUpload
    content_type: str
    extension: str
    pil_format: str
    width: int
    height: int


def max_photo_bytes() -> int:
    return int(float(settings.CQS_REPORTS_PHOTO_MAX_MB) * 1024 * 1024)


def uploads_from(files: list[Any], *, limit: int = MAX_PHOTOS + 1) -> list[PhotoUpload]:
    """Uploaded files (Django ``UploadedFile``) as ``PhotoUpload``s. An oversized file is not
    read into memory: a stand-in of limit + 1 bytes carries its size to ``check_photo``, which
    answers 413 with the file's name."""
    biggest = max_photo_bytes()
    uploads = []
    for f in files[:limit]:
        size = getattr(f, "size", None)
        content = f.read() if size is None or size <= biggest else b"\0" * (biggest + 1)
        uploads.append(PhotoUpload(getattr(f, "name", "") or "anh", content))
    return uploads


def check_photo(upload: PhotoUpload) -> CheckedPhoto:
    name = upload.filename[:100]
    limit = max_photo_bytes()
    if not upload.content:
        raise ValidationError(f"Ảnh «{name}» rỗng.", details={"file": name})
    if len(upload.content) > limit:
        raise PayloadTooLarge(
            f"Ảnh «{name}» quá lớn (tối đa {settings.CQS_REPORTS_PHOTO_MAX_MB:g} MB).",
            details={"file": name, "size": len(upload.content), "limit": limit},
        )
    kind = sniff_photo(upload.content[:16])
    if kind is None:
        raise ValidationError(
            f"Tệp «{name}» không phải ảnh JPEG, PNG hoặc WebP.", details={"file": name}
        )
    try:
        with Image.open(io.BytesIO(upload.content)) as img:
            if img.format != kind[2]:
                raise ValidationError(f"Ảnh «{name}» bị hỏng.", details={"file": name})
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    f"Ảnh «{name}» có kích thước quá lớn.", details={"file": name}
                )
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"Ảnh «{name}» bị hỏng.", details={"file": name}) from exc
    return CheckedPhoto(upload, kind[0], kind[1], kind[2], width, height)


def public_copy(photo: CheckedPhoto) -> bytes:
    """Re-encode the pixels only: EXIF (GPS, camera, time), XMP and comments are dropped."""
    with Image.open(io.BytesIO(photo.upload.content)) as img:
        upright = ImageOps.exif_transpose(img)
        mode = "RGBA" if photo.pil_format != "JPEG" and "A" in upright.getbands() else "RGB"
        pixels = upright.convert(mode)
        pixels.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
        clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
        out = io.BytesIO()
        if photo.pil_format == "JPEG":
            clean.save(out, format="JPEG", quality=85)
        else:
            clean.save(out, format=photo.pil_format)
        return out.getvalue()


def store_photo(
    *, report: Report, photo: CheckedPhoto, kind: str, review: str = PhotoReview.APPROVED
) -> ReportPhoto:
    digest = hashlib.sha256(photo.upload.content).hexdigest()
    record = ReportPhoto(
        report=report,
        kind=kind,
        content_type=photo.content_type,
        size=len(photo.upload.content),
        sha256=digest,
        width=photo.width,
        height=photo.height,
        uploaded_at=timezone.now(),
        review=review,
    )
    record.original.save(
        f"{digest}{photo.extension}", ContentFile(photo.upload.content), save=False
    )
    record.public.save(f"{digest}{photo.extension}", ContentFile(public_copy(photo)), save=False)
    record.save()
    return record


def read_file(field: Any) -> bytes:
    with field.open("rb") as fh:
        data: bytes = fh.read()
    return data
