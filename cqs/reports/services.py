"""Every state change of a field report, one door each.

Each service checks permission and the transition table, writes in one transaction (row lock
and ``expected_version``: the loser of two simultaneous actions gets a Conflict), appends one
event, writes its audit row and queues the reporter's notification (sent after commit).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from cqs.accounts.models import User
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from cqs.notifications.services import notification_enqueue
from cqs.reports import rules
from cqs.reports.models import (
    Category,
    Open311Key,
    PhotoKind,
    Report,
    ReportEvent,
    RoutingRule,
)
from cqs.reports.permissions import (
    actor_roles,
    can_manage_open311_keys,
    can_moderate_report,
    is_reporter,
    staff_roles_at,
)
from cqs.reports.photos import CheckedPhoto, PhotoUpload, check_photo, store_photo
from cqs.reports.workflow import (
    ACTION_LABELS,
    CLOSED_STATES,
    HD,
    LD,
    PO,
    STATUS_LABELS,
    SYSTEM,
    Action,
    Status,
    transition,
)
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind
from cqs.workdays.selectors import work_calendar

MAX_DESCRIPTION = 4000
_PHONE_OK = re.compile(r"^(\+84|0)\d{9,10}$")


@dataclass(frozen=True)
class Contact:
    """The reporter's contact when not logged in; kept private."""

    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class _Errors:
    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationError(first, details=self.fields)


# --- Routing --------------------------------------------------------------------------------


def _routes() -> list[rules.Route]:
    return [
        rules.Route(
            rule_id=r.pk,
            priority=r.priority,
            agency_id=r.agency_id,
            commune_id=r.commune_id,
            category_id=r.category_id,
            start=r.start_time,
            end=r.end_time,
            keywords=rules.parse_keywords(r.keywords),
        )
        for r in RoutingRule.objects.filter(is_active=True, agency__is_active=True)
    ]


def report_route(
    *, category: Category, commune: AdministrativeUnit | None, text: str, at: datetime
) -> tuple[Agency, int | None]:
    """The responsible agency: the first matching rule, else the category's default agency,
    else the commune's people's committee, else the province's."""
    route = rules.choose_route(
        _routes(),
        category_id=category.pk,
        commune_id=commune.pk if commune else None,
        local_time=timezone.localtime(at).time(),
        text=text,
    )
    if route is not None:
        return Agency.objects.get(pk=route.agency_id), route.rule_id
    if category.default_agency_id and category.default_agency.is_active:  # type: ignore[union-attr]
        return category.default_agency, None  # type: ignore[return-value]
    kinds = [AgencyKind.COMMUNE_COMMITTEE]
    if commune is not None:
        agency = Agency.objects.filter(unit=commune, kind__in=kinds, is_active=True).first()
        if agency is not None:
            return agency, None
    agency = Agency.objects.filter(kind=AgencyKind.PROVINCE_COMMITTEE, is_active=True).first()
    if agency is None:
        raise ValidationError("Chưa cấu hình cơ quan tiếp nhận phản ánh.")
    return agency, None


# --- Helpers --------------------------------------------------------------------------------


def _event(
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


def _notify_reporter(report: Report, subject: str, body: str) -> None:
    email = report.contact_email or (report.reporter.email if report.reporter else "")
    phone = report.contact_phone or (
        getattr(report.reporter, "phone", "") if report.reporter else ""
    )
    notification_enqueue(
        email=email, phone=phone, subject=subject, body=body, reference=report.code
    )


def _tracking_url(report: Report) -> str:
    return f"{settings.CQS_PUBLIC_BASE_URL}/phan-anh/theo-doi/{report.code}/"


def _validate_where(
    lat: Decimal | None,
    lon: Decimal | None,
    commune: AdministrativeUnit | None,
    address: str,
    errors: _Errors,
) -> None:
    if (lat is None) != (lon is None):
        errors.add("location", "Vị trí cần đủ vĩ độ và kinh độ.")
    elif lat is not None and lon is not None and not rules.in_vietnam(lat, lon):
        errors.add("location", "Vị trí nằm ngoài lãnh thổ Việt Nam. Vui lòng chọn lại trên bản đồ.")
    if lat is None and commune is None and not address.strip():
        errors.add("location", "Vui lòng chọn vị trí trên bản đồ hoặc chọn xã/phường và địa chỉ.")
    elif lat is None and not address.strip():
        errors.add("address", "Vui lòng nhập địa chỉ nơi xảy ra sự việc.")


def _validate_contact(contact: Contact, errors: _Errors) -> None:
    phone = contact.phone.replace(" ", "").replace(".", "")
    if phone and not _PHONE_OK.match(phone):
        errors.add("contact.phone", "Số điện thoại không hợp lệ (ví dụ 0912345678).")
    if contact.email:
        try:
            EmailValidator()(contact.email)
        except DjangoValidationError:
            errors.add("contact.email", "Địa chỉ thư điện tử không hợp lệ.")


# --- Submit ---------------------------------------------------------------------------------


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
    errors = _Errors()
    text = rules.clean_text(description)
    if not category.is_active:
        errors.add("category", "Lĩnh vực phản ánh không còn được sử dụng.")
    if len(text) < 10:
        errors.add("description", "Vui lòng mô tả sự việc (ít nhất 10 ký tự).")
    elif len(text) > MAX_DESCRIPTION:
        errors.add("description", f"Nội dung tối đa {MAX_DESCRIPTION} ký tự.")
    _validate_where(lat, lon, commune, address, errors)
    _validate_contact(contact, errors)
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
        _event(
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
        _notify_reporter(
            report,
            f"Phản ánh {report.code} đã được tiếp nhận",
            f"{agency.name} sẽ xử lý trước {_fmt(deadline)}. Theo dõi: {_tracking_url(report)}",
        )
    return report


def _fmt(dt: datetime | None) -> str:
    return "" if dt is None else timezone.localtime(dt).strftime("%H:%M ngày %d/%m/%Y")


# --- Workflow actions -----------------------------------------------------------------------

REJECT_REASONS = {"duplicate": "Trùng với phản ánh khác", "out_of_scope": "Không thuộc phạm vi"}


def _lock(code: str, expected_version: int | None) -> Report:
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


def report_act(
    *,
    actor: Any,
    code: str,
    action: str,
    expected_version: int | None = None,
    reporter_key: str = "",
    note: str = "",
    assignee: User | None = None,
    to_agency: Agency | None = None,
    answer: str = "",
    reason: str = "",
    duplicate_of: str = "",
    photos: list[PhotoUpload] | None = None,
    now: datetime | None = None,
) -> Report:
    """Perform one workflow action (see ``workflow.TRANSITIONS``)."""
    now = now or timezone.now()
    note = rules.clean_text(note)[:2000]
    checked = [check_photo(p) for p in (photos or [])[: rules.MAX_PHOTOS]]
    with transaction.atomic():
        report = _lock(code, expected_version)
        t = transition(report.status, action)
        if t is None:
            raise TransitionNotAllowed(
                f"Không thể «{ACTION_LABELS.get(Action(action), action) if action in Action else action}» "
                f"khi phản ánh ở trạng thái «{report.status_label}».",
                details={"status": report.status, "action": action},
            )
        roles = {SYSTEM} if actor == SYSTEM else actor_roles(actor, report, reporter_key)
        if not (t.roles & roles):
            raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với phản ánh.")
        user = None if actor == SYSTEM else actor
        previous = report.status
        data: dict[str, Any] = {}
        public_note = note
        handler = _HANDLERS[Action(action)]
        handler(
            report,
            user=user,
            now=now,
            note=note,
            assignee=assignee,
            to_agency=to_agency,
            answer=answer,
            reason=reason,
            duplicate_of=duplicate_of,
            data=data,
            reporter_key=reporter_key,
        )
        if t.to is not None and report.status == previous:
            report.status = t.to
        report.is_open = report.status not in CLOSED_STATES
        report.updated_at = now
        report.version += 1
        report.save()
        if action == Action.RESOLVE:
            for photo in checked:
                store_photo(report=report, photo=photo, kind=PhotoKind.AFTER)
            public_note = report.answer
        _event(
            report,
            type=str(action),
            actor=user,
            at=now,
            from_status=previous,
            note=public_note if action != Action.TRANSFER else data.get("reason", ""),
            data=data,
        )
        audit_record(
            actor=user,
            action=f"report.{action}",
            obj=report,
            changes={"from": previous, "to": report.status, **data},
        )
        if report.status != previous or action == Action.TRANSFER:
            _notify_reporter(
                report,
                f"Phản ánh {report.code}: {STATUS_LABELS[Status(report.status)]}",
                (report.answer if action == Action.RESOLVE else note) or _tracking_url(report),
            )
    return report


def _h_verify(report: Report, **_: Any) -> None:
    return None


def _h_assign(report: Report, *, assignee: User | None, data: dict[str, Any], **_: Any) -> None:
    if assignee is None:
        raise ValidationError("Vui lòng chọn cán bộ xử lý.")
    if not staff_roles_at(assignee, report.agency_id) & {PO, HD, LD}:
        raise ValidationError(f"{assignee} không phải cán bộ xử lý của {report.agency.name}.")
    report.assignee = assignee
    data["assignee"] = assignee.username


def _h_start(report: Report, *, user: Any, **_: Any) -> None:
    if report.assignee_id is None and user is not None:
        report.assignee = user


def _h_resolve(
    report: Report, *, answer: str, now: datetime, data: dict[str, Any], **_: Any
) -> None:
    text = rules.clean_text(answer)
    if len(text) < 10:
        raise ValidationError("Vui lòng nhập nội dung trả lời người dân (ít nhất 10 ký tự).")
    report.answer = text[:MAX_DESCRIPTION]
    report.resolved_at = now
    data["on_time"] = report.deadline is None or now <= report.deadline


def _h_reject(
    report: Report,
    *,
    reason: str,
    duplicate_of: str,
    note: str,
    now: datetime,
    user: Any,
    data: dict[str, Any],
    **_: Any,
) -> None:
    if reason not in REJECT_REASONS:
        raise ValidationError("Vui lòng chọn lý do: trùng phản ánh khác hoặc không thuộc phạm vi.")
    if not note:
        raise ValidationError("Vui lòng ghi rõ lý do cho người dân.")
    report.reject_reason = reason
    report.closed_at = now
    data["reason"] = reason
    if reason == "duplicate":
        target = Report.objects.select_for_update().filter(code=duplicate_of.strip()).first()
        if target is None or target.pk == report.pk:
            raise ValidationError("Vui lòng nhập mã phản ánh gốc (đang xử lý) để gộp.")
        while target.merged_into_id is not None:  # follow a chain of merges to its root
            target = Report.objects.select_for_update().get(pk=target.merged_into_id)
        if target.status == Status.REJECTED or target.pk == report.pk:
            raise ValidationError("Phản ánh gốc đã bị từ chối, không thể gộp vào.")
        report.merged_into = target
        data["merged_into"] = target.code
        _event(
            target,
            type="merged",
            actor=user,
            at=now,
            note=f"Gộp phản ánh trùng {report.code}.",
            data={"duplicate": report.code},
        )


def _h_transfer(
    report: Report,
    *,
    to_agency: Agency | None,
    note: str,
    now: datetime,
    data: dict[str, Any],
    **_: Any,
) -> None:
    if to_agency is None or not to_agency.is_active:
        raise ValidationError("Vui lòng chọn cơ quan nhận chuyển.")
    if to_agency.pk == report.agency_id:
        raise ValidationError("Phản ánh đang ở cơ quan này.")
    if not note:
        raise ValidationError("Vui lòng ghi lý do chuyển.")
    # The clock is not reset: the deadline stays; the office time this agency held the report
    # is recorded so that SLA figures attribute delay to whoever held it.
    spent = work_calendar().working_time_between(report.agency_since, now)
    data.update(
        {
            "from_agency": report.agency.code,
            "to_agency": to_agency.code,
            "reason": note,
            "seconds_held": int(spent.total_seconds()),
        }
    )
    report.agency = to_agency
    report.agency_since = now
    report.assignee = None
    report.escalated_near = report.escalated_overdue = False
    if report.status in {Status.ASSIGNED, Status.IN_PROGRESS}:
        report.status = Status.VERIFIED


def _h_close(report: Report, *, now: datetime, **_: Any) -> None:
    report.closed_at = now


def _h_reopen(report: Report, *, now: datetime, note: str, data: dict[str, Any], **_: Any) -> None:
    days = settings.CQS_REPORTS_REOPEN_DAYS
    if report.resolved_at is None or not rules.within_window(report.resolved_at, now, days):
        raise TransitionNotAllowed(f"Đã quá {days} ngày kể từ khi có kết quả, không thể mở lại.")
    if not note:
        raise ValidationError("Vui lòng cho biết vì sao chưa đồng ý với kết quả.")
    report.reopen_count += 1
    report.resolved_at = None
    report.assignee = None
    report.escalated_near = report.escalated_overdue = False
    data["reopen_count"] = report.reopen_count


_HANDLERS: dict[Action, Callable[..., None]] = {
    Action.VERIFY: _h_verify,
    Action.ASSIGN: _h_assign,
    Action.START: _h_start,
    Action.RESOLVE: _h_resolve,
    Action.REJECT: _h_reject,
    Action.TRANSFER: _h_transfer,
    Action.CLOSE: _h_close,
    Action.REOPEN: _h_reopen,
    Action.DISPUTE: _h_reopen,
}


# --- Moderation, rating, category -----------------------------------------------------------


def report_moderate(*, actor: Any, code: str, public_description: str, publish: bool) -> Report:
    """Approve (or withdraw) the public text; personal data in it is masked regardless."""
    with transaction.atomic():
        report = _lock(code, None)
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
        _event(
            report,
            type="published" if publish else "unpublished",
            actor=actor,
            at=timezone.now(),
            is_public=False,
        )
        audit_record(actor=actor, action="report.moderate", obj=report, changes={"public": publish})
    return report


def report_rate(
    *, actor: Any, code: str, rating: int, comment: str = "", reporter_key: str = ""
) -> Report:
    with transaction.atomic():
        report = _lock(code, None)
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
        _event(report, type="rated", actor=user, at=timezone.now(), data={"rating": rating})
        audit_record(actor=user, action="report.rate", obj=report, changes={"rating": rating})
    return report


def report_recategorize(*, actor: Any, code: str, category: Category) -> Report:
    """Change the category and route again (the deadline stays, as for a transfer)."""
    with transaction.atomic():
        report = _lock(code, None)
        roles = actor_roles(actor, report)
        if not roles & {Role.RECEIVING_OFFICER, Role.HEAD_OF_DIVISION, Role.LEADER}:
            raise PermissionDenied("Bạn không có quyền đổi lĩnh vực phản ánh.")
        if not report.is_open:
            raise TransitionNotAllowed("Phản ánh đã đóng.")
        now = timezone.now()
        old = report.category.code
        report.category = category
        agency, rule_id = report_route(
            category=category, commune=report.commune, text=report.description, at=now
        )
        data: dict[str, Any] = {"from": old, "to": category.code}
        if agency.pk != report.agency_id:
            data["agency"] = agency.code
            report.agency = agency
            report.agency_since = now
            report.assignee = None
        report.routing_rule_id = rule_id
        report.version += 1
        report.updated_at = now
        report.save()
        _event(report, type="recategorized", actor=actor, at=now, data=data)
        audit_record(actor=actor, action="report.recategorize", obj=report, changes=data)
    return report


# --- Deadlines: escalation and closing ------------------------------------------------------


def _heads_of(agency: Agency) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__agency=agency,
            role_assignments__role__in=[Role.LEADER, Role.HEAD_OF_DIVISION],
        ).distinct()
    )


def reports_escalate(*, now: datetime | None = None) -> tuple[int, int]:
    """Mark reports near or past their deadline and tell the agency's head; returns (near,
    overdue) newly escalated. Each level is escalated once (the flags make it idempotent)."""
    now = now or timezone.now()
    cal = work_calendar()
    near_window = timedelta(hours=float(settings.CQS_REPORTS_NEAR_HOURS))
    counts = {rules.Urgency.NEAR: 0, rules.Urgency.OVERDUE: 0}
    candidates = Report.objects.filter(
        status__in=[s for s in Status if s not in CLOSED_STATES],
        escalated_overdue=False,
        deadline__isnull=False,
    ).values_list("code", flat=True)
    for code in list(candidates):
        with transaction.atomic():
            report = _lock(code, None)
            if report.deadline is None:
                continue
            level = rules.urgency(cal, now, report.deadline, near_window)
            if level == rules.Urgency.NONE or (
                level == rules.Urgency.NEAR and report.escalated_near
            ):
                continue
            if level == rules.Urgency.OVERDUE:
                report.escalated_overdue = True
            report.escalated_near = True
            report.version += 1
            report.save(update_fields=["escalated_near", "escalated_overdue", "version"])
            label = "đã quá hạn" if level == rules.Urgency.OVERDUE else "sắp đến hạn"
            _event(
                report,
                type="escalated",
                actor=None,
                at=now,
                note=f"Phản ánh {label}; đã báo lãnh đạo {report.agency.name}.",
                data={"level": str(level)},
            )
            audit_record(
                actor=None, action="report.escalate", obj=report, changes={"level": str(level)}
            )
            for head in _heads_of(report.agency):
                notification_enqueue(
                    email=head.email,
                    phone="",
                    subject=f"Phản ánh {report.code} {label}",
                    body=f"Hạn xử lý: {_fmt(report.deadline)}. {report.category.name}: "
                    f"{report.public_description[:200]}",
                    reference=report.code,
                )
            counts[level] += 1
    return counts[rules.Urgency.NEAR], counts[rules.Urgency.OVERDUE]


def reports_close_expired(*, now: datetime | None = None) -> int:
    """Close resolved reports whose reopen window has passed."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.CQS_REPORTS_REOPEN_DAYS)
    codes = list(
        Report.objects.filter(status=Status.RESOLVED, resolved_at__lt=limit).values_list(
            "code", flat=True
        )
    )
    for code in codes:
        report_act(actor=SYSTEM, code=code, action=Action.CLOSE, now=now)
    return len(codes)


# --- Open311 keys ---------------------------------------------------------------------------
OPEN311_KEY_PREFIX = "o311_"


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open311_key_create(*, actor: Any, name: str) -> tuple[Open311Key, str]:
    """Issue a key; the raw key is returned once and never stored."""
    if actor is not None and not can_manage_open311_keys(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cấp khóa Open311.")
    name = rules.clean_text(name)[:100]
    if not name:
        raise ValidationError("Vui lòng đặt tên cho khóa (hệ thống sử dụng).")
    raw = OPEN311_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = Open311Key.objects.create(
            name=name,
            prefix=raw[:10],
            key_hash=_key_hash(raw),
            created_at=timezone.now(),
            created_by=actor,
        )
        audit_record(actor=actor, action="open311_key.create", obj=key, changes={"name": name})
    return key, raw


def open311_key_revoke(*, actor: Any, key: Open311Key) -> Open311Key:
    if actor is not None and not can_manage_open311_keys(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được thu hồi khóa Open311.")
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="open311_key.revoke", obj=key)
    return key


def open311_key_authenticate(raw: str) -> Open311Key | None:
    if not raw or not raw.startswith(OPEN311_KEY_PREFIX):
        return None
    key = Open311Key.objects.filter(key_hash=_key_hash(raw), revoked_at__isnull=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
