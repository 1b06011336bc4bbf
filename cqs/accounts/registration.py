"""Every change a citizen or business makes to reach an account: self-registration, one-time
codes (OTP) for the phone or e-mail, and logins through the national e-ID (OpenID Connect).

Split from ``services.py`` (officials, roles, tokens) to keep each module readable; the same
rules hold: keyword-only arguments, one transaction, an audit row inside it, Vietnamese errors.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from cqs.accounts.models import ExternalIdentity, OneTimeCode, OtpChannel, User, UserKind
from cqs.accounts.rules import (
    IdNumberError,
    TaxCodeError,
    otp_is_well_formed,
    parse_id_number,
    parse_tax_code,
)
from cqs.accounts.services import _check_password
from cqs.audit.services import audit_record
from cqs.core.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationError
from cqs.notifications.adapters import send_email, sms_backend

logger = logging.getLogger(__name__)
_PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
PURPOSE_REGISTER = "register"


@dataclass(frozen=True)
class Registration:
    """What a person types on the registration form."""

    kind: str  # UserKind.CITIZEN or UserKind.BUSINESS
    full_name: str
    password: str
    id_number: str = ""  # citizens (and a business's representative, optional)
    tax_code: str = ""  # businesses
    organization_name: str = ""
    phone: str = ""
    email: str = ""


def _normalise_phone(phone: str) -> str:
    return phone.replace(" ", "").replace(".", "")


def _validate(reg: Registration) -> tuple[dict[str, list[str]], str, str]:
    """Field errors, the login name and the normalised tax code."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    username = ""
    tax_code = ""
    if reg.kind not in (UserKind.CITIZEN, UserKind.BUSINESS):
        add("kind", "Loại tài khoản phải là công dân hoặc tổ chức, doanh nghiệp.")
    if not reg.full_name.strip():
        add("full_name", "Vui lòng nhập họ và tên.")
    if reg.kind == UserKind.CITIZEN or reg.id_number.strip():
        try:
            parse_id_number(reg.id_number)
            username = reg.id_number.strip()
        except IdNumberError as exc:
            add("id_number", str(exc))
    if reg.kind == UserKind.BUSINESS:
        if not reg.organization_name.strip():
            add("organization_name", "Vui lòng nhập tên tổ chức, doanh nghiệp.")
        try:
            tax_code = parse_tax_code(reg.tax_code)
            username = tax_code
        except TaxCodeError as exc:
            add("tax_code", str(exc))
    phone = _normalise_phone(reg.phone)
    if phone and not _PHONE.match(phone):
        add("phone", "Số điện thoại không hợp lệ (ví dụ 0912345678).")
    if reg.email:
        try:
            EmailValidator()(reg.email)
        except DjangoValidationError:
            add("email", "Địa chỉ thư điện tử không hợp lệ.")
    if not phone and not reg.email:
        add("phone", "Vui lòng nhập số điện thoại hoặc thư điện tử để nhận mã xác thực.")
    try:
        _check_password(reg.password)
    except ValidationError as exc:
        errors["password"] = list(exc.details.get("password", [exc.message]))
    return errors, username, tax_code


def account_register(*, registration: Registration, now: datetime | None = None) -> User:
    """Create an inactive citizen or business account and send it a one-time code.

    The account becomes usable once ``otp_verify`` confirms the code. A code proves only the
    phone or mailbox; the national e-ID login (Decree 69/2024/NĐ-CP on electronic
    identification, replacing Decree 59/2022/NĐ-CP) proves the person.
    """
    reg = registration
    errors, username, tax_code = _validate(reg)
    if errors:
        raise ValidationError(
            "Thông tin đăng ký chưa hợp lệ. Vui lòng kiểm tra các mục được đánh dấu.",
            details=errors,
        )
    now = now or timezone.now()
    phone = _normalise_phone(reg.phone)
    try:
        with transaction.atomic():
            taken = User.objects.filter(username=username)
            if reg.id_number.strip():
                taken = taken | User.objects.filter(id_number=reg.id_number.strip())
            if taken.exists():
                raise Conflict(
                    "Số định danh hoặc mã số thuế này đã có tài khoản. Vui lòng đăng nhập.",
                    details={"username": [username]},
                )
            user = User(
                username=username,
                full_name=reg.full_name.strip(),
                kind=reg.kind,
                id_number=reg.id_number.strip() or None,
                email=reg.email.strip(),
                phone=phone,
                tax_code=tax_code,
                organization_name=reg.organization_name.strip(),
                is_active=False,
            )
            user.set_password(reg.password)
            user.save()
            audit_record(actor=None, action=f"user.register_{reg.kind}", obj=user)
            _issue(user, now)
    except IntegrityError as exc:
        raise Conflict("Số định danh này đã được đăng ký cho tài khoản khác.") from exc
    return user


def _code_hash(user_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"otp:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _issue(user: User, now: datetime) -> OneTimeCode:
    """Create and send a code (inside the caller's transaction; sent after commit)."""
    channel = OtpChannel.SMS if user.phone else OtpChannel.EMAIL
    destination = user.phone or user.email
    # Per destination too: many registrations naming one phone must not flood it with SMS.
    sent = OneTimeCode.objects.filter(
        destination=destination, created_at__gt=now - timedelta(hours=1)
    ).count()
    if sent >= settings.CQS_OTP_MAX_PER_HOUR:
        raise RateLimited(
            "Số điện thoại hoặc thư điện tử này đã nhận quá nhiều mã trong một giờ. "
            "Vui lòng thử lại sau.",
            details={"retry_after": 3600},
        )
    code = f"{secrets.randbelow(10**6):06d}"
    otp = OneTimeCode.objects.create(
        user=user,
        purpose=PURPOSE_REGISTER,
        channel=channel,
        destination=destination,
        code_hash=_code_hash(user.pk, code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.CQS_OTP_TTL_SECONDS),
    )
    minutes = max(1, settings.CQS_OTP_TTL_SECONDS // 60)
    text = (
        f"Mã xác thực tài khoản Cổng dịch vụ công của bạn là {code}. Mã có hiệu lực "
        f"{minutes} phút. Không cung cấp mã này cho người khác."
    )

    def deliver() -> None:
        # Not through the notification outbox: a code is useless after a few minutes and
        # must not sit in a table in clear text. A failed send is logged; the person resends.
        try:
            if channel == OtpChannel.SMS:
                sms_backend().send(destination, text)
            else:
                send_email(destination, "Mã xác thực tài khoản", text)
        except Exception:
            logger.exception("one-time code for user %s could not be sent", user.pk)

    transaction.on_commit(deliver)
    audit_record(
        actor=None,
        action="user.otp_issue",
        obj=user,
        changes={"channel": channel, "destination": _mask(destination)},
    )
    return otp


def _mask(destination: str) -> str:
    if "@" in destination:
        name, _, domain = destination.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{destination[:3]}****{destination[-3:]}"


def otp_destination(user: User) -> str:
    """Where the latest code went, masked for display."""
    otp = (
        OneTimeCode.objects.filter(user=user, purpose=PURPOSE_REGISTER)
        .order_by("-created_at")
        .first()
    )
    return _mask(otp.destination) if otp else ""


def otp_resend(*, user: User, now: datetime | None = None) -> OneTimeCode:
    """Send a fresh code, at most once a minute and a few times an hour."""
    now = now or timezone.now()
    if user.is_active and user.contact_verified_at:
        raise Conflict("Tài khoản đã được xác thực. Vui lòng đăng nhập.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        recent = OneTimeCode.objects.filter(
            user=locked, purpose=PURPOSE_REGISTER, created_at__gt=now - timedelta(hours=1)
        ).order_by("-created_at")
        last = recent.first()
        if last is not None:
            wait = settings.CQS_OTP_RESEND_SECONDS - (now - last.created_at).total_seconds()
            if wait > 0:
                raise RateLimited(
                    f"Vui lòng chờ {int(wait) + 1} giây trước khi yêu cầu gửi lại mã.",
                    details={"retry_after": int(wait) + 1},
                )
        if recent.count() >= settings.CQS_OTP_MAX_PER_HOUR:
            raise RateLimited(
                "Bạn đã yêu cầu gửi mã quá nhiều lần. Vui lòng thử lại sau một giờ.",
                details={"retry_after": 3600},
            )
        return _issue(locked, now)


def otp_verify(*, user: User, code: str, now: datetime | None = None) -> User:
    """Check the latest code; on success activate the account.

    A wrong code is counted even though the call fails (the count is committed before the
    error is raised), so guessing stops after ``CQS_OTP_MAX_ATTEMPTS`` tries.
    """
    now = now or timezone.now()
    code = code.strip()
    failure: Exception | None = None
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=PURPOSE_REGISTER)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise NotFound("Chưa có mã xác thực nào được gửi. Vui lòng bấm «Gửi lại mã».")
        if otp.used_at is not None:
            raise Conflict("Mã này đã được sử dụng. Vui lòng đăng nhập.")
        if otp.attempts >= settings.CQS_OTP_MAX_ATTEMPTS:
            raise RateLimited(
                f"Bạn đã nhập sai mã quá {settings.CQS_OTP_MAX_ATTEMPTS} lần. "
                "Vui lòng bấm «Gửi lại mã» để nhận mã mới.",
                details={"code": ["Hết lượt nhập."]},
            )
        if otp.expires_at <= now:
            raise ValidationError(
                "Mã xác thực đã hết hạn. Vui lòng bấm «Gửi lại mã» để nhận mã mới.",
                code="otp_expired",
                details={"code": ["Mã đã hết hạn."]},
            )
        if not otp_is_well_formed(code) or not hmac.compare_digest(
            otp.code_hash, _code_hash(user.pk, code)
        ):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            audit_record(
                actor=None, action="user.otp_failed", obj=user, changes={"attempts": otp.attempts}
            )
            left = settings.CQS_OTP_MAX_ATTEMPTS - otp.attempts
            failure = ValidationError(
                f"Mã xác thực không đúng. Bạn còn {left} lần thử."
                if left
                else "Mã xác thực không đúng. Bạn đã hết lượt thử, vui lòng bấm «Gửi lại mã».",
                code="otp_invalid",
                details={"code": ["Mã không đúng."], "attempts_left": left},
            )
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            User.objects.filter(pk=user.pk).update(is_active=True, contact_verified_at=now)
            user.is_active = True
            user.contact_verified_at = now
            audit_record(actor=user, action="user.verify_contact", obj=user)
    if failure is not None:
        raise failure
    return user


# --- National e-ID (OpenID Connect) -----------------------------------------------------------


def user_login_external(
    *, issuer: str, subject: str, claims: dict[str, Any], now: datetime | None = None
) -> User:
    """The account behind an e-ID login: linked before, found by personal ID number, or
    created (the e-ID already proved the identity, so no OTP is needed)."""
    now = now or timezone.now()
    if not subject:
        raise ValidationError("Nhà cung cấp định danh không trả về mã người dùng (sub).")
    with transaction.atomic():
        link = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if link is not None:
            user = link.user
            if not user.is_active:
                raise PermissionDenied("Tài khoản liên kết với định danh này đã bị khóa.")
            link.last_login_at = now
            link.save(update_fields=["last_login_at"])
            audit_record(
                actor=user, action="user.login_external", obj=user, changes={"issuer": issuer}
            )
            return user
        id_number = str(claims.get(settings.CQS_OIDC_ID_NUMBER_CLAIM) or "").strip()
        try:
            parse_id_number(id_number)
        except IdNumberError as exc:
            raise ValidationError(
                "Định danh điện tử không có số định danh cá nhân hợp lệ: " + str(exc),
                details={"id_number": [str(exc)]},
            ) from exc
        existing = User.objects.select_for_update().filter(id_number=id_number).first()
        created = existing is None
        if existing is None:
            if User.objects.filter(username=id_number).exists():
                raise Conflict("Tên đăng nhập trùng với số định danh đã có; liên hệ quản trị.")
            user = User(
                username=id_number,
                id_number=id_number,
                kind=UserKind.CITIZEN,
                full_name=str(claims.get("name") or "").strip()[:150],
                email=str(claims.get("email") or "")[:254],
                phone=_normalise_phone(str(claims.get("phone_number") or ""))[:20],
                contact_verified_at=now,
            )
            user.set_unusable_password()
            user.save()
        else:
            user = existing
            if user.kind == UserKind.OFFICIAL:
                raise PermissionDenied(
                    "Cán bộ đăng nhập bằng tài khoản cơ quan, không dùng định danh điện tử công dân."
                )
            if not user.is_active and user.contact_verified_at is not None:
                raise PermissionDenied("Tài khoản của số định danh này đã bị khóa.")
            if not user.is_active:
                # An unfinished self-registration: the e-ID proves the person, so finish it.
                User.objects.filter(pk=user.pk).update(is_active=True, contact_verified_at=now)
                user.is_active = True
        ExternalIdentity.objects.create(
            user=user, issuer=issuer, subject=subject, last_login_at=now
        )
        audit_record(
            actor=user,
            action="user.link_external",
            obj=user,
            changes={"issuer": issuer, "created": created},
        )
    return user
