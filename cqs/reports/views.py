"""Citizen pages (/phan-anh/) and staff pages (/quan-tri/phan-anh/). Thin: parse, call a
service or selector, render. Errors from services are shown in Vietnamese beside the form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cqs.accounts.models import User
from cqs.accounts.permissions import can_access_backoffice
from cqs.core.errors import ApplicationError, PermissionDenied, ValidationError
from cqs.reports import rules
from cqs.reports.models import Category, Open311Key, PhotoKind, PhotoReview, Report
from cqs.reports.permissions import (
    actor_roles,
    can_manage_open311_keys,
    can_moderate_report,
    can_view_report_private,
    visible_to,
)
from cqs.reports.photos import PhotoUpload, uploads_from
from cqs.reports.selectors import (
    PublicFilter,
    answer_templates,
    categories,
    nearby_similar,
    public_list,
    report_communes,
    report_get,
    report_queue,
    report_timeline,
    transfer_targets,
)
from cqs.reports.services import (
    REJECT_REASONS,
    Contact,
    open311_key_create,
    open311_key_revoke,
    report_act,
    report_moderate,
    report_rate,
    report_recategorize,
    report_relocate,
    report_submit,
    report_supplement,
)
from cqs.reports.workflow import (
    ACTION_LABELS,
    FINAL_STATES,
    REPORTER,
    STATUS_LABELS,
    Action,
    Status,
    allowed_actions,
)

View = Callable[..., HttpResponseBase]


def _map_context() -> dict[str, Any]:
    return {
        "tile_url": settings.CQS_MAP_TILE_URL,
        "tile_attribution": settings.CQS_MAP_TILE_ATTRIBUTION,
    }


def _photos(request: HttpRequest, field: str = "photos") -> list[PhotoUpload]:
    return uploads_from(request.FILES.getlist(field))


def _marker(r: Report) -> dict[str, Any] | None:
    if r.lat is None or r.lon is None:
        return None
    return {
        "code": r.code,
        "lat": float(r.lat),
        "lon": float(r.lon),
        "title": r.category.name,
        "status": r.status_label,
        "open": r.is_open,
        "url": reverse("reports:track", args=[r.code]),
    }


# --- Public ---------------------------------------------------------------------------------


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def report_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    f = PublicFilter(
        category=g.get("linh_vuc", "")[:40],
        commune=g.get("xa", "")[:10],
        status=g.get("trang_thai", "")[:15],
        since=_date(g.get("tu", "")),
        until=_date(g.get("den", "")),
    )
    qs = public_list(f)
    page = Paginator(qs, 20).get_page(g.get("trang"))
    markers = [m for m in (_marker(r) for r in qs[:500]) if m]
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "filter": f,
            "categories": categories(),
            "communes": report_communes(),
            "statuses": [("open", "Đang xử lý"), ("closed", "Đã xử lý/đóng")],
            "markers": markers,
            **_map_context(),
        },
    )


def _float_or_none(value: str) -> Decimal | None:
    return rules.parse_coordinate(value) if value.strip() else None


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    ctx: dict[str, Any] = {
        "categories": categories(),
        "communes": report_communes(),
        "values": data,
        "errors": {},
        "nearby": [],
        "max_photos": rules.MAX_PHOTOS,
        "max_mb": settings.CQS_REPORTS_PHOTO_MAX_MB,
        **_map_context(),
    }
    if request.method != "POST":
        return render(request, "reports/new.html", ctx)
    category = Category.objects.filter(code=data.get("linh_vuc", ""), is_active=True).first()
    lat, lon = _float_or_none(data.get("lat", "")), _float_or_none(data.get("lon", ""))
    if category is None:
        ctx["errors"] = {"category": ["Vui lòng chọn lĩnh vực."]}
        return render(request, "reports/new.html", ctx, status=422)
    if (data.get("lat") and lat is None) or (data.get("lon") and lon is None):
        ctx["errors"] = {"location": ["Tọa độ không hợp lệ."]}
        return render(request, "reports/new.html", ctx, status=422)
    if lat is not None and lon is not None and not data.get("gui_moi"):
        nearby = nearby_similar(category=category, lat=lat, lon=lon)
        if nearby:
            ctx["nearby"] = nearby
            ctx["confirm_new"] = True
            return render(request, "reports/new.html", ctx, status=200)
    commune = report_communes().filter(code=data.get("xa", "")).first()
    try:
        report = report_submit(
            actor=request.user,
            category=category,
            description=data.get("noi_dung", ""),
            lat=lat,
            lon=lon,
            commune=commune,
            address=data.get("dia_chi", ""),
            photos=_photos(request),
            contact=Contact(
                name=data.get("ho_ten", ""),
                phone=data.get("dien_thoai", ""),
                email=data.get("email", ""),
            ),
        )
    except ApplicationError as exc:
        ctx["errors"] = (
            exc.details
            if isinstance(exc.details, dict) and exc.details
            else {"form": [exc.message]}
        )
        ctx["error_message"] = exc.message
        return render(
            request, "reports/new.html", ctx, status=exc.status if exc.status != 400 else 422
        )
    messages.success(
        request,
        f"Đã gửi phản ánh. Mã theo dõi: {report.code}. Hãy lưu đường dẫn trang này để theo dõi.",
    )
    url = reverse("reports:track", args=[report.code])
    if not request.user.is_authenticated:
        url += f"?khoa={report.token}"
    return redirect(url)


def report_nearby(request: HttpRequest) -> JsonResponse:
    category = Category.objects.filter(code=request.GET.get("linh_vuc", "")).first()
    lat = _float_or_none(request.GET.get("lat", ""))
    lon = _float_or_none(request.GET.get("lon", ""))
    if category is None or lat is None or lon is None:
        return JsonResponse({"results": []})
    rows = [
        {
            "code": n.report.code,
            "distance_m": n.distance_m,
            "status": n.report.status_label,
            "text": n.report.public_description[:160]
            if n.report.is_public
            else n.report.category.name,
            "url": reverse("reports:track", args=[n.report.code]),
        }
        for n in nearby_similar(category=category, lat=lat, lon=lon)
    ]
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


def report_lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip().upper()[:20]
    if code:
        if report_get(code) is not None:
            return redirect("reports:track", code=code)
        return render(
            request,
            "reports/lookup.html",
            {"code": code, "error": "Không tìm thấy phản ánh có mã này."},
            status=404,
        )
    return render(request, "reports/lookup.html", {"code": ""})


@require_http_methods(["GET", "POST"])
def report_track(request: HttpRequest, code: str) -> HttpResponse:
    report = report_get(code)
    if report is None:
        raise Http404
    key = (request.POST.get("khoa") or request.GET.get("khoa") or "")[:80]
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "rate":
                report_rate(
                    actor=request.user,
                    code=code,
                    rating=int(request.POST.get("diem", "0") or 0),
                    comment=request.POST.get("nhan_xet", ""),
                    reporter_key=key,
                )
                messages.success(request, "Cảm ơn bạn đã đánh giá.")
            elif action == "supplement":
                added = report_supplement(
                    actor=request.user,
                    code=code,
                    note=request.POST.get("bo_sung", ""),
                    photos=_photos(request),
                    reporter_key=key,
                )
                messages.success(
                    request,
                    f"Đã bổ sung {added.photos} ảnh. Ảnh sẽ được công khai sau khi cán bộ duyệt."
                    if added.photos
                    else "Đã gửi nội dung bổ sung cho cơ quan xử lý.",
                )
            elif action in {Action.REOPEN, Action.DISPUTE, Action.CLOSE}:
                report_act(
                    actor=request.user,
                    code=code,
                    action=action,
                    note=request.POST.get("ly_do", ""),
                    reporter_key=key,
                )
                messages.success(
                    request,
                    "Đã ghi nhận. Phản ánh đã được chuyển lại cơ quan xử lý."
                    if action != Action.CLOSE
                    else "Đã đóng phản ánh.",
                )
            else:
                raise PermissionDenied("Thao tác không hợp lệ.")
        except ApplicationError as exc:
            error = exc.message
        else:
            url = reverse("reports:track", args=[code]) + (f"?khoa={key}" if key else "")
            return redirect(url)
        report = report_get(code)
        assert report is not None  # noqa: S101
    roles = actor_roles(request.user, report, key)
    is_reporter = REPORTER in roles
    private = can_view_report_private(request.user, report, key)
    # Anyone with the code sees status and timeline; text and photos once approved (or to the
    # reporter and staff, who also see photos still waiting for a moderator).
    photos = [p for p in report.photos.all() if private or (report.is_public and p.approved)]
    before_count = sum(1 for p in report.photos.all() if p.kind == PhotoKind.BEFORE)
    can_react = (
        is_reporter
        and report.status == Status.RESOLVED
        and report.resolved_at is not None
        and rules.within_window(report.resolved_at, _now(), settings.CQS_REPORTS_REOPEN_DAYS)
    )
    return render(
        request,
        "reports/track.html",
        {
            "report": report,
            "timeline": report_timeline(report, private=private),
            "photos_before": [p for p in photos if p.kind == PhotoKind.BEFORE],
            "photos_after": [p for p in photos if p.kind == PhotoKind.AFTER],
            "private": private,
            "is_reporter": is_reporter,
            "key": key,
            "can_react": can_react,
            "can_rate": is_reporter
            and report.rating is None
            and report.status in {Status.RESOLVED, Status.CLOSED},
            "reopen_days": settings.CQS_REPORTS_REOPEN_DAYS,
            "can_supplement": is_reporter
            and report.status not in FINAL_STATES
            and before_count < rules.MAX_PHOTOS,
            "photos_left": max(0, rules.MAX_PHOTOS - before_count),
            "max_mb": settings.CQS_REPORTS_PHOTO_MAX_MB,
            "error": error,
            "marker": _marker(report),
            "status_labels": STATUS_LABELS,
            **_map_context(),
        },
        status=422 if error else 200,
    )


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def report_photo(request: HttpRequest, code: str, photo_id: int) -> FileResponse:
    report = report_get(code)
    if report is None:
        raise Http404
    photo = report.photos.filter(pk=photo_id).first()
    key = request.GET.get("khoa", "")
    if photo is None or not (
        (report.is_public and photo.approved) or can_view_report_private(request.user, report, key)
    ):
        raise Http404
    # Everyone, staff included, gets the public copy here; originals are on the staff page.
    response = FileResponse(photo.public.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Staff ----------------------------------------------------------------------------------


def official_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_access_backoffice(request.user):
            raise PermissionDenied("Trang quản trị chỉ dành cho cán bộ đã được phân vai trò.")
        return view(request, *args, **kwargs)

    return wrapper


BOXES = [
    ("active", "Cần xử lý"),
    ("mine", "Được giao cho tôi"),
    ("moderation", "Chờ duyệt công khai"),
    ("resolved", "Đã xử lý"),
    ("all", "Tất cả"),
]


@official_required
def staff_queue(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("hop", "active")
    if box not in dict(BOXES):
        box = "active"
    q = request.GET.get("q", "")[:100]
    page = Paginator(report_queue(request.user, box=box, q=q), 25).get_page(
        request.GET.get("trang")
    )
    return render(
        request,
        "reports/staff/queue.html",
        {
            "page": page,
            "box": box,
            "boxes": BOXES,
            "q": q,
            "can_keys": can_manage_open311_keys(request.user),
        },
    )


@official_required
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, code: str) -> HttpResponse:
    report = visible_to(request.user).filter(code=code).first()
    if report is None:
        raise Http404
    error = ""
    if request.method == "POST":
        p = request.POST
        action = p.get("action", "")
        try:
            if action == "moderate":
                report_moderate(
                    actor=request.user,
                    code=code,
                    public_description=p.get("public_description", ""),
                    publish=p.get("publish") == "1",
                    withhold_photos=[int(x) for x in p.getlist("giu_anh") if x.isdigit()],
                )
            elif action == "recategorize":
                category = Category.objects.filter(code=p.get("linh_vuc", "")).first()
                if category is None:
                    raise PermissionDenied("Lĩnh vực không hợp lệ.")
                report_recategorize(actor=request.user, code=code, category=category)
            elif action == "relocate":
                lat, lon = _float_or_none(p.get("lat", "")), _float_or_none(p.get("lon", ""))
                if (p.get("lat", "").strip() and lat is None) or (
                    p.get("lon", "").strip() and lon is None
                ):
                    raise ValidationError("Tọa độ không hợp lệ.")
                report_relocate(
                    actor=request.user,
                    code=code,
                    lat=lat,
                    lon=lon,
                    commune=report_communes().filter(code=p.get("xa", "")).first(),
                    address=p.get("dia_chi", ""),
                )
            else:
                assignee = User.objects.filter(
                    username=p.get("assignee", ""), kind="official"
                ).first()
                to_agency = transfer_targets().filter(code=p.get("to_agency", "")).first()
                report_act(
                    actor=request.user,
                    code=code,
                    action=action,
                    expected_version=int(p["version"]) if p.get("version", "").isdigit() else None,
                    note=p.get("note", ""),
                    assignee=assignee,
                    to_agency=to_agency,
                    answer=p.get("answer", ""),
                    reason=p.get("reason", ""),
                    duplicate_of=p.get("duplicate_of", "").strip().upper(),
                    photos=_photos(request),
                )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Đã cập nhật phản ánh.")
            if visible_to(request.user).filter(code=code).exists():
                return redirect("reports:staff_detail", code=code)
            return redirect("reports:staff_queue")
        report = visible_to(request.user).get(code=code)
    roles = actor_roles(request.user, report) - {REPORTER}
    actions = [(a, ACTION_LABELS[a]) for a in allowed_actions(report.status, roles)]
    officers = User.objects.filter(
        role_assignments__agency=report.agency,
        role_assignments__role__in=["processing_officer", "head_of_division", "leader"],
        is_active=True,
    ).distinct()
    return render(
        request,
        "reports/staff/detail.html",
        {
            "report": report,
            "timeline": report_timeline(report, private=True),
            "photos": report.photos.all(),
            "pending_photos": [p for p in report.photos.all() if p.review == PhotoReview.PENDING],
            "actions": actions,
            "action_names": {a for a, _ in actions},
            "officers": officers,
            "agencies": transfer_targets().exclude(pk=report.agency_id),
            "templates": answer_templates(report.category),
            "categories": categories(),
            "communes": report_communes(),
            "reject_reasons": REJECT_REASONS.items(),
            "can_moderate": can_moderate_report(request.user, report),
            "error": error,
            "marker": _marker(report),
            **_map_context(),
        },
        status=422 if error else 200,
    )


@official_required
def staff_photo(request: HttpRequest, code: str, photo_id: int) -> FileResponse:
    report = visible_to(request.user).filter(code=code).first()
    photo = report.photos.filter(pk=photo_id).first() if report else None
    if photo is None:
        raise Http404
    return FileResponse(photo.original.open("rb"), content_type=photo.content_type)


@official_required
@require_http_methods(["GET", "POST"])
def staff_open311_keys(request: HttpRequest) -> HttpResponse:
    if not can_manage_open311_keys(request.user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh quản lý khóa Open311.")
    new_key = ""
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                key = Open311Key.objects.filter(pk=request.POST.get("key_id") or 0).first()
                if key is None:
                    raise Http404
                open311_key_revoke(actor=request.user, key=key)
                messages.success(request, f"Đã thu hồi khóa {key.name}.")
                return redirect("reports:staff_keys")
            _, new_key = open311_key_create(actor=request.user, name=request.POST.get("name", ""))
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "reports/staff/keys.html",
        {"keys": Open311Key.objects.all(), "new_key": new_key, "error": error},
        status=422 if error else 200,
    )
