"""Moderation before publication (masked public text) and the reporter's rating."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.reports import rules
from cqs.reports.models import PhotoReview, Report
from cqs.reports.permissions import can_moderate_report, is_reporter
from cqs.reports.services._common import MAX_DESCRIPTION, append_event, lock_report
from cqs.reports.workflow import Status


def report_moderate(
    *,
    actor: Any,
    code: str,
    public_description: str,
    publish: bool,
    withhold_photos: list[int] | None = None,
) -> Report:
    """Approve (or withdraw) the public text; personal data in it is masked regardless.

    Publishing also approves the photos the reporter added after sending, except those in
    ``withhold_photos`` (ids), which stay visible to staff and the reporter only."""
    with transaction.atomic():
        report = lock_report(code, None)
        if not can_moderate_report(actor, report):
            raise PermissionDenied("Bạn không có quyền duyệt công khai phản ánh này.")
        text = rules.mask_personal_data(rules.clean_text(public_description))
        if publish and len(text) < 10:
            raise ValidationError("Nội dung công khai quá ngắn.")
        report.public_description = text[:MAX_DESCRIPTION]
        report.is_public = publish
        report.moderated_by = actor
        report.version += 1
        report.save()
        changes: dict[str, Any] = {"public": publish}
        if publish:
            pending = report.photos.filter(review=PhotoReview.PENDING)
            withheld = pending.filter(pk__in=withhold_photos or []).update(
                review=PhotoReview.WITHHELD
            )
            approved = pending.update(review=PhotoReview.APPROVED)
            changes.update({"photos_approved": approved, "photos_withheld": withheld})
        append_event(
            report,
            type="published" if publish else "unpublished",
            actor=actor,
            at=timezone.now(),
            is_public=False,
            data=changes,
        )
        audit_record(actor=actor, action="report.moderate", obj=report, changes=changes)
    return report


def report_rate(
    *, actor: Any, code: str, rating: int, comment: str = "", reporter_key: str = ""
) -> Report:
    with transaction.atomic():
        report = lock_report(code, None)
        if not is_reporter(actor, report, reporter_key):
            raise PermissionDenied("Chỉ người gửi phản ánh được đánh giá kết quả.")
        if report.status not in {Status.RESOLVED, Status.CLOSED}:
            raise TransitionNotAllowed("Chỉ đánh giá được khi phản ánh đã có kết quả.")
        if report.rating is not None:
            raise Conflict("Bạn đã đánh giá phản ánh này.")
        if rating not in range(1, 6):
            raise ValidationError("Mức đánh giá từ 1 đến 5 sao.")
        report.rating = rating
        report.rating_comment = rules.clean_text(comment)[:500]
        report.version += 1
        report.save()
        user = actor if getattr(actor, "is_authenticated", False) else None
        append_event(report, type="rated", actor=user, at=timezone.now(), data={"rating": rating})
        audit_record(actor=user, action="report.rate", obj=report, changes={"rating": rating})
    return report
