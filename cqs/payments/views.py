"""Payment pages: the applicant's "pay" page and the gateway's return page, the VNPAY IPN
endpoint, e-receipt download and public verification, the officers' counter payment and daily
reconciliation. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cqs.accounts.permissions import can_access_backoffice
from cqs.core.errors import ApplicationError, NotFound, PermissionDenied
from cqs.dossiers.selectors import dossier_for
from cqs.payments import rules, sandbox
from cqs.payments.models import Gateway, PaymentStatus
from cqs.payments.permissions import is_applicant
from cqs.payments.selectors import (
    dossier_payments,
    fee_due,
    fee_names,
    payment_by_ref,
    payment_for_query,
    receipt_by_verify_code,
    receipt_for,
    reconciliation,
)
from cqs.payments.services import (
    payment_ipn,
    payment_query,
    payment_record_counter,
    payment_start,
    receipt_render,
)

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponseBase]

# Names the citizen portal may give its dossier page, most specific first.
_DOSSIER_PAGE_NAMES = ("portal:my_dossier", "portal:my_dossier_detail", "portal:dossier_detail")


def dossier_page(code: str) -> str:
    """The citizen's page of the dossier (the portal's), or their personal page."""
    for name in _DOSSIER_PAGE_NAMES:
        try:
            return reverse(name, args=[code])
        except NoReverseMatch:
            continue
    return reverse("portal:citizen_home")


def _vnp(query: QueryDict) -> dict[str, str]:
    """The gateway's ``vnp_*`` parameters (last value of each)."""
    return {str(k): str(v) for k, v in query.items() if str(k).startswith("vnp_")}


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "127.0.0.1")


# --- Applicant ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    """What the dossier still owes and a "Thanh toán" button that goes to the gateway."""
    dossier = dossier_for(request.user, code)
    if not is_applicant(request.user, dossier):
        raise NotFound(f"Không tìm thấy hồ sơ «{code}» của bạn.")
    error = ""
    status = 200
    if request.method == "POST":
        try:
            _, url = payment_start(
                actor=request.user,
                code=code,
                client_ip=_client_ip(request),
                return_url=request.build_absolute_uri(reverse("payments:return")),
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect(url)
    return render(
        request,
        "payments/start.html",
        {
            "d": dossier,
            "due": fee_due(dossier),
            "fee_names": fee_names(dossier),
            "payments": dossier_payments(dossier),
            "error": error,
            "dossier_url": dossier_page(dossier.code),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def gateway_return(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the browser back. It shows what CQS recorded from the IPN;
    the browser's parameters alone never mark anything paid (they could be replayed)."""
    params = _vnp(request.GET)
    valid = rules.verify(params, _secret())
    payment = payment_by_ref(params.get("vnp_TxnRef", "")) if valid else None
    if payment is not None and not is_applicant(request.user, payment.dossier):
        payment = None
    context: dict[str, Any] = {"valid": valid, "payment": payment}
    if payment is not None:
        code = params.get("vnp_ResponseCode", "")
        context.update(
            {
                "response_message": rules.response_message(code),
                "gateway_success": rules.is_success(params),
                "receipt": getattr(payment, "receipt", None)
                if payment.status == PaymentStatus.PAID
                else None,
                "dossier_url": dossier_page(payment.dossier.code),
                "due": fee_due(payment.dossier),
            }
        )
    return render(request, "payments/result.html", context, status=200 if valid else 400)


def _secret() -> str:
    from django.conf import settings

    return str(settings.CQS_VNPAY_HASH_SECRET)


@require_GET
def ipn(request: HttpRequest) -> JsonResponse:
    """VNPAY's server-to-server notification (GET, signed). Answers {"RspCode","Message"}."""
    params = _vnp(request.GET)
    try:
        code, message = payment_ipn(params=params)
    except Exception:  # VNPAY expects an answer, not a 500: "99 Unknown error", then retries.
        logger.exception("VNPAY IPN failed for %s", params.get("vnp_TxnRef", ""))
        code, message = rules.IPN_UNKNOWN_ERROR
    return JsonResponse({"RspCode": code, "Message": message})


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = receipt_for(request.user, receipt_id)
    response = HttpResponse(receipt_render(receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="bien-lai-{receipt.series.replace("/", "-")}-{receipt.number_text}.pdf"'
    )
    return response


@require_GET
def receipt_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public check of a receipt from its QR code: number, agency, amount, date — no payer."""
    receipt = receipt_by_verify_code(code)
    return render(request, "payments/verify.html", {"r": receipt})


# --- Sandbox gateway ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest) -> HttpResponse:
    """The local VNPAY sandbox (only when CQS_PAYMENT_SANDBOX is on)."""
    if not sandbox.enabled():
        raise Http404
    source = request.GET if request.method == "GET" else request.POST
    params = _vnp(source)
    problem = sandbox.check_request(params)
    if problem:
        return render(request, "payments/sandbox.html", {"problem": problem}, status=400)
    if request.method == "POST":
        outcome = request.POST.get("ket-qua", "")
        if outcome not in {"pay", "cancel"}:
            return render(
                request, "payments/sandbox.html", {"problem": "Thao tác không hợp lệ."}, status=400
            )
        if sandbox.is_final(params["vnp_TxnRef"]):
            problem = "Giao dịch này đã được thanh toán hoặc hủy trước đó."
            return render(request, "payments/sandbox.html", {"problem": problem}, status=400)
        result = sandbox.result_params(
            params, success=outcome == "pay", bank=request.POST.get("bank", "NCB")
        )
        sandbox.record_result(params, result)
        if request.POST.get("khong-gui-ipn"):
            # Simulates a lost notification: only the transaction query (querydr) will tell.
            logger.info("sandbox: IPN for %s not sent (simulated loss)", params["vnp_TxnRef"])
        else:
            answer = sandbox.notify_merchant(
                request.build_absolute_uri(reverse("payments:ipn")), result
            )
            logger.info("sandbox IPN %s -> %s", params.get("vnp_TxnRef"), answer)
        return redirect(sandbox.return_url(params["vnp_ReturnUrl"], result))
    sandbox.record_request(params)
    return render(
        request,
        "payments/sandbox.html",
        {
            "params": sorted(params.items()),
            "amount": int(params["vnp_Amount"]) // 100,
            "order_info": params.get("vnp_OrderInfo", ""),
            "txn_ref": params.get("vnp_TxnRef", ""),
            "banks": sandbox.BANKS,
        },
    )


@csrf_exempt
@require_POST
def sandbox_api(request: HttpRequest) -> JsonResponse:
    """The sandbox's merchant API (POST JSON): the transaction query ``querydr``."""
    if not sandbox.enabled():
        raise Http404
    try:
        body: Any = json.loads(request.body.decode() or "null")
    except (UnicodeDecodeError, ValueError):
        body = None
    return JsonResponse(sandbox.answer_querydr(body))


# --- Officers -------------------------------------------------------------------------------


def official_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_access_backoffice(request.user):
            raise PermissionDenied("Trang quản trị chỉ dành cho cán bộ đã được phân vai trò.")
        return view(request, *args, **kwargs)

    return wrapper


@official_required
@require_POST
def counter(request: HttpRequest, code: str) -> HttpResponse:
    dossier_for(request.user, code)  # 404 outside the officer's scope
    raw = request.POST.get("amount", "").replace(".", "").replace(",", "").strip()
    try:
        payment = payment_record_counter(
            actor=request.user,
            code=code,
            gateway=request.POST.get("gateway", Gateway.CASH),
            amount=int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 else None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        receipt = payment.receipt
        messages.success(
            request,
            f"Đã thu phí, lệ phí và lập biên lai {receipt.series} số {receipt.number_text}.",
        )
    return redirect("backoffice:dossier_detail", code=code)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError as exc:
        raise ApplicationError(
            "Ngày đối soát không hợp lệ (định dạng YYYY-MM-DD).", code="invalid_date"
        ) from exc


@official_required
@require_GET
def reconciliation_view(request: HttpRequest) -> HttpResponse:
    day = _day(request.GET.get("ngay", ""))
    recon = reconciliation(request.user, day)
    if request.GET.get("dinh-dang") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="doi-soat-{day.isoformat()}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        writer = csv.writer(response)
        writer.writerow(
            [
                "Mã giao dịch",
                "Mã hồ sơ",
                "Cơ quan thu",
                "Hình thức",
                "Kênh",
                "Trạng thái",
                "Số tiền",
                "Mã GD cổng",
                "Ngân hàng",
                "Thời điểm thanh toán",
                "Biên lai",
                "Số tiền biên lai",
                "Chênh lệch",
            ]
        )
        for r in recon.rows:
            writer.writerow(
                [
                    r.txn_ref,
                    r.dossier_code,
                    r.agency,
                    r.method_label,
                    r.gateway_label,
                    r.status_label,
                    r.amount,
                    r.gateway_txn_no,
                    r.bank_code,
                    timezone.localtime(r.paid_at).isoformat() if r.paid_at else "",
                    r.receipt,
                    "" if r.receipt_amount is None else r.receipt_amount,
                    " ".join(r.issues),
                ]
            )
        return response
    return render(request, "payments/reconciliation.html", {"r": recon})


@official_required
@require_POST
def query(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """ "Kiểm tra với cổng thanh toán": ask VNPAY about a pending payment and settle it."""
    payment = payment_for_query(request.user, txn_ref)
    try:
        outcome = payment_query(actor=request.user, payment=payment)
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        (messages.success if outcome.changed else messages.info)(request, outcome.message)
    day = timezone.localtime(payment.created_at).date().isoformat()
    return redirect(f"{reverse('payments:reconciliation')}?ngay={day}")
