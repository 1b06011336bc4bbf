"""Receiving a citizen's report (web form, Open311 POST)."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import Conflict, ValidationError
from cqs.reports import rules
from cqs.reports.models import Category, PhotoKind, Report
from cqs.reports.photos import CheckedPhoto, PhotoUpload, check_photo, store_photo
from cqs.reports.services._common import (
    MAX_DESCRIPTION,
    Contact,
    Errors,
    append_event,
    fmt_local,
    notify_reporter,
    tracking_url,
    validate_contact,
    validate_where,
)
from cqs.reports.services.routing import report_route
from cqs.reports.workflow import Status
from cqs.units.models import AdministrativeUnit
from cqs.workdays.selectors import work_calendar


def report_submit(
    *,
    actor: Any,
    category: Category,
    description: str,
    lat: Decimal | None = None,
    lon: Decimal | None = None,
    commune: AdministrativeUnit | None = None,
    address: str = "",
    photos: list[PhotoUpload] | None = None,
    contact: Contact | None = None,
    attributes: dict[str, str] | None = None,
    channel: str = "web",
    require_contact: bool = True,
    now: datetime | None = None,
) -> Report:
    """Receive a citizen's report: validate everything first, then route, plan the deadline,
    store the photos and the first event in one transaction."""
    photos = photos or []
    contact = contact or Contact()
    errors = Errors()
    text = rules.clean_text(description)
    if not category.is_active:
        errors.add("category", "Lĩnh vực phản ánh không còn được sử dụng.")
    if len(text) < 10:
        errors.add("description", "Vui lòng mô tả sự việc (ít nhất 10 ký tự).")
    elif len(text) > MAX_DESCRIPTION:
        errors.add("description", f"Nội dung tối đa {MAX_DESCRIPTION} ký tự.")
    validate_where(lat, lon, commune, address, errors)
    validate_contact(contact, errors)
    logged_in = bool(getattr(actor, "is_authenticated", False))
    if require_contact and not logged_in and not (contact.phone or contact.email):
        errors.add(
            "contact", "Vui lòng để lại số điện thoại hoặc email để nhận kết quả (không công khai)."
        )
    for attr in category.attributes:
        code = str(attr.get("code", ""))
        if attr.get("required") and not (attributes or {}).get(code):
            errors.add(f"attribute[{code}]", f"Thiếu thông tin: {attr.get('description', code)}.")
    if len(photos) > rules.MAX_PHOTOS:
        errors.add("photos", f"Tối đa {rules.MAX_PHOTOS} ảnh.")
    checked: list[CheckedPhoto] = []
    for i, upload in enumerate(photos[: rules.MAX_PHOTOS]):
        try:
            checked.append(check_photo(upload))
        except ValidationError as exc:
            errors.add(f"photos.{i}", exc.message)
        # PayloadTooLarge propagates with its 413 status
    errors.raise_if_any()
    now = now or timezone.now()
    agency, rule_id = report_route(category=category, commune=commune, text=text, at=now)
    cal = work_calendar()
    deadline = rules.deadline_from(cal, now, category.deadline_value, category.deadline_unit)
    with transaction.atomic():
        report = Report(
            code=rules.report_code(timezone.localtime(now).date()),
            token=secrets.token_urlsafe(24),
            category=category,
            description=text,
            public_description=rules.mask_personal_data(text),
            lat=lat,
            lon=lon,
            commune=commune,
            address=rules.clean_text(address)[:255],
            attributes={k: str(v)[:200] for k, v in (attributes or {}).items()},
            reporter=actor if logged_in else None,
            contact_name=contact.name.strip()[:150],
            contact_phone=contact.phone.replace(" ", "").replace(".", "")[:20],
            contact_email=contact.email.strip()[:254],
            channel=channel,
            status=Status.RECEIVED,
            is_open=True,
            agency=agency,
            agency_since=now,
            routing_rule_id=rule_id,
            created_at=now,
            updated_at=now,
            deadline=deadline,
        )
        for _ in range(5):
            try:
                with transaction.atomic():
                    report.save(force_insert=True)
                break
            except IntegrityError:  # a random code collided: draw another
                report.code = rules.report_code(timezone.localtime(now).date())
                report.pk = None
        else:
            raise Conflict("Không tạo được mã theo dõi. Vui lòng thử lại.")
        for photo in checked:
            store_photo(report=report, photo=photo, kind=PhotoKind.BEFORE)
        append_event(
            report,
            type="received",
            actor=actor if logged_in else None,
            at=now,
            data={
                "agency": agency.code,
                "rule": rule_id,
                "deadline": deadline.isoformat(),
                "channel": channel,
            },
        )
        audit_record(
            actor=actor if logged_in else None,
            action="report.submit",
            obj=report,
            changes={"category": category.code, "agency": agency.code, "photos": len(checked)},
        )
        notify_reporter(
            report,
            f"Phản ánh {report.code} đã được tiếp nhận",
            f"{agency.name} sẽ xử lý trước {fmt_local(deadline)}. Theo dõi: {tracking_url(report)}",
        )
    return report
