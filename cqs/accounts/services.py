"""Every change to users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cqs.accounts import permissions
from cqs.accounts.models import ApiToken, RoleAssignment, User, UserKind
from cqs.accounts.rules import IdNumberError, Role, parse_id_number
from cqs.audit.services import audit_record
from cqs.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from cqs.units.models import Agency


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(
            "Mật khẩu chưa đủ mạnh.", details={"password": [str(m) for m in exc.messages]}
        ) from exc


def user_create_official(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    email: str = "",
    password: str | None,
    roles: list[tuple[Role, Agency]],
    is_demo: bool = False,
    check_password: bool = True,
) -> User:
    """Create an official with their roles. ``actor`` None means a system command."""
    if actor is not None:
        for _, agency in roles:
            if not permissions.can_manage_users(actor, agency):
                raise PermissionDenied(f"Bạn không quản lý người dùng của {agency.name}.")
    if password is not None and check_password:
        _check_password(password)
    try:
        with transaction.atomic():
            user = User(
                username=username,
                full_name=full_name,
                email=email,
                kind=UserKind.OFFICIAL,
                is_demo=is_demo,
            )
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
            for role, agency in roles:
                RoleAssignment.objects.create(user=user, role=role.value, agency=agency)
            audit_record(
                actor=actor,
                action="user.create_official",
                obj=user,
                changes={"roles": [[r.value, a.code] for r, a in roles]},
            )
    except IntegrityError as exc:
        raise Conflict(f"Tên đăng nhập «{username}» đã tồn tại.") from exc
    return user


def user_create_citizen(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str | None,
    id_number: str | None = None,
    kind: UserKind = UserKind.CITIZEN,
    email: str = "",
    phone: str = "",
    tax_code: str = "",
    organization_name: str = "",
    is_demo: bool = False,
    check_password: bool = True,
) -> User:
    if kind == UserKind.OFFICIAL:
        raise ValidationError("Dùng chức năng tạo cán bộ cho tài khoản cán bộ.")
    if id_number:
        try:
            parse_id_number(id_number)
        except IdNumberError as exc:
            raise ValidationError(str(exc), details={"id_number": [str(exc)]}) from exc
    if password is not None and check_password:
        _check_password(password)
    try:
        with transaction.atomic():
            user = User(
                username=username,
                full_name=full_name,
                kind=kind,
                id_number=id_number or None,
                email=email,
                phone=phone,
                tax_code=tax_code,
                organization_name=organization_name,
                is_demo=is_demo,
            )
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
            audit_record(actor=actor, action=f"user.create_{kind}", obj=user)
    except IntegrityError as exc:
        raise Conflict("Tên đăng nhập hoặc số định danh đã được đăng ký.") from exc
    return user


def user_set_password(*, actor: User | None, user: User, password: str) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="user.set_password", obj=user)


def user_set_staff(*, actor: User | None, user: User, staff: bool) -> None:
    """Grant or remove access to the reference-data admin (/admin/)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Chỉ quản trị hệ thống được cấp quyền trang quản trị danh mục.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_staff=staff, is_superuser=staff)
        user.is_staff = user.is_superuser = staff
        audit_record(actor=actor, action="user.set_staff", obj=user, changes={"staff": staff})


def role_assign(*, actor: User | None, user: User, role: Role, agency: Agency) -> RoleAssignment:
    if actor is not None and not permissions.can_manage_users(actor, agency):
        raise PermissionDenied(f"Bạn không quản lý người dùng của {agency.name}.")
    if not user.is_official:
        raise ValidationError("Chỉ tài khoản cán bộ mới được phân vai trò.")
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role.value, agency=agency
        )
        if created:
            audit_record(
                actor=actor,
                action="role.assign",
                obj=user,
                changes={"role": role.value, "agency": agency.code},
            )
    return assignment


def role_revoke(*, actor: User | None, user: User, role: Role, agency: Agency) -> None:
    if actor is not None and not permissions.can_manage_users(actor, agency):
        raise PermissionDenied(f"Bạn không quản lý người dùng của {agency.name}.")
    with transaction.atomic():
        deleted, _ = RoleAssignment.objects.filter(
            user=user, role=role.value, agency=agency
        ).delete()
        if not deleted:
            raise NotFound("Người dùng không giữ vai trò này tại cơ quan này.")
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=user,
            changes={"role": role.value, "agency": agency.code},
        )


# --- API tokens -----------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(
    *, actor: User | None, user: User, name: str = "", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    if actor is not None and actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied("Chỉ chủ tài khoản được tạo khóa truy cập.")
    if not user.is_active:
        raise ValidationError("Tài khoản đã bị khóa.")
    raw = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[: len(settings.API_TOKEN_PREFIX) + 6],
            key_hash=_token_hash(raw),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor, action="api_token.create", obj=token, changes={"user": user.username}
        )
    return token, raw


def api_token_revoke(*, actor: User | None, token: ApiToken) -> None:
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied("Chỉ chủ tài khoản được thu hồi khóa truy cập.")
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise Conflict("Khóa truy cập đã bị thu hồi trước đó.")
        audit_record(actor=actor, action="api_token.revoke", obj=token)


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None."""
    if not raw.startswith(settings.API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    if settings.IS_PRODUCTION and token.user.is_demo:
        return None
    # Last-use time is operational data (not a state change a user makes): a plain UPDATE,
    # at most once a minute per token, keeps the hot path cheap.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
