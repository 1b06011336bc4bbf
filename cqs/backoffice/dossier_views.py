"""Back-office pages of the one-stop shop: inbox, counter intake, dossier page, forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cqs.backoffice.views import official_required
from cqs.core.errors import ApplicationError, NotFound, PermissionDenied
from cqs.dossiers.api import dossier_out
from cqs.dossiers.documents import FORM_KINDS, render_form, render_intake_notice
from cqs.dossiers.selectors import (
    dossier_for,
    inbox,
    intake_notice_for,
    intake_procedures,
    keyset_page,
    receiving_desks,
    transfer_targets,
)
from cqs.dossiers.services import (
    Applicant,
    Delivery,
    IntakeNoticeKind,
    dossier_act,
    dossier_receive,
    intake_notice_issue,
)
from cqs.dossiers.signatures import (
    dossier_result_seal,
    dossier_result_sign,
    receipt_pdf,
    signing_choices,
    signing_status,
)
from cqs.dossiers.storage import Upload
from cqs.dossiers.workflow import ACTION_LABELS, EVENT_LABELS, Action, Status, allowed_actions
from cqs.payments.selectors import dossier_payment_panel

BOXES = [
    ("unit", "Hồ sơ đang xử lý"),
    ("mine", "Giao cho tôi"),
    ("due_soon", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("supplement", "Chờ bổ sung"),
    ("done", "Đã kết thúc"),
]
PDF_HEADERS = {"content_type": "application/pdf"}


@official_required
def dossier_inbox(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("hop", "unit")
    if box not in dict(BOXES):
        box = "unit"
    q = request.GET.get("q", "")[:200]
    try:
        rows, cursor = keyset_page(
            inbox(request.user, box=box, q=q), after=request.GET.get("sau", ""), limit=25
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        rows, cursor = [], ""
    return render(
        request,
        "backoffice/dossiers/inbox.html",
        {
            "boxes": BOXES,
            "box": box,
            "q": q,
            "rows": [dossier_out(d) for d in rows],
            "cursor": cursor,
            "can_receive": bool(receiving_desks(request.user)),
        },
    )


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(
        label="Người nộp là",
        choices=[("citizen", "Công dân"), ("business", "Tổ chức, doanh nghiệp")],
    )
    name = forms.CharField(label="Họ và tên / Tên tổ chức", max_length=255)
    id_number = forms.CharField(
        label="Số định danh cá nhân / Mã số thuế", max_length=20, required=False
    )
    phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    address = forms.CharField(label="Địa chỉ", max_length=255, required=False)
    result_delivery = forms.ChoiceField(label="Hình thức nhận kết quả", choices=Delivery.choices)


@official_required
def dossier_intake(request: HttpRequest) -> HttpResponse:
    desks = receiving_desks(request.user)
    if not desks:
        raise PermissionDenied("Chỉ cán bộ tiếp nhận tại Bộ phận Một cửa được tiếp nhận hồ sơ.")
    desk = next((d for d in desks if d.code == request.GET.get("quay")), desks[0])
    procedures = intake_procedures(desk)
    procedure = procedures.filter(code=request.GET.get("thu-tuc", "")).first()
    context: dict[str, Any] = {
        "desks": desks,
        "desk": desk,
        "procedures": procedures.order_by("sector__name", "name"),
        "procedure": procedure,
    }
    if procedure is None:
        return render(request, "backoffice/dossiers/intake_pick.html", context)
    documents = list(procedure.documents.all())
    form = ApplicantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        notice_kind = request.POST.get("phieu")
        if form.is_valid():
            data = form.cleaned_data
            applicant = Applicant(
                kind=data["kind"],
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
            )
            try:
                if notice_kind in IntakeNoticeKind.values:
                    notice = intake_notice_issue(
                        actor=request.user,
                        desk=desk,
                        procedure=procedure,
                        applicant=applicant,
                        kind=IntakeNoticeKind(notice_kind),
                        reason=request.POST.get("ly-do", ""),
                        missing=request.POST.getlist("thieu"),
                    )
                    return redirect("backoffice:intake_notice_pdf", notice_id=notice.pk)
                uploads = [
                    Upload(filename=f.name or "tep", content=f.read(), requirement=d.position)
                    for d in documents
                    for f in request.FILES.getlist(f"tep-{d.position}")
                ]
                dossier = dossier_receive(
                    actor=request.user,
                    desk=desk,
                    procedure=procedure,
                    applicant=applicant,
                    files=uploads,
                    result_delivery=data["result_delivery"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                for key, errors in (
                    (exc.details or {}).items() if isinstance(exc.details, dict) else []
                ):
                    field = key.split(".", 1)[1] if key.startswith("applicant.") else None
                    for error in errors if isinstance(errors, list) else [errors]:
                        if field in form.fields:
                            form.add_error(field, str(error))
                        elif key.startswith(("documents.", "files.")):
                            context.setdefault("file_errors", []).append(str(error))
            else:
                messages.success(
                    request, f"Đã tiếp nhận hồ sơ {dossier.code}. In giấy tiếp nhận cho công dân."
                )
                return redirect("backoffice:dossier_detail", code=dossier.code)
        status = 422
    context.update({"form": form, "documents": documents})
    return render(request, "backoffice/dossiers/intake_form.html", context, status=status)


@official_required
def intake_notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = intake_notice_for(request.user, notice_id)
    return HttpResponse(render_intake_notice(notice), **PDF_HEADERS)


ACTION_FIELDS: dict[str, list[str]] = {
    Action.FORWARD: ["note", "assignee"],
    Action.RETURN_STEP: ["reason"],
    Action.REQUEST_SUPPLEMENT: ["reason", "missing"],
    Action.RECEIVE_SUPPLEMENT: ["files"],
    Action.TRANSFER: ["to_agency", "reason"],
    Action.EXTEND: ["new_due_at", "reason"],
    Action.REJECT: ["reason"],
    Action.ATTACH_RESULT: ["files", "name"],
    Action.APPROVE: ["note"],
    Action.RETURN_RESULT: ["method", "note"],
    Action.WITHDRAW: ["reason"],
    Action.ACCEPT_ONLINE: [],
}


@official_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_for(request.user, code)
    status = 200
    if request.method == "POST":
        action = request.POST.get("thao-tac", "")
        params: dict[str, Any] = {}
        for key in ("reason", "note", "to_agency", "method", "assignee"):
            if request.POST.get(key, "").strip():
                params[key] = request.POST[key].strip()
        if request.POST.get("missing", "").strip():
            params["missing"] = [m for m in request.POST["missing"].splitlines() if m.strip()]
        if request.POST.get("new_due_at"):
            try:
                params["new_due_at"] = timezone.make_aware(
                    datetime.fromisoformat(request.POST["new_due_at"])
                )
            except ValueError:
                params["new_due_at"] = request.POST["new_due_at"]
        files = request.FILES.getlist("files")
        if files:
            params["files"] = [
                Upload(
                    filename=f.name or "tep",
                    content=f.read(),
                    name=request.POST.get("name", "").strip(),
                )
                for f in files
            ]
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            dossier = dossier_act(
                actor=request.user, code=code, action=action, expected_version=version, **params
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status
            dossier = dossier_for(request.user, code)
        else:
            messages.success(request, f"Đã thực hiện: {ACTION_LABELS[Action(action)]}.")
            return redirect("backoffice:dossier_detail", code=code)
    out = dossier_out(dossier)
    actions = [
        {"value": a.value, "label": ACTION_LABELS[a], "fields": ACTION_FIELDS.get(a, [])}
        for a in allowed_actions(Status(dossier.status))
    ]
    events = list(dossier.events.select_related("agency").order_by("seq"))
    for event in events:
        event.label = EVENT_LABELS.get(event.type, event.type)  # type: ignore[attr-defined]
    kinds_present = {e.type for e in events}
    forms_available = [
        ("receipt", "Giấy tiếp nhận và hẹn trả kết quả"),
        ("control-sheet", "Phiếu kiểm soát quá trình"),
    ]
    if "supplement_requested" in kinds_present:
        forms_available.append(("supplement", "Phiếu yêu cầu bổ sung"))
    if "extended" in kinds_present:
        forms_available.append(("apology", "Phiếu xin lỗi và hẹn lại"))
    steps = list(dossier.procedure.steps.all())
    return render(
        request,
        "backoffice/dossiers/detail.html",
        {
            "d": dossier,
            "out": out,
            "events": events,
            "files": list(dossier.files.all()),
            "actions": actions,
            "forms_available": forms_available,
            "steps": steps,
            "agencies": transfer_targets(dossier),
            "deliveries": Delivery.choices,
            "lookup_url": reverse("portal:lookup") + f"?ma={dossier.code}",
            "payment_panel": dossier_payment_panel(request.user, dossier),
            "signing": signing_choices(request.user, dossier),
            "signing_status": signing_status(dossier),
        },
        status=status,
    )


@official_required
def dossier_sign(request: HttpRequest, code: str) -> HttpResponse:
    """The leader's "Ký số" and the records clerk's "Đóng dấu (ký số cơ quan)" on a result."""
    if request.method != "POST":
        return redirect("backoffice:dossier_detail", code=code)
    dossier_for(request.user, code)  # visibility first: 404 outside the official's scope
    step = request.POST.get("buoc", "")
    try:
        file_id = int(request.POST.get("file_id", ""))
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, "Yêu cầu ký số không hợp lệ.")
        return redirect("backoffice:dossier_detail", code=code)
    service = {"ky": dossier_result_sign, "dong-dau": dossier_result_seal}.get(step)
    if service is None:
        messages.error(request, "Yêu cầu ký số không hợp lệ.")
        return redirect("backoffice:dossier_detail", code=code)
    try:
        stored = service(actor=request.user, code=code, file_id=file_id, expected_version=version)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Đã ký số: {stored.name} (SHA-256 {stored.sha256[:12]}…).",
        )
    return redirect("backoffice:dossier_detail", code=code)


@official_required
def dossier_form_pdf(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    if kind not in FORM_KINDS:
        raise NotFound(f"Không có loại phiếu «{kind}».")
    dossier = dossier_for(request.user, code)
    body = render_form(dossier, kind)
    if kind == "receipt":
        body = receipt_pdf(dossier, body)  # sealed by the agency (kept after the first time)
    response = HttpResponse(body, **PDF_HEADERS)
    response["Content-Disposition"] = f'inline; filename="{code}-{kind}.pdf"'
    return response


@official_required
def dossier_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    f = dossier_for(request.user, code).files.filter(pk=file_id).first()
    if f is None:
        raise NotFound("Không có tệp này trong hồ sơ.")
    return FileResponse(
        f.file.open("rb"), content_type=f.content_type, filename=f"{f.name}{f.extension}"
    )
