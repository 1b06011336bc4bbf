"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Plain Django views rather than the ninja API: the spec fixes the shapes (bare JSON arrays,
XML element names, its own error list) that differ from our `{code, message, details}`.
Internal states map to open/closed; the rich state is in ``extended_attributes``.
Extensions: paging (``page``, ``page_size``, a ``Link: rel="next"`` header), media upload
(multipart ``media``), the public timeline as ``extended_attributes.notes`` of
``requests/{id}``, and service request updates (``servicerequestupdates``, GET and POST) as
FixMyStreet and mySociety's open311-adapter define them
(https://github.com/mysociety/FixMyStreet/wiki/Open311-FMS---Proposed-differences-to-Open311,
``Open311::Endpoint::Role::mySociety``): the same element names, the extended status
vocabulary, ``update_id`` strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cqs.core.errors import ApplicationError, PayloadTooLarge, PermissionDenied
from cqs.reports import rules
from cqs.reports.models import (
    Category,
    PhotoKind,
    PhotoReview,
    Report,
    ReportEvent,
    ReportPhoto,
)
from cqs.reports.photos import uploads_from
from cqs.reports.selectors import report_timeline
from cqs.reports.services import (
    Contact,
    open311_key_authenticate,
    report_submit,
    report_supplement,
)
from cqs.reports.workflow import STATUS_LABELS, Status
from cqs.units.models import AdministrativeUnit

MAX_WINDOW = timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        self.status = status
        self.descriptions = descriptions or ("error",)
        super().__init__(self.descriptions[0])


# --- Rendering ------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    node = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(node, k, v)
    elif isinstance(value, list):
        singular = {
            "values": "value",
            "attributes": "attribute",
            "notes": "note",
            "formats": "format",
            "endpoints": "endpoint",
            "keywords": "keyword",
        }.get(key, "item")
        for item in value:
            _xml_value(node, singular, item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def _render(fmt: str, root: str, item: str | None, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        top = ET.Element(root)
        if item is None:
            for k, v in data.items():
                _xml_value(top, k, v)
        else:
            for row in data:
                node = ET.SubElement(top, item)
                for k, v in row.items():
                    _xml_value(node, k, v)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")
    return HttpResponse(body, content_type=FORMATS[fmt], status=status)


def _errors(fmt: str, status: int, descriptions: tuple[str, ...]) -> HttpResponse:
    rows = [{"code": status, "description": d} for d in descriptions]
    return _render(fmt if fmt in FORMATS else "json", "errors", "error", rows, status)


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in FORMATS:
            return _errors("json", 404, (f"unknown format {fmt[:10]!r}: use .json or .xml",))
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return _errors(fmt, exc.status, exc.descriptions)

    return csrf_exempt(wrapper)


def _dt(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def _base() -> str:
    return settings.CQS_PUBLIC_BASE_URL.rstrip("/")


# --- Discovery and services -----------------------------------------------------------------


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    data = {
        "changeset": "2026-01-01T00:00:00+07:00",
        "contact": f"{settings.CQS_SITE_NAME} {settings.CQS_PROVINCE_NAME}, {settings.CQS_HOTLINE}",
        "key_service": "Khóa api_key do quản trị cấp tỉnh cấp (Quản trị > Phản ánh > Khóa Open311).",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": _base() + reverse("reports:open311_root"),
                "changeset": "2026-01-01T00:00:00+07:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _render(fmt, "discovery", None, data)


def _service(c: Category) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.description,
        "metadata": bool(c.attributes),
        "type": "realtime",
        "keywords": c.keywords,
        "group": c.group,
    }


@endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = [
        _service(c) for c in Category.objects.filter(is_active=True).order_by("position", "code")
    ]
    return _render(fmt, "services", "service", rows)


@endpoint
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = Category.objects.filter(code=service_code, is_active=True).first()
    if category is None:
        raise Open311Error(404, f"service_code {service_code[:50]} not found")
    attributes = [
        {
            "variable": True,
            "code": a.get("code", ""),
            "datatype": a.get("datatype", "string"),
            "required": bool(a.get("required")),
            "datatype_description": a.get("datatype_description"),
            "order": i,
            "description": a.get("description", ""),
            "values": [{"key": v["key"], "name": v["name"]} for v in a.get("values", [])],
        }
        for i, a in enumerate(category.attributes, start=1)
    ]
    return _render(
        fmt,
        "service_definition",
        None,
        {"service_code": category.code, "attributes": attributes},
    )


# --- Requests -------------------------------------------------------------------------------


# The list is read as plain values (no model instances, categories from one small query):
# measured at 1,000,000 reports, building model objects and their related objects cost more
# than the SQL of a page.
_ROW_FIELDS = (
    "id",
    "code",
    "status",
    "is_open",
    "answer",
    "reject_reason",
    "category_id",
    "agency__name",
    "public_description",
    "is_public",
    "created_at",
    "updated_at",
    "deadline",
    "address",
    "commune__code",
    "lat",
    "lon",
    "escalated_near",
    "escalated_overdue",
    "merged_into__code",
)


def _request_rows(qs: QuerySet[Report]) -> list[dict[str, Any]]:
    """Open311 service requests for the rows of ``qs`` (already filtered, ordered, sliced)."""
    found = list(qs.values(*_ROW_FIELDS))
    if not found:
        return []
    services = {
        pk: (code, name) for pk, code, name in Category.objects.values_list("id", "code", "name")
    }
    first_photo: dict[int, int] = {}
    public_ids = [r["id"] for r in found if r["is_public"]]
    if public_ids:
        photos = (
            ReportPhoto.objects.filter(
                report_id__in=public_ids, kind=PhotoKind.BEFORE, review=PhotoReview.APPROVED
            )
            .order_by("id")
            .values_list("report_id", "id")
        )
        for report_id, photo_id in photos:
            first_photo.setdefault(report_id, photo_id)
    base = _base()
    rows = []
    for r in found:
        code, name = services[r["category_id"]]
        first = first_photo.get(r["id"])
        status_notes = r["answer"] or None
        if r["status"] == Status.REJECTED:
            status_notes = (
                "Trùng phản ánh khác"
                if r["reject_reason"] == "duplicate"
                else "Không thuộc phạm vi xử lý"
            )
        rows.append(
            {
                "service_request_id": r["code"],
                "status": rules.open311_status(r["is_open"]),
                "status_notes": status_notes,
                "service_name": name,
                "service_code": code,
                "description": r["public_description"] if r["is_public"] else None,
                "agency_responsible": r["agency__name"],
                "service_notice": None,
                "requested_datetime": _dt(r["created_at"]),
                "updated_datetime": _dt(r["updated_at"]),
                "expected_datetime": _dt(r["deadline"]),
                "address": r["address"] or None,
                "address_id": r["commune__code"],
                "zipcode": None,
                "lat": float(r["lat"]) if r["lat"] is not None else None,
                "long": float(r["lon"]) if r["lon"] is not None else None,
                "media_url": base + reverse("reports:photo", args=[r["code"], first])
                if first is not None
                else None,
                "extended_attributes": {
                    "status": r["status"],
                    "status_label": STATUS_LABELS[Status(r["status"])],
                    "escalated": r["escalated_near"] or r["escalated_overdue"],
                    "merged_into": r["merged_into__code"],
                },
            }
        )
    return rows


def _parse_datetime(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C datetime, e.g. 2026-03-02T09:00:00+07:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed)
    return parsed


def _positive_int(name: str, value: str | None, default: int, maximum: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a positive integer") from None
    if number < 1 or number > maximum:
        raise Open311Error(400, f"{name} must be between 1 and {maximum}")
    return number


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    ids = rules.split_list(params.get("service_request_id", ""))
    qs = Report.objects.all()
    if ids:
        # The spec: with service_request_id, every other filter is ignored.
        rows = _request_rows(qs.filter(code__in=ids[:MAX_PAGE_SIZE]).order_by("-created_at", "-id"))
        return _render(fmt, "service_requests", "request", rows)
    errors: list[str] = []
    start = end = None
    try:
        if params.get("start_date"):
            start = _parse_datetime("start_date", params["start_date"])
        if params.get("end_date"):
            end = _parse_datetime("end_date", params["end_date"])
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    if start and end and end < start:
        errors.append("end_date must not be before start_date")
    elif start and end and end - start > MAX_WINDOW:
        errors.append("start_date and end_date may be at most 90 days apart")
    statuses = rules.split_list(params.get("status", ""))
    if any(s not in {"open", "closed"} for s in statuses):
        errors.append("status must be open, closed or both (comma-separated)")
    try:
        page = _positive_int("page", params.get("page"), 1, 10_000)
        size = _positive_int("page_size", params.get("page_size"), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    if errors:
        raise Open311Error(400, *errors)
    # Default window: the last 90 days (or 90 days from whichever bound was given).
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None  # noqa: S101 - narrowed above
        start = end - MAX_WINDOW
    if end is None:
        end = start + MAX_WINDOW
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    codes = rules.split_list(params.get("service_code", ""))
    if codes:
        category_ids = list(Category.objects.filter(code__in=codes).values_list("id", flat=True))
        qs = qs.filter(category_id__in=category_ids)
    if len(set(statuses)) == 1:
        # `is_open__in` rather than `is_open=`: Django writes a boolean test on SQLite as the
        # bare column (`WHERE "is_open"`), which SQLite cannot match against an index; an
        # IN list is an equality the index (category, is_open, created_at) serves.
        qs = qs.filter(is_open__in=[statuses[0] == "open"])
    offset = (page - 1) * size
    # One row more than the page tells whether there is a next page.
    ids_page = list(
        qs.order_by("-created_at", "-id").values_list("id", flat=True)[offset : offset + size + 1]
    )
    rows = _request_rows(
        Report.objects.filter(id__in=ids_page[:size]).order_by("-created_at", "-id")
    )
    response = _render(fmt, "service_requests", "request", rows)
    if len(ids_page) > size:
        query = params.copy()
        query["page"] = str(page + 1)
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    return response


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    if open311_key_authenticate(data.get("api_key", "")) is None:
        raise Open311Error(403, "api_key is missing or invalid")
    errors: list[str] = []
    code = data.get("service_code", "").strip()
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    if not code:
        errors.append("service_code is required")
    elif category is None:
        errors.append(f"service_code {code[:50]} not found")
    lat = lon = None
    if data.get("lat") or data.get("long"):
        lat, lon = (
            rules.parse_coordinate(data.get("lat", "")),
            rules.parse_coordinate(data.get("long", "")),
        )
        if lat is None or lon is None:
            errors.append("lat and long must be decimal degrees (WGS84)")
    commune = None
    if data.get("address_id"):
        commune = AdministrativeUnit.objects.filter(
            code=data["address_id"].strip(), level="commune", valid_until__isnull=True
        ).first()
        if commune is None:
            errors.append("address_id must be a commune code (GSO)")
    address = data.get("address_string", "")
    if lat is None and not address and commune is None and not errors:
        errors.append("a location is required: lat and long, address_string or address_id")
    attributes = {
        k[len("attribute[") : -1]: str(v)
        for k, v in data.items()
        if k.startswith("attribute[") and k.endswith("]")
    }
    if errors:
        raise Open311Error(400, *errors)
    assert category is not None  # noqa: S101 - narrowed above
    photos = uploads_from(request.FILES.getlist("media"))
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    try:
        report = report_submit(
            actor=None,
            category=category,
            description=data.get("description", ""),
            lat=lat,
            lon=lon,
            commune=commune,
            address=address,
            photos=photos,
            contact=Contact(name=name, phone=data.get("phone", ""), email=data.get("email", "")),
            attributes=attributes,
            channel="open311",
            require_contact=False,
        )
    except PayloadTooLarge as exc:
        raise Open311Error(413, exc.message) from exc
    except ApplicationError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        messages = [f"{k}: {m}" for k, ms in details.items() for m in ms] or [exc.message]
        raise Open311Error(400, *messages) from exc
    row = {
        "service_request_id": report.code,
        "token": report.token,
        "service_notice": None,
        "account_id": None,
    }
    return _render(fmt, "service_requests", "request", [row], status=201)


@endpoint
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method not in {"GET", "HEAD"}:
        raise Open311Error(405, "use GET or POST")
    return _list_requests(request, fmt)


@endpoint
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    report = Report.objects.filter(code=request_id).first()
    if report is None:
        raise Open311Error(404, f"service_request_id {request_id[:40]} not found")
    [row] = _request_rows(Report.objects.filter(pk=report.pk))
    notes = [
        {"datetime": _dt(e.at), "status": e.to_status, "type": e.type, "description": e.note}
        for e in report_timeline(report)
    ]
    row["extended_attributes"]["notes"] = notes
    return _render(fmt, "service_requests", "request", [row])


@endpoint
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    report = Report.objects.filter(token=token).only("code", "token").first()
    if report is None:
        raise Open311Error(404, "token not found")
    return _render(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": report.code, "token": report.token}],
    )


# --- Service request updates (FixMyStreet / mySociety extension) ---------------------------
UPDATE_STATUSES_UPPER = frozenset(s.upper() for s in rules.UPDATE_STATUSES)


def _update_row(e: ReportEvent) -> dict[str, Any]:
    report = e.report
    media = ""
    photo_ids = e.data.get("photos") if isinstance(e.data, dict) else None
    if photo_ids and report.is_public:
        photo = report.photos.filter(pk__in=photo_ids, review=PhotoReview.APPROVED).first()
        if photo is not None:
            media = _base() + reverse("reports:photo", args=[report.code, photo.pk])
    reason = report.reject_reason if e.to_status == Status.REJECTED else ""
    return {
        "update_id": str(e.pk),
        "service_request_id": report.code,
        "status": rules.open311_update_status(e.to_status, reason),
        "updated_datetime": _dt(e.at),
        "description": rules.mask_personal_data(e.note),
        "media_url": media,
        "external_status_code": e.to_status,
    }


def _list_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    errors: list[str] = []
    start = end = None
    try:
        if params.get("start_date"):
            start = _parse_datetime("start_date", params["start_date"])
        if params.get("end_date"):
            end = _parse_datetime("end_date", params["end_date"])
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    if start and end and end < start:
        errors.append("end_date must not be before start_date")
    elif start and end and end - start > MAX_WINDOW:
        errors.append("start_date and end_date may be at most 90 days apart")
    try:
        page = _positive_int("page", params.get("page"), 1, 10_000)
        size = _positive_int("page_size", params.get("page_size"), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    if errors:
        raise Open311Error(400, *errors)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None  # noqa: S101 - narrowed above
        start = end - MAX_WINDOW
    if end is None:
        end = start + MAX_WINDOW
    qs = ReportEvent.objects.filter(is_public=True, at__gte=start, at__lte=end)
    ids = rules.split_list(params.get("service_request_id", ""))
    if ids:  # our extension: the updates of some requests only
        qs = qs.filter(report__code__in=ids[:MAX_PAGE_SIZE])
    offset = (page - 1) * size
    found = list(qs.select_related("report").order_by("at", "id")[offset : offset + size + 1])
    rows = [_update_row(e) for e in found[:size]]
    response = _render(fmt, "service_request_updates", "request_update", rows)
    if len(found) > size:
        query = params.copy()
        query["page"] = str(page + 1)
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    return response


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    if open311_key_authenticate(data.get("api_key", "")) is None:
        raise Open311Error(403, "api_key is missing or invalid")
    errors: list[str] = []
    code = data.get("service_request_id", "").strip()
    if not code:
        errors.append("service_request_id is required")
    update_id = data.get("update_id", "").strip()
    if not update_id:
        errors.append("update_id is required")
    elif len(update_id) > 100:
        errors.append("update_id must be at most 100 characters")
    status = data.get("status", "").strip()
    if not status:
        errors.append("status is required")
    elif status.upper() not in UPDATE_STATUSES_UPPER:
        errors.append("status must be one of " + ", ".join(sorted(UPDATE_STATUSES_UPPER)))
    if not data.get("updated_datetime"):
        errors.append("updated_datetime is required")
    else:
        try:
            _parse_datetime("updated_datetime", data["updated_datetime"])
        except Open311Error as exc:
            errors.extend(exc.descriptions)
    if "description" not in data:
        errors.append("description is required (it may be empty when media is attached)")
    links = [u.strip() for u in data.getlist("media_url") if u.strip()]
    if any(not u.startswith(("https://", "http://")) for u in links):
        errors.append("media_url must be http(s) URLs")
    elif len(links) > rules.MAX_PHOTOS:
        errors.append(f"at most {rules.MAX_PHOTOS} media_url")
    if errors:
        raise Open311Error(400, *errors)
    if not Report.objects.filter(code=code).exists():
        raise Open311Error(404, f"service_request_id {code[:40]} not found")
    note = data.get("description", "")
    if links:
        # Remote media are linked for staff, never fetched (no outbound requests from here).
        note = (note + "\n" if note else "") + "\n".join(links)
    try:
        added = report_supplement(
            actor=None,
            code=code,
            note=note,
            photos=uploads_from(request.FILES.getlist("media")),
            reporter_key=data.get("token", ""),
            email=data.get("email", ""),
            source="open311",
            client_update_id=update_id,
        )
    except PayloadTooLarge as exc:
        raise Open311Error(413, exc.message) from exc
    except PermissionDenied as exc:
        raise Open311Error(
            403, "only the original requester may post updates: give its token or email"
        ) from exc
    except ApplicationError as exc:
        raise Open311Error(400, exc.message) from exc
    row = {"update_id": str(added.event.pk), "account_id": None}
    return _render(fmt, "service_request_updates", "request_update", [row], status=201)


@endpoint
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    if request.method not in {"GET", "HEAD"}:
        raise Open311Error(405, "use GET or POST")
    return _list_updates(request, fmt)


def root(request: HttpRequest) -> HttpResponse:
    return discovery(request, fmt="json")
