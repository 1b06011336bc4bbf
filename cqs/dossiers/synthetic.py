"""Synthetic interchange lines for demos and benchmarks: a realistic shape, deterministic by seed.

Proportions follow the provinces' own reports in shared/seeds: 76.5 % of dossiers submitted
online (2023), 58.77 % of fees paid online, 88.87 % of dossiers and results digitized, 93.7 %
satisfied. Supplements (~10 %), inter-agency transfers (~3 %), late results (~5 %) and the
rest are working assumptions, tuned so indicators computed from the data look like a real
province's. Each line's deadlines are computed with the same projection the import uses, so a
"late" dossier is late by the working-day calendar, not by a guess.

The same ``seed``, ``count``, ``months``, ``end`` and catalogue give byte-identical lines, so
generating again imports nothing new; another seed numbers its codes in another block.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from cqs.accounts.rules import ID_PROVINCE_CODES
from cqs.catalogue.models import Procedure
from cqs.core.calendar import WorkCalendar
from cqs.core.text import fold
from cqs.dossiers import rules
from cqs.dossiers.interchange import draft_dossier
from cqs.dossiers.models import Dossier
from cqs.dossiers.projection import Event, project, step_plans
from cqs.units.models import Agency, AgencyKind
from cqs.workdays.selectors import work_calendar

ONLINE_SHARE = 0.765
POST_SHARE = 0.04
PAID_ONLINE_SHARE = 0.60
DIGITIZED_SHARE = 0.889
SIGNED_SHARE = 0.95
SUPPLEMENT_SHARE = 0.10
TRANSFER_SHARE = 0.03
LATE_SHARE = 0.05
EXTENDED_WHEN_LATE = 0.4
REJECTED_SHARE = 0.015
WITHDRAWN_SHARE = 0.007
RATED_SHARE = 0.55
HOME_PROVINCE = "022"  # Quảng Ninh, where most applicants were born

# Surname frequencies in Viet Nam (per cent, rounded).
SURNAMES = [
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 4.0),
    ("Huỳnh", 1.1),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Võ", 1.0),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Đinh", 0.8),
    ("Đào", 0.7),
    ("Trịnh", 0.6),
    ("Lý", 0.5),
    ("Mai", 0.5),
    ("Lương", 0.5),
    ("Tạ", 0.3),
]
MIDDLE = {
    True: ["Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Duy", "Quốc"],
    False: ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Thùy"],
}
GIVEN = {
    True: [
        "An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Dương", "Đạt", "Đức", "Giang", "Hải",
        "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Kiên", "Long", "Lâm", "Mạnh", "Minh",
        "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành",
        "Tiến", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ",
    ],
    False: [
        "An", "Anh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
        "Hồng", "Huyền", "Hương", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Nga",
        "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thu", "Thủy", "Trang",
        "Trâm", "Uyên", "Vân", "Yến",
    ],
}  # fmt: skip
PHONE_PREFIXES = [
    "032", "033", "034", "035", "036", "037", "038", "039", "070", "076", "077", "078", "079",
    "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093", "094", "096",
    "097", "098",
]  # fmt: skip
BUSINESS_TRADES = ["Thương mại", "Xây dựng", "Du lịch", "Dịch vụ", "Vận tải", "Thủy sản", "Cơ khí"]
PLACES = ["Hạ Long", "Bãi Cháy", "Cẩm Phả", "Vân Đồn", "Móng Cái", "Quảng Yên", "Uông Bí", "Cô Tô"]
SUPPLEMENT_REASONS = [
    ("Thành phần hồ sơ chưa đầy đủ", "Bản sao giấy tờ chứng minh nơi cư trú"),
    ("Thông tin trong tờ khai chưa khớp với giấy tờ tùy thân", "Tờ khai đã sửa thông tin"),
    ("Bản chụp giấy tờ không rõ nét", "Bản chụp rõ nét giấy tờ tùy thân"),
    ("Thiếu văn bản ủy quyền", "Văn bản ủy quyền"),
]
TRANSFER_REASONS = ["Liên thông giải quyết theo thẩm quyền", "Lấy ý kiến cơ quan chuyên môn"]
EXTEND_REASONS = ["Cần xác minh thêm thông tin", "Chờ ý kiến của cơ quan phối hợp"]
REJECT_REASONS = ["Không đủ điều kiện theo quy định", "Không thuộc thẩm quyền giải quyết"]
WITHDRAW_REASONS = ["Người nộp không còn nhu cầu", "Người nộp rút để nộp lại hồ sơ khác"]
SCORES = [(5, 70.0), (4, 21.0), (3, 5.0), (2, 2.0), (1, 2.0)]


@dataclass(frozen=True)
class _Proc:
    procedure: Procedure
    steps: list[rules.StepPlan]
    agencies: list[Agency]
    kinds: list[str]
    online: bool
    post: bool
    fee: int
    documents: list[tuple[str, bool]]


def _weight(p: Procedure) -> float:
    # Civil status and certification make most of a commune's dossiers.
    sector = p.sector.code
    base = 6.0 if sector == "ho-tich" else 5.0 if sector == "chung-thuc" else 1.0
    return base * (0.6 if p.level == "province" else 1.0)


class _Generator:
    def __init__(self, *, seed: int, end: date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        # Seed 1 numbers each agency's day from 0001, seed k from (k-1)*10,000+1 (codes grow
        # past four digits, Circular 01/2018 art. 9): different seeds never collide.
        self.seq_base = abs(seed - 1) % 10_000 * 10_000
        self.cal: WorkCalendar = work_calendar()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.cutoff = datetime.combine(end, time(0, 0), tzinfo=self.tz)
        agencies = list(Agency.objects.select_related("unit").order_by("code"))
        self.agencies = {a.code: a for a in agencies}
        self.departments = [a for a in agencies if a.kind == AgencyKind.DEPARTMENT]
        self.desk_of = {
            a.parent_id: a for a in agencies if a.kind == AgencyKind.ONE_STOP_DESK and a.parent_id
        }
        self.centre = next(
            (a for a in agencies if a.kind == AgencyKind.PUBLIC_SERVICE_CENTER), None
        )
        self.procs: list[_Proc] = []
        weights: list[float] = []
        for p in (
            Procedure.objects.filter(is_active=True)
            .select_related("sector")
            .prefetch_related("steps", "documents", "agencies")
            .order_by("code")
        ):
            competent = sorted(p.agencies.all(), key=lambda a: a.code)
            if not competent:
                continue
            channels = set(p.submission_channels or [])
            self.procs.append(
                _Proc(
                    procedure=p,
                    steps=step_plans(p),
                    agencies=competent,
                    kinds=[k for k in p.applicant_kinds if k in {"citizen", "business"}]
                    or ["citizen"],
                    online="online" in channels and p.online_level != "none",
                    post="post" in channels,
                    fee=sum(int(f.get("amount") or 0) for f in p.fees),
                    documents=[(d.name, d.mandatory) for d in p.documents.all()],
                )
            )
            weights.append(_weight(p))
        total = 0.0
        self.cum: list[float] = []
        for w in weights:
            total += w
            self.cum.append(total)
        # Each agency's small staff signs its events (deterministic names).
        self.staff = {
            a.code: [self.name(self.rng.random() < 0.5) for _ in range(3)]
            for a in agencies
            if a.kind != AgencyKind.DIVISION
        }

    def desk_staff(self, agency: Agency) -> list[str]:
        desk = self.desk_of.get(agency.pk) or self.centre
        return self.staff.get(desk.code if desk else agency.code) or ["Cán bộ tiếp nhận"]

    # -- people ---------------------------------------------------------------------------

    def name(self, male: bool) -> str:
        rng = self.rng
        surname = rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
        return f"{surname} {rng.choice(MIDDLE[male])} {rng.choice(GIVEN[male])}"

    def id_number(self, male: bool, birth_year: int) -> str:
        rng = self.rng
        province = HOME_PROVINCE if rng.random() < 0.7 else rng.choice(sorted(ID_PROVINCE_CODES))
        century = (birth_year // 100 - 19) * 2 + (0 if male else 1)
        return f"{province}{century}{birth_year % 100:02d}{rng.randrange(1_000_000):06d}"

    def phone(self) -> str:
        return f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"

    def applicant(self, proc: _Proc, agency: Agency, year: int) -> dict[str, Any]:
        rng = self.rng
        kind = proc.kinds[0] if len(proc.kinds) == 1 else rng.choices(proc.kinds, [85, 15])[0]
        if kind == "business":
            name = f"Công ty TNHH {rng.choice(BUSINESS_TRADES)} {rng.choice(PLACES)}"
            id_number = f"57{rng.randrange(100_000_000):08d}"
        else:
            male = rng.random() < 0.5
            name = self.name(male)
            id_number = self.id_number(male, year - rng.randint(18, 75))
        email = None
        if rng.random() < 0.3:
            email = f"{fold(name).replace(' ', '.')}{rng.randrange(100)}@example.invalid"
        return {
            "kind": kind,
            "id_number": id_number,
            "name": name,
            "phone": self.phone(),
            "email": email,
            "address_unit_code": agency.unit.code,
        }

    # -- time -----------------------------------------------------------------------------

    def days(self, count: int, months: int) -> list[tuple[date, int]]:
        end = self.cutoff.date()
        month = end.month - 1 - months
        start = date(end.year + month // 12, month % 12 + 1, min(end.day, 28))
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        weights = [
            (1.0 if self.cal.is_working_day(d) else 0.1) * self.rng.uniform(0.75, 1.25)
            for d in days
        ]
        total = sum(weights)
        out: list[tuple[date, int]] = []
        acc = 0.0
        given = 0
        for d, w in zip(days, weights, strict=True):
            acc += w
            upto = round(count * acc / total)
            out.append((d, upto - given))
            given = upto
        return out

    def moment(self, day: date, online: bool) -> datetime:
        rng = self.rng
        if online and (not self.cal.is_working_day(day) or rng.random() < 0.3):
            minute = rng.randrange(6 * 60, 23 * 60)
        else:
            office = rng.randrange(7 * 60 + 30)  # 07:30-11:30 and 13:30-17:00
            minute = 7 * 60 + 30 + office if office < 240 else 13 * 60 + 30 + office - 240
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)

    def later(self, start: datetime, hours: float) -> datetime:
        return self.cal.add_working_hours(start, Decimal(str(round(hours, 2))))

    # -- dossiers -------------------------------------------------------------------------

    def state(self, proc: _Proc, agency: Agency, events: list[Event]) -> Dossier:
        scratch = draft_dossier(agency=agency)
        project(scratch, events, proc.procedure, self.cal, steps=proc.steps, agencies=self.agencies)
        return scratch

    def lines(self, count: int, months: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for day, n in self.days(count, months):
            if not n:
                continue
            working = self.cal.is_working_day(day)
            batch = []
            for _ in range(n):
                proc = self.procs[rng.choices(range(len(self.procs)), cum_weights=self.cum)[0]]
                agency = rng.choice(proc.agencies)
                u = rng.random()
                if not working or (proc.online and u < ONLINE_SHARE):
                    channel = "online"
                elif proc.post and u > 1 - POST_SHARE:
                    channel = "post"
                else:
                    channel = "counter"
                batch.append((self.moment(day, channel == "online"), proc, agency, channel))
            batch.sort(key=lambda b: b[0])
            seq: dict[str, int] = {}
            for at, proc, agency, channel in batch:
                seq[agency.code] = seq.get(agency.code, self.seq_base) + 1
                code = rules.dossier_code(agency.code, day, seq[agency.code])
                yield self.dossier(code, at, proc, agency, channel)

    def dossier(
        self, code: str, t0: datetime, proc: _Proc, agency: Agency, channel: str
    ) -> dict[str, Any]:
        rng = self.rng
        desk_staff = self.desk_staff(agency)
        events: list[Event] = [Event("received", t0)]
        out: list[dict[str, Any]] = [{"actor": rng.choice(desk_staff)}]
        holder = agency
        delivery = "online" if channel == "online" and rng.random() < 0.6 else "counter"
        if channel != "online" and rng.random() < 0.1:
            delivery = "post"

        def add(kind: str, at: datetime, **data: Any) -> bool:
            at = max(at.replace(microsecond=0), events[-1].at)
            if at >= self.cutoff:
                return False
            events.append(Event(kind, at, data.get("to_agency_code"), data.pop("_new_due", None)))
            staff = self.staff.get(holder.code) or desk_staff
            who = rng.choice(desk_staff if kind in {"supplement_received", "returned"} else staff)
            out.append({"actor": who, **data})
            return True

        stop = False  # the story ends here: still open at the cutoff, or already closed
        d = self.state(proc, agency, events)
        start = d.clock_started_at or t0
        span = self.cal.working_time_between(start, d.due_at or start).total_seconds() / 3600
        cursor = start
        if rng.random() < SUPPLEMENT_SHARE:
            reason, missing = rng.choice(SUPPLEMENT_REASONS)
            asked = self.later(start, span * rng.uniform(0.05, 0.4))
            if not add("supplement_requested", asked, reason=reason, missing=[missing]):
                stop = True
            elif rng.random() < 0.88:
                back = self.later(self.cal.add_working_days(asked, rng.randint(1, 6)), 1)
                if add("supplement_received", back):
                    d = self.state(proc, agency, events)
                    cursor = d.clock_started_at or back
                else:
                    stop = True
            else:
                gone = self.cal.add_working_days(asked, rng.randint(5, 15))
                kind = "withdrawn" if rng.random() < 0.5 else "rejected"
                reasons = WITHDRAW_REASONS if kind == "withdrawn" else REJECT_REASONS
                add(kind, gone, reason=rng.choice(reasons))
                stop = True
        due = d.due_at or cursor
        remaining = self.cal.working_time_between(cursor, due).total_seconds() / 3600
        if not stop and rng.random() < TRANSFER_SHARE:
            targets = [a for a in self.departments if a.pk != agency.pk]
            if targets:
                target = rng.choice(targets)
                moved = self.later(cursor, remaining * rng.uniform(0.1, 0.3))
                if add(
                    "transferred",
                    moved,
                    to_agency_code=target.code,
                    reason=rng.choice(TRANSFER_REASONS),
                ):
                    holder = target
                    cursor = events[-1].at
                    remaining = self.cal.working_time_between(cursor, due).total_seconds() / 3600
                else:
                    stop = True
        if not stop:
            self.finish(
                proc=proc, d=d, events=events, add=add, cursor=cursor, due=due, remaining=remaining
            )
        story: list[dict[str, Any]] = []
        for e, o in zip(events, out, strict=True):
            item = {"type": e.type, "at": _iso(e.at), **o}
            if e.new_due_at is not None:
                item["new_due_at"] = _iso(e.new_due_at)
            if e.type == "returned":
                item["method"] = delivery
            story.append(item)
        returned = next((e.at for e in events if e.type == "returned"), None)
        fee = proc.fee
        paid_online = fee > 0 and rng.random() < (0.75 if channel == "online" else 0.15)
        files = [
            {"requirement": name, "digitized": rng.random() < DIGITIZED_SHARE, "sha256": None}
            for name, mandatory in proc.documents
            if mandatory or rng.random() < 0.3
        ]
        has_result = any(e.type == "result_ready" for e in events)
        rating = None
        if returned is not None and rng.random() < RATED_SHARE:
            rated = returned + timedelta(hours=rng.uniform(0.1, 48))
            if rated < self.cutoff:
                score = rng.choices([s for s, _ in SCORES], [w for _, w in SCORES])[0]
                rating = {"score": score, "at": _iso(rated.replace(microsecond=0))}
        return {
            "code": code,
            "procedure_code": proc.procedure.code,
            "agency_code": agency.code,
            "unit_code": agency.unit.code,
            "channel": channel,
            "applicant": self.applicant(proc, agency, t0.year),
            "received_at": _iso(t0),
            "due_at": None,
            "fee": {
                "amount": fee,
                "paid_online": paid_online,
                "paid_at": _iso(t0) if paid_online else None,
            },
            "files": files,
            "result": {
                "digitized": rng.random() < DIGITIZED_SHARE,
                "signed": rng.random() < SIGNED_SHARE,
            }
            if has_result
            else None,
            "rating": rating,
            "events": story,
        }

    def finish(
        self,
        *,
        proc: _Proc,
        d: Dossier,
        events: list[Event],
        add: Any,
        cursor: datetime,
        due: datetime,
        remaining: float,
    ) -> None:
        rng = self.rng
        fate = rng.random()
        if fate < REJECTED_SHARE + WITHDRAWN_SHARE:
            kind = "rejected" if fate < REJECTED_SHARE else "withdrawn"
            reasons = REJECT_REASONS if kind == "rejected" else WITHDRAW_REASONS
            add(
                kind,
                self.later(cursor, remaining * rng.uniform(0.1, 0.9)),
                reason=rng.choice(reasons),
            )
            return
        late = rng.random() < LATE_SHARE
        if late:
            done = self.later(due, rng.uniform(0.5, 24))
        else:
            done = self.later(cursor, max(remaining * rng.betavariate(2.2, 1.3) * 0.97, 0.05))
        forwards = max(0, len(proc.steps) - 1 - d.step)
        working = self.cal.working_time_between(cursor, done).total_seconds() / 3600
        for i in range(forwards):
            if not add("forwarded", self.later(cursor, working * (i + 1) / (forwards + 2))):
                return
        if late and rng.random() < EXTENDED_WHEN_LATE:
            asked = max(events[-1].at, due - timedelta(hours=2))
            new_due = self.cal.add_working_days(due, rng.randint(2, 5))
            if not add("extended", asked, reason=rng.choice(EXTEND_REASONS), _new_due=new_due):
                return
        if not add("result_ready", done):
            return
        add("returned", self.later(done, rng.uniform(0.5, 16)))


def _iso(value: datetime) -> str:
    return value.isoformat()


def synthetic_lines(
    *, count: int, months: int = 12, seed: int = 1, end: date | None = None
) -> Iterator[str]:
    """``count`` interchange lines received in the ``months`` before ``end`` (default today),
    for the agencies and active procedures in the database. Events after ``end`` 00:00 are
    cut, so the newest dossiers are still open, some due soon and some overdue."""
    from django.utils import timezone

    gen = _Generator(seed=seed, end=end or timezone.localdate())
    if not gen.procs:
        return
    for obj in gen.lines(count, months):
        yield json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
