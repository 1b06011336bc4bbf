"""One interchange line -> a projected, unsaved dossier and its event rows (or the reason why not).

Validation (schema.LineIn), look-ups of procedure, agency and unit, and the projection of the
dossier's state from its events. Runs in the importing process or in a helper process.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from pydantic import ValidationError as PydanticValidationError

from cqs.catalogue.models import Procedure
from cqs.core.text import fold
from cqs.dossiers import rules
from cqs.dossiers.interchange.schema import APPLICANT_COLUMNS, EVENT_COLUMNS, LINE_KEYS, LineIn
from cqs.dossiers.models import Delivery, Dossier
from cqs.dossiers.projection import ProjectionError, project, step_plans
from cqs.dossiers.services import DESK_KINDS
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind
from cqs.workdays.selectors import work_calendar


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str
    code: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(slots=True)
class EventRow:
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
class Prepared:
    """One good line, projected: the dossier it gives and its events (nothing saved yet)."""

    line: int
    code: str
    digest: str
    dossier: Dossier  # unsaved
    events: list[EventRow]
    held: list[int]  # agencies that held it, in order (DossierParticipant rows)


class Lookups:
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
            self._desk[a.pk] = next(iter(own or centre), None)
        self._procedures: dict[str, tuple[Procedure, list[rules.StepPlan], int] | None] = {}
        self._units: dict[str, AdministrativeUnit | None] = {}
        self._complete = False
        self.calendar = work_calendar()

    def preload(self) -> None:
        """Read the whole catalogue and every unit now: helper processes never query."""
        for p in Procedure.objects.prefetch_related("steps"):
            self._procedures[p.code] = (p, step_plans(p), catalogue_fee(p))
        for u in AdministrativeUnit.objects.order_by(F("valid_until").desc(nulls_first=True)):
            self._units.setdefault(u.code, u)
        self._complete = True

    def procedure(self, code: str) -> tuple[Procedure, list[rules.StepPlan], int] | None:
        if code not in self._procedures and not self._complete:
            p = Procedure.objects.filter(code=code).prefetch_related("steps").first()
            self._procedures[code] = (p, step_plans(p), catalogue_fee(p)) if p else None
        return self._procedures.get(code)

    def unit(self, code: str) -> AdministrativeUnit | None:
        if code not in self._units and not self._complete:
            self._units[code] = (
                AdministrativeUnit.objects.filter(code=code)
                .order_by(F("valid_until").desc(nulls_first=True))
                .first()
            )
        return self._units.get(code)

    def desk_for(self, agency: Agency) -> Agency | None:
        return self._desk.get(agency.pk)

    def unit_of(self, agency: Agency) -> AdministrativeUnit:
        unit: AdministrativeUnit = agency.unit
        return unit


def catalogue_fee(p: Procedure) -> int:
    return sum(int(f.get("amount") or 0) for f in p.fees)  # as live intake counts it


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


def pydantic_reason(exc: PydanticValidationError) -> str:
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


_DOSSIER_FIELDS = [(f.attname, f.get_default()) for f in Dossier._meta.concrete_fields]
_DOSSIER_RELATIONS: dict[str, tuple[Any, str]] = {
    f.name: (f, f.attname) for f in Dossier._meta.concrete_fields if f.is_relation
}


def draft_dossier(**values: Any) -> Dossier:
    """An unsaved Dossier(**values), four times faster than Model.__init__ with keywords.

    That path checks each keyword and goes through each relation's descriptor; an import
    builds one dossier per line. Here fields go positionally (Django's fast path) and related
    objects are put in the relation cache, so ``d.procedure`` needs no query.
    """
    related = {name: values.pop(name) for name in list(values) if name in _DOSSIER_RELATIONS}
    for name, obj in related.items():
        values[_DOSSIER_RELATIONS[name][1]] = obj.pk if obj is not None else None
    values.setdefault("extra", {})
    # Model.__init__ (even positional) sends pre_init/post_init and sets each field through
    # setattr: 16 µs a dossier against 3 for filling __dict__, which is all it does for a
    # model with no receivers of those signals.
    if not (pre_init.has_listeners(Dossier) or post_init.has_listeners(Dossier)):
        d = Dossier.__new__(Dossier)
        d._state = ModelState()
        d.__dict__.update(
            (attname, values.get(attname, default)) for attname, default in _DOSSIER_FIELDS
        )
    else:
        model: Any = Dossier  # positional construction, which the model's stub does not model
        d = model(*[values.get(attname, default) for attname, default in _DOSSIER_FIELDS])
    for name, obj in related.items():
        _DOSSIER_RELATIONS[name][0].set_cached_value(d, obj)
    return d


def prepare_line(number: int, text: str, look: Lookups) -> Prepared | LineError:
    try:
        source = json.loads(text)
    except json.JSONDecodeError as exc:
        return LineError(number, f"JSON không hợp lệ: {exc.msg} (cột {exc.colno})")
    if not isinstance(source, dict):
        return LineError(number, "mỗi dòng phải là một đối tượng JSON")
    given_code = source.get("code")
    code = given_code if isinstance(given_code, str) else ""
    try:
        line = LineIn.model_validate_json(text)
    except PydanticValidationError as exc:
        return LineError(number, pydantic_reason(exc), code)
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
    if isinstance(raw.get("declared"), dict):  # an online filing's form fields (portal)
        extra["declared"] = raw.pop("declared")
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
    dossier = draft_dossier(
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
        EventRow(
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
    return Prepared(number, line.code, digest, dossier, events, held)
