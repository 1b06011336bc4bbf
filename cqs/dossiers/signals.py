"""Signals for derived data (caches and rollups) kept in step with dossiers.

Sent INSIDE the writing transaction, so a receiver's writes commit or roll back with the
dossier event itself. Receivers must only maintain derived data (the dashboard's rollups);
business rules never hang off these signals.

- ``dossier_changed(before=[DossierState | None, …], after=[DossierState, …])`` — live events
  (intake, or any workflow action; several dossiers at once for a batch intake): each
  dossier's facts before (None: it did not exist) and after, in the same order.
- ``dossiers_imported(dossier_ids=list[int], states=list[DossierState])`` — one batch of the
  bulk import, after its rows were written (new dossiers only: the import never rewrites an
  existing one), with each dossier's state as the import computed it (no need to read it back).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.dispatch import Signal

from cqs.dossiers.models import Dossier, DossierFile

dossier_changed = Signal()
dossiers_imported = Signal()


@dataclass(frozen=True)
class DossierState:
    """The facts of a dossier that statistics are computed from."""

    id: int
    agency_id: int
    procedure_id: int
    unit_id: int
    received_at: datetime | None
    channel: str
    status: str
    outcome: str
    supplement_count: int
    legal_due: datetime | None  # the due date Decision 766 counts against (before extensions)
    finished_at: datetime | None
    fee: int
    paid_online: bool
    digitized_intake: bool
    electronic_result: bool
    rating: int | None


def _as_dt(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def state_from_row(row: Sequence[Any]) -> DossierState:
    """The state of one dossier from a row of ``STATE_COLUMNS`` (plus annotations)."""
    (
        pk,
        agency_id,
        procedure_id,
        unit_id,
        received_at,
        channel,
        status,
        outcome,
        supplement_count,
        due_at,
        finished_at,
        fee_amount,
        extra,
        has_intake,
        has_result,
    ) = row
    extra = extra or {}
    fee = extra.get("fee") or {}
    result = extra.get("result") or {}
    rating = extra.get("rating") or {}
    return DossierState(
        id=pk,
        agency_id=agency_id,
        procedure_id=procedure_id,
        unit_id=unit_id,
        received_at=received_at,
        channel=channel,
        status=status,
        outcome=outcome,
        supplement_count=supplement_count,
        legal_due=_as_dt(extra.get("original_due_at")) or due_at,
        finished_at=finished_at,
        fee=int(fee.get("amount") or fee_amount or 0),
        paid_online=bool(fee.get("paid_online")),
        digitized_intake=bool(has_intake)
        or any(f.get("digitized") for f in extra.get("files") or []),
        electronic_result=bool(has_result) or bool(result.get("digitized")),
        rating=rating.get("score"),
    )


def dossier_state(dossier: Dossier, *, file_kinds: Iterable[str] | None = None) -> DossierState:
    """The state of one dossier object as it is in memory now. ``file_kinds``: the kinds of
    its files when the caller knows them (it just wrote every one); else read from the table."""
    kinds = (
        set(file_kinds)
        if file_kinds is not None
        else set(
            DossierFile.objects.filter(dossier_id=dossier.pk, kind__in=["intake", "result"])
            .values_list("kind", flat=True)
            .distinct()
        )
    )
    return state_from_row(
        (
            dossier.pk,
            dossier.agency_id,
            dossier.procedure_id,
            dossier.unit_id,
            dossier.received_at,
            dossier.channel,
            str(dossier.status),
            dossier.outcome,
            dossier.supplement_count,
            dossier.due_at,
            dossier.finished_at,
            dossier.fee_amount,
            dossier.extra,
            "intake" in kinds,
            "result" in kinds,
        )
    )


STATE_COLUMNS = (
    "id",
    "agency_id",
    "procedure_id",
    "unit_id",
    "received_at",
    "channel",
    "status",
    "outcome",
    "supplement_count",
    "due_at",
    "finished_at",
    "fee_amount",
    "extra",
    "has_intake",
    "has_result",
)


def dossier_states(qs: QuerySet[Dossier], *, chunk_size: int = 5000) -> Iterator[DossierState]:
    """The states of many dossiers, read in one streaming query."""
    intake = DossierFile.objects.filter(dossier=OuterRef("pk"), kind="intake")
    result = DossierFile.objects.filter(dossier=OuterRef("pk"), kind="result")
    rows = qs.annotate(has_intake=Exists(intake), has_result=Exists(result)).values_list(
        *STATE_COLUMNS
    )
    for row in rows.iterator(chunk_size=chunk_size):
        yield state_from_row(row)


def send_imported(states: Iterable[DossierState]) -> None:
    """One import batch written: its new dossiers' states (imported dossiers have no
    ``DossierFile`` rows, so ``state_from_row`` with no intake or result file gives them)."""
    states = list(states)
    dossiers_imported.send(sender=Dossier, dossier_ids=[s.id for s in states], states=states)


def send_changed(before: DossierState | None, after: DossierState) -> None:
    dossier_changed.send(sender=Dossier, before=[before], after=[after])


def send_changed_many(before: Sequence[DossierState | None], after: Sequence[DossierState]) -> None:
    dossier_changed.send(sender=Dossier, before=list(before), after=list(after))
