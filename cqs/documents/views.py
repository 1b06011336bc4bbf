"""HTML pages of documents and tasks (/quan-tri/van-ban/, /quan-tri/nhiem-vu/) and the edXML
exchange endpoint (/lien-thong/edxml/). Thin: parse, call a service or selector, render."""

from __future__ import annotations

import logging
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cqs.accounts.models import User
from cqs.accounts.permissions import agency_scope, can_access_backoffice
from cqs.accounts.rules import Role
from cqs.core.errors import ApplicationError
from cqs.documents import exchange, rules, selectors, services, tasks
from cqs.documents import permissions as perms
from cqs.documents.models import Document, DocumentStatus, DocumentType, Task, TaskStatus
from cqs.dossiers.storage import Upload
from cqs.units.models import Agency

logger = logging.getLogger("cqs.documents.exchange")


def official_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_access_backoffice(request.user):
            raise PermissionDenied("Trang quản trị chỉ dành cho cán bộ đã được phân vai trò.")
        return view(request, *args, **kwargs)  # type: ignore[no-any-return]

    return wrapper


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _int(value: str, default: int) -> int:
    return int(value) if value.strip().isdigit() else default


def _uploads(request: HttpRequest, field: str = "files") -> list[Upload]:
    return [Upload(f.name or "tep", f.read()) for f in request.FILES.getlist(field)]


def _agencies_in_scope(user: Any, role: Role) -> list[Agency]:
    return list(Agency.objects.filter(pk__in=agency_scope(user, [role])).order_by("code"))


# --- the exchange endpoint ------------------------------------------------------------------


def _json_error(code: str, message: str, status: int, details: Any = None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "details": details if details is not None else {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt  # machine-to-machine: authenticated by the HMAC of the body, not a session
@require_POST
def edxml_receive(request: HttpRequest) -> JsonResponse:
    limit = exchange.max_bytes()
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > limit:
        logger.warning("edXML refused: %s bytes > %s", length, limit)
        return _json_error(
            "edxml_too_large",
            f"Gói edXML vượt quá giới hạn {limit // (1024 * 1024)} MB.",
            413,
            {"size": int(length), "limit": limit},
        )
    try:
        result = exchange.exchange_receive(
            sender=request.headers.get(exchange.FROM_HEADER, ""),
            signature=request.headers.get(exchange.SIGNATURE_HEADER, ""),
            body=request.body,
            content_type=request.META.get("CONTENT_TYPE", ""),
        )
    except ApplicationError as exc:
        return _json_error(exc.code, exc.message, exc.status, exc.details)
    return JsonResponse(
        {
            "code": "ok",
            "status": result.status,
            "status_code": result.status_code,
            "message": result.message,
        },
        status=200,
        json_dumps_params={"ensure_ascii": False},
    )


# --- documents ------------------------------------------------------------------------------

DIRECTIONS = [("", "Tất cả"), ("incoming", "Văn bản đến"), ("outgoing", "Văn bản đi")]
DUE_FILTERS = [("", "Mọi hạn"), ("soon", "Sắp đến hạn"), ("overdue", "Quá hạn")]


@official_required
def document_home(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("chieu", "")
    direction = direction if direction in dict(DIRECTIONS) else ""
    due = request.GET.get("han", "")
    due = due if due in dict(DUE_FILTERS) else ""
    q = request.GET.get("q", "")[:200]
    docs = selectors.document_list(request.user, direction=direction or None, query=q, due=due)
    return render(
        request,
        "documents/home.html",
        {
            "inbox": selectors.inbox(request.user),
            "docs": [(d, selectors.due_state(d.deadline)) for d in docs],
            "q": q,
            "direction": direction,
            "due": due,
            "directions": DIRECTIONS,
            "due_filters": DUE_FILTERS,
            "due_labels": rules.DUE_STATE_LABELS,
            "can_register": bool(agency_scope(request.user, [Role.RECORDS_CLERK])),
            "can_draft": any(
                agency_scope(request.user, [r])
                for r in (Role.PROCESSING_OFFICER, Role.HEAD_OF_DIVISION, Role.LEADER)
            ),
        },
    )


@official_required
@require_http_methods(["GET", "POST"])
def incoming_new(request: HttpRequest) -> HttpResponse:
    agencies = _agencies_in_scope(request.user, Role.RECORDS_CLERK)
    if not agencies:
        raise PermissionDenied("Chỉ văn thư được vào sổ văn bản đến.")
    error, form = "", request.POST
    if request.method == "POST":
        p = request.POST
        agency = next((a for a in agencies if a.code == p.get("agency", "")), agencies[0])
        doc_type = DocumentType.objects.filter(abbreviation=p.get("doc_type", "")).first()
        try:
            if doc_type is None:
                raise ApplicationError("Vui lòng chọn loại văn bản.")
            number = p.get("number", "").strip()
            doc = services.incoming_register(
                actor=request.user,
                agency=agency,
                doc_type=doc_type,
                summary=p.get("summary", ""),
                issuer_name=p.get("issuer_name", ""),
                issued_on=_date(p.get("issued_on", "")),
                number=int(number) if number.isdigit() else None,
                notation=p.get("notation", ""),
                signer_name=p.get("signer_name", ""),
                urgency=p.get("urgency", "normal"),
                confidentiality=p.get("confidentiality", "normal"),
                pages=_int(p.get("pages", "1"), 1),
                channel=p.get("channel", "electronic"),
                files=_uploads(request),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"Đã vào sổ văn bản đến số {doc.arrival_number}.")
            return redirect("documents:detail", pk=doc.pk)
    return render(
        request,
        "documents/incoming_new.html",
        {
            "agencies": agencies,
            "types": selectors.document_types(),
            "error": error,
            "form": form,
            "urgency": rules.URGENCY,
            "confidentiality": rules.CONFIDENTIALITY,
        },
        status=422 if error else 200,
    )


@official_required
@require_http_methods(["GET", "POST"])
def outgoing_new(request: HttpRequest) -> HttpResponse:
    agencies = sorted(
        {
            a
            for r in (Role.PROCESSING_OFFICER, Role.HEAD_OF_DIVISION, Role.LEADER)
            for a in _agencies_in_scope(request.user, r)
            if a.kind not in {"division", "one_stop_desk"}
        },
        key=lambda a: a.code,
    )
    if not agencies:
        raise PermissionDenied("Bạn không có quyền soạn thảo văn bản đi.")
    error, form = "", request.POST
    types = selectors.document_types()
    if request.method == "POST":
        p = request.POST
        agency = next((a for a in agencies if a.code == p.get("agency", "")), agencies[0])
        doc_type = types.filter(abbreviation=p.get("doc_type", "")).first()
        internal = list(Agency.objects.filter(code__in=p.getlist("recipients")))
        unit = Agency.objects.filter(code=p.get("drafting_unit", ""), parent=agency).first()
        external = [
            (line.split("|", 1)[0].strip(), line.split("|", 1)[-1].strip())
            for line in p.get("external", "").splitlines()
            if line.strip()
        ]
        try:
            if doc_type is None:
                raise ApplicationError("Vui lòng chọn loại văn bản.")
            doc = services.outgoing_draft(
                actor=request.user,
                agency=agency,
                doc_type=doc_type,
                summary=p.get("summary", ""),
                body=p.get("body", ""),
                drafting_unit=unit,
                recipients=internal,
                external_recipients=external,
                urgency=p.get("urgency", "normal"),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Đã tạo dự thảo văn bản.")
            return redirect("documents:detail", pk=doc.pk)
    return render(
        request,
        "documents/outgoing_new.html",
        {
            "agencies": agencies,
            "types": types,
            "error": error,
            "form": form,
            "units": Agency.objects.filter(parent__in=agencies, kind="division").order_by("code"),
            "targets": Agency.objects.filter(is_active=True)
            .exclude(kind="division")
            .exclude(kind="one_stop_desk")
            .order_by("code")[:300],
            "urgency": rules.URGENCY,
        },
        status=422 if error else 200,
    )


def _act(request: HttpRequest, doc: Document) -> None:
    p, user = request.POST, request.user
    action = p.get("action", "")
    version = _int(p.get("version", ""), 0) or None
    if action == "assign":
        lead = Agency.objects.filter(code=p.get("lead", "")).first()
        if lead is None:
            raise ApplicationError("Vui lòng chọn đơn vị chủ trì.")
        services.incoming_assign(
            actor=user,
            document=doc,
            lead_division=lead,
            cooperating=list(Agency.objects.filter(code__in=p.getlist("cooperating"))),
            information=list(Agency.objects.filter(code__in=p.getlist("information"))),
            deadline=_date(p.get("deadline", "")),
            instructions=p.get("instructions", ""),
            expected_version=version,
        )
    elif action == "assign_officer":
        officer = User.objects.filter(username=p.get("officer", "")).first()
        if officer is None:
            raise ApplicationError("Vui lòng chọn cán bộ xử lý.")
        services.incoming_assign_officer(
            actor=user,
            document=doc,
            officer=officer,
            deadline=_date(p.get("deadline", "")),
            instructions=p.get("instructions", ""),
            expected_version=version,
        )
    elif action == "complete":
        services.incoming_complete(
            actor=user, document=doc, note=p.get("note", ""), expected_version=version
        )
    elif action == "read":
        services.document_mark_read(actor=user, document=doc)
    elif action == "revise":
        services.outgoing_revise(
            actor=user,
            document=doc,
            summary=p.get("summary", ""),
            body=p.get("body", ""),
            expected_version=version,
        )
    elif action == "submit":
        services.outgoing_submit(actor=user, document=doc, expected_version=version)
    elif action in {"review_approve", "review_return"}:
        services.outgoing_review(
            actor=user,
            document=doc,
            approve=action == "review_approve",
            comment=p.get("comment", ""),
            expected_version=version,
        )
    elif action in {"sign", "sign_return"}:
        services.outgoing_sign(
            actor=user,
            document=doc,
            approve=action == "sign",
            comment=p.get("comment", ""),
            signer_position=p.get("position", ""),
            expected_version=version,
        )
    elif action == "issue":
        services.outgoing_issue(actor=user, document=doc, expected_version=version)
    elif action == "comment":
        services.document_comment(actor=user, document=doc, text=p.get("comment", ""))
    else:
        raise ApplicationError("Thao tác không hợp lệ.")


@official_required
@require_http_methods(["GET", "POST"])
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = (
        perms.visible_documents(request.user)
        .filter(pk=pk)
        .select_related("doc_type", "agency", "lead_division", "officer")
        .first()
    )
    if doc is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            _act(request, doc)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Đã cập nhật văn bản.")
            return redirect("documents:detail", pk=doc.pk)
        doc.refresh_from_db()
    user = request.user
    s = DocumentStatus
    ctx = selectors.document_detail(doc)
    return render(
        request,
        "documents/detail.html",
        {
            "doc": doc,
            **ctx,
            "error": error,
            "due_label": rules.DUE_STATE_LABELS[ctx["due"]],
            "status_labels": rules.STATUS_LABELS,
            "can_assign": doc.status in {s.REGISTERED, s.ASSIGNED}
            and perms.can_assign_division(user, doc),
            "can_assign_officer": doc.status in {s.ASSIGNED, s.PROCESSING}
            and perms.can_assign_officer(user, doc),
            "can_complete": doc.status == s.PROCESSING and perms.can_complete_incoming(user, doc),
            "can_revise": doc.status == s.DRAFT and doc.created_by_id == user.pk,
            "can_review": doc.status == s.IN_REVIEW and perms.can_review(user, doc),
            "can_sign": doc.status == s.AWAITING_SIGNATURE and perms.can_sign(user, doc),
            "can_issue": doc.status == s.SIGNED and perms.can_issue(user, doc),
            "can_read": any(
                a.role == "information" and a.read_at is None and a.agency_id in agency_scope(user)
                for a in ctx["assignments"]
            ),
            "divisions": services.divisions_of(doc.agency),
            "officers": services.officers_for(doc) if doc.is_incoming else [],
        },
        status=422 if error else 200,
    )


@official_required
def document_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    doc = perms.visible_documents(request.user).filter(pk=pk).first()
    record = doc.files.filter(pk=file_id).first() if doc else None
    if record is None:
        raise Http404
    response = FileResponse(
        record.file.open("rb"),
        content_type=record.content_type,
        as_attachment=False,
        filename=record.name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- tasks ----------------------------------------------------------------------------------


@official_required
@require_http_methods(["GET", "POST"])
def task_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    leader_agencies = _agencies_in_scope(user, Role.LEADER)
    error, form = "", request.POST
    if request.method == "POST":
        p = request.POST
        assigner = next((a for a in leader_agencies if a.code == p.get("assigner", "")), None)
        owner = Agency.objects.filter(code=p.get("owner", "")).first()
        deadline = _date(p.get("deadline", ""))
        source = perms.visible_documents(user).filter(pk=_int(p.get("document", ""), 0)).first()
        try:
            if assigner is None:
                raise ApplicationError("Chỉ lãnh đạo được giao nhiệm vụ.")
            if owner is None or deadline is None:
                raise ApplicationError("Vui lòng chọn đơn vị chủ trì và hạn hoàn thành.")
            tasks.task_assign(
                actor=user,
                assigner_agency=assigner,
                title=p.get("title", ""),
                owner=owner,
                deadline=deadline,
                co_owners=list(Agency.objects.filter(code__in=p.getlist("co_owners"))),
                expected_output=p.get("expected_output", ""),
                source_document=source,
                source_meeting=p.get("meeting", ""),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Đã giao nhiệm vụ.")
            return redirect("documents:tasks")
    status = request.GET.get("trang_thai", "")
    items = selectors.task_list(user, status=status if status in TaskStatus.values else None)
    return render(
        request,
        "documents/tasks.html",
        {
            "tasks": [(t, selectors.due_state(t.deadline, done_on=t.done_on)) for t in items],
            "stats": selectors.task_stats(user),
            "due_labels": rules.DUE_STATE_LABELS,
            "leader_agencies": leader_agencies,
            "error": error,
            "form": form,
            "owners": Agency.objects.filter(is_active=True).order_by("code")[:300],
            "status": status,
        },
        status=422 if error else 200,
    )


@official_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.visible_tasks(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404
    error = ""
    if request.method == "POST":
        p = request.POST
        files = _uploads(request, "file")
        try:
            tasks.task_report(
                actor=request.user,
                task=task,
                progress=_int(p.get("progress", ""), -1),
                text=p.get("text", ""),
                file=files[0] if files else None,
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Đã gửi báo cáo tiến độ.")
            return redirect("documents:task", pk=task.pk)
        task = Task.objects.get(pk=task.pk)
    return render(
        request,
        "documents/task.html",
        {
            "task": task,
            "reports": task.reports.select_related("author"),
            "due": rules.DUE_STATE_LABELS[selectors.due_state(task.deadline, done_on=task.done_on)],
            "can_report": task.status == TaskStatus.OPEN
            and perms.can_report_task(request.user, task),
            "error": error,
        },
        status=422 if error else 200,
    )


# --- exchange administration ----------------------------------------------------------------


@official_required
@require_http_methods(["GET", "POST"])
def exchange_admin(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_exchange(request.user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh quản lý liên thông.")
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            exchange.peer_save(
                actor=request.user,
                agency_code=p.get("agency_code", ""),
                name=p.get("name", ""),
                url=p.get("url", ""),
                token=p.get("token", ""),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Đã lưu đơn vị liên thông.")
            return redirect("documents:exchange")
    return render(
        request,
        "documents/exchange.html",
        {
            "peers": selectors.peers(),
            "pending": selectors.outbox_pending()[:100],
            "error": error,
        },
        status=422 if error else 200,
    )
