"""A dossier's state derived from its event log, exactly as the live services derive it.

``project`` replays a dossier's events against the transition table and the working-day
calendar: what cqs/dossiers/services.py does one action at a time, done for a whole history at
once. Imported dossiers (cqs/dossiers/interchange.py) and synthetic ones get their status,
deadlines, pause and 766 outcome from here, so they are indistinguishable from live dossiers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from cqs.accounts.rules import Role
from cqs.catalogue.models import Procedure
from cqs.core.calendar import WorkCalendar
from cqs.dossiers import rules
from cqs.dossiers.models import Dossier
from cqs.dossiers.services import DESK_KINDS
from cqs.dossiers.workflow import STATUS_LABELS, Action, Status, transition
from cqs.units.models import Agency

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
                f"{where} lúc {_show(ev.at, calendar.tz)} sớm hơn sự kiện trước: "
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
                        f"{where}: ngày hẹn mới {_show(new_due, calendar.tz)} phải sau ngày hẹn hiện tại "
                        f"{_show(dossier.due_at, calendar.tz)}"
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
    dossier.extra["step_deadlines"] = [_show(d, calendar.tz) for d in deadlines]
    if original is not None:
        dossier.extra["original_due_at"] = _show(original, calendar.tz)
    else:
        dossier.extra.pop("original_due_at", None)
    return states


def _agency(code: str, agencies: Mapping[str, Agency] | None) -> Agency | None:
    if agencies is not None:
        return agencies.get(code)
    return Agency.objects.filter(code=code).first()


def _show(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).isoformat()
