"""Rollups kept in step with the dossier event log, and their rebuild.

Each dossier adds ``rules.contribution(state)`` to the row of its receipt day (agency ×
procedure × commune × day, ``DailyRollup``) and month (``MonthlyRollup``); a dossier in
processing is also listed in ``OpenDossier`` with its legal due instant. On every live event
the receiver subtracts the dossier's contribution before the event and adds the one after it,
in the event's own transaction (``cqs.dossiers.signals``), with one
``INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c`` per touched row; an import batch
adds its dossiers' contributions in the batch's transaction, from the states the import
computed (no read back), with one ``INSERT … SELECT FROM unnest(…) ON CONFLICT`` per table
on PostgreSQL and its open rows by COPY. ``rebuild`` recomputes the rows
of a range from the event log: each dossier's lifecycle (receipt, status, agency, supplements,
finish, Decision 766 outcome) is folded from its ``DossierEvent`` rows in order
(``event_states``); ``rebuild(from_projection=True)`` reads the ``Dossier`` columns instead
(the fast path, same result while the projection is in step with its events).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, Q

from cqs.audit.services import audit_record
from cqs.dashboard import rules
from cqs.dashboard.models import COUNTER_FIELDS, DailyRollup, MonthlyRollup, OpenDossier
from cqs.dossiers import rules as dossier_rules
from cqs.dossiers.models import Dossier, DossierEvent
from cqs.dossiers.projection import EVENT_ACTIONS
from cqs.dossiers.signals import DossierState, dossier_states
from cqs.dossiers.workflow import Status, transition
from cqs.units.models import Agency
from cqs.units.selectors import agency_descendant_ids
from cqs.workdays.selectors import work_calendar

Key = tuple[int, int, int]  # agency, procedure, unit
Deltas = dict[tuple[date, int, int, int], list[int]]
Row = tuple[date | int, ...]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(at: datetime) -> date:
    return at.astimezone(_tz()).date()


def _vector(state: DossierState) -> list[int]:
    c = rules.contribution(state)
    return [c[f] for f in COUNTER_FIELDS]


def _add(deltas: Deltas, state: DossierState | None, sign: int) -> None:
    if state is None or not rules.counted(state):
        return
    assert state.received_at is not None  # noqa: S101 - rules.counted checked it
    key = (local_day(state.received_at), state.agency_id, state.procedure_id, state.unit_id)
    row = deltas.setdefault(key, [0] * len(COUNTER_FIELDS))
    for i, v in enumerate(_vector(state)):
        row[i] += sign * v


def _upsert_sql(model: type[Model], period: str) -> str:
    table = model._meta.db_table
    keys = [period, "agency_id", "procedure_id", "unit_id"]
    cols = keys + list(COUNTER_FIELDS)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTER_FIELDS)
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "  # noqa: S608 - names from the model
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )


def _insert_fresh(deltas: Deltas) -> None:
    """Write rows known not to exist yet (rebuild deleted them): COPY on PostgreSQL."""
    monthly = _months(deltas)
    with connection.cursor() as cursor:
        for model, period, rows in (
            (DailyRollup, "day", deltas),
            (MonthlyRollup, "month", monthly),
        ):
            table = model._meta.db_table
            cols = [period, "agency_id", "procedure_id", "unit_id", *COUNTER_FIELDS]
            params: list[Row] = [(*k, *v) for k, v in sorted(rows.items()) if any(v)]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in params:
                        copy.write_row(row)
            elif params:
                marks = ", ".join(["%s"] * len(cols))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608 - names from the model
                    params,
                )


def _months(deltas: Deltas) -> Deltas:
    monthly: Deltas = {}
    for (day, a, p, u), vec in deltas.items():
        row = monthly.setdefault((day.replace(day=1), a, p, u), [0] * len(COUNTER_FIELDS))
        for i, v in enumerate(vec):
            row[i] += v
    return monthly


def _upsert_many_sql(model: type[Model], period: str) -> str:
    """PostgreSQL: many rows in one statement, one array per column (``unnest`` keeps their
    order: key order, as ``_write`` sorts them)."""
    table = model._meta.db_table
    keys = [period, "agency_id", "procedure_id", "unit_id"]
    cols = keys + list(COUNTER_FIELDS)
    arrays = ", ".join(["%s::date[]"] + ["%s::bigint[]"] * (len(cols) - 1))
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTER_FIELDS)
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT * FROM unnest({arrays}) "  # noqa: S608 - names from the model
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )


def _write(deltas: Deltas) -> None:
    """Add the deltas to the daily and monthly rows, in key order (no deadlocks between two
    writers touching the same rows). One row (a live event): one INSERT … ON CONFLICT; many
    (an import batch): on PostgreSQL one INSERT … SELECT FROM unnest(arrays) instead of one
    statement per row in executemany's pipeline; elsewhere executemany."""
    monthly = _months(deltas)
    many = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for model, period, rows in (
            (DailyRollup, "day", deltas),
            (MonthlyRollup, "month", monthly),
        ):
            params: list[Row] = [(*k, *v) for k, v in sorted(rows.items()) if any(v)]
            if len(params) == 1:
                cursor.execute(_upsert_sql(model, period), params[0])
            elif params and many:
                cursor.execute(
                    _upsert_many_sql(model, period), [list(c) for c in zip(*params, strict=True)]
                )
            elif params:
                cursor.executemany(_upsert_sql(model, period), params)


def _open_row(state: DossierState) -> OpenDossier | None:
    row = _open_tuple(state)
    return None if row is None else OpenDossier(**dict(zip(_OPEN_COLUMNS, row, strict=True)))


def apply_change(before: Sequence[DossierState | None], after: Sequence[DossierState]) -> None:
    """Replace the contributions ``before`` by ``after`` (call inside the writer's transaction)."""
    deltas: Deltas = {}
    for s in before:
        _add(deltas, s, -1)
    for s in after:
        _add(deltas, s, +1)
    _write(deltas)
    # A dossier with no state before (just received) has no open row yet: nothing to delete.
    touched = {s.id for s in before if s is not None}
    if touched:
        OpenDossier.objects.filter(dossier_id__in=touched).delete()
    rows = [r for r in (_open_row(s) for s in after) if r is not None]
    if rows:
        OpenDossier.objects.bulk_create(rows)


# --- Receivers (connected in DashboardConfig.ready) ------------------------------------------


def on_dossier_changed(
    sender: Any,
    *,
    before: Sequence[DossierState | None],
    after: Sequence[DossierState],
    **_: Any,
) -> None:
    apply_change(before, after)


def apply_import(states: Sequence[DossierState]) -> None:
    """Add the contributions of new dossiers (an import batch: none has a rollup contribution
    or an open row yet). Open rows by COPY on PostgreSQL, executemany elsewhere."""
    deltas: Deltas = {}
    for s in states:
        _add(deltas, s, +1)
    _write(deltas)
    rows = [r for r in (_open_tuple(s) for s in states) if r is not None]
    if not rows:
        return
    table = OpenDossier._meta.db_table
    names = ", ".join(_OPEN_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(_OPEN_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - names from the model
                [(*r[:5], _db_when(r[5]), *r[6:]) for r in rows],
            )


_OPEN_COLUMNS = (
    "dossier_id",
    "agency_id",
    "procedure_id",
    "unit_id",
    "day",
    "legal_due",
    "supplements",
    "unsatisfied",
)


def _open_tuple(state: DossierState) -> tuple[Any, ...] | None:
    """``_open_row`` as a row of ``_OPEN_COLUMNS`` (no model instance)."""
    if not rules.counted(state) or state.status != "processing":
        return None
    assert state.received_at is not None  # noqa: S101 - rules.counted checked it
    return (
        state.id,
        state.agency_id,
        state.procedure_id,
        state.unit_id,
        local_day(state.received_at),
        state.legal_due,
        state.supplement_count,
        rules.unsatisfied(state),
    )


def _db_when(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def on_dossiers_imported(
    sender: Any, *, dossier_ids: list[int], states: Sequence[DossierState] | None = None, **_: Any
) -> None:
    if states is None:  # a sender that does not know them: read them back
        states = list(dossier_states(Dossier.objects.filter(pk__in=dossier_ids)))
    if states:
        apply_import(states)


# --- Rebuild ---------------------------------------------------------------------------------

EventRow = tuple[str, datetime, int | None]  # type, at, agency after the event
_FINISHING = {"result_ready", "rejected", "withdrawn"}


def fold_events(state: DossierState, events: Sequence[EventRow], cal: Any) -> DossierState:
    """``state`` with its lifecycle facts replaced by the fold of its events (in ``seq`` order)
    against the workflow's transition table: received → processing; each event the transition
    its live action makes (an event the table refuses in that status changes nothing);
    supplements counted; the agency after a transfer; the finish instant of the result,
    rejection or withdrawal; the Decision 766 outcome of the result against the legal due
    date. What no event carries — procedure, commune, channel, the legal due date set at
    intake, fee, files, rating — comes from ``state`` (the dossier's own row)."""
    received_at: datetime | None = None
    agency_id: int | None = None
    status = ""
    supplements = 0
    finished_at: datetime | None = None
    outcome = ""
    for kind, at, agency in events:
        if kind == "received":
            received_at, status = at, Status.PROCESSING.value
            agency_id = agency or agency_id
            continue
        action = EVENT_ACTIONS.get(kind)
        rule = transition(Status(status), action) if action and status else None
        if rule is None:
            continue  # fee payments, notes…; or an event the workflow cannot have produced
        if kind == "supplement_requested":
            supplements += 1
        elif kind == "transferred":
            agency_id = agency or agency_id
        elif kind in _FINISHING:
            finished_at = at
            if kind == "result_ready" and state.legal_due is not None:
                outcome = dossier_rules.outcome(at, state.legal_due, cal).value
        if rule.to is not None:
            status = rule.to.value
    return replace(
        state,
        agency_id=agency_id or state.agency_id,
        received_at=received_at,
        status=status,
        supplement_count=supplements,
        finished_at=finished_at,
        outcome=outcome,
    )


def event_states(qs: Any, *, chunk_size: int = 5000) -> Iterator[DossierState]:
    """The states of the dossiers of ``qs`` folded from their event logs, streamed in chunks
    (one query for the dossiers, one per chunk for their events)."""
    cal = work_calendar()
    chunk: list[DossierState] = []

    def flush() -> Iterator[DossierState]:
        events: dict[int, list[EventRow]] = {}
        rows = (
            DossierEvent.objects.filter(dossier_id__in=[s.id for s in chunk])
            .order_by("dossier_id", "seq")
            .values_list("dossier_id", "type", "at", "agency_id")
        )
        for dossier_id, kind, at, agency in rows.iterator(chunk_size=chunk_size):
            events.setdefault(dossier_id, []).append((kind, at, agency))
        for s in chunk:
            yield fold_events(s, events.get(s.id, []), cal)

    for state in dossier_states(qs.order_by("pk"), chunk_size=chunk_size):
        chunk.append(state)
        if len(chunk) >= chunk_size:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


@dataclass(frozen=True)
class RebuildReport:
    dossiers: int
    daily_rows: int
    monthly_rows: int
    open_dossiers: int
    start: date | None
    end: date | None  # first day after


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)


def rebuild(
    *,
    actor: Any = None,
    start: date | None = None,
    end: date | None = None,
    agency_codes: Iterable[str] = (),
    from_projection: bool = False,
) -> RebuildReport:
    """Recompute the rollups of dossiers received from ``start`` to ``end`` (inclusive, local
    days; widened to whole months, the monthly grain) at the given agencies and their
    sub-trees (all when empty), in one transaction: from the event log (``event_states``), or
    with ``from_projection`` from the ``Dossier`` columns."""
    lo = _month_start(start) if start else None
    hi = _next_month(end) if end else None
    tz = _tz()
    if from_projection:
        dossiers = Dossier.objects.exclude(received_at=None)
    else:  # the range is the receipt event's instant
        received = DossierEvent.objects.filter(type="received")
        dossiers = Dossier.objects.all()
    rollup_q, month_q = Q(), Q()
    if not from_projection:
        if lo:
            received = received.filter(at__gte=datetime.combine(lo, time.min, tzinfo=tz))
        if hi:
            received = received.filter(at__lt=datetime.combine(hi, time.min, tzinfo=tz))
        dossiers = dossiers.filter(pk__in=received.values("dossier_id"))
    if lo:
        if from_projection:
            dossiers = dossiers.filter(received_at__gte=datetime.combine(lo, time.min, tzinfo=tz))
        rollup_q &= Q(day__gte=lo)
        month_q &= Q(month__gte=lo)
    if hi:
        if from_projection:
            dossiers = dossiers.filter(received_at__lt=datetime.combine(hi, time.min, tzinfo=tz))
        rollup_q &= Q(day__lt=hi)
        month_q &= Q(month__lt=hi)
    codes = list(agency_codes)
    if codes:
        roots = set(Agency.objects.filter(code__in=codes).values_list("pk", flat=True))
        ids = roots | agency_descendant_ids(roots)
        dossiers = dossiers.filter(agency_id__in=ids)
        rollup_q &= Q(agency_id__in=ids)
        month_q &= Q(agency_id__in=ids)
    n = 0
    with transaction.atomic():
        DailyRollup.objects.filter(rollup_q).delete()
        MonthlyRollup.objects.filter(month_q).delete()
        OpenDossier.objects.filter(rollup_q).delete()
        deltas: Deltas = {}
        opened: list[OpenDossier] = []
        states = dossier_states(dossiers) if from_projection else event_states(dossiers)
        for state in states:
            n += 1
            _add(deltas, state, +1)
            row = _open_row(state)
            if row is not None:
                opened.append(row)
            if len(opened) >= 5000:
                OpenDossier.objects.bulk_create(opened)
                opened = []
        _insert_fresh(deltas)
        OpenDossier.objects.bulk_create(opened)
        audit_record(
            actor=actor,
            action="dashboard.rebuild_rollups",
            object_type="dashboard.rollup",
            changes={
                "from": lo.isoformat() if lo else None,
                "to": hi.isoformat() if hi else None,
                "agencies": codes,
                "dossiers": n,
                "source": "projection" if from_projection else "events",
            },
        )
    return RebuildReport(
        dossiers=n,
        daily_rows=DailyRollup.objects.filter(rollup_q).count(),
        monthly_rows=MonthlyRollup.objects.filter(month_q).count(),
        open_dossiers=OpenDossier.objects.filter(rollup_q).count(),
        start=lo,
        end=hi,
    )


def snapshot() -> dict[str, Any]:
    """Every non-zero rollup row and open dossier, comparable between two computations."""
    out: dict[str, Any] = {}
    for model, period in ((DailyRollup, "day"), (MonthlyRollup, "month")):
        rows = {}
        for r in model.objects.values(
            period, "agency_id", "procedure_id", "unit_id", *COUNTER_FIELDS
        ):
            vec = tuple(r[c] for c in COUNTER_FIELDS)
            if any(vec):
                rows[(r[period], r["agency_id"], r["procedure_id"], r["unit_id"])] = vec
        out[period] = rows
    out["open"] = set(OpenDossier.objects.values_list(*_OPEN_COLUMNS))
    return out
