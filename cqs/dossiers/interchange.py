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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import partial
from typing import Annotated, Any, Literal, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic import ValidationError as PydanticValidationError

from cqs.accounts.permissions import roles_of
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.catalogue.models import Procedure
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
from cqs.dossiers.projection import (
    EVENT_ACTIONS,
    Event,
    EventState,
    ProjectionError,
    project,
    step_plans,
)
from cqs.dossiers.services import DESK_KINDS
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind
from cqs.workdays.selectors import work_calendar

__all__ = [
    "EVENT_ACTIONS",
    "Event",
    "EventState",
    "ImportReport",
    "LineError",
    "LineIn",
    "ProjectionError",
    "dossier_line",
    "dossiers_export",
    "dossiers_for_export",
    "dossiers_import",
    "project",
    "step_plans",
]

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


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"thời gian «{value}» thiếu múi giờ (ví dụ +07:00)")
    return parsed


# Lines are validated from their JSON text: strict datetimes there are ISO 8601 strings only
# (no Unix numbers), and one without an offset is refused.
Instant = Annotated[AwareDatetime, Strict()]
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


@dataclass(slots=True)
class _EventRow:
    """A DossierEvent row to be written (model instances cost more than the insert)."""

    seq: int
    type: str
    at: datetime
    actor_name: str
    agency_id: int
    from_status: str
    to_status: str
    step: int
    data: dict[str, Any]


@dataclass
class _Prepared:
    line: int
    code: str
    digest: str
    dossier: Dossier  # unsaved
    events: list[_EventRow]
    held: list[int]  # agencies that held it, in order (DossierParticipant rows)


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
    "timezone_aware": "thời gian thiếu múi giờ (ví dụ +07:00)",
    "datetime_type": "thời gian phải là chuỗi ISO 8601 có múi giờ",
    "datetime_parsing": "thời gian không đúng ISO 8601",
    "datetime_from_date_parsing": "thời gian không đúng ISO 8601",
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


_DOSSIER_FIELDS = list(Dossier._meta.concrete_fields)


def _new_dossier(**values: Any) -> Dossier:
    """Dossier(**values), four times faster: Django's positional path, related objects cached.

    Model.__init__ with keywords checks each one and goes through each relation's descriptor;
    an import builds one per line.
    """
    related = {
        f.name: values.pop(f.name) for f in _DOSSIER_FIELDS if f.is_relation and f.name in values
    }
    for name, obj in related.items():
        values[f"{name}_id"] = obj.pk if obj is not None else None
    d = Dossier(*[values[f.attname] if f.attname in values else f.get_default() for f in _DOSSIER_FIELDS])
    for name, obj in related.items():
        Dossier._meta.get_field(name).set_cached_value(d, obj)  # type: ignore[union-attr]
    return d


def _prepare(number: int, text: str, look: _Lookups) -> _Prepared | LineError:
    try:
        source = json.loads(text)
    except json.JSONDecodeError as exc:
        return LineError(number, f"JSON không hợp lệ: {exc.msg} (cột {exc.colno})")
    if not isinstance(source, dict):
        return LineError(number, "mỗi dòng phải là một đối tượng JSON")
    code = source.get("code") if isinstance(source.get("code"), str) else ""
    try:
        line = LineIn.model_validate_json(text)
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
    dossier = _new_dossier(
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
    digest = hashlib.sha256(text.strip().encode()).hexdigest()
    extra["import_sha256"] = digest
    events = [
        _EventRow(
            seq=seq,
            type=ev.type,
            at=ev.at,
            actor_name=ev.actor or "",
            agency_id=state.agency.pk,
            from_status=state.from_status,
            to_status=state.to_status,
            step=state.step,
            data={k: v for k, v in raw_ev.items() if k not in EVENT_COLUMNS},
        )
        for seq, (ev, state, raw_ev) in enumerate(
            zip(line.events, states, raw_events, strict=True), 1
        )
    ]
    held: list[int] = []
    for state in states:
        if state.agency.pk not in held:
            held.append(state.agency.pk)
    return _Prepared(number, line.code, digest, dossier, events, held)


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
        for code, pk, extra in Dossier.objects.filter(code__in={p.code for p in batch}).values_list(
            "code", "pk", "extra"
        )
    }
    fresh: list[_Prepared] = []
    pending: dict[str, _Prepared] = {}
    for p in batch:
        if p.code in pending:
            first = pending[p.code]
            same = first.digest == p.digest or _same_state(_line_of(first), p)
        elif p.code in existing:
            pk, extra = existing[p.code]
            # The same line again, or another line (our own export of it, say) giving the
            # very same dossier: unchanged. Anything else is a conflict: never overwritten.
            same = (extra or {}).get("import_sha256") == p.digest or _same_state(
                _lines_for([pk])[0], p
            )
        else:
            pending[p.code] = p
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


def _line_of(p: _Prepared) -> dict[str, Any]:
    return dossier_line(p.dossier, p.events, [])


def _same_state(current: dict[str, Any], p: _Prepared) -> bool:
    return _canonical(current) == _canonical(_line_of(p))


# Columns written by the import, in order (test_interchange checks them against the models).
DOSSIER_COLUMNS = (
    "code",
    "procedure_id",
    "agency_id",
    "desk_id",
    "receiving_agency_id",
    "unit_id",
    "channel",
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_user_id",
    "search_text",
    "status",
    "step",
    "assignee_id",
    "received_at",
    "clock_started_at",
    "due_at",
    "step_due_at",
    "paused_at",
    "supplement_count",
    "finished_at",
    "outcome",
    "result_delivery",
    "fee_amount",
    "extra",
    "version",
    "created_at",
    "updated_at",
)
EVENT_ROW_COLUMNS = (
    "dossier_id",
    "seq",
    "type",
    "at",
    "actor_id",
    "actor_name",
    "agency_id",
    "from_status",
    "to_status",
    "step",
    "data",
)


def _insert_sql(model: type[Model], columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _datetime_adapter() -> Callable[[datetime | None], Any]:
    if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
        # What SQLite's adapt_datetimefield_value returns, without its per-call checks.
        def utc_text(value: datetime | None) -> str | None:
            return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))

        return utc_text
    adapt: Callable[[datetime | None], Any] = connection.ops.adapt_datetimefield_value
    return adapt


def _insert(items: list[_Prepared]) -> None:
    """Plain executemany: the ORM's bulk_create spends more time compiling than writing."""
    when = _datetime_adapter()
    js = partial(connection.ops.adapt_json_value, encoder=None)
    now = when(timezone.now())
    rows = []
    for p in items:
        d = p.dossier
        rows.append(
            (
                d.code,
                d.procedure_id,
                d.agency_id,
                d.desk_id,
                d.receiving_agency_id,
                d.unit_id,
                d.channel,
                d.applicant_kind,
                d.applicant_name,
                d.applicant_id_number,
                d.applicant_phone,
                d.applicant_email,
                d.applicant_address,
                None,
                d.search_text,
                d.status,
                d.step,
                None,
                when(d.received_at),
                when(d.clock_started_at),
                when(d.due_at),
                when(d.step_due_at),
                when(d.paused_at),
                d.supplement_count,
                when(d.finished_at),
                d.outcome,
                d.result_delivery,
                d.fee_amount,
                js(d.extra),
                d.version,
                now,
                now,
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(Dossier, DOSSIER_COLUMNS), rows)
    ids = dict(Dossier.objects.filter(code__in=[p.code for p in items]).values_list("code", "pk"))
    events = []
    participants = []
    counters: dict[tuple[str, Any], int] = {}
    for p in items:
        p.dossier.pk = pk = ids[p.code]
        p.dossier._state.adding = False
        events.extend(
            (
                pk,
                e.seq,
                e.type,
                when(e.at),
                None,
                e.actor_name,
                e.agency_id,
                e.from_status,
                e.to_status,
                e.step,
                js(e.data),
            )
            for e in p.events
        )
        participants.extend((pk, agency_id) for agency_id in p.held)
        parsed = rules.parse_dossier_code(p.code)
        if parsed is not None:
            key = (parsed[0], parsed[1])
            counters[key] = max(counters.get(key, 0), parsed[2])
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(DossierEvent, EVENT_ROW_COLUMNS), events)
        cursor.executemany(
            _insert_sql(DossierParticipant, ("dossier_id", "agency_id")), participants
        )
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


def _event_out(e: EventView) -> dict[str, Any]:
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


class EventView(Protocol):
    """What an exported event needs: a DossierEvent, or a row about to be imported."""

    @property
    def type(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_name(self) -> str: ...
    @property
    def data(self) -> Any: ...


def dossier_line(
    d: Dossier, events: Sequence[EventView], files: Sequence[DossierFile]
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
    result = (
        extra["result"]
        if "result" in extra
        else ({"digitized": True, "signed": False} if has_result else None)
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
    return [dossier_line(by_id[i], events.get(i, []), files.get(i, [])) for i in ids if i in by_id]


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
