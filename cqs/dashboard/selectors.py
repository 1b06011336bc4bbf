"""Decision 766 indicators computed from the dossier projection and its event log.

One pass: the facts of every dossier received in the period and scope are read once, then
classified by the formulas in ``rules``. The same facts grouped by commune or agency give the
rankings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cqs.accounts.permissions import DASHBOARD_ROLES, agency_scope
from cqs.catalogue.models import Procedure
from cqs.core.errors import NotFound, ValidationError
from cqs.dashboard import rules, tally
from cqs.dossiers.models import Dossier, DossierFile
from cqs.dossiers.signals import STATE_COLUMNS, DossierState, state_from_row
from cqs.reports.models import Report, ReportEvent
from cqs.units.models import AdministrativeUnit, Agency, UnitLevel
from cqs.units.selectors import agency_descendant_ids

FINISHED_WITH_RESULT = {"result_ready", "returned"}
OPEN = {"processing", "supplement_requested"}


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Scope:
    kind: str  # "province" | "commune" | "agency"
    code: str
    name: str
    dossier_q: Q
    report_q: Q


def resolve_scope(code: str) -> Scope:
    """An agency code (QCVN 102) or an administrative unit code (province or commune)."""
    code = (code or "").strip()
    agency = Agency.objects.filter(code=code).first()
    if agency is not None:
        ids = agency_descendant_ids([agency.pk]) | {agency.pk}
        return Scope("agency", code, agency.name, Q(agency_id__in=ids), Q(agency_id__in=ids))
    unit = (
        AdministrativeUnit.objects.filter(code=code).order_by("valid_until", "-valid_from").first()
    )
    if unit is None:
        raise NotFound(f"Không có đơn vị hoặc cơ quan mã «{code}».", details={"unit": code})
    if unit.level == UnitLevel.PROVINCE:
        # The ids themselves, not a join on the parent: an IN list uses the (unit, …) indexes.
        units = [
            unit.pk,
            *AdministrativeUnit.objects.filter(parent=unit).values_list("pk", flat=True),
        ]
        return Scope(
            "province", code, unit.name, Q(unit_id__in=units), Q(agency__unit_id__in=units)
        )
    return Scope("commune", code, unit.name, Q(unit_id=unit.pk), Q(commune_id=unit.pk))


def period_of(text: str, today: date | None = None) -> rules.Period:
    try:
        return rules.parse_period(text, today or timezone.localdate())
    except rules.PeriodError as e:
        raise ValidationError(str(e), details={"period": [str(e)], "reason": e.kind}) from e


def bounds(period: rules.Period) -> tuple[datetime, datetime]:
    z = tz()
    return (
        datetime.combine(period.start, time.min, tzinfo=z),
        datetime.combine(period.end, time.min, tzinfo=z),
    )


def can_view_scope(user: Any, scope: Scope) -> bool:
    ids = agency_scope(user, DASHBOARD_ROLES)
    if not ids:
        return False
    if scope.kind == "agency":
        return Agency.objects.filter(pk__in=ids, code=scope.code).exists()
    agencies = Agency.objects.filter(pk__in=ids)
    # Province-level agencies oversee the whole province; commune agencies their commune.
    return agencies.filter(Q(unit__level=UnitLevel.PROVINCE) | Q(unit__code=scope.code)).exists()


# --- Facts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    id: int
    code: str
    procedure_id: int
    received_at: datetime
    full_online: bool
    channel: str
    status: str
    outcome: str
    supplement_count: int
    legal_due: datetime | None
    finished_at: datetime | None
    fee: int
    paid_online: bool
    digitized_intake: bool
    electronic_result: bool
    rating: int | None
    agency_id: int
    unit_id: int


def facts_of(state: DossierState, *, code: str, full_online: bool) -> Facts:
    """The facts of a dossier from its state (cqs.dossiers.signals), as the rollups see it."""
    return Facts(
        code=code,
        full_online=full_online,
        **{f.name: getattr(state, f.name) for f in fields(DossierState)},
    )


def dossiers_in(scope_q: Q, period: rules.Period) -> QuerySet[Dossier]:
    start, end = bounds(period)
    return Dossier.objects.filter(scope_q, received_at__gte=start, received_at__lt=end).exclude(
        status="submitted"
    )


def facts(qs: QuerySet[Dossier]) -> list[Facts]:
    intake = DossierFile.objects.filter(dossier=OuterRef("pk"), kind="intake")
    result = DossierFile.objects.filter(dossier=OuterRef("pk"), kind="result")
    rows = qs.annotate(has_intake=Exists(intake), has_result=Exists(result)).values_list(
        *STATE_COLUMNS, "code", "procedure__online_level"
    )
    n = len(STATE_COLUMNS)
    return [
        facts_of(state_from_row(row[:n]), code=row[n], full_online=row[n + 1] == "full")
        for row in rows.iterator(chunk_size=2000)
        if row[STATE_COLUMNS.index("received_at")] is not None
    ]


def on_time(f: Facts, now: datetime) -> bool:
    """Decision 766: finished early/on time, or still in progress within time; a second
    supplement request counts as late; waiting for the applicant's supplement is excluded."""
    fixed = rules.fixed_on_time(f)
    if fixed is not None:
        return fixed
    return f.legal_due is None or now <= f.legal_due


# --- Indicators -----------------------------------------------------------------------------


@dataclass
class Value:
    id: str
    group: str
    name: str
    max_points: int
    numerator: int | None
    denominator: int | None
    value: float | None
    points: Decimal
    scoring: str
    threshold: float | None
    formula: str
    note: str = ""
    numerator_ids: list[int] = field(default_factory=list)
    denominator_ids: list[int] = field(default_factory=list)

    def as_dict(self, *, with_ids: bool = False) -> dict[str, Any]:
        d = {
            "id": self.id,
            "group": self.group,
            "name": self.name,
            "max_points": self.max_points,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "points": float(self.points),
            "scoring": self.scoring,
            "threshold": self.threshold,
            "formula": self.formula,
            "note": self.note,
        }
        if with_ids:
            d["numerator_ids"] = self.numerator_ids
            d["denominator_ids"] = self.denominator_ids
        return d


@dataclass(frozen=True)
class ReportFacts:
    id: int
    on_time: bool
    unsatisfied: bool


def report_facts(scope_q: Q, period: rules.Period) -> list[ReportFacts]:
    start, end = bounds(period)
    qs = Report.objects.filter(scope_q, created_at__gte=start, created_at__lt=end)
    resolved_on_time = ReportEvent.objects.filter(
        report=OuterRef("pk"), type="resolve", data__on_time=True
    )
    reopened = ReportEvent.objects.filter(report=OuterRef("pk"), type__in=["reopen", "dispute"])
    out = []
    for pk, ok, again, rating in qs.annotate(
        ok=Exists(resolved_on_time), again=Exists(reopened)
    ).values_list("id", "ok", "again", "rating"):
        out.append(
            ReportFacts(
                pk, bool(ok), (not ok) or bool(again) or (rating is not None and rating < 3)
            )
        )
    return out


def _ids(items: Iterable[Any], pred: Any) -> list[int]:
    return [x.id for x in items if pred(x)]


def _unmeasured(ind: rules.Indicator, note: str) -> Value:
    """An indicator CQS cannot measure (yet): no numerator, no denominator, 0 points."""
    return Value(
        ind.id,
        ind.group,
        ind.name,
        ind.max_points,
        None,
        None,
        None,
        Decimal(0),
        ind.scoring,
        _threshold(ind),
        _formula(ind),
        note,
    )


def _measured(
    ind: rules.Indicator,
    num: int,
    den: int,
    *,
    note: str = "",
    numerator_ids: list[int] | None = None,
    denominator_ids: list[int] | None = None,
) -> Value:
    return Value(
        ind.id,
        ind.group,
        ind.name,
        ind.max_points,
        num,
        den,
        (num / den) if den else None,
        rules.points(ind, num, den),
        ind.scoring,
        _threshold(ind),
        _formula(ind),
        note,
        list(numerator_ids or []),
        list(denominator_ids or []),
    )


def _formula(ind: rules.Indicator) -> str:
    return f"{ind.numerator} / {ind.denominator}"


def _threshold(ind: rules.Indicator) -> float | None:
    return float(ind.threshold) if ind.threshold is not None else None


def compute(dossiers: list[Facts], reports: list[ReportFacts] | None, now: datetime) -> list[Value]:
    """Every indicator of the table over the given dossiers (and field reports)."""
    counted = [f for f in dossiers if f.status != "withdrawn"]
    pairs: dict[str, tuple[list[int], list[int], str]] = {}
    all_ids = [f.id for f in dossiers]
    pairs["publicity.synced"] = (
        [],
        all_ids,
        "Chưa có bộ đồng bộ với Cổng DVC quốc gia: 0 hồ sơ đã đồng bộ.",
    )
    timely = [f for f in counted if on_time(f, now)]
    pairs["timeliness.on_time"] = ([f.id for f in timely], [f.id for f in counted], "")
    eligible = [f for f in dossiers if f.full_online]
    pairs["online.full_online"] = (
        _ids(eligible, lambda f: f.channel == "online"),
        [f.id for f in eligible],
        "",
    )
    fee = [f for f in dossiers if f.fee > 0]
    pairs["payment.paid_online"] = (_ids(fee, lambda f: f.paid_online), [f.id for f in fee], "")
    with_result = [f for f in dossiers if f.status in FINISHED_WITH_RESULT]
    pairs["digitization.results"] = (
        _ids(with_result, lambda f: f.electronic_result),
        [f.id for f in with_result],
        "",
    )
    pairs["digitization.components"] = (_ids(dossiers, lambda f: f.digitized_intake), all_ids, "")
    timely_ids = {f.id for f in timely}
    pairs["satisfaction.dossiers"] = (
        _ids(
            counted,
            lambda f: (
                f.id in timely_ids
                and not (f.rating is not None and f.rating < rules.SATISFIED_SCORE)
            ),
        ),
        [f.id for f in counted],
        "Chưa liên kết phản ánh với hồ sơ: chỉ trừ hồ sơ không hài lòng và trễ/quá hạn.",
    )
    ratios = {k: (len(num), len(den), note, num, den) for k, (num, den, note) in pairs.items()}
    procs = {f.procedure_id for f in fee}
    paid = {f.procedure_id for f in fee if f.paid_online}
    ratios["payment.used"] = (len(paid), len(procs), "", [], [])
    return _values(ratios, reports)


NOTES = {
    "publicity.synced": "Chưa có bộ đồng bộ với Cổng DVC quốc gia: 0 hồ sơ đã đồng bộ.",
    "satisfaction.dossiers": (
        "Chưa liên kết phản ánh với hồ sơ: chỉ trừ hồ sơ không hài lòng và trễ/quá hạn."
    ),
}


def compute_tally(t: tally.Tally, reports: list[ReportFacts] | None) -> list[Value]:
    """Every indicator from rollup sums (the same numbers as ``compute`` over the facts)."""
    return _values(
        {k: (num, den, NOTES.get(k, ""), [], []) for k, (num, den) in tally.ratios(t).items()},
        reports,
    )


Ratio = tuple[int, int, str, list[int], list[int]]


def _values(ratios: dict[str, Ratio], reports: list[ReportFacts] | None) -> list[Value]:
    out: list[Value] = []
    for ind in rules.INDICATORS:
        if ind.source is None:
            out.append(_unmeasured(ind, "Chưa có nguồn dữ liệu trong CQS: 0 điểm."))
        elif ind.source == "reports":
            if reports is None:
                out.append(_unmeasured(ind, "Không có dữ liệu."))
                continue
            if ind.id == "satisfaction.pakn_on_time":
                num = sum(1 for r in reports if r.on_time)
            else:
                num = sum(1 for r in reports if not r.unsatisfied)
            note = "" if reports else "Không có phản ánh trong kỳ: đủ điểm."
            out.append(_measured(ind, num, len(reports), note=note))
        else:
            num_n, den_n, note, num_ids, den_ids = ratios[ind.id]
            out.append(
                _measured(
                    ind, num_n, den_n, note=note, numerator_ids=num_ids, denominator_ids=den_ids
                )
            )
    return out


def group_scores(values: list[Value]) -> list[dict[str, Any]]:
    out = []
    for gid, (name, max_points) in rules.GROUPS.items():
        pts = sum((v.points for v in values if v.group == gid), Decimal(0))
        out.append({"id": gid, "name": name, "max_points": max_points, "points": float(pts)})
    return out


def indicators(code: str, period_text: str, *, now: datetime | None = None) -> dict[str, Any]:
    """The whole index for one unit/agency and period: what the CLI and the API return."""
    scope = resolve_scope(code)
    period = period_of(period_text)
    now = now or timezone.now()
    t = tally.total(scope.dossier_q, period.start, period.end, now)
    values = compute_tally(t, report_facts(scope.report_q, period))
    groups = group_scores(values)
    return {
        "unit": {"code": scope.code, "name": scope.name, "kind": scope.kind},
        "period": {
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "indicators": [v.as_dict() for v in values],
        "groups": groups,
        "total": round(sum(g["points"] for g in groups), 2),
        "max_total": sum(m for _, m in rules.GROUPS.values()),
    }


def indicator_dossiers(
    code: str, period_text: str, indicator_id: str, which: str, *, now: datetime | None = None
) -> QuerySet[Dossier]:
    """The dossiers behind an indicator's numerator or denominator."""
    if indicator_id not in rules.BY_ID:
        raise NotFound(f"Không có chỉ số «{indicator_id}».")
    if which not in {"numerator", "denominator"}:
        raise ValidationError("Chọn tử số (numerator) hoặc mẫu số (denominator).")
    scope = resolve_scope(code)
    period = period_of(period_text)
    values = compute(facts(dossiers_in(scope.dossier_q, period)), None, now or timezone.now())
    v = next(x for x in values if x.id == indicator_id)
    ids = v.numerator_ids if which == "numerator" else v.denominator_ids
    return (
        Dossier.objects.filter(pk__in=ids)
        .select_related("procedure", "agency")
        .order_by("received_at", "code")
    )


def ranking(
    province_code: str, period_text: str, *, by: str = "unit", now: datetime | None = None
) -> list[dict[str, Any]]:
    """Communes (``by="unit"``) or agencies (``by="agency"``) of a province by total score."""
    scope = resolve_scope(province_code)
    period = period_of(period_text)
    now = now or timezone.now()
    grouped = tally.tallies(scope.dossier_q, period.start, period.end, now, by=by)
    model: Any = AdministrativeUnit if by == "unit" else Agency
    names = dict(model.objects.filter(pk__in=grouped).values_list("pk", "name"))
    codes = dict(model.objects.filter(pk__in=grouped).values_list("pk", "code"))
    rows: list[dict[str, Any]] = []
    for pk, t in grouped.items():
        if not t.c["received"]:
            continue
        values = compute_tally(t, None)
        total = sum((v.points for v in values), Decimal(0))
        rows.append(
            {
                "code": codes[pk],
                "name": names[pk],
                "dossiers": t.c["received"],
                "total": float(total),
            }
        )
    rows.sort(key=lambda r: (-r["total"], r["code"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


# --- Seed KPIs, drill-down and trend (pages) ------------------------------------------------


def _share(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def kpis(code: str, period_text: str, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The seed articles' figures beside the index: label, value (%, days or count), basis."""
    scope = resolve_scope(code)
    period = period_of(period_text)
    now = now or timezone.now()
    t = tally.total(scope.dossier_q, period.start, period.end, now)
    c = t.c
    levels = list(Procedure.objects.filter(is_active=True).values_list("online_level", flat=True))
    full = sum(1 for x in levels if x == "full")
    partial = sum(1 for x in levels if x == "partial")
    n = c["received"]
    finished = c["with_result"]
    late = c["finished_late"]
    reports = report_facts(scope.report_q, period)
    return [
        {
            "label": "TTHC cung cấp trực tuyến toàn trình",
            "value": _share(full, len(levels)),
            "unit": "%",
            "basis": f"{full}/{len(levels)}",
        },
        {
            "label": "TTHC trực tuyến một phần",
            "value": _share(partial, len(levels)),
            "unit": "%",
            "basis": f"{partial}/{len(levels)}",
        },
        {"label": "Hồ sơ tiếp nhận", "value": n, "unit": "", "basis": ""},
        {
            "label": "Hồ sơ nộp trực tuyến",
            "value": _share(c["online"], n),
            "unit": "%",
            "basis": f"{c['online']}/{n}",
        },
        {
            "label": "Thanh toán trực tuyến",
            "value": _share(c["paid_online"], c["fee_due"]),
            "unit": "%",
            "basis": f"{c['paid_online']}/{c['fee_due']}",
        },
        {
            "label": "Hồ sơ số hóa khi tiếp nhận",
            "value": _share(c["digitized_intake"], n),
            "unit": "%",
            "basis": f"{c['digitized_intake']}/{n}",
        },
        {
            "label": "Kết quả điện tử",
            "value": _share(c["electronic_result"], finished),
            "unit": "%",
            "basis": f"{c['electronic_result']}/{finished}",
        },
        {
            "label": "Hài lòng (điểm ≥ 4)",
            "value": _share(c["rated_satisfied"], c["rated"]),
            "unit": "%",
            "basis": f"{c['rated']} đánh giá",
        },
        {
            "label": "Đã giải quyết đúng/trước hạn",
            "value": finished - late,
            "unit": "",
            "basis": f"/{finished} đã có kết quả",
        },
        {"label": "Đã giải quyết trễ hạn", "value": late, "unit": "", "basis": ""},
        {
            "label": "Đang giải quyết quá hạn (hiện tại)",
            "value": t.overdue_now,
            "unit": "",
            "basis": f"/{c['open']} đang giải quyết",
        },
        {
            "label": "Thời gian giải quyết trung bình",
            "value": round(c["finished_seconds"] / 86400 / finished, 1) if finished else None,
            "unit": "ngày",
            "basis": f"{finished} hồ sơ",
        },
        {
            "label": "Tỷ lệ yêu cầu bổ sung",
            "value": _share(c["supplemented"], n),
            "unit": "%",
            "basis": "",
        },
        {
            "label": "Phản ánh hiện trường xử lý đúng hạn",
            "value": _share(sum(r.on_time for r in reports), len(reports)),
            "unit": "%",
            "basis": f"{len(reports)} phản ánh",
        },
    ]


def by_procedure(
    code: str, period_text: str, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    scope = resolve_scope(code)
    period = period_of(period_text)
    now = now or timezone.now()
    grouped = tally.tallies(scope.dossier_q, period.start, period.end, now, by="procedure")
    names = dict(Procedure.objects.filter(pk__in=grouped).values_list("pk", "name"))
    pcodes = dict(Procedure.objects.filter(pk__in=grouped).values_list("pk", "code"))
    rows: list[dict[str, Any]] = []
    for pk, t in grouped.items():
        if not t.c["received"]:
            continue
        rows.append(
            {
                "code": pcodes[pk],
                "name": names[pk],
                "dossiers": t.c["received"],
                "on_time": t.on_time,
                "not_on_time": t.counted - t.on_time,
                "on_time_share": _share(t.on_time, t.counted),
            }
        )
    rows.sort(key=lambda r: (-int(r["dossiers"]), str(r["code"])))
    return rows


def dossiers_of_procedure(code: str, period_text: str, procedure_code: str) -> QuerySet[Dossier]:
    scope = resolve_scope(code)
    period = period_of(period_text)
    return (
        dossiers_in(scope.dossier_q, period)
        .filter(procedure__code=procedure_code)
        .select_related("procedure", "agency")
        .order_by("received_at", "code")
    )


def trend(code: str, period_text: str, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Month by month over the period's year up to now: dossiers, on-time share, total points."""
    scope = resolve_scope(code)
    period = period_of(period_text)
    now = now or timezone.now()
    today = timezone.localdate()
    year = rules.Period(
        str(period.start.year), date(period.start.year, 1, 1), date(period.start.year + 1, 1, 1)
    )
    by_month = tally.tallies(scope.dossier_q, year.start, year.end, now, by="month")
    rows: list[dict[str, Any]] = []
    for y, m in year.months():
        if date(y, m, 1) > today:
            break
        t = by_month.get(date(y, m, 1)) or tally.Tally()
        values = compute_tally(t, None)
        on = next(v for v in values if v.id == "timeliness.on_time")
        rows.append(
            {
                "month": f"{y}-{m:02d}",
                "dossiers": t.c["received"],
                "on_time_share": round(100 * on.value, 1) if on.value is not None else None,
                "points": float(sum((v.points for v in values), Decimal(0))),
            }
        )
    return rows


def default_code(user: Any) -> str:
    """The widest unit the viewer oversees: the province for province-level agencies."""
    ids = agency_scope(user, DASHBOARD_ROLES)
    agency = (
        Agency.objects.filter(pk__in=ids)
        .select_related("unit")
        .order_by("-unit__level", "code")
        .first()
    )
    if agency is None or agency.unit is None:
        return home_province_code()
    return agency.unit.code


def home_province_code() -> str:
    root = (
        Agency.objects.filter(parent=None, unit__level=UnitLevel.PROVINCE)
        .select_related("unit")
        .order_by("code")
        .first()
    )
    if root is not None and root.unit is not None:
        return root.unit.code
    unit = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).order_by("code").first()
    return unit.code if unit else ""


# --- Heat map of late and overdue dossiers by commune ---------------------------------------

HEAT_LEVELS = 6


def heat_map(code: str, period_text: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Communes × months of the period's year: the share of counted dossiers not on time
    (finished late, or past their due instant now), with the number overdue now per commune.

    Commune boundaries and centroids are not available offline, so this is a table heat map
    (shaded cells), not a geographic one."""
    scope = resolve_scope(code)
    period = period_of(period_text)
    now = now or timezone.now()
    today = timezone.localdate()
    y = period.start.year
    months = [(yy, mm) for yy, mm in rules.Period(str(y), date(y, 1, 1), date(y + 1, 1, 1)).months()
              if date(yy, mm, 1) <= today]  # fmt: skip
    grid = tally.tallies(scope.dossier_q, date(y, 1, 1), date(y + 1, 1, 1), now, by="unit_month")
    units = {k[0] for k in grid}
    names: dict[int, str] = {}
    codes: dict[int, str] = {}
    levels: dict[int, str] = {}
    for pk, name, ucode, level in AdministrativeUnit.objects.filter(pk__in=units).values_list(
        "pk", "name", "code", "level"
    ):
        # Dossiers of province-level agencies belong to the province itself: one row of its own.
        names[pk] = f"{name} (cơ quan cấp tỉnh)" if level == UnitLevel.PROVINCE else name
        codes[pk], levels[pk] = ucode, level
    rows: list[dict[str, Any]] = []
    for unit_id in units:
        cells = []
        late_total = counted_total = overdue = 0
        for yy, mm in months:
            t = grid.get((unit_id, date(yy, mm, 1)))
            counted = t.counted if t else 0
            late = counted - t.on_time if t else 0
            overdue += t.overdue_now if t else 0
            late_total += late
            counted_total += counted
            share = late / counted if counted else None
            cells.append(
                {
                    "month": f"{yy}-{mm:02d}",
                    "late": late,
                    "counted": counted,
                    "share": round(100 * share, 1) if share is not None else None,
                    "level": _heat_level(share),
                }
            )
        rows.append(
            {
                "code": codes[unit_id],
                "name": names[unit_id],
                "level": levels[unit_id],
                "cells": cells,
                "late": late_total,
                "counted": counted_total,
                "overdue_now": overdue,
                "share": round(100 * late_total / counted_total, 1) if counted_total else None,
            }
        )
    rows.sort(key=lambda r: (-(r["share"] or 0), r["code"]))
    return {"months": [f"{yy}-{mm:02d}" for yy, mm in months], "rows": rows}


def _heat_level(share: float | None) -> str:
    """CSS class of a cell: none, or 0..5 by steps of 5 % late (≥ 25 % is the darkest)."""
    if share is None:
        return "none"
    return str(min(HEAT_LEVELS - 1, int(share * 100 // 5)))


def scope_agency_ids(scope: Scope) -> list[int]:
    """Agencies of a scope, for feeds that count by agency (signatures, documents, payments)."""
    if scope.kind == "agency":
        root = Agency.objects.get(code=scope.code)
        return sorted(agency_descendant_ids([root.pk]) | {root.pk})
    if scope.kind == "commune":
        return list(Agency.objects.filter(unit__code=scope.code).values_list("pk", flat=True))
    return list(
        Agency.objects.filter(
            Q(unit__code=scope.code, unit__level=UnitLevel.PROVINCE)
            | Q(unit__parent__code=scope.code)
        ).values_list("pk", flat=True)
    )


def source_panels(code: str, period_text: str) -> list[dict[str, Any]]:
    from cqs.dashboard.metrics import source_panels as panels

    scope = resolve_scope(code)
    start, end = bounds(period_of(period_text))
    return panels(scope_agency_ids(scope), start, end)
