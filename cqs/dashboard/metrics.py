"""System metrics a DX target can be bound to, and the KPI panels fed by other apps
(signatures, documents, payments).

A metric is a share in per cent over one scope (unit or agency code) and period, computed
from the same rollups as the index or from the owning app's selector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from cqs.catalogue.models import Procedure
from cqs.dashboard import tally
from cqs.documents.selectors import document_stats
from cqs.payments.models import Payment
from cqs.signing.selectors import signed_share


@dataclass(frozen=True)
class Metric:
    label: str
    compute: Callable[[Q, list[int] | None, datetime, datetime, datetime], tuple[int, int]]


def _pct(num: int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(100) * num / den).quantize(Decimal("0.01"))


def _rollup(
    key: str,
) -> Callable[[Q, list[int] | None, datetime, datetime, datetime], tuple[int, int]]:
    def compute(
        scope_q: Q, agency_ids: list[int] | None, start: datetime, end: datetime, now: datetime
    ) -> tuple[int, int]:
        t = tally.total(scope_q, start.date(), end.date(), now)
        c = t.c
        return {
            "online": (c["online"], c["received"]),
            "paid_online": (c["paid_online"], c["fee_due"]),
            "on_time": (t.on_time, t.counted),
            "digitized": (c["digitized_intake"], c["received"]),
            "electronic_result": (c["electronic_result"], c["with_result"]),
        }[key]

    return compute


def _full_online_procedures(
    scope_q: Q, agency_ids: list[int] | None, start: datetime, end: datetime, now: datetime
) -> tuple[int, int]:
    levels = list(Procedure.objects.filter(is_active=True).values_list("online_level", flat=True))
    return sum(1 for x in levels if x == "full"), len(levels)


def _signed_results(
    scope_q: Q, agency_ids: list[int] | None, start: datetime, end: datetime, now: datetime
) -> tuple[int, int]:
    rows = [r for r in signed_share(agency_ids, start, end) if r.prefix == "dossier"]
    return sum(r.signed for r in rows), sum(r.total or 0 for r in rows)


def _documents(field: str, of: str) -> Callable[..., tuple[int, int]]:
    def compute(
        scope_q: Q, agency_ids: list[int] | None, start: datetime, end: datetime, now: datetime
    ) -> tuple[int, int]:
        rows = document_stats(agency_ids, start, end)
        return sum(r[field] for r in rows), sum(r[of] for r in rows)

    return compute


def _gateway_payments(
    scope_q: Q, agency_ids: list[int] | None, start: datetime, end: datetime, now: datetime
) -> tuple[int, int]:
    qs = Payment.objects.filter(status="paid", paid_at__gte=start, paid_at__lt=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    agg = qs.aggregate(online=Count("pk", filter=Q(method="online")), all=Count("pk"))
    return agg["online"], agg["all"]


SYSTEM_METRICS: dict[str, Metric] = {
    "dossiers_online": Metric("Tỷ lệ hồ sơ nộp trực tuyến", _rollup("online")),
    "dossiers_paid_online": Metric("Tỷ lệ hồ sơ thanh toán trực tuyến", _rollup("paid_online")),
    "dossiers_on_time": Metric("Tỷ lệ hồ sơ giải quyết đúng hạn", _rollup("on_time")),
    "dossiers_digitized": Metric("Tỷ lệ hồ sơ số hóa khi tiếp nhận", _rollup("digitized")),
    "results_electronic": Metric("Tỷ lệ kết quả điện tử", _rollup("electronic_result")),
    "procedures_full_online": Metric("Tỷ lệ TTHC trực tuyến toàn trình", _full_online_procedures),
    "results_signed": Metric("Tỷ lệ kết quả giải quyết được ký số", _signed_results),
    "documents_online": Metric(
        "Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng",
        _documents("processed_online", "documents"),
    ),
    "documents_signed": Metric(
        "Tỷ lệ văn bản đi được ký số đầy đủ", _documents("fully_signed", "outgoing_issued")
    ),
    "payments_online": Metric("Tỷ lệ giao dịch thanh toán qua cổng trực tuyến", _gateway_payments),
}


def metric_value(  # noqa: PLR0917 - the metric signature plus its key
    key: str,
    scope_q: Q,
    agency_ids: list[int] | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> tuple[Decimal | None, int, int]:
    num, den = SYSTEM_METRICS[key].compute(scope_q, agency_ids, start, end, now)
    return _pct(num, den), num, den


def source_panels(
    agency_ids: list[int] | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """KPI tiles from the signing, documents and payments apps, by level where they say it."""
    tiles: list[dict[str, Any]] = []
    by_level: dict[str, list[int]] = {}
    for r in signed_share(agency_ids, start, end):
        if r.prefix == "dossier":
            pair = by_level.setdefault(r.level or "", [0, 0])
            pair[0] += r.signed
            pair[1] += r.total or 0
    for level, (signed, total) in sorted(by_level.items()):
        tiles.append(
            {
                "label": f"Kết quả được ký số ({_level(level)})",
                "value": _float(_pct(signed, total)) if total else None,
                "unit": "%",
                "basis": f"{signed}/{total}",
            }
        )
    docs: dict[str, list[int]] = {}
    for row in document_stats(agency_ids, start, end):
        d = docs.setdefault(row["level"], [0, 0, 0, 0])
        d[0] += row["processed_online"]
        d[1] += row["documents"]
        d[2] += row["fully_signed"]
        d[3] += row["outgoing_issued"]
    for level, (online, n, signed, issued) in sorted(docs.items()):
        tiles.append(
            {
                "label": f"Hồ sơ công việc xử lý trực tuyến ({_level(level)})",
                "value": _float(_pct(online, n)) if n else None,
                "unit": "%",
                "basis": f"{online}/{n}",
            }
        )
        tiles.append(
            {
                "label": f"Văn bản đi ký số đầy đủ ({_level(level)})",
                "value": _float(_pct(signed, issued)) if issued else None,
                "unit": "%",
                "basis": f"{signed}/{issued}",
            }
        )
    online, paid = _gateway_payments(Q(), agency_ids, start, end, start)
    tiles.append(
        {
            "label": "Thanh toán qua cổng trực tuyến",
            "value": _float(_pct(online, paid)) if paid else None,
            "unit": "%",
            "basis": f"{online}/{paid} giao dịch",
        }
    )
    return tiles


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _level(level: str) -> str:
    return {"province": "cấp tỉnh", "commune": "cấp xã"}.get(level, "khác")
