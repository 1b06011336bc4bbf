"""The citizen's side of the portal: online submission (with drafts and the e-repository),
"my dossiers" (list, timeline, supplement answer, withdrawal, result download, rating)."""

from __future__ import annotations

from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from cqs.catalogue.form_schema import declared_fields
from cqs.catalogue.selectors import procedure_get
from cqs.core.errors import ApplicationError, PayloadTooLarge
from cqs.core.text import format_dong
from cqs.dossiers.online import (
    RATING_CRITERIA,
    RATING_LABELS,
    DraftInput,
    dossier_draft_delete,
    dossier_draft_save,
    dossier_rate,
    dossier_submit_online,
    draft_for,
    is_online,
    online_agencies,
    repository_files,
)
from cqs.dossiers.selectors import (
    dossier_file_for,
    dossier_timeline,
    my_dossier,
    my_dossier_rows,
    my_draft_rows,
)
from cqs.dossiers.services import Delivery, dossier_act
from cqs.dossiers.storage import Upload
from cqs.dossiers.workflow import EVENT_LABELS, FINAL, STATUS_LABELS, Action, Status
from cqs.payments.selectors import fee_due

WITHDRAWABLE = {Status.SUBMITTED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED}


def _read(f: UploadedFile, *, requirement: int | None = None, name: str = "") -> Upload:
    from django.conf import settings

    limit = settings.CQS_MAX_UPLOAD_MB * 1024 * 1024
    if f.size is not None and f.size > limit:
        # Refused before reading it into memory; the service gives the same message.
        raise PayloadTooLarge(
            f"Tệp «{f.name}» vượt quá {settings.CQS_MAX_UPLOAD_MB} MB.",
            details={
                f"files.{requirement}": [
                    f"Tệp «{f.name}» vượt quá {settings.CQS_MAX_UPLOAD_MB} MB."
                ]
            },
        )
    return Upload(filename=f.name or "tep", content=f.read(), requirement=requirement, name=name)


def _form_context(procedure: Any, draft: Any, user: Any, posted: dict[str, Any]) -> dict[str, Any]:
    attached = {f["requirement"]: f for f in (draft.files if draft else [])}
    values = posted or (draft.data if draft else {})
    fields = [
        {"f": f, "value": values.get(f.name, ""), "input": _input_type(f)}
        for f in declared_fields(procedure.form_schema)
    ]
    return {
        "p": procedure,
        "draft": draft,
        "fields": fields,
        "documents": [
            {"d": d, "attached": attached.get(d.position)} for d in procedure.documents.all()
        ],
        "agencies": list(online_agencies(procedure)),
        "agency_code": posted.get("co-quan")
        or (draft.agency.code if draft and draft.agency else ""),
        "delivery": posted.get("nhan-ket-qua") or (draft.result_delivery if draft else "online"),
        "deliveries": Delivery.choices,
        "repository": list(repository_files(user)[:50]),
    }


def _input_type(field: Any) -> str:
    if field.choices:
        return "select"
    if field.type == "boolean":
        return "checkbox"
    if field.type == "integer":
        return "number"
    return {"date": "date", "email": "email"}.get(field.format, "text")


@login_required
def submit(request: HttpRequest, code: str) -> HttpResponse:
    """The online form of one procedure: declared fields, papers, delivery; draft or submit."""
    procedure = procedure_get(code)
    if not is_online(procedure):
        return render(
            request,
            "portal/submit_unavailable.html",
            {"p": procedure},
            status=422,
        )
    draft = None
    draft_id = request.GET.get("nhap") or request.POST.get("nhap")
    if draft_id and str(draft_id).isascii() and str(draft_id).isdigit() and len(draft_id) <= 18:
        draft = draft_for(request.user, int(draft_id))
    posted: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    message = ""
    status = 200
    if request.method == "POST":
        posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        data = {
            f.name: request.POST.get(f.name, "") for f in declared_fields(procedure.form_schema)
        }
        try:
            uploads = []
            reuse = []
            remove = []
            for d in procedure.documents.all():
                f = request.FILES.get(f"tep-{d.position}")
                if f is not None:
                    uploads.append(_read(f, requirement=d.position, name=d.name))
                    remove.append(d.position)
                sha = request.POST.get(f"kho-{d.position}", "")
                if sha:
                    reuse.append((d.position, sha))
                    remove.append(d.position)
                if request.POST.get(f"bo-{d.position}"):
                    remove.append(d.position)
            draft = dossier_draft_save(
                actor=request.user,
                procedure=procedure,
                draft=draft,
                form=DraftInput(
                    agency_code=request.POST.get("co-quan", ""),
                    data=data,
                    result_delivery=request.POST.get("nhan-ket-qua", Delivery.ONLINE),
                    uploads=tuple(uploads),
                    reuse=tuple(reuse),
                    remove=tuple(remove),
                ),
            )
            if "nop" in request.POST:
                dossier = dossier_submit_online(actor=request.user, draft=draft)
                messages.success(
                    request,
                    f"Đã nộp hồ sơ {dossier.code}. Bộ phận Một cửa sẽ kiểm tra và tiếp nhận.",
                )
                return redirect("portal:my_dossier", code=dossier.code)
            messages.success(request, "Đã lưu hồ sơ nháp.")
            return redirect(f"{reverse('portal:submit', args=[procedure.code])}?nhap={draft.pk}")
        except ApplicationError as exc:
            message = exc.message
            status = exc.status
            errors = exc.details if isinstance(exc.details, dict) else {}
    context = _form_context(procedure, draft, request.user, posted)
    context.update({"message": message, "errors": errors})
    for item in context["fields"]:
        item["errors"] = errors.get(f"fields.{item['f'].name}", [])
    for item in context["documents"]:
        position = item["d"].position
        item["errors"] = errors.get(f"documents.{position}", []) + errors.get(
            f"files.{position}", []
        )
    context["agency_errors"] = errors.get("agency", [])
    context["applicant_errors"] = [
        m for k, v in errors.items() if k.startswith("applicant") for m in v
    ]
    return render(request, "portal/submit.html", context, status=status)


@login_required
@require_POST
def draft_delete(request: HttpRequest, draft_id: int) -> HttpResponse:
    dossier_draft_delete(actor=request.user, draft=draft_for(request.user, draft_id))
    messages.success(request, "Đã xóa hồ sơ nháp.")
    return redirect("portal:my_dossiers")


# One row of "my dossiers". The rows are rendered here in one pass: this is the citizen's most
# visited page, and 20 rows of template variables, {% url %} and date filters cost more than
# the query (bench/bench_portal.py). Every value is escaped (html.escape, as Django's escape).
_ROW = (
    '<li class="card result"><a href="{url}{code}/"><strong>{name}</strong></a>'
    '<div class="meta"><span class="code">{code}</span> · '
    '<strong class="status-{status}">{label}</strong>{due}</div></li>'
)


def _rows_html(rows: list[tuple[Any, ...]]) -> str:
    base = escape(reverse("portal:my_dossier", args=["CODE"]).removesuffix("CODE/"))
    due_word = escape(gettext("hẹn trả"))
    labels: dict[str, str] = {}
    names: dict[str, str] = {}
    dues: dict[Any, str] = {}
    out = []
    for _id, code, status, due_at, name in rows:
        label = labels.get(status)
        if label is None:
            label = labels[status] = escape(str(STATUS_LABELS[Status(status)]))
        shown_name = names.get(name)
        if shown_name is None:
            shown_name = names[name] = escape(name)
        due = ""
        if due_at is not None:
            due = dues.get(due_at, "")
            if not due:
                local = timezone.localtime(due_at).strftime("%H:%M %d/%m/%Y")
                due = dues[due_at] = f" · {due_word} {local}"
        out.append(
            _ROW.format(
                url=base,
                code=escape(code),
                name=shown_name,
                status=escape(status),
                label=label,
                due=due,
            )
        )
    return "\n".join(out)


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """The citizen's dossiers, newest first, MY_DOSSIERS_PAGE at a time ("Xem thêm" continues
    after the last one shown); drafts on the first page."""
    status = request.GET.get("trang-thai", "")
    if status not in {s.value for s in Status}:
        status = ""
    raw_after = request.GET.get("sau", "")
    # A cursor is a dossier id; anything else (or a number no database column holds) is the
    # first page rather than an error.
    ok = raw_after.isascii() and raw_after.isdigit() and len(raw_after) <= 18
    after = int(raw_after) if ok else None
    rows, last = my_dossier_rows(request.user, status=status, after=after)
    query = f"?trang-thai={status}&" if status else "?"
    return render(
        request,
        "portal/my_dossiers.html",
        {
            "rows_html": mark_safe(_rows_html(rows)),  # noqa: S308 - every value escaped above
            "next_url": f"{query}sau={last}" if last is not None else "",
            "first_url": (f"?trang-thai={status}" if status else request.path)
            if after is not None
            else "",
            "drafts": [
                {"id": i, "updated_at": at, "code": code, "name": name}
                for i, at, code, name in (my_draft_rows(request.user) if after is None else [])
            ],
            "status": status,
            "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
        },
    )


def _payment(dossier: Any) -> dict[str, Any] | None:
    """The pay button while fees are still due (the payments app's gateway flow)."""
    due = int(fee_due(dossier))
    if due <= 0:
        return None
    return {"url": reverse("payments:start", args=[dossier.code]), "amount": format_dong(due)}


@login_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = my_dossier(request.user, code)
    message = ""
    http_status = 200
    if request.method == "POST":
        try:
            _act(request, dossier)
            return redirect("portal:my_dossier", code=dossier.code)
        except ApplicationError as exc:
            message = exc.message
            http_status = exc.status
            dossier = my_dossier(request.user, code)
    events = dossier_timeline(dossier)
    files = list(dossier.files.order_by("kind", "id"))
    state = Status(dossier.status)
    rating = getattr(dossier, "rating", None) if state == Status.RETURNED else None
    last_request = next((e for e in reversed(events) if e.type == "supplement_requested"), None)
    return render(
        request,
        "portal/my_dossier.html",
        {
            "d": dossier,
            "message": message,
            "timeline": [{"e": e, "label": EVENT_LABELS.get(e.type, e.type)} for e in events],
            "intake_files": [f for f in files if f.kind != "result"],
            "results": [f for f in files if f.kind == "result"],
            "can_supplement": state == Status.SUPPLEMENT_REQUESTED,
            "supplement_request": last_request.data if last_request else None,
            "can_withdraw": state in WITHDRAWABLE,
            "can_rate": state == Status.RETURNED and rating is None,
            "rating": rating,
            "criteria": RATING_CRITERIA,
            "levels": sorted(RATING_LABELS.items(), reverse=True),
            "is_final": state in FINAL,
            "payment": _payment(dossier) if state not in FINAL else None,
            "fee_text": format_dong(dossier.fee_amount),
        },
        status=http_status,
    )


def _act(request: HttpRequest, dossier: Any) -> None:
    action = request.POST.get("thao-tac", "")
    if action == "bo-sung":
        uploads = [_read(f, name="Hồ sơ bổ sung") for f in request.FILES.getlist("tep")]
        dossier_act(
            actor=request.user,
            code=dossier.code,
            action=Action.RECEIVE_SUPPLEMENT,
            expected_version=_version(request),
            files=uploads,
        )
        messages.success(request, "Đã gửi hồ sơ bổ sung. Thời hạn giải quyết được tính lại.")
    elif action == "rut":
        dossier_act(
            actor=request.user,
            code=dossier.code,
            action=Action.WITHDRAW,
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, "Đã rút hồ sơ.")
    elif action == "danh-gia":
        dossier_rate(
            actor=request.user,
            code=dossier.code,
            scores={key: request.POST.get(key) for key, _ in RATING_CRITERIA},
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, "Cảm ơn bạn đã đánh giá mức độ hài lòng.")
    else:
        from cqs.core.errors import ValidationError

        raise ValidationError("Thao tác không hợp lệ.")


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


@login_required
def dossier_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    found = dossier_file_for(request.user, code, file_id)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=f"{found.name or 'tep'}{found.extension}",
        content_type=found.content_type,
    )


@login_required
def repository(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/repository.html", {"files": list(repository_files(request.user)[:200])}
    )
