"""Import: interchange lines -> dossiers, events and participants, in batches.

Each line is prepared (prepare.py: validated, looked up, projected from its events, and the
dossier's statistics state derived). Good lines are written 1,000 per transaction with plain
COPY/executemany and one audit row per batch; a batch that fails in the database is retried
line by line, each line all or nothing. Helper processes may prepare lines while this process
writes. On PostgreSQL the dossiers' ids are taken from the sequence before the COPY (no query
to read them back); the dashboard's rollups are handed the prepared states in the same
transaction (``dossiers_imported``), so nothing written is read again.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from functools import partial
from multiprocessing.pool import AsyncResult
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from cqs.accounts.permissions import roles_of
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.core.errors import PermissionDenied
from cqs.dossiers import rules
from cqs.dossiers.interchange.exporter import dossier_line, lines_for
from cqs.dossiers.interchange.prepare import LineError, Lookups, Prepared, prepare_line
from cqs.dossiers.models import Dossier, DossierEvent, DossierParticipant
from cqs.dossiers.signals import DossierState, send_imported, state_from_row

__all__ = ["DOSSIER_COLUMNS", "EVENT_ROW_COLUMNS", "ImportReport", "LineError", "dossiers_import"]


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
class _Ready:
    """One good line as rows ready to write: what a helper process sends back (small, plain
    values only; a model instance would drag its procedure and agencies through the pipe)."""

    line: int
    code: str
    digest: str
    text: str  # kept to project the line again when its code turns out to exist
    dossier_row: tuple[Any, ...]  # DOSSIER_COLUMNS without created_at, updated_at
    event_rows: list[tuple[Any, ...]]  # EVENT_ROW_COLUMNS without dossier_id
    held: list[int]
    counter: tuple[str, date, int] | None  # (agency code, day, sequence) of the code
    state: tuple[Any, ...]  # the DossierState's fields after its id (rollups: no read back)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def default_workers() -> int:
    """Helper processes for a large import: one per core, at most four (beyond that the single
    writer is the limit). Measured on 2 cores: SQLite 1,700 lines/s alone, 2,500 with two
    helpers. PostgreSQL, 100,000 lines on a quiet machine (21 Nov 2026, after the writer's and
    the server's work per line was cut to 0.12-0.18 ms and 0.25-0.35 ms): 2,053 lines/s with
    one helper, 2,411 with two. (Under load from other work, one helper did better: 1,129
    against 901 lines/s at load 4-7.) The helpers' validation and projection, 0.46-0.66 ms a
    line, is the limit of one helper."""
    return max(1, min(4, os.cpu_count() or 1))


def dossiers_import(
    lines: Iterable[str | bytes],
    *,
    actor: Any = None,
    batch_size: int = 1000,
    workers: int = 0,
) -> ImportReport:
    """Import interchange lines; see the module docstring. ``actor`` None is the system.

    ``workers`` helper processes validate and project the lines while this process writes
    (0: everything here). Lines are read, and batches written, in file order either way.
    """
    if actor is not None and Role.PROVINCE_ADMIN not in roles_of(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được nhập hồ sơ từ hệ thống cũ.")
    report = ImportReport()
    look = Lookups()
    adapt = _Adapters.current()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # 64 MB of page cache instead of 2: the indexes of a large import stay in memory.
            cursor.execute("PRAGMA cache_size = -65536")
    chunks = _chunks(lines, batch_size, report)
    if workers <= 0 or not adapt.portable:
        for chunk in chunks:
            _flush(_prepare_chunk(chunk, look, adapt), report, actor, look)
    else:
        look.preload()
        for results in _in_helpers(chunks, look, adapt, workers):
            _flush(results, report, actor, look)
    report.errors.sort(key=lambda e: e.line)
    return report


def _chunks(
    lines: Iterable[str | bytes], size: int, report: ImportReport
) -> Iterator[list[tuple[int, str]]]:
    """(line number, text) of the non-blank lines, ``size`` at a time."""
    chunk: list[tuple[int, str]] = []
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
        chunk.append((number, text))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class _Adapters:
    """Python values -> what the database driver takes, as plain picklable values."""

    when: Callable[[datetime | None], Any]
    js: Callable[[Any], Any]
    portable: bool  # plain str/int values: may cross a process boundary

    @staticmethod
    def current() -> _Adapters:
        if connection.vendor == "postgresql":
            # Text as COPY reads it: ISO 8601 with offset for timestamptz, JSON for jsonb.
            return _Adapters(_iso_or_none, _json_text, True)
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
            # What SQLite's adapt_datetimefield_value returns, without its per-call checks.
            return _Adapters(_utc_text, _json_text, True)
        ops = connection.ops
        return _Adapters(
            ops.adapt_datetimefield_value, partial(ops.adapt_json_value, encoder=None), False
        )


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _utc_text(value: datetime | None) -> str | None:
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _json_text(value: Any) -> str:
    if not value and isinstance(value, dict):
        return "{}"  # most events carry no extra data
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _prepare_chunk(
    chunk: list[tuple[int, str]], look: Lookups, adapt: _Adapters
) -> list[_Ready | LineError]:
    out: list[_Ready | LineError] = []
    for number, text in chunk:
        prepared = prepare_line(number, text, look)
        out.append(prepared if isinstance(prepared, LineError) else _ready(prepared, text, adapt))
    return out


def _ready(p: Prepared, text: str, adapt: _Adapters) -> _Ready:
    d, when, js = p.dossier, adapt.when, adapt.js
    row = (
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
        None,  # applicant_user: history has no account here
        d.search_text,
        d.status,
        d.step,
        None,  # assignee
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
    )
    events = [
        (
            e.seq,
            e.type,
            when(e.at),
            None,  # actor: a name only
            e.actor_name,
            e.agency_id,
            e.from_status,
            e.to_status,
            e.step,
            js(e.data),
        )
        for e in p.events
    ]
    # The dossier's statistics state as the dashboard reads it back from the row (an imported
    # dossier has no DossierFile rows: its digitized flags come from extra).
    state = state_from_row(
        (
            0,
            d.agency_id,
            d.procedure_id,
            d.unit_id,
            d.received_at,
            str(d.channel),
            str(d.status),
            str(d.outcome),
            d.supplement_count,
            d.due_at,
            d.finished_at,
            d.fee_amount,
            d.extra,
            False,
            False,
        )
    )
    return _Ready(
        p.line,
        p.code,
        p.digest,
        text,
        row,
        events,
        p.held,
        rules.parse_dossier_code(p.code),
        tuple(getattr(state, name) for name in _STATE_FIELDS),
    )


_STATE_FIELDS = tuple(f.name for f in fields(DossierState))[1:]  # after the id


# Helper processes are forked: they inherit the lookups (read before the fork) and never
# touch the database; this process alone writes.
_HELPER: tuple[Lookups, _Adapters] | None = None


def _helper_chunk(chunk: list[tuple[int, str]]) -> list[_Ready | LineError]:
    assert _HELPER is not None  # noqa: S101 - set before the fork
    results = _prepare_chunk(chunk, *_HELPER)
    for item in results:
        if isinstance(item, _Ready):
            item.text = ""  # not sent back: the writer has the line (a third of the bytes)
    return results


def _with_text(
    results: list[_Ready | LineError], chunk: list[tuple[int, str]]
) -> list[_Ready | LineError]:
    """Put back the text of each good line (one result per line of the chunk, in order)."""
    for item, (_, text) in zip(results, chunk, strict=True):
        if isinstance(item, _Ready):
            item.text = text
    return results


def _in_helpers(
    chunks: Iterator[list[tuple[int, str]]], look: Lookups, adapt: _Adapters, workers: int
) -> Iterator[list[_Ready | LineError]]:
    """Results of ``chunks`` prepared in ``workers`` processes, in order, a few in flight
    (bounded, so a file of a million lines is never read into memory ahead of the writer)."""
    global _HELPER  # noqa: PLW0603 - handed to the forked processes
    _HELPER = (look, adapt)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[tuple[AsyncResult[list[_Ready | LineError]], list[tuple[int, str]]]] = (
                deque()
            )
            for chunk in chunks:
                pending.append((pool.apply_async(_helper_chunk, (chunk,)), chunk))
                if len(pending) > 2 * workers:
                    result, sent = pending.popleft()
                    yield _with_text(result.get(), sent)
            while pending:
                result, sent = pending.popleft()
                yield _with_text(result.get(), sent)
    finally:
        _HELPER = None


def _flush(
    batch: list[_Ready | LineError], report: ImportReport, actor: Any, look: Lookups
) -> None:
    good: list[_Ready] = []
    for item in batch:
        if isinstance(item, LineError):
            report.errors.append(item)
        else:
            good.append(item)
    if not good:
        return
    existing = {
        code: (pk, extra)
        for code, pk, extra in Dossier.objects.filter(code__in={r.code for r in good}).values_list(
            "code", "pk", "extra"
        )
    }
    fresh: list[_Ready] = []
    pending: dict[str, _Ready] = {}
    for r in good:
        # The same line again, or another line (our own export of it, say) giving the very
        # same dossier: unchanged. Anything else is a conflict: never overwritten.
        if r.code in pending:
            first = pending[r.code]
            same = first.digest == r.digest or _same_state(
                _line_of(_again(first, look)), _again(r, look)
            )
        elif r.code in existing:
            pk, extra = existing[r.code]
            same = (extra or {}).get("import_sha256") == r.digest or _same_state(
                lines_for([pk])[0], _again(r, look)
            )
        else:
            pending[r.code] = r
            fresh.append(r)
            continue
        if same:
            report.unchanged += 1
        else:
            report.conflicts += 1
            report.errors.append(
                LineError(
                    r.line,
                    f"xung đột: mã hồ sơ «{r.code}» đã có với nội dung khác; không ghi đè",
                    r.code,
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
        done: list[_Ready] = []
        for r in fresh:
            try:
                with transaction.atomic():
                    _insert([r])
                done.append(r)
            except IntegrityError as exc:
                report.errors.append(LineError(r.line, f"không ghi được: {exc}", r.code))
        if done:
            with transaction.atomic():
                _audit(done, actor)
        report.created += len(done)


def _again(r: _Ready, look: Lookups) -> Prepared:
    p = prepare_line(r.line, r.text, look)
    assert isinstance(p, Prepared)  # noqa: S101 - it was good the first time
    return p


def _line_of(p: Prepared) -> dict[str, Any]:
    return dossier_line(p.dossier, p.events, [])


def _same_state(current: dict[str, Any], p: Prepared) -> bool:
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


def _write_rows(model: type[Model], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Append rows: COPY on PostgreSQL (an order of magnitude faster than INSERTs there),
    one prepared INSERT run by executemany elsewhere. The ORM's bulk_create spends more time
    compiling each value than the database spends writing it."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - names from the model
            cursor.executemany(sql, rows)


def _insert(items: list[_Ready]) -> None:
    now = _Adapters.current().when(timezone.now())
    if connection.vendor == "postgresql":
        # Ids taken from the table's sequence first and written in the COPY: no query to
        # read them back by code (the sequence stays ahead of every id, as with a default).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('dossiers_dossier', 'id')) "
                "FROM generate_series(1, %s)",
                [len(items)],
            )
            reserved = sorted(pk for (pk,) in cursor.fetchall())
        _write_rows(
            Dossier,
            ("id", *DOSSIER_COLUMNS),
            [(pk, *r.dossier_row, now, now) for pk, r in zip(reserved, items, strict=True)],
        )
        ids = {r.code: pk for pk, r in zip(reserved, items, strict=True)}
    else:
        _write_rows(Dossier, DOSSIER_COLUMNS, [(*r.dossier_row, now, now) for r in items])
        ids = dict(
            Dossier.objects.filter(code__in=[r.code for r in items]).values_list("code", "pk")
        )
    events: list[tuple[Any, ...]] = []
    participants: list[tuple[Any, ...]] = []
    counters: dict[tuple[str, date], int] = {}
    for r in items:
        pk = ids[r.code]
        events.extend((pk, *e) for e in r.event_rows)
        participants.extend((pk, agency_id) for agency_id in r.held)
        if r.counter is not None:
            agency_code, day, seq = r.counter
            counters[agency_code, day] = max(counters.get((agency_code, day), 0), seq)
    _write_rows(DossierEvent, EVENT_ROW_COLUMNS, events)
    _write_rows(DossierParticipant, ("dossier_id", "agency_id"), participants)
    _raise_counters(counters)
    # Derived data (the dashboard's rollups) follows in the batch's own transaction.
    send_imported(DossierState(ids[r.code], *r.state) for r in items)


_RAISE_COUNTER_SQL = (
    "INSERT INTO dossiers_dossiercodecounter (agency_code, day, last) VALUES (%s, %s, %s) "
    "ON CONFLICT (agency_code, day) DO UPDATE SET "
    "last = MAX(dossiers_dossiercodecounter.last, excluded.last)"
)


def _raise_counters(counters: dict[tuple[str, date], int]) -> None:
    """Live intake numbers codes per (agency, day): never hand out an imported code again."""
    if not counters:
        return
    # MAX(a, b) is SQLite's two-argument maximum; PostgreSQL spells it GREATEST.
    sql = (
        _RAISE_COUNTER_SQL.replace("MAX(", "GREATEST(")
        if connection.vendor == "postgresql"
        else _RAISE_COUNTER_SQL
    )
    rows = sorted((a, day, last) for (a, day), last in counters.items())  # key order
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 1:
            # One statement for the batch instead of one per (agency, day).
            cursor.execute(
                "INSERT INTO dossiers_dossiercodecounter (agency_code, day, last) "
                "SELECT * FROM unnest(%s::text[], %s::date[], %s::bigint[]) "
                "ON CONFLICT (agency_code, day) DO UPDATE SET "
                "last = GREATEST(dossiers_dossiercodecounter.last, excluded.last)",
                [list(c) for c in zip(*rows, strict=True)],
            )
        else:
            cursor.executemany(sql, rows)


def _audit(items: list[_Ready], actor: Any) -> None:
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
