"""Export: dossiers as interchange lines, times in ISO 8601 at +07:00, keys in a fixed order.

Whatever an import kept (unknown keys, file metadata, fee, result, rating) comes out as it
came in, so export -> import into an empty database -> export gives identical lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import suppress
from datetime import date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from cqs.dossiers.interchange.schema import parse_instant
from cqs.dossiers.models import Dossier, DossierEvent, DossierFile, DossierParticipant, FileKind
from cqs.units.models import Agency

_TZ = ZoneInfo(settings.TIME_ZONE)
_FEE_ORDER = ("amount", "paid_online", "paid_at")
_FILE_ORDER = ("requirement", "digitized", "sha256")
_RESULT_ORDER = ("digitized", "signed")
_RATING_ORDER = ("score", "at")
_EVENT_ORDER = ("type", "at", "actor", "to_agency_code", "new_due_at", "method", "reason")
_APPLICANT_ORDER = ("kind", "id_number", "name", "phone", "email", "address", "address_unit_code")


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in the province's zone (+07:00), or None."""
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
        with suppress(ValueError):
            data["new_due_at"] = iso(parse_instant(data["new_due_at"]))
    out: dict[str, Any] = {"type": e.type, "at": iso(e.at)}
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
    fee = extra.get("fee", {"amount": d.fee_amount, "paid_online": False, "paid_at": None})
    has_result = any(f.kind == FileKind.RESULT for f in files)
    result = extra.get("result", {"digitized": True, "signed": False} if has_result else None)
    listed = list(extra.get("files") or []) + [_file_out(f) for f in files]
    line: dict[str, Any] = {
        "code": d.code,
        "procedure_code": d.procedure.code,
        "agency_code": d.receiving_agency.code,
        "unit_code": d.unit.code,
        "channel": d.channel,
        "result_delivery": d.result_delivery,
        "applicant": _ordered(applicant, _APPLICANT_ORDER),
        "received_at": iso(d.received_at),
        "due_at": iso(d.due_at),
        "fee": _ordered(fee, _FEE_ORDER),
        "files": [_ordered(f, _FILE_ORDER) for f in listed],
        "result": _ordered(result, _RESULT_ORDER),
        "rating": _ordered(extra.get("rating"), _RATING_ORDER),
        "events": [_event_out(e) for e in events if e.type not in NOT_EXPORTED],
    }
    if extra.get("declared") is not None:  # an online filing's form fields (portal)
        line["declared"] = _canon(extra["declared"])
    raw = extra.get("raw") or {}
    for k in sorted(raw):
        line.setdefault(k, _canon(raw[k]))
    return line


# Events the interchange format has no type for: "fee_paid" (cqs.payments) travels in "fee";
# "submitted" is the online filing before the desk accepted it — the format's history starts
# at the receipt ("received", the acceptance), as the national portal's does. The declared
# form fields travel in the line's "declared" key.
NOT_EXPORTED = frozenset({"fee_paid", "submitted"})


def lines_for(ids: Sequence[int]) -> list[dict[str, Any]]:
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
    """One interchange line (no newline) per dossier of ``queryset``, ordered by code.

    Online filings the desk has not accepted yet (status ``submitted``) are not dossiers in
    the format's sense (their history starts at the receipt), so they are left out.
    """
    qs = queryset.exclude(status="submitted").order_by("code")
    last = ""
    while True:
        page = list(qs.filter(code__gt=last).values_list("pk", "code")[:chunk])
        if not page:
            return
        for obj in lines_for([pk for pk, _ in page]):
            yield dossier_line_text(obj)
        last = page[-1][1]
