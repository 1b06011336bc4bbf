"""What every report service shares: the contact, error collection, the row lock, events,
notifications to the reporter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from cqs.core.errors import Conflict, NotFound, ValidationError
from cqs.notifications.services import notification_enqueue
from cqs.reports import rules
from cqs.reports.models import Report, ReportEvent
from cqs.units.models import AdministrativeUnit

MAX_DESCRIPTION = 4000
_PHONE_OK = re.compile(r"^(\+84|0)\d{9,10}$")


@dataclass(frozen=True)
class Contact:
    """The reporter's contact when not logged in; kept private."""

    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Errors:
    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationError(first, details=self.fields)


def append_event(
    report: Report,
    *,
    type: str,
    actor: Any,
    at: datetime,
    from_status: str = "",
    note: str = "",
    is_public: bool = True,
    data: dict[str, Any] | None = None,
) -> ReportEvent:
    seq = (report.events.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    name = ""
    if getattr(actor, "pk", None):
        name = getattr(actor, "full_name", "") or getattr(actor, "username", "")
    return ReportEvent.objects.create(
        report=report,
        seq=seq,
        type=type,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=name,
        agency=report.agency,
        from_status=from_status,
        to_status=report.status,
        note=note,
        is_public=is_public,
        data=data or {},
    )


def notify_reporter(report: Report, subject: str, body: str) -> None:
    email = report.contact_email or (report.reporter.email if report.reporter else "")
    phone = report.contact_phone or (
        getattr(report.reporter, "phone", "") if report.reporter else ""
    )
    notification_enqueue(
        email=email, phone=phone, subject=subject, body=body, reference=report.code
    )


def tracking_url(report: Report) -> str:
    return f"{settings.CQS_PUBLIC_BASE_URL}/phan-anh/theo-doi/{report.code}/"


def validate_where(
    lat: Decimal | None,
    lon: Decimal | None,
    commune: AdministrativeUnit | None,
    address: str,
    errors: Errors,
) -> None:
    if (lat is None) != (lon is None):
        errors.add("location", "Vị trí cần đủ vĩ độ và kinh độ.")
    elif lat is not None and lon is not None and not rules.in_vietnam(lat, lon):
        errors.add("location", "Vị trí nằm ngoài lãnh thổ Việt Nam. Vui lòng chọn lại trên bản đồ.")
    if lat is None and commune is None and not address.strip():
        errors.add("location", "Vui lòng chọn vị trí trên bản đồ hoặc chọn xã/phường và địa chỉ.")
    elif lat is None and not address.strip():
        errors.add("address", "Vui lòng nhập địa chỉ nơi xảy ra sự việc.")


def validate_contact(contact: Contact, errors: Errors) -> None:
    phone = contact.phone.replace(" ", "").replace(".", "")
    if phone and not _PHONE_OK.match(phone):
        errors.add("contact.phone", "Số điện thoại không hợp lệ (ví dụ 0912345678).")
    if contact.email:
        try:
            EmailValidator()(contact.email)
        except DjangoValidationError:
            errors.add("contact.email", "Địa chỉ thư điện tử không hợp lệ.")


def fmt_local(dt: datetime | None) -> str:
    return "" if dt is None else timezone.localtime(dt).strftime("%H:%M ngày %d/%m/%Y")


def lock_report(code: str, expected_version: int | None) -> Report:
    report = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
        Report.objects.select_for_update(of=("self",))
        .select_related("agency", "category", "reporter")
        .filter(code=code)
        .first()
    )
    if report is None:
        raise NotFound("Không tìm thấy phản ánh.")
    if expected_version is not None and report.version != expected_version:
        raise Conflict(details={"version": report.version})
    return report
