"""Pure rules of citizen field reports (no Django): codes, places, masking, routing, SLA."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from cqs.core.calendar import WorkCalendar
from cqs.core.text import fold

# --- Tracking code --------------------------------------------------------------------------
# "PA" (phản ánh) + yymmdd + 6 characters of an alphabet without look-alikes (no 0/O, 1/I/L):
# short enough to read over the phone, random so that codes cannot be enumerated.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE = re.compile(rf"^PA\d{{6}}-[{CODE_ALPHABET}]{{6}}$")


def report_code(day: date) -> str:
    tail = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"PA{day:%y%m%d}-{tail}"


def is_report_code(value: str) -> bool:
    return bool(_CODE.match(value))


# --- Places ---------------------------------------------------------------------------------
# Viet Nam's bounding box including the islands (Hoàng Sa ~ 112°E, Trường Sa ~ 117.8°E, down
# to ~ 6.5°N); the mainland alone is 8.4-23.4°N, 102.1-109.5°E.
LAT_MIN, LAT_MAX = Decimal("6.0"), Decimal("23.5")
LON_MIN, LON_MAX = Decimal("102.0"), Decimal("118.0")


def in_vietnam(lat: Decimal, lon: Decimal) -> bool:
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def parse_coordinate(value: object) -> Decimal | None:
    """A decimal degree from user input, rounded to 6 places (~ 10 cm); None when invalid."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal("0.000001"))


EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) enclosing a circle: an index-friendly pre-filter."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 0.01)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# --- Masking public text --------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 12-digit personal ID (Circular 59/2021) and the old 9-digit ID card, digits possibly grouped.
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d[ .]?){11}\d(?!\d)|(?<!\d)\d{9}(?!\d)")
# Vietnamese phone numbers: 0 or +84 / 84, then 9-10 digits, with spaces, dots or dashes.
_PHONE = re.compile(r"(?<![\d+])(?:\+?84|0)(?:[ .-]?\d){8,10}(?!\d)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MASK_EMAIL = "[đã ẩn email]"
MASK_ID = "[đã ẩn số định danh]"
MASK_PHONE = "[đã ẩn số điện thoại]"


def clean_text(text: str) -> str:
    """Strip control characters and surrounding blanks (HTML is escaped on output)."""
    return _CONTROL.sub("", text).strip()


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, ID numbers and phone numbers in text meant for the public."""
    text = _EMAIL.sub(MASK_EMAIL, text)
    text = _PHONE.sub(MASK_PHONE, text)
    return _ID_NUMBER.sub(MASK_ID, text)


# --- Photos ---------------------------------------------------------------------------------
PHOTO_TYPES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg", "JPEG"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png", "PNG"),
}
MAX_PHOTOS = 5


def sniff_photo(head: bytes) -> tuple[str, str, str] | None:
    """(content type, extension, Pillow format) from the first bytes; None if not a photo."""
    for magic, kind in PHOTO_TYPES.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ("image/webp", ".webp", "WEBP")
    return None


# --- Routing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One routing rule as plain data: None means "any"."""

    rule_id: int
    priority: int
    agency_id: int
    commune_id: int | None = None
    category_id: int | None = None
    start: time | None = None
    end: time | None = None
    keywords: tuple[str, ...] = ()


def parse_keywords(text: str) -> tuple[str, ...]:
    return tuple(k for k in (fold(p).strip() for p in re.split(r"[,;\n]", text)) if k)


def _in_window(at: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None:
        return True
    if start <= end:
        return start <= at < end
    return at >= start or at < end  # a window over midnight, e.g. 22:00-06:00


def route_matches(
    route: Route, *, category_id: int, commune_id: int | None, local_time: time, text: str
) -> bool:
    if route.category_id is not None and route.category_id != category_id:
        return False
    if route.commune_id is not None and route.commune_id != commune_id:
        return False
    if not _in_window(local_time, route.start, route.end):
        return False
    if route.keywords:
        folded = fold(text)
        return any(k in folded for k in route.keywords)
    return True


def choose_route(
    routes: Iterable[Route],
    *,
    category_id: int,
    commune_id: int | None,
    local_time: time,
    text: str,
) -> Route | None:
    """The first matching rule by priority (lower number first), ties by id."""
    for route in sorted(routes, key=lambda r: (r.priority, r.rule_id)):
        if route_matches(
            route, category_id=category_id, commune_id=commune_id, local_time=local_time, text=text
        ):
            return route
    return None


# --- Deadlines ------------------------------------------------------------------------------


class DeadlineUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


def deadline_from(cal: WorkCalendar, start: datetime, value: int, unit: str) -> datetime:
    if value < 1:
        raise ValueError("a deadline is at least one unit")
    if unit == DeadlineUnit.WORKING_HOURS:
        return cal.add_working_hours(start, value)
    return cal.add_working_days(cal.next_working_instant(start), value)


class Urgency(StrEnum):
    NONE = "none"
    NEAR = "near"
    OVERDUE = "overdue"


def urgency(cal: WorkCalendar, now: datetime, deadline: datetime, near: timedelta) -> Urgency:
    """Overdue once the deadline passed; near when at most ``near`` office time is left."""
    if now > deadline:
        return Urgency.OVERDUE
    if cal.working_time_between(now, deadline) <= near:
        return Urgency.NEAR
    return Urgency.NONE


def within_window(resolved_at: datetime, now: datetime, days: int) -> bool:
    """May the reporter reopen or dispute? ``days`` calendar days after the answer."""
    return now <= resolved_at + timedelta(days=days)


# --- Open311 --------------------------------------------------------------------------------


def open311_status(is_open: bool) -> str:
    return "open" if is_open else "closed"


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# The status vocabulary of the Open311 "service request updates" extension used by
# FixMyStreet and mySociety's open311-adapter (Open311::Endpoint::Role::mySociety,
# rx type status_extended): our richer states map onto it; the exact state travels as
# external_status_code.
UPDATE_STATUSES = (
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "reopen",
    "for_triage",
)
_UPDATE_STATUS = {
    "received": "open",
    "verified": "investigating",
    "assigned": "action_scheduled",
    "in_progress": "in_progress",
    "resolved": "fixed",
    "closed": "closed",
    "reopened": "reopen",
    "disputed": "reopen",
}


def open311_update_status(status: str, reject_reason: str = "") -> str:
    """The extended Open311 status of a report state (for servicerequestupdates)."""
    if status == "rejected":
        return "duplicate" if reject_reason == "duplicate" else "not_councils_responsibility"
    return _UPDATE_STATUS.get(status, "open")
