"""Every state change of a dossier: counter intake, workflow actions, intake notices.

Each service locks the dossier row, checks the caller's expected ``version`` (optimistic
concurrency: the loser of two simultaneous actions gets a Conflict), checks the transition
table and the caller's role, appends the event, updates the projection, writes the audit row
and queues notifications — all in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.utils import timezone

from cqs.accounts.permissions import agency_scope, can_receive_dossier, roles_of
from cqs.accounts.rules import IdNumberError, Role, parse_id_number
from cqs.audit.services import AuditEntry, audit_record, audit_record_many
from cqs.catalogue.models import Procedure
from cqs.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from cqs.dossiers import rules
from cqs.dossiers.models import (
    ApplicantKind,
    Delivery,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierParticipant,
    FileKind,
    IntakeNotice,
    IntakeNoticeKind,
)
from cqs.dossiers.signals import dossier_state, send_changed, send_changed_many
from cqs.dossiers.storage import Upload, check_upload, store_file, store_files
from cqs.dossiers.workflow import (
    ACTION_LABELS,
    APPLICANT,
    STATUS_LABELS,
    Action,
    Status,
    transition,
)
from cqs.notifications.services import Message, notification_enqueue, notifications_enqueue_many
from cqs.units.models import Agency, AgencyKind
from cqs.workdays.selectors import work_calendar

_PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
DESK_KINDS = {AgencyKind.ONE_STOP_DESK, AgencyKind.PUBLIC_SERVICE_CENTER}


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str = ""  # personal ID (citizen) or tax code (business)
    phone: str = ""
    email: str = ""
    address: str = ""
    user: Any = None


@dataclass
class _Errors:
    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def raise_if_any(self, message: str) -> None:
        if self.fields:
            raise ValidationError(message, details=self.fields)


def _validate_applicant(applicant: Applicant, errors: _Errors) -> None:
    if applicant.kind not in ApplicantKind.values:
        errors.add("applicant.kind", "Loại người nộp phải là công dân hoặc tổ chức.")
    if not applicant.name.strip():
        errors.add("applicant.name", "Vui lòng nhập họ tên người nộp hồ sơ.")
    if applicant.kind == ApplicantKind.CITIZEN:
        try:
            parse_id_number(applicant.id_number)
        except IdNumberError as exc:
            errors.add("applicant.id_number", str(exc))
    elif applicant.kind == ApplicantKind.BUSINESS and not _TAX_CODE.match(applicant.id_number):
        errors.add(
            "applicant.id_number", "Mã số thuế gồm 10 chữ số (hoặc 13 với đơn vị phụ thuộc)."
        )
    if applicant.phone and not _PHONE.match(applicant.phone.replace(" ", "")):
        errors.add("applicant.phone", "Số điện thoại không hợp lệ (ví dụ 0912345678).")
    if applicant.email:
        try:
            EmailValidator()(applicant.email)
        except DjangoValidationError:
            errors.add("applicant.email", "Địa chỉ thư điện tử không hợp lệ.")


def _competent_agency(desk: Agency, procedure: Procedure) -> Agency:
    """The agency that decides: the desk's own people's committee, or, at a public-service
    centre, the department under the same committee that implements the procedure."""
    candidates = {desk.parent_id}
    if desk.kind == AgencyKind.PUBLIC_SERVICE_CENTER and desk.parent_id:
        candidates |= set(
            Agency.objects.filter(parent_id=desk.parent_id).values_list("id", flat=True)
        )
    agency = procedure.agencies.filter(pk__in=candidates, is_active=True).first()
    if agency is None:
        raise ValidationError(
            f"Thủ tục «{procedure.name}» không thuộc thẩm quyền của cơ quan mà "
            f"{desk.name} tiếp nhận hồ sơ.",
            details={"procedure": procedure.code},
        )
    return agency


def _next_sequence(agency_code: str, day: Any) -> int:
    """The next number of the agency's day (see ``_take_numbers``)."""
    return _take_numbers(agency_code, day, 1)


def _steps(procedure: Procedure) -> list[rules.StepPlan]:
    return [
        rules.StepPlan(s.position, s.name, s.role, s.agency_kind, s.share_percent)
        for s in procedure.steps.all()
    ]


def _plan_deadlines(
    dossier: Dossier, start: datetime, steps: list[rules.StepPlan] | None = None
) -> None:
    """Set due_at and every step's deadline from ``start`` (the clock's start)."""
    cal = work_calendar()
    p = dossier.procedure
    due = rules.add_time_limit(cal, start, p.time_limit_value, p.time_limit_unit)
    steps = _steps(p) if steps is None else steps
    deadlines = rules.step_deadlines(cal, start, due, [s.share for s in steps]) if steps else []
    dossier.clock_started_at = start
    dossier.due_at = due
    dossier.extra["step_deadlines"] = [d.isoformat() for d in deadlines]
    dossier.extra.setdefault("original_due_at", due.isoformat())
    _set_step_due(dossier)


def _set_step_due(dossier: Dossier) -> None:
    deadlines = dossier.extra.get("step_deadlines") or []
    if 1 <= dossier.step <= len(deadlines):
        dossier.step_due_at = datetime.fromisoformat(deadlines[dossier.step - 1])
    else:
        dossier.step_due_at = dossier.due_at


def _event_row(
    dossier: Dossier,
    *,
    type: str,
    actor: Any,
    at: datetime,
    seq: int,
    from_status: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """An unsaved event row (for a bulk insert)."""
    return DossierEvent(
        dossier=dossier,
        seq=seq,
        type=type,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "full_name", "") or getattr(actor, "username", ""))
        if actor
        else "",
        agency=dossier.agency,
        from_status=from_status,
        to_status=dossier.status,
        step=dossier.step,
        data=data or {},
    )


def _event(
    dossier: Dossier,
    *,
    type: str,
    actor: Any,
    at: datetime,
    from_status: str = "",
    data: dict[str, Any] | None = None,
    seq: int | None = None,
) -> DossierEvent:
    if seq is None:  # a new dossier's first event is 1: no need to ask
        seq = (dossier.events.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    event = _event_row(
        dossier, type=type, actor=actor, at=at, seq=seq, from_status=from_status, data=data
    )
    event.save(force_insert=True)
    return event


def _notify_applicant(dossier: Dossier, subject: str, body: str) -> None:
    notification_enqueue(
        email=dossier.applicant_email,
        phone=dossier.applicant_phone,
        subject=subject,
        body=body,
        reference=dossier.code,
    )


def _fmt(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return timezone.localtime(dt).strftime("%H giờ %M, ngày %d/%m/%Y")


# --- Intake ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeRequest:
    """One dossier received at a desk: what ``dossier_receive`` takes, for a batch."""

    desk: Agency
    procedure: Procedure
    applicant: Applicant
    files: list[Upload]
    result_delivery: str = Delivery.COUNTER
    channel: str = "counter"


@dataclass
class _IntakePlan:
    """A request that passed every check, with what the writer needs."""

    request: IntakeRequest
    agency: Agency
    requirements: dict[int, Any]
    steps: list[rules.StepPlan]


def _plan_intake(
    actor: Any, req: IntakeRequest, agencies: dict[tuple[int, int], Agency] | None = None
) -> _IntakePlan:
    """Every check of an intake, before anything is written (raises the first refusal).
    ``agencies`` remembers the competent agency per (desk, procedure) across a batch."""
    desk, procedure, applicant = req.desk, req.procedure, req.applicant
    if desk.kind not in DESK_KINDS:
        raise ValidationError(
            "Chỉ Bộ phận Một cửa hoặc Trung tâm Phục vụ hành chính công tiếp nhận hồ sơ."
        )
    if not can_receive_dossier(actor, desk):
        raise PermissionDenied(f"Bạn không phải cán bộ tiếp nhận của {desk.name}.")
    errors = _Errors()
    _validate_applicant(applicant, errors)
    if req.result_delivery not in Delivery.values:
        errors.add("result_delivery", "Hình thức nhận kết quả không hợp lệ.")
    requirements = {d.position: d for d in procedure.documents.all()}
    provided: set[int] = set()
    for i, upload in enumerate(req.files):
        if upload.requirement is not None and upload.requirement not in requirements:
            errors.add(f"files.{i}", f"Thủ tục không có thành phần hồ sơ số {upload.requirement}.")
            continue
        try:
            check_upload(upload)
        except (ValidationError, PayloadTooLarge) as exc:
            errors.add(f"files.{i}", exc.message)
            continue
        if upload.requirement is not None:
            provided.add(upload.requirement)
    for position, requirement in requirements.items():
        if requirement.mandatory and position not in provided:
            errors.add(f"documents.{position}", f"Thiếu thành phần bắt buộc: {requirement.name}.")
    errors.raise_if_any("Hồ sơ chưa đầy đủ, hợp lệ. Vui lòng kiểm tra các mục được đánh dấu.")
    key = (desk.pk, procedure.pk)
    memo = agencies if agencies is not None else {}
    if key not in memo:
        memo[key] = _competent_agency(desk, procedure)
    return _IntakePlan(req, memo[key], requirements, _steps(procedure))


def _take_numbers(agency_code: str, day: Any, count: int) -> int:
    """Reserve ``count`` consecutive numbers of the agency's day; returns the last one.

    One upsert on the (agency, day) row: no global hot row, atomic on both engines (SQLite
    >= 3.35 and PostgreSQL support INSERT ... ON CONFLICT ... RETURNING)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_dossiercodecounter (agency_code, day, last) VALUES (%s, %s, %s) "
            "ON CONFLICT (agency_code, day) DO UPDATE "
            "SET last = dossiers_dossiercodecounter.last + excluded.last RETURNING last",
            [agency_code, day, count],
        )
        row = cursor.fetchone()
    return int(row[0])


def _write_intakes(actor: Any, plans: list[_IntakePlan], now: datetime) -> list[Dossier]:
    """Write checked intakes: one transaction, one INSERT per table for all of them."""
    cal = work_calendar()
    start = cal.intake_start(now)
    local_day = timezone.localtime(now).date()
    # The numbers are taken before the transaction (their own statement, committed at once
    # outside an enclosing atomic block): the (agency, day) counter row is shared by every
    # desk of the agency, and holding its lock until the intake commits made concurrent
    # intakes queue behind one another. Every check is done before this point, so only a
    # database failure after it leaves a gap in the day's numbering (Circular 01/2018/TT-VPCP
    # art. 9: the sequence of the agency's dossiers that day); codes stay unique and increasing.
    by_agency: dict[str, list[int]] = {}
    for i, plan in enumerate(plans):
        by_agency.setdefault(plan.agency.code, []).append(i)
    codes: list[str] = [""] * len(plans)
    for agency_code, indexes in sorted(by_agency.items()):
        last = _take_numbers(agency_code, local_day, len(indexes))
        for offset, i in enumerate(indexes):
            codes[i] = rules.dossier_code(agency_code, local_day, last - len(indexes) + 1 + offset)
    with transaction.atomic():
        dossiers: list[Dossier] = []
        for plan, code in zip(plans, codes, strict=True):
            req, applicant = plan.request, plan.request.applicant
            first_step = 1
            if plan.steps and plan.steps[0].role == Role.RECEIVING_OFFICER and len(plan.steps) > 1:
                first_step = 2  # the receiving step is done by this intake
            dossier = Dossier(
                code=code,
                procedure=req.procedure,
                agency=plan.agency,
                desk=req.desk,
                receiving_agency=plan.agency,
                unit_id=plan.agency.unit_id,
                channel=req.channel,
                applicant_kind=applicant.kind,
                applicant_name=applicant.name.strip(),
                applicant_id_number=applicant.id_number,
                applicant_phone=applicant.phone.replace(" ", ""),
                applicant_email=applicant.email,
                applicant_address=applicant.address,
                applicant_user=applicant.user,
                search_text=_search_text(code, applicant),
                status=Status.PROCESSING,
                step=first_step,
                received_at=now,
                result_delivery=req.result_delivery,
                fee_amount=_fee(req.procedure),
                extra={},
            )
            _plan_deadlines(dossier, start, plan.steps)
            dossiers.append(dossier)
        if len(dossiers) == 1:
            dossiers[0].save()
        else:
            Dossier.objects.bulk_create(dossiers)  # ids come back on both engines
        DossierParticipant.objects.bulk_create(
            [DossierParticipant(dossier=d, agency=d.agency) for d in dossiers]
        )
        stored = store_files(
            uploads=[
                (d, u, p.requirements.get(u.requirement or -1))
                for d, p in zip(dossiers, plans, strict=True)
                for u in p.request.files
            ],
            kind=FileKind.INTAKE,
            actor=actor,
        )
        received = DossierEvent.objects.bulk_create(
            [
                _event_row(
                    d,
                    type="received",
                    actor=actor,
                    at=now,
                    seq=1,
                    data={
                        "channel": d.channel,
                        "desk": p.request.desk.code,
                        "due_at": d.due_at.isoformat(),  # type: ignore[union-attr]
                    },
                )
                for d, p in zip(dossiers, plans, strict=True)
            ]
        )
        notifications_enqueue_many(
            [
                Message(
                    subject=f"Hồ sơ {d.code} đã được tiếp nhận",
                    body=f"{p.request.desk.name} đã tiếp nhận hồ sơ «{p.request.procedure.name}». "
                    f"Hẹn trả kết quả: {_fmt(d.due_at)}.",
                    email=d.applicant_email,
                    phone=d.applicant_phone,
                    reference=d.code,
                )
                for d, p in zip(dossiers, plans, strict=True)
            ]
        )
        audit_record_many(
            actor=actor,
            entries=[
                AuditEntry(
                    "dossier.receive",
                    obj=d,
                    changes={"procedure": p.request.procedure.code, "files": len(p.request.files)},
                )
                for d, p in zip(dossiers, plans, strict=True)
            ],
        )
        # Last: the rollup rows it updates are shared by every intake of the agency that day,
        # so their locks are held only until the commit that follows.
        files_of: dict[int, list[Any]] = {}
        for f in stored:
            files_of.setdefault(f.dossier_id, []).append(f)
        send_changed_many(
            [None] * len(dossiers),
            [
                dossier_state(d, file_kinds=[f.kind for f in files_of.get(d.pk, [])])
                for d in dossiers
            ],
        )
    # The caller (the API's 201 body) shows the files and the event just written: no re-read.
    for d, event in zip(dossiers, received, strict=True):
        _keep_related(d, "files", files_of.get(d.pk, []))
        _keep_related(d, "events", [event])
    return dossiers


def dossier_receive(
    *,
    actor: Any,
    desk: Agency,
    procedure: Procedure,
    applicant: Applicant,
    files: list[Upload],
    result_delivery: str = Delivery.COUNTER,
    channel: str = "counter",
    now: datetime | None = None,
) -> Dossier:
    """Receive a complete dossier at the one-stop desk: code, deadlines, receipt data."""
    request = IntakeRequest(desk, procedure, applicant, files, result_delivery, channel)
    plan = _plan_intake(actor, request)
    return _write_intakes(actor, [plan], now or timezone.now())[0]


def dossiers_receive_batch(
    *, actor: Any, requests: list[IntakeRequest], now: datetime | None = None
) -> list[Dossier | ApplicationError]:
    """Receive several dossiers at once (a scanning station or the post office handing over a
    bag of dossiers, a connected system forwarding its intakes): each is checked exactly as
    ``dossier_receive`` checks one; the ones that pass are written together in one
    transaction, the others come back as their refusal, in the order given. A refused item
    writes nothing and does not stop the others."""
    checked: list[_IntakePlan | ApplicationError] = []
    agencies: dict[tuple[int, int], Agency] = {}
    for req in requests:
        try:
            checked.append(_plan_intake(actor, req, agencies))
        except ApplicationError as exc:
            checked.append(exc)
    plans = [c for c in checked if isinstance(c, _IntakePlan)]
    written = iter(_write_intakes(actor, plans, now or timezone.now()) if plans else [])
    return [c if isinstance(c, ApplicationError) else next(written) for c in checked]


def _keep_related(dossier: Dossier, name: str, rows: list[Any]) -> None:
    """Fill ``dossier.<name>.all()`` with rows already in hand, as prefetch_related would."""
    qs = getattr(dossier, name).all()
    qs._result_cache = rows
    qs._prefetch_done = True
    dossier.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def _fee(procedure: Procedure) -> int:
    return sum(int(f.get("amount") or 0) for f in procedure.fees)


def _search_text(code: str, applicant: Applicant) -> str:
    from cqs.core.text import fold

    return fold(f"{code} {applicant.name} {applicant.id_number} {applicant.phone}")


def intake_notice_issue(
    *,
    actor: Any,
    desk: Agency,
    procedure: Procedure,
    applicant: Applicant,
    kind: IntakeNoticeKind,
    reason: str,
    missing: list[str] | None = None,
) -> IntakeNotice:
    """Issue a supplement-request or refusal form at the counter instead of receiving."""
    if not can_receive_dossier(actor, desk):
        raise PermissionDenied(f"Bạn không phải cán bộ tiếp nhận của {desk.name}.")
    errors = _Errors()
    if not applicant.name.strip():
        errors.add("applicant.name", "Vui lòng nhập họ tên người nộp hồ sơ.")
    if not reason.strip():
        errors.add("reason", "Vui lòng ghi rõ lý do.")
    if kind == IntakeNoticeKind.SUPPLEMENT and not [m for m in (missing or []) if m.strip()]:
        errors.add("missing", "Vui lòng liệt kê giấy tờ cần bổ sung.")
    errors.raise_if_any("Phiếu chưa đủ thông tin.")
    with transaction.atomic():
        notice = IntakeNotice.objects.create(
            kind=kind,
            desk=desk,
            procedure=procedure,
            applicant_name=applicant.name.strip(),
            applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_address=applicant.address,
            missing=[m.strip() for m in (missing or []) if m.strip()],
            reason=reason.strip(),
            officer=actor,
            issued_at=timezone.now(),
        )
        audit_record(actor=actor, action=f"intake_notice.{kind}", obj=notice)
    return notice


# --- Workflow actions -----------------------------------------------------------------------


def _roles_on(actor: Any, dossier: Dossier) -> set[str]:
    roles: set[str] = set()
    if actor is not None and dossier.applicant_user_id and actor.pk == dossier.applicant_user_id:
        roles.add(APPLICANT)
    # Only the roles the actor holds: each scope may cost a sub-tree query.
    for role in roles_of(actor):
        scope = agency_scope(actor, [role])
        if dossier.agency_id in scope or (dossier.desk_id and dossier.desk_id in scope):
            roles.add(role.value)
    return roles


def _lock(code: str, expected_version: int | None) -> Dossier:
    dossier = (
        # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the desk join.
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency", "desk")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ «{code}».")
    if expected_version is not None and dossier.version != expected_version:
        raise Conflict(
            "Hồ sơ vừa được người khác xử lý. Vui lòng tải lại trang để xem trạng thái mới.",
            details={"version": dossier.version, "expected": expected_version},
        )
    return dossier


def dossier_act(
    *,
    actor: Any,
    code: str,
    action: Action | str,
    expected_version: int | None = None,
    now: datetime | None = None,
    **params: Any,
) -> Dossier:
    """Perform one workflow action on the dossier ``code``."""
    try:
        action = Action(action)
    except ValueError as exc:
        raise NotFound(f"Không có thao tác «{action}».") from exc
    if action in {Action.RECEIVE}:
        raise TransitionNotAllowed("Dùng chức năng tiếp nhận để tạo hồ sơ mới.")
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _lock(code, expected_version)
        status = Status(dossier.status)
        rule = transition(status, action)
        if rule is None:
            raise TransitionNotAllowed(
                f"Không thể «{ACTION_LABELS[action]}» khi hồ sơ đang ở trạng thái "
                f"«{STATUS_LABELS[status]}».",
                details={"status": status.value, "action": action.value},
            )
        roles = _roles_on(actor, dossier)
        if not roles & rule.roles:
            raise PermissionDenied(
                f"Bạn không có vai trò được phép «{ACTION_LABELS[action]}» hồ sơ này.",
                details={"action": action.value},
            )
        before = dossier_state(dossier)
        handler = _HANDLERS[action]
        data = handler(dossier, actor=actor, roles=roles, now=now, **params)
        if rule.to is not None:
            dossier.status = rule.to
        dossier.version += 1
        dossier.save()
        _event(
            dossier, type=_EVENT_TYPES[action], actor=actor, at=now, from_status=status, data=data
        )
        send_changed(before, dossier_state(dossier))
        audit_record(actor=actor, action=f"dossier.{action}", obj=dossier, changes=data)
        _after(dossier, action, data)
    return dossier


def _require(params: dict[str, Any], key: str, message: str) -> Any:
    value = params.get(key)
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        raise ValidationError(message, details={key: [message]})
    return value.strip() if isinstance(value, str) else value


def _steps_count(dossier: Dossier) -> int:
    return dossier.procedure.steps.count()


def _current_step_role(dossier: Dossier) -> str | None:
    step = dossier.procedure.steps.filter(position=dossier.step).first()
    return step.role if step else None


def _check_step_role(dossier: Dossier, roles: set[str]) -> None:
    needed = _current_step_role(dossier)
    supervisors = {Role.HEAD_OF_DIVISION.value, Role.LEADER.value}
    if needed and needed not in roles and not roles & supervisors:
        raise PermissionDenied(
            "Bước hiện tại của hồ sơ do vai trò khác thực hiện.",
            details={"step": dossier.step, "role": needed},
        )


def _assign(dossier: Dossier, username: str | None) -> str | None:
    if not username:
        dossier.assignee = None
        return None
    from cqs.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or dossier.agency_id not in agency_scope(user):
        raise ValidationError(
            f"Không giao được cho «{username}»: không thuộc {dossier.agency.name}.",
            details={"assignee": [username]},
        )
    dossier.assignee = user
    return user.username


def _forward(
    dossier: Dossier, *, roles: set[str], note: str = "", assignee: str | None = None, **_: Any
) -> dict[str, Any]:
    _check_step_role(dossier, roles)
    if dossier.step >= _steps_count(dossier):
        raise TransitionNotAllowed("Hồ sơ đang ở bước cuối của quy trình: hãy phê duyệt kết quả.")
    dossier.step += 1
    _set_step_due(dossier)
    return {"to_step": dossier.step, "note": note, "assignee": _assign(dossier, assignee)}


def _return_step(dossier: Dossier, *, roles: set[str], **params: Any) -> dict[str, Any]:
    reason = _require(params, "reason", "Vui lòng ghi lý do trả lại.")
    first = (
        2 if dossier.procedure.steps.filter(position=1, role=Role.RECEIVING_OFFICER).exists() else 1
    )
    if dossier.step <= first:
        raise TransitionNotAllowed(
            "Hồ sơ đang ở bước xử lý đầu tiên, không có bước trước để trả lại."
        )
    dossier.step -= 1
    _set_step_due(dossier)
    return {
        "to_step": dossier.step,
        "reason": reason,
        "assignee": _assign(dossier, params.get("assignee")),
    }


def _request_supplement(dossier: Dossier, *, now: datetime, **params: Any) -> dict[str, Any]:
    reason = _require(params, "reason", "Vui lòng ghi lý do yêu cầu bổ sung.")
    missing = [
        m.strip()
        for m in _require(params, "missing", "Vui lòng liệt kê giấy tờ cần bổ sung.")
        if str(m).strip()
    ]
    if not missing:
        raise ValidationError(
            "Vui lòng liệt kê giấy tờ cần bổ sung.", details={"missing": ["Bắt buộc."]}
        )
    dossier.paused_at = now
    dossier.supplement_count += 1
    return {"reason": reason, "missing": missing, "count": dossier.supplement_count}


def _receive_supplement(
    dossier: Dossier, *, actor: Any, now: datetime, **params: Any
) -> dict[str, Any]:
    files: list[Upload] = params.get("files") or []
    if not files:
        raise ValidationError(
            "Vui lòng đính kèm giấy tờ bổ sung.", details={"files": ["Bắt buộc."]}
        )
    for upload in files:
        check_upload(upload)
    for upload in files:
        store_file(dossier=dossier, upload=upload, kind=FileKind.SUPPLEMENT, actor=actor)
    cal = work_calendar()
    paused_at = dossier.paused_at or now
    old_due = dossier.due_at
    if dossier.procedure.supplement_policy == "pause" and old_due is not None:
        # The clock continues with the office time that was left when it was paused.
        left = cal.working_time_between(paused_at, old_due)
        start = cal.next_working_instant(now)
        due = cal.add_working_hours(start, left)
        shift = due - old_due
        dossier.due_at = due
        dossier.extra["step_deadlines"] = [
            (datetime.fromisoformat(d) + shift).isoformat()
            for d in dossier.extra.get("step_deadlines", [])
        ]
        dossier.extra["original_due_at"] = (
            datetime.fromisoformat(dossier.extra["original_due_at"]) + shift
        ).isoformat()
        _set_step_due(dossier)
    else:
        # Decree 118/2025: the time limit counts again from the complete supplement.
        dossier.extra.pop("original_due_at", None)
        _plan_deadlines(dossier, cal.intake_start(now))
    dossier.paused_at = None
    return {
        "files": len(files),
        "old_due_at": old_due.isoformat() if old_due else None,
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
    }


def _transfer(dossier: Dossier, **params: Any) -> dict[str, Any]:
    reason = _require(params, "reason", "Vui lòng ghi lý do chuyển.")
    code = _require(params, "to_agency", "Vui lòng chọn cơ quan nhận.")
    target = Agency.objects.filter(code=code, is_active=True).first()
    if target is None:
        raise ValidationError(f"Không có cơ quan mã «{code}».", details={"to_agency": [code]})
    if target.pk == dossier.agency_id:
        raise ValidationError("Hồ sơ đang ở chính cơ quan này.", details={"to_agency": [code]})
    if target.kind in DESK_KINDS:
        raise ValidationError(
            "Chỉ chuyển cho cơ quan giải quyết, không chuyển về bộ phận một cửa.",
            details={"to_agency": [code]},
        )
    source = dossier.agency
    dossier.agency = target
    dossier.assignee = None
    DossierParticipant.objects.get_or_create(dossier=dossier, agency=target)
    # The clock is not reset: inter-agency processing shares the one time limit.
    return {"from_agency": source.code, "to_agency": target.code, "reason": reason}


def _extend(dossier: Dossier, *, now: datetime, **params: Any) -> dict[str, Any]:
    reason = _require(params, "reason", "Vui lòng ghi lý do gia hạn.")
    new_due = _require(params, "new_due_at", "Vui lòng chọn ngày hẹn trả mới.")
    if isinstance(new_due, str):
        try:
            new_due = datetime.fromisoformat(new_due)
        except ValueError as exc:
            raise ValidationError(
                "Ngày hẹn mới không hợp lệ.", details={"new_due_at": [new_due]}
            ) from exc
    if timezone.is_naive(new_due):
        new_due = timezone.make_aware(new_due)
    if dossier.due_at and new_due <= dossier.due_at:
        raise ValidationError(
            "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
            details={"new_due_at": [new_due.isoformat()]},
        )
    old = dossier.due_at
    dossier.due_at = new_due
    deadlines = dossier.extra.get("step_deadlines", [])
    if deadlines:
        deadlines[-1] = new_due.isoformat()
    _set_step_due(dossier)
    # Decision 766 still counts the dossier against the legal time limit (original_due_at);
    # the apology letter is counted separately.
    return {
        "old_due_at": old.isoformat() if old else None,
        "new_due_at": new_due.isoformat(),
        "reason": reason,
        "late_already": bool(old and now > old),
    }


def _finish(dossier: Dossier, now: datetime) -> None:
    dossier.finished_at = now
    original = dossier.extra.get("original_due_at")
    due = datetime.fromisoformat(original) if original else dossier.due_at
    if due is not None:
        dossier.outcome = rules.outcome(now, due, work_calendar()).value


def _reject(dossier: Dossier, *, now: datetime, **params: Any) -> dict[str, Any]:
    reason = _require(params, "reason", "Vui lòng ghi lý do từ chối.")
    dossier.finished_at = now
    dossier.paused_at = None
    return {"reason": reason}


def _attach_result(dossier: Dossier, *, actor: Any, **params: Any) -> dict[str, Any]:
    files: list[Upload] = params.get("files") or []
    if not files:
        raise ValidationError("Vui lòng đính kèm tệp kết quả.", details={"files": ["Bắt buộc."]})
    for upload in files:
        check_upload(upload)
    stored = [
        store_file(dossier=dossier, upload=u, kind=FileKind.RESULT, actor=actor) for u in files
    ]
    return {"files": [{"name": f.name, "sha256": f.sha256} for f in stored]}


def _approve(dossier: Dossier, *, now: datetime, **params: Any) -> dict[str, Any]:
    if not DossierFile.objects.filter(dossier=dossier, kind=FileKind.RESULT).exists():
        raise ValidationError(
            "Chưa có tệp kết quả: hãy đính kèm kết quả trước khi phê duyệt.",
            details={"files": ["Thiếu kết quả."]},
        )
    _finish(dossier, now)
    return {"note": str(params.get("note") or ""), "outcome": dossier.outcome}


def _return_result(dossier: Dossier, **params: Any) -> dict[str, Any]:
    from cqs.dossiers.signatures import require_sealed_result

    require_sealed_result(dossier)  # CQS_SIGNING_REQUIRED: leader's signature + agency seal
    method = params.get("method") or dossier.result_delivery
    if method not in Delivery.values:
        raise ValidationError(
            "Hình thức trả kết quả không hợp lệ.", details={"method": [str(method)]}
        )
    return {"method": method, "note": str(params.get("note") or "")}


def _withdraw(dossier: Dossier, *, now: datetime, **params: Any) -> dict[str, Any]:
    reason = _require(params, "reason", "Vui lòng ghi lý do rút hồ sơ.")
    dossier.finished_at = now
    dossier.paused_at = None
    return {"reason": reason}


def _accept_online(dossier: Dossier, *, now: datetime, **_: Any) -> dict[str, Any]:
    dossier.received_at = now
    steps = _steps(dossier.procedure)
    if steps and steps[0].role == Role.RECEIVING_OFFICER and len(steps) > 1:
        dossier.step = 2  # the receiving step is done by this acceptance, as at the counter
    _plan_deadlines(dossier, work_calendar().intake_start(now), steps)
    return {"due_at": dossier.due_at.isoformat() if dossier.due_at else None}


_HANDLERS: dict[Action, Any] = {
    Action.ACCEPT_ONLINE: _accept_online,
    Action.FORWARD: _forward,
    Action.RETURN_STEP: _return_step,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.RECEIVE_SUPPLEMENT: _receive_supplement,
    Action.TRANSFER: _transfer,
    Action.EXTEND: _extend,
    Action.REJECT: _reject,
    Action.ATTACH_RESULT: _attach_result,
    Action.APPROVE: _approve,
    Action.RETURN_RESULT: _return_result,
    Action.WITHDRAW: _withdraw,
}
_EVENT_TYPES: dict[Action, str] = {
    Action.ACCEPT_ONLINE: "received",
    Action.FORWARD: "forwarded",
    Action.RETURN_STEP: "returned_step",
    Action.REQUEST_SUPPLEMENT: "supplement_requested",
    Action.RECEIVE_SUPPLEMENT: "supplement_received",
    Action.TRANSFER: "transferred",
    Action.EXTEND: "extended",
    Action.REJECT: "rejected",
    Action.ATTACH_RESULT: "result_attached",
    Action.APPROVE: "result_ready",
    Action.RETURN_RESULT: "returned",
    Action.WITHDRAW: "withdrawn",
}


def _after(dossier: Dossier, action: Action, data: dict[str, Any]) -> None:
    name = dossier.procedure.name
    if action == Action.REQUEST_SUPPLEMENT:
        _notify_applicant(
            dossier,
            f"Hồ sơ {dossier.code} cần bổ sung",
            f"Hồ sơ «{name}» cần bổ sung: {'; '.join(data['missing'])}. Lý do: {data['reason']}.",
        )
    elif action == Action.APPROVE:
        _notify_applicant(
            dossier,
            f"Hồ sơ {dossier.code} đã có kết quả",
            f"Kết quả hồ sơ «{name}» đã sẵn sàng để trả.",
        )
    elif action == Action.REJECT:
        _notify_applicant(
            dossier, f"Hồ sơ {dossier.code} bị từ chối giải quyết", f"Lý do: {data['reason']}."
        )
    elif action == Action.EXTEND:
        _notify_applicant(
            dossier,
            f"Hồ sơ {dossier.code} được hẹn lại ngày trả kết quả",
            f"Ngày hẹn mới: {_fmt(dossier.due_at)}. Lý do: {data['reason']}. Cơ quan xin lỗi ông/bà.",
        )


def dossier_record_fee_payment(
    *,
    actor: Any,
    code: str,
    amount: int,
    online: bool,
    paid_at: datetime,
    receipt: str = "",
) -> Dossier:
    """Record that the dossier's fees were paid (called by cqs.payments inside its own
    transaction). Not a workflow action: the status and ``version`` stay, the ``fee_paid``
    event goes on the timeline and ``extra.fee`` feeds the 766 "paid online" indicator."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).filter(code=code).first()
        if dossier is None:
            raise NotFound(f"Không tìm thấy hồ sơ «{code}».")
        before = dossier_state(dossier)
        dossier.extra = {**dossier.extra}  # the rollup's "before" keeps the old fee
        dossier.extra["fee"] = {
            "amount": dossier.fee_amount or amount,
            "paid": amount,
            "paid_online": online,
            "paid_at": paid_at.isoformat(),
            "receipt": receipt,
        }
        dossier.save(update_fields=["extra", "updated_at"])
        send_changed(before, dossier_state(dossier))  # "paid online" in the dashboard rollups
        data = {"amount": amount, "online": online, "receipt": receipt}
        _event(
            dossier, type="fee_paid", actor=actor, at=paid_at, from_status=dossier.status, data=data
        )
        audit_record(actor=actor, action="dossier.fee_paid", obj=dossier, changes=data)
    return dossier


__all__ = [
    "Applicant",
    "Delivery",  # re-exported: the choices views offer
    "IntakeNoticeKind",
    "dossier_act",
    "dossier_receive",
    "dossier_record_fee_payment",
    "intake_notice_issue",
]
