"""Dossier interchange in JSON Lines: bring a province's history in, take everything out again.

The format is shared/domain/interchange.md: one line = one dossier with its event list. A
dossier's state (status, step, deadlines, pause, outcome, competent agency) is never read from
the line: ``project`` derives it from the events with the same rules the live services apply
(cqs/dossiers/services.py), so an imported dossier and a live one with the same history are
indistinguishable in every list and indicator.

Import is idempotent by ``code`` (the same line again is "unchanged"; the same code with other
content is a "conflict" and nothing is written), validates every line, reports each bad line
with its number and reason, and writes each good line whole — its dossier, events and
participants — in batches (one transaction and one audit row per batch).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated, Any, Literal, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator
from pydantic import ValidationError as PydanticValidationError

from cqs.accounts.permissions import roles_of
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.catalogue.models import Procedure
from cqs.core.calendar import WorkCalendar
from cqs.core.errors import PermissionDenied
from cqs.core.text import fold
from cqs.dossiers import rules
from cqs.dossiers.models import (
    Delivery,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierParticipant,
    FileKind,
)
from cqs.dossiers.services import DESK_KINDS
from cqs.dossiers.workflow import STATUS_LABELS, Action, Status, transition
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind
from cqs.workdays.selectors import work_calendar

# --- The line, validated --------------------------------------------------------------------

SPEC_EVENT_TYPES = (
    "received",
    "supplement_requested",
    "supplement_received",
    "transferred",
    "extended",
    "result_ready",
    "returned",
    "rejected",
    "withdrawn",
)
# Our own exports also carry the internal steps of the live workflow.
CQS_EVENT_TYPES = ("forwarded", "returned_step", "result_attached")
EventType = Literal[
    "received",
    "supplement_requested",
    "supplement_received",
    "transferred",
    "extended",
    "result_ready",
    "returned",
    "rejected",
    "withdrawn",
    "forwarded",
    "returned_step",
    "result_attached",
]

# Event type -> the workflow action that produces it live (services._EVENT_TYPES, inverted).
EVENT_ACTIONS: dict[str, Action] = {
    "forwarded": Action.FORWARD,
    "returned_step": Action.RETURN_STEP,
    "supplement_requested": Action.REQUEST_SUPPLEMENT,
    "supplement_received": Action.RECEIVE_SUPPLEMENT,
    "transferred": Action.TRANSFER,
    "extended": Action.EXTEND,
    "result_attached": Action.ATTACH_RESULT,
    "result_ready": Action.APPROVE,
    "returned": Action.RETURN_RESULT,
    "rejected": Action.REJECT,
    "withdrawn": Action.WITHDRAW,
}


def _instant(value: Any) -> datetime:
    """An ISO 8601 string with an offset; anything else (numbers, naive times) is refused."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"thời gian «{value}» không đúng ISO 8601") from exc
    else:
        raise ValueError("thời gian phải là chuỗi ISO 8601 có múi giờ")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"thời gian «{value}» thiếu múi giờ (ví dụ +07:00)")
    return parsed


Instant = Annotated[datetime, PlainValidator(_instant)]
Way = Literal["online", "counter", "post"]


class _Open(BaseModel):
    # Unknown keys are allowed everywhere: they are kept and exported again unchanged.
    model_config = ConfigDict(extra="allow")


class ApplicantIn(_Open):
    kind: Literal["citizen", "business"]
    name: str = Field(min_length=1, max_length=255)
    id_number: str | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=255)
    address_unit_code: str | None = Field(None, max_length=10)


class EventIn(_Open):
    type: EventType
    at: Instant
    actor: str | None = Field(None, max_length=150)
    reason: str | None = None
    to_agency_code: str | None = Field(None, min_length=1, max_length=35)
    new_due_at: Instant | None = None
    method: Way | None = None

    @model_validator(mode="after")
    def _needs(self) -> EventIn:
        if self.type == "transferred" and not self.to_agency_code:
            raise ValueError("sự kiện transferred cần to_agency_code")
        if self.type == "extended" and self.new_due_at is None:
            raise ValueError("sự kiện extended cần new_due_at")
        return self


class FeeIn(_Open):
    amount: int = Field(0, ge=0)
    paid_online: bool = False
    paid_at: Instant | None = None


class FileMetaIn(_Open):
    requirement: str | None = None
    digitized: bool | None = None
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")


class ResultIn(_Open):
    digitized: bool | None = None
    signed: bool | None = None


class RatingIn(_Open):
    score: int = Field(ge=1, le=5)
    at: Instant | None = None


class LineIn(_Open):
    code: str = Field(min_length=1, max_length=60, pattern=r"^\S+$")
    procedure_code: str = Field(min_length=1, max_length=40)
    agency_code: str = Field(min_length=1, max_length=35)
    unit_code: str | None = Field(None, max_length=10)
    channel: Way
    result_delivery: Way | None = None
    applicant: ApplicantIn
    received_at: Instant | None = None
    due_at: Instant | None = None
    fee: FeeIn | None = None
    files: list[FileMetaIn] = Field(default_factory=list)
    result: ResultIn | None = None
    rating: RatingIn | None = None
    events: list[EventIn] = Field(min_length=1)


LINE_KEYS = frozenset(LineIn.model_fields)
APPLICANT_COLUMNS = frozenset({"kind", "name", "id_number", "phone", "email", "address"})
EVENT_COLUMNS = frozenset({"type", "at", "actor"})


# --- Projection: the dossier's state from its events ----------------------------------------


class EventLike(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def to_agency_code(self) -> str | None: ...
    @property
    def new_due_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Event:
    """An event as the projection needs it (the synthetic generator builds these)."""

    type: str
    at: datetime
    to_agency_code: str | None = None
    new_due_at: datetime | None = None


@dataclass(frozen=True)
class EventState:
    """The dossier right after one event: what the DossierEvent row records."""

    from_status: str
    to_status: str
    step: int
    agency: Agency


class ProjectionError(ValueError):
    """The events cannot have happened to a dossier (the message says which and why)."""


def step_plans(procedure: Procedure) -> list[rules.StepPlan]:
    return [
        rules.StepPlan(s.position, s.name, s.role, s.agency_kind, s.share_percent)
        for s in procedure.steps.all()
    ]


def project(
    dossier: Dossier,
    events: Sequence[EventLike],
    procedure: Procedure,
    calendar: WorkCalendar,
    *,
    steps: Sequence[rules.StepPlan] | None = None,
    agencies: Mapping[str, Agency] | None = None,
    given_due_at: datetime | None = None,
) -> list[EventState]:
    """Set ``dossier``'s status, step, dates, pause, outcome and agency from ``events``.

    Each event is checked against the transition table and applied exactly as the live
    action in services.py applies it: the clock starts at ``calendar.intake_start`` of the
    receipt; a supplement restarts it or resumes it with the office time left (the
    procedure's policy); an extension moves ``due_at`` but Decision 766 keeps counting
    against ``original_due_at``; a transfer keeps the clock. ``dossier.agency`` must be the
    agency that received it. ``given_due_at`` (the line's ``due_at``) is the appointment the
    old system gave: it replaces the computed one at the end, and is also the legal due date
    when there was no extension. Returns the state after each event; raises ProjectionError.
    """
    plan = list(steps) if steps is not None else step_plans(procedure)
    shares = [s.share for s in plan]
    receiving_first = bool(plan) and plan[0].role == Role.RECEIVING_OFFICER
    first_step = 2 if receiving_first and len(plan) > 1 else 1
    lowest_step = 2 if receiving_first and plan[0].position == 1 else 1
    if not events:
        raise ProjectionError("hồ sơ không có sự kiện nào")
    if events[0].type != "received":
        raise ProjectionError(
            f"sự kiện đầu tiên phải là «received» (tiếp nhận), không phải «{events[0].type}»"
        )
    deadlines: list[datetime] = []
    original: datetime | None = None
    extended = False
    approved_at: datetime | None = None
    status = ""
    previous: datetime | None = None
    states: list[EventState] = []

    def plan_from(start: datetime) -> None:
        nonlocal deadlines, original
        due = rules.add_time_limit(
            calendar, start, procedure.time_limit_value, procedure.time_limit_unit
        )
        deadlines = rules.step_deadlines(calendar, start, due, shares) if plan else []
        dossier.clock_started_at = start
        dossier.due_at = due
        if original is None:
            original = due

    def set_step_due() -> None:
        if 1 <= dossier.step <= len(deadlines):
            dossier.step_due_at = deadlines[dossier.step - 1]
        else:
            dossier.step_due_at = dossier.due_at

    for i, ev in enumerate(events, 1):
        where = f"sự kiện {i} ({ev.type})"
        if previous is not None and ev.at < previous:
            raise ProjectionError(
                f"{where} lúc {_iso(ev.at)} sớm hơn sự kiện trước: "
                "các sự kiện phải theo thứ tự thời gian"
            )
        previous = ev.at
        before = status
        if ev.type == "received":
            if i != 1:
                raise ProjectionError(f"{where}: hồ sơ chỉ được tiếp nhận một lần")
            dossier.received_at = ev.at
            dossier.step = first_step
            dossier.paused_at = None
            dossier.supplement_count = 0
            dossier.finished_at = None
            dossier.outcome = ""
            plan_from(calendar.intake_start(ev.at))
            set_step_due()
            status = Status.PROCESSING.value
        else:
            action = EVENT_ACTIONS.get(ev.type)
            if action is None:
                raise ProjectionError(f"{where}: loại sự kiện không được hỗ trợ")
            rule = transition(Status(status), action)
            if rule is None:
                raise ProjectionError(
                    f"{where} không thể xảy ra khi hồ sơ đang ở trạng thái "
                    f"«{STATUS_LABELS[Status(status)]}»"
                )
            if ev.type == "forwarded":
                if dossier.step >= len(plan):
                    raise ProjectionError(f"{where}: hồ sơ đã ở bước cuối của quy trình")
                dossier.step += 1
                set_step_due()
            elif ev.type == "returned_step":
                if dossier.step <= lowest_step:
                    raise ProjectionError(f"{where}: không có bước trước để trả lại")
                dossier.step -= 1
                set_step_due()
            elif ev.type == "supplement_requested":
                dossier.paused_at = ev.at
                dossier.supplement_count += 1
            elif ev.type == "supplement_received":
                paused_at = dossier.paused_at or ev.at
                old_due = dossier.due_at
                if procedure.supplement_policy == "pause" and old_due is not None:
                    left = calendar.working_time_between(paused_at, old_due)
                    due = calendar.add_working_hours(calendar.next_working_instant(ev.at), left)
                    shift = due - old_due
                    dossier.due_at = due
                    deadlines = [d + shift for d in deadlines]
                    if original is not None:
                        original += shift
                    set_step_due()
                else:
                    # Decree 118/2025: the time limit counts again from the complete dossier.
                    original = None
                    plan_from(calendar.intake_start(ev.at))
                    set_step_due()
                dossier.paused_at = None
            elif ev.type == "transferred":
                target = _agency(ev.to_agency_code or "", agencies)
                if target is None:
                    raise ProjectionError(f"{where}: không có cơ quan mã «{ev.to_agency_code}»")
                if target.pk == dossier.agency.pk:
                    raise ProjectionError(f"{where}: hồ sơ đang ở chính cơ quan này")
                if target.kind in DESK_KINDS:
                    raise ProjectionError(
                        f"{where}: chỉ chuyển cho cơ quan giải quyết, không chuyển về bộ phận "
                        "một cửa"
                    )
                dossier.agency = target
                dossier.assignee = None
            elif ev.type == "extended":
                new_due = ev.new_due_at
                assert new_due is not None  # noqa: S101 - EventIn requires it
                if dossier.due_at is not None and new_due <= dossier.due_at:
                    raise ProjectionError(
                        f"{where}: ngày hẹn mới {_iso(new_due)} phải sau ngày hẹn hiện tại "
                        f"{_iso(dossier.due_at)}"
                    )
                dossier.due_at = new_due
                if deadlines:
                    deadlines[-1] = new_due
                set_step_due()
                extended = True
            elif ev.type == "result_ready":
                dossier.finished_at = ev.at
                approved_at = ev.at
                due_for_766 = original or dossier.due_at
                if due_for_766 is not None:
                    dossier.outcome = rules.outcome(ev.at, due_for_766, calendar).value
            elif ev.type in {"rejected", "withdrawn"}:
                dossier.finished_at = ev.at
                dossier.paused_at = None
            if rule.to is not None:
                status = rule.to.value
        states.append(EventState(before, status, dossier.step, dossier.agency))

    if given_due_at is not None and given_due_at != dossier.due_at:
        dossier.due_at = given_due_at
        if deadlines:
            deadlines[-1] = given_due_at
        if not extended:
            original = given_due_at
        set_step_due()
        if approved_at is not None:
            dossier.outcome = rules.outcome(approved_at, original or given_due_at, calendar).value
    dossier.status = status
    dossier.version = len(events)
    dossier.extra["step_deadlines"] = [_iso(d) for d in deadlines]
    if original is not None:
        dossier.extra["original_due_at"] = _iso(original)
    else:
        dossier.extra.pop("original_due_at", None)
    return states


def _agency(code: str, agencies: Mapping[str, Agency] | None) -> Agency | None:
    if agencies is not None:
        return agencies.get(code)
    return Agency.objects.filter(code=code).first()


# --- Import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str
    code: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    lines: int = 0
    created: int = 0
    unchanged: int = 0
    conflicts: int = 0
    errors: list[LineError] = field(default_factory=list)  # every bad line, conflicts too

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "created": self.created,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "errors": len(self.errors),
        }


@dataclass
class _Prepared:
    line: int
    code: str
    digest: str
    source: dict[str, Any]
    dossier: Dossier
    events: list[tuple[EventIn, EventState, dict[str, Any]]]


class _Lookups:
    """Catalogue, agencies and units, read once per import (a province has a few thousand)."""

    def __init__(self) -> None:
        self.agencies: dict[str, Agency] = {
            a.code: a for a in Agency.objects.select_related("unit").order_by("code")
        }
        children: dict[int, list[Agency]] = {}
        for a in self.agencies.values():
            if a.parent_id is not None:
                children.setdefault(a.parent_id, []).append(a)
        self._desk: dict[int, Agency | None] = {}
        for a in self.agencies.values():
            # The agency's own one-stop desk; failing that (a department), the public-service
            # centre under the same committee, where live intake receives its dossiers.
            own = [c for c in children.get(a.pk, []) if c.kind == AgencyKind.ONE_STOP_DESK]
            centre = [
                c
                for c in children.get(a.parent_id or 0, [])
                if c.kind == AgencyKind.PUBLIC_SERVICE_CENTER
            ]
            self._desk[a.pk] = (own or centre or [None])[0]
        self._procedures: dict[str, tuple[Procedure, list[rules.StepPlan], int] | None] = {}
        self._units: dict[str, AdministrativeUnit | None] = {}
        self.calendar = work_calendar()

    def procedure(self, code: str) -> tuple[Procedure, list[rules.StepPlan], int] | None:
        if code not in self._procedures:
            p = Procedure.objects.filter(code=code).prefetch_related("steps").first()
            self._procedures[code] = (
                (p, step_plans(p), sum(int(f.get("amount") or 0) for f in p.fees)) if p else None
            )
        return self._procedures[code]

    def unit(self, code: str) -> AdministrativeUnit | None:
        if code not in self._units:
            self._units[code] = (
                AdministrativeUnit.objects.filter(code=code)
                .order_by(F("valid_until").desc(nulls_first=True))
                .first()
            )
        return self._units[code]

    def desk_for(self, agency: Agency) -> Agency | None:
        return self._desk.get(agency.pk)

    def unit_of(self, agency: Agency) -> AdministrativeUnit:
        unit: AdministrativeUnit = agency.unit
        return unit


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(obj: Any) -> str:
    return hashlib.sha256(_canonical(obj).encode()).hexdigest()


_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "không được để trống",
    "string_too_long": "quá dài (tối đa {max_length} ký tự)",
    "string_pattern_mismatch": "không đúng định dạng",
    "literal_error": "phải là một trong: {expected}",
    "too_short": "cần ít nhất {min_length} mục",
    "list_type": "phải là một danh sách",
    "model_type": "phải là một đối tượng",
    "model_attributes_type": "phải là một đối tượng",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
}


def _pydantic_reason(exc: PydanticValidationError) -> str:
    parts = []
    for e in exc.errors()[:3]:
        where = ".".join(str(p) for p in e["loc"]) or "dòng"
        ctx = e.get("ctx") or {}
        if e["type"] == "value_error" and "error" in ctx:
            message = str(ctx["error"])
        else:
            template = _MESSAGES.get(e["type"])
            try:
                message = template.format(**ctx) if template else str(e["msg"])
            except (KeyError, IndexError):
                message = str(e["msg"])
        parts.append(f"{where}: {message}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (và {more} lỗi khác)" if more > 0 else "")


def _prepare(number: int, text: str, look: _Lookups) -> _Prepared | LineError:
    try:
        source = json.loads(text)
    except json.JSONDecodeError as exc:
        return LineError(number, f"JSON không hợp lệ: {exc.msg} (cột {exc.colno})")
    if not isinstance(source, dict):
        return LineError(number, "mỗi dòng phải là một đối tượng JSON")
    code = source.get("code") if isinstance(source.get("code"), str) else ""
    try:
        line = LineIn.model_validate(source)
    except PydanticValidationError as exc:
        return LineError(number, _pydantic_reason(exc), code)
    found = look.procedure(line.procedure_code)
    if found is None:
        return LineError(number, f"không có thủ tục mã «{line.procedure_code}»", code)
    procedure, plan, catalogue_fee = found
    agency = look.agencies.get(line.agency_code)
    if agency is None:
        return LineError(number, f"không có cơ quan mã «{line.agency_code}»", code)
    if line.unit_code:
        unit = look.unit(line.unit_code)
        if unit is None:
            return LineError(number, f"không có đơn vị hành chính mã «{line.unit_code}»", code)
    else:
        unit = look.unit_of(agency)
    first = line.events[0]
    if line.received_at is not None and first.type == "received" and line.received_at != first.at:
        return LineError(
            number, "received_at phải trùng thời điểm sự kiện tiếp nhận (received) đầu tiên", code
        )
    raw_events: list[dict[str, Any]] = source["events"]
    desk = None
    desk_code = raw_events[0].get("desk")
    if isinstance(desk_code, str):
        desk = look.agencies.get(desk_code)
    if desk is None or desk.kind not in DESK_KINDS:
        desk = look.desk_for(agency)
    applicant = line.applicant
    extra: dict[str, Any] = {}
    raw = {k: v for k, v in source.items() if k not in LINE_KEYS}
    if raw:
        extra["raw"] = raw
    applicant_extra = {k: v for k, v in source["applicant"].items() if k not in APPLICANT_COLUMNS}
    if applicant_extra:
        extra["applicant"] = applicant_extra
    for key in ("fee", "files", "result", "rating"):
        if key in source:
            extra[key] = source[key]
    phone = (applicant.phone or "").replace(" ", "")
    returned = [e.method for e in line.events if e.type == "returned" and e.method]
    dossier = Dossier(
        code=line.code,
        procedure=procedure,
        agency=agency,
        desk=desk,
        receiving_agency=agency,
        unit=unit,
        channel=line.channel,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number or "",
        applicant_phone=phone,
        applicant_email=applicant.email or "",
        applicant_address=applicant.address or "",
        search_text=fold(f"{line.code} {applicant.name} {applicant.id_number or ''} {phone}"),
        result_delivery=line.result_delivery or (returned[-1] if returned else Delivery.COUNTER),
        fee_amount=line.fee.amount if line.fee is not None else catalogue_fee,
        extra=extra,
    )
    try:
        states = project(
            dossier,
            line.events,
            procedure,
            look.calendar,
            steps=plan,
            agencies=look.agencies,
            given_due_at=line.due_at,
        )
    except ProjectionError as exc:
        return LineError(number, str(exc), code)
    digest = _digest(source)
    extra["import_sha256"] = digest
    events = [
        (ev, state, {k: v for k, v in raw_ev.items() if k not in EVENT_COLUMNS})
        for ev, state, raw_ev in zip(line.events, states, raw_events, strict=True)
    ]
    return _Prepared(number, line.code, digest, source, dossier, events)


def dossiers_import(
    lines: Iterable[str | bytes], *, actor: Any = None, batch_size: int = 1000
) -> ImportReport:
    """Import interchange lines; see the module docstring. ``actor`` None is the system."""
    if actor is not None and Role.PROVINCE_ADMIN not in roles_of(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được nhập hồ sơ từ hệ thống cũ.")
    report = ImportReport()
    look = _Lookups()
    batch: list[_Prepared] = []
    for number, item in enumerate(lines, 1):
        if isinstance(item, bytes):
            try:
                text = item.decode("utf-8")
            except UnicodeDecodeError:
                report.lines += 1
                report.errors.append(LineError(number, "không phải văn bản UTF-8"))
                continue
        else:
            text = item
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        report.lines += 1
        prepared = _prepare(number, text, look)
        if isinstance(prepared, LineError):
            report.errors.append(prepared)
            continue
        batch.append(prepared)
        if len(batch) >= batch_size:
            _flush(batch, report, actor)
            batch = []
    if batch:
        _flush(batch, report, actor)
    report.errors.sort(key=lambda e: e.line)
    return report


def _flush(batch: list[_Prepared], report: ImportReport, actor: Any) -> None:
    existing = {
        code: (pk, extra)
        for code, pk, extra in Dossier.objects.filter(
            code__in={p.code for p in batch}
        ).values_list("code", "pk", "extra")
    }
    fresh: list[_Prepared] = []
    pending: dict[str, str] = {}
    exported: dict[str, str] = {}
    for p in batch:
        if p.code in pending:
            same = pending[p.code] == p.digest
        elif p.code in existing:
            pk, extra = existing[p.code]
            same = (extra or {}).get("import_sha256") == p.digest
            if not same:
                if p.code not in exported:
                    exported[p.code] = _canonical(_lines_for([pk])[0])
                same = exported[p.code] == _canonical(p.source)
        else:
            pending[p.code] = p.digest
            fresh.append(p)
            continue
        if same:
            report.unchanged += 1
        else:
            report.conflicts += 1
            report.errors.append(
                LineError(
                    p.line,
                    f"xung đột: mã hồ sơ «{p.code}» đã có với nội dung khác; không ghi đè",
                    p.code,
                )
            )
    if not fresh:
        return
    try:
        with transaction.atomic():
            _insert(fresh)
            _audit(fresh, actor)
        report.created += len(fresh)
    except IntegrityError:
        # Someone wrote one of these codes meanwhile: each line alone, all or nothing.
        done: list[_Prepared] = []
        for p in fresh:
            try:
                with transaction.atomic():
                    _insert([p])
                done.append(p)
            except IntegrityError as exc:
                report.errors.append(LineError(p.line, f"không ghi được: {exc}", p.code))
        if done:
            with transaction.atomic():
                _audit(done, actor)
        report.created += len(done)


def _insert(items: list[_Prepared]) -> None:
    for p in items:
        p.dossier.pk = None
        p.dossier._state.adding = True
    Dossier.objects.bulk_create([p.dossier for p in items], batch_size=500)
    events: list[DossierEvent] = []
    participants: list[DossierParticipant] = []
    counters: dict[tuple[str, Any], int] = {}
    for p in items:
        d = p.dossier
        held: list[int] = []
        for seq, (ev, state, data) in enumerate(p.events, 1):
            events.append(
                DossierEvent(
                    dossier_id=d.pk,
                    seq=seq,
                    type=ev.type,
                    at=ev.at,
                    actor=None,
                    actor_name=ev.actor or "",
                    agency_id=state.agency.pk,
                    from_status=state.from_status,
                    to_status=state.to_status,
                    step=state.step,
                    data=data,
                )
            )
            if state.agency.pk not in held:
                held.append(state.agency.pk)
        participants.extend(DossierParticipant(dossier_id=d.pk, agency_id=a) for a in held)
        parsed = rules.parse_dossier_code(p.code)
        if parsed is not None:
            key = (parsed[0], parsed[1])
            counters[key] = max(counters.get(key, 0), parsed[2])
    DossierEvent.objects.bulk_create(events, batch_size=1000)
    DossierParticipant.objects.bulk_create(participants, batch_size=1000)
    _raise_counters(counters)


def _raise_counters(counters: dict[tuple[str, Any], int]) -> None:
    """Live intake numbers codes per (agency, day): never hand out an imported code again."""
    if not counters:
        return
    bigger = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    sql = (
        "INSERT INTO dossiers_dossiercodecounter (agency_code, day, last) VALUES (%s, %s, %s) "
        "ON CONFLICT (agency_code, day) DO UPDATE SET "
        f"last = {bigger}(dossiers_dossiercodecounter.last, excluded.last)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(a, day, last) for (a, day), last in counters.items()])


def _audit(items: list[_Prepared], actor: Any) -> None:
    audit_record(
        actor=actor,
        action="dossier.import",
        object_type="dossiers.dossier",
        object_repr=f"{len(items)} hồ sơ nhập từ tệp",
        changes={
            "created": len(items),
            "first_line": items[0].line,
            "last_line": items[-1].line,
            "first_code": items[0].code,
            "last_code": items[-1].code,
        },
    )


# --- Export ---------------------------------------------------------------------------------

_TZ = ZoneInfo(settings.TIME_ZONE)
_FEE_ORDER = ("amount", "paid_online", "paid_at")
_FILE_ORDER = ("requirement", "digitized", "sha256")
_RESULT_ORDER = ("digitized", "signed")
_RATING_ORDER = ("score", "at")
_EVENT_ORDER = ("type", "at", "actor", "to_agency_code", "new_due_at", "method", "reason")
_APPLICANT_ORDER = ("kind", "id_number", "name", "phone", "email", "address", "address_unit_code")


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(_TZ).isoformat() if value is not None else None


def _canon(value: Any) -> Any:
    """JSON with object keys sorted: PostgreSQL's jsonb does not keep key order."""
    if isinstance(value, dict):
        return {k: _canon(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return value


def _ordered(value: Any, order: Sequence[str]) -> Any:
    if not isinstance(value, dict):
        return _canon(value)
    out = {k: _canon(value[k]) for k in order if k in value}
    out.update({k: _canon(value[k]) for k in sorted(value) if k not in out})
    return out


def _event_out(e: DossierEvent) -> dict[str, Any]:
    data = dict(e.data or {})
    if e.type == "transferred" and "to_agency_code" not in data and "to_agency" in data:
        data["to_agency_code"] = data.pop("to_agency")  # a live transfer's key
    if isinstance(data.get("new_due_at"), str):
        try:
            data["new_due_at"] = _iso(_instant(data["new_due_at"]))
        except ValueError:
            pass
    out: dict[str, Any] = {"type": e.type, "at": _iso(e.at)}
    if e.actor_name:
        out["actor"] = e.actor_name
    for k, v in _ordered(data, _EVENT_ORDER).items():
        out.setdefault(k, v)
    return out


def _file_out(f: DossierFile) -> dict[str, Any]:
    return {
        "requirement": f.requirement.name if f.requirement is not None else None,
        "digitized": True,
        "sha256": f.sha256,
        "content_type": f.content_type,
        "kind": f.kind,
        "name": f.name,
        "size": f.size,
    }


def dossier_line(
    d: Dossier, events: Sequence[DossierEvent], files: Sequence[DossierFile]
) -> dict[str, Any]:
    """The interchange object of one dossier (``events`` in seq order)."""
    extra = d.extra or {}
    applicant: dict[str, Any] = {
        "kind": d.applicant_kind,
        "id_number": d.applicant_id_number or None,
        "name": d.applicant_name,
        "phone": d.applicant_phone or None,
        "email": d.applicant_email or None,
        "address": d.applicant_address or None,
    }
    for k, v in (extra.get("applicant") or {}).items():
        applicant.setdefault(k, v)
    fee = extra["fee"] if "fee" in extra else {"amount": d.fee_amount, "paid_online": False}
    if "fee" not in extra:
        fee["paid_at"] = None
    has_result = any(f.kind == FileKind.RESULT for f in files)
    result = extra["result"] if "result" in extra else (
        {"digitized": True, "signed": False} if has_result else None
    )
    listed = list(extra.get("files") or []) + [_file_out(f) for f in files]
    line: dict[str, Any] = {
        "code": d.code,
        "procedure_code": d.procedure.code,
        "agency_code": d.receiving_agency.code,
        "unit_code": d.unit.code,
        "channel": d.channel,
        "result_delivery": d.result_delivery,
        "applicant": _ordered(applicant, _APPLICANT_ORDER),
        "received_at": _iso(d.received_at),
        "due_at": _iso(d.due_at),
        "fee": _ordered(fee, _FEE_ORDER),
        "files": [_ordered(f, _FILE_ORDER) for f in listed],
        "result": _ordered(result, _RESULT_ORDER),
        "rating": _ordered(extra.get("rating"), _RATING_ORDER),
        "events": [_event_out(e) for e in events],
    }
    raw = extra.get("raw") or {}
    for k in sorted(raw):
        line.setdefault(k, _canon(raw[k]))
    return line


def _lines_for(ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = list(
        Dossier.objects.filter(pk__in=ids).select_related("procedure", "receiving_agency", "unit")
    )
    by_id = {d.pk: d for d in rows}
    events: dict[int, list[DossierEvent]] = {}
    for e in DossierEvent.objects.filter(dossier_id__in=ids).order_by("dossier_id", "seq"):
        events.setdefault(e.dossier_id, []).append(e)
    files: dict[int, list[DossierFile]] = {}
    for f in (
        DossierFile.objects.filter(dossier_id__in=ids)
        .select_related("requirement")
        .order_by("dossier_id", "id")
    ):
        files.setdefault(f.dossier_id, []).append(f)
    return [
        dossier_line(by_id[i], events.get(i, []), files.get(i, [])) for i in ids if i in by_id
    ]


def dossier_line_text(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def dossiers_for_export(
    *, agency: Agency | None = None, since: date | None = None
) -> QuerySet[Dossier]:
    """Dossiers an agency received or ever held (``agency``), received on or after ``since``."""
    qs = Dossier.objects.all()
    if agency is not None:
        held = DossierParticipant.objects.filter(dossier=OuterRef("pk"), agency=agency)
        qs = qs.filter(Q(Exists(held)) | Q(desk=agency))
    if since is not None:
        qs = qs.filter(received_at__gte=datetime.combine(since, time(0), tzinfo=_TZ))
    return qs


def dossiers_export(queryset: QuerySet[Dossier], *, chunk: int = 1000) -> Iterator[str]:
    """One interchange line (no newline) per dossier of ``queryset``, ordered by code."""
    qs = queryset.order_by("code")
    last = ""
    while True:
        page = list(qs.filter(code__gt=last).values_list("pk", "code")[:chunk])
        if not page:
            return
        for obj in _lines_for([pk for pk, _ in page]):
            yield dossier_line_text(obj)
        last = page[-1][1]
