from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from cqs.accounts.permissions import can_access_backoffice


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Tên đăng nhập",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Mật khẩu",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {  # noqa: RUF012 - Django's own attribute
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        # A wrong password is bad input: answer 422 with the form and its Vietnamese message.
        response = super().form_invalid(form)
        response.status_code = 422
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["backoffice"] = self.request.GET.get("next", "").startswith("/quan-tri/")
        from cqs.accounts import oidc

        context["oidc_enabled"] = oidc.enabled()
        context["oidc_name"] = _oidc_name()
        return context


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After login: officials go to the back office, citizens and businesses to their page."""
    if can_access_backoffice(request.user):
        return redirect("backoffice:home")
    return redirect("portal:citizen_home")


# --- Registration, one-time codes, national e-ID ----------------------------------------------

PENDING_SESSION_KEY = "cqs_pending_user"
OIDC_SESSION_KEY = "cqs_oidc"


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label="Loại tài khoản",
        choices=[("citizen", "Công dân"), ("business", "Tổ chức, doanh nghiệp")],
        initial="citizen",
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(
        label="Họ và tên", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label="Số định danh cá nhân (CCCD)",
        max_length=12,
        required=False,
        help_text="12 chữ số; là tên đăng nhập của công dân.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    organization_name = forms.CharField(
        label="Tên tổ chức, doanh nghiệp", max_length=255, required=False
    )
    tax_code = forms.CharField(
        label="Mã số thuế",
        max_length=14,
        required=False,
        help_text="Là tên đăng nhập của tổ chức, doanh nghiệp.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label="Số điện thoại",
        max_length=20,
        required=False,
        help_text="Mã xác thực được gửi qua tin nhắn; nếu để trống, gửi qua thư điện tử.",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label="Thư điện tử",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mật khẩu",
        strip=False,
        help_text="Ít nhất 10 ký tự, không chỉ gồm chữ số.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class OtpForm(forms.Form):
    code = forms.CharField(
        label="Mã xác thực",
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def _add_errors(form: forms.Form, exc: Any) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    for key, messages in details.items():
        if key in form.fields and isinstance(messages, list):
            for m in messages:
                form.add_error(key, str(m))
    form.add_error(None, exc.message)


def register(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import render

    from cqs.accounts import oidc
    from cqs.accounts.registration import Registration, account_register
    from cqs.core.errors import ApplicationError

    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = RegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = account_register(
                    registration=Registration(
                        kind=data["kind"],
                        full_name=data["full_name"],
                        password=data["password"],
                        id_number=data["id_number"],
                        tax_code=data["tax_code"],
                        organization_name=data["organization_name"],
                        phone=data["phone"],
                        email=data["email"],
                    )
                )
            except ApplicationError as exc:
                _add_errors(form, exc)
                status = exc.status
            else:
                request.session[PENDING_SESSION_KEY] = user.pk
                return redirect("accounts:verify")
        else:
            status = 422
    return render(
        request,
        "accounts/register.html",
        {"form": form, "oidc_enabled": oidc.enabled(), "oidc_name": _oidc_name()},
        status=status,
    )


def _oidc_name() -> str:
    from django.conf import settings

    return str(settings.CQS_OIDC_PROVIDER_NAME)


def _pending_user(request: HttpRequest) -> Any:
    from cqs.accounts.models import User

    pk = request.session.get(PENDING_SESSION_KEY)
    return User.objects.filter(pk=pk).first() if pk else None


def verify(request: HttpRequest) -> HttpResponse:
    """Enter the one-time code sent at registration (or ask for a new one)."""
    from django.contrib import messages
    from django.contrib.auth import login
    from django.shortcuts import render

    from cqs.accounts.registration import otp_destination, otp_resend, otp_verify
    from cqs.core.errors import ApplicationError

    user = _pending_user(request)
    if user is None:
        return redirect("accounts:register")
    form = OtpForm(request.POST or None)
    status = 200
    error = ""
    if request.method == "POST":
        try:
            if "gui-lai" in request.POST:
                otp_resend(user=user)
                messages.success(request, "Đã gửi mã xác thực mới.")
                return redirect("accounts:verify")
            if form.is_valid():
                otp_verify(user=user, code=form.cleaned_data["code"])
                request.session.pop(PENDING_SESSION_KEY, None)
                login(request, user, backend="cqs.accounts.backends.CqsModelBackend")
                messages.success(request, "Tài khoản đã được xác thực. Chào mừng bạn!")
                return redirect("portal:citizen_home")
            status = 422
        except ApplicationError as exc:
            form = OtpForm()
            error = exc.message
            status = exc.status
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "destination": otp_destination(user), "error": error},
        status=status,
    )


def oidc_start(request: HttpRequest) -> HttpResponse:
    from django.urls import reverse

    from cqs.accounts import oidc
    from cqs.core.errors import NotFound

    if not oidc.enabled():
        raise NotFound("Đăng nhập bằng định danh điện tử chưa được bật.")
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback"))
    auth = oidc.authorization_request(redirect_uri)
    request.session[OIDC_SESSION_KEY] = {
        "state": auth.state,
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "redirect_uri": redirect_uri,
    }
    return redirect(auth.url)


def oidc_callback(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import login
    from django.utils.crypto import constant_time_compare

    from cqs.accounts import oidc
    from cqs.accounts.registration import user_login_external
    from cqs.core.errors import NotFound

    if not oidc.enabled():
        raise NotFound("Đăng nhập bằng định danh điện tử chưa được bật.")
    pending = request.session.pop(OIDC_SESSION_KEY, None)
    if not pending:
        raise oidc.OidcError("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
    if request.GET.get("error"):
        raise oidc.OidcError(
            "Bạn đã hủy hoặc nhà cung cấp từ chối đăng nhập.",
            details={"error": request.GET.get("error", "")[:100]},
        )
    state = request.GET.get("state", "")
    if not state or not constant_time_compare(state, pending["state"]):
        raise oidc.OidcError("Tham số state không khớp: yêu cầu đăng nhập không hợp lệ.")
    code = request.GET.get("code", "")
    if not code:
        raise oidc.OidcError("Thiếu mã ủy quyền (code).")
    tokens = oidc.exchange_code(
        code=code, redirect_uri=pending["redirect_uri"], code_verifier=pending["verifier"]
    )
    claims = oidc.verify_id_token(str(tokens["id_token"]), nonce=pending["nonce"])
    if not claims.get(settings_claim()):
        claims = {**oidc.userinfo(str(tokens.get("access_token", ""))), **claims}
    user = user_login_external(issuer=str(claims["iss"]), subject=str(claims["sub"]), claims=claims)
    login(request, user, backend="cqs.accounts.backends.CqsModelBackend")
    return redirect("portal:citizen_home")


def settings_claim() -> str:
    from django.conf import settings

    return str(settings.CQS_OIDC_ID_NUMBER_CLAIM)
