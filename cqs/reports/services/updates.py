"""What the reporter adds after sending: a note and photos (Open311 service request updates,
the tracking page's "Bổ sung ảnh").

The reporter proves who they are by being logged in as the sender, by the private tracking key
(the Open311 token), or, for an Open311 client, by the e-mail address given when reporting.
Added photos go through the same checks as at submission (type from the bytes, size, EXIF
removed from the public copy) and wait for a moderator before they are public; the note is kept
in the private timeline (staff and the reporter), never published as typed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.reports import rules
from cqs.reports.models import PhotoKind, PhotoReview, Report, ReportEvent
from cqs.reports.permissions import is_reporter
from cqs.reports.photos import CheckedPhoto, PhotoUpload, check_photo, store_photo
from cqs.reports.services._common import append_event, lock_report
from cqs.reports.workflow import FINAL_STATES

MAX_NOTE = 2000
SUPPLEMENT = "supplement"


@dataclass(frozen=True)
class Supplement:
    report: Report
    event: ReportEvent
    photos: int


def _email_matches(report: Report, email: str) -> bool:
    email = email.strip().lower()
    if not email:
        return False
    known = (report.contact_email or (report.reporter.email if report.reporter else "")).lower()
    return bool(known) and hmac.compare_digest(known.encode(), email.encode())


def report_supplement(
    *,
    actor: Any,
    code: str,
    note: str = "",
    photos: list[PhotoUpload] | None = None,
    reporter_key: str = "",
    email: str = "",
    source: str = "web",
    client_update_id: str = "",
    now: datetime | None = None,
) -> Supplement:
    """Add a note and/or photos to a report the caller sent; the report's state is unchanged."""
    uploads = photos or []
    text = rules.clean_text(note)
    if len(text) > MAX_NOTE:
        raise ValidationError(f"Nội dung bổ sung tối đa {MAX_NOTE} ký tự.", details={"note": []})
    if len(uploads) > rules.MAX_PHOTOS:
        raise ValidationError(f"Tối đa {rules.MAX_PHOTOS} ảnh.", details={"photos": []})
    # Checked before the transaction: a bad or oversized file (PayloadTooLarge, 413) stops
    # everything and nothing is written.
    checked: list[CheckedPhoto] = [check_photo(u) for u in uploads]
    if not text and not checked:
        raise ValidationError("Vui lòng chọn ảnh hoặc nhập nội dung bổ sung.")
    now = now or timezone.now()
    with transaction.atomic():
        report = lock_report(code, None)
        if not (is_reporter(actor, report, reporter_key) or _email_matches(report, email)):
            raise PermissionDenied("Chỉ người gửi phản ánh được bổ sung thông tin.")
        if report.status in FINAL_STATES:
            raise TransitionNotAllowed(
                f"Phản ánh ở trạng thái «{report.status_label}», không thể bổ sung thêm.",
                details={"status": report.status},
            )
        have = report.photos.filter(kind=PhotoKind.BEFORE).count()
        if have + len(checked) > rules.MAX_PHOTOS:
            raise ValidationError(
                f"Mỗi phản ánh có tối đa {rules.MAX_PHOTOS} ảnh hiện trường "
                f"(đã có {have}, còn thêm được {max(0, rules.MAX_PHOTOS - have)}).",
                details={"photos": [], "have": have},
            )
        if client_update_id:
            # A client that retries after a lost answer gets the update it already made.
            earlier = report.events.filter(
                type=SUPPLEMENT, data__client_update_id=client_update_id[:100]
            ).first()
            if earlier is not None:
                return Supplement(report=report, event=earlier, photos=0)
        stored = [
            store_photo(report=report, photo=p, kind=PhotoKind.BEFORE, review=PhotoReview.PENDING)
            for p in checked
        ]
        report.updated_at = now
        report.version += 1
        report.save(update_fields=["updated_at", "version"])
        user = actor if getattr(actor, "is_authenticated", False) else None
        data: dict[str, Any] = {"photos": [p.pk for p in stored], "source": source}
        if client_update_id:
            data["client_update_id"] = client_update_id[:100]
        event = append_event(
            report,
            type=SUPPLEMENT,
            actor=user,
            at=now,
            from_status=report.status,
            note=text,
            is_public=False,
            data=data,
        )
        audit_record(
            actor=user,
            action="report.supplement",
            obj=report,
            changes={"photos": len(stored), "note": bool(text), "source": source},
        )
    return Supplement(report=report, event=event, photos=len(stored))
