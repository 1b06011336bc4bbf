from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from cqs.accounts.rules import ROLE_LABELS, Role
from cqs.units.models import Agency


class UserKind(models.TextChoices):
    OFFICIAL = "official", "Cán bộ, công chức"
    CITIZEN = "citizen", "Công dân"
    BUSINESS = "business", "Tổ chức, doanh nghiệp"


class User(AbstractUser):
    """Người dùng: one model for officials (cán bộ), citizens (công dân) and businesses."""

    kind = models.CharField(
        "loại tài khoản", max_length=10, choices=UserKind.choices, default=UserKind.CITIZEN
    )
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    # NULL, not "", for "no number": the partial unique constraint must ignore those rows.
    id_number = models.CharField("số định danh cá nhân", max_length=12, null=True, blank=True)  # noqa: DJ001
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    tax_code = models.CharField("mã số thuế", max_length=14, blank=True)
    organization_name = models.CharField("tên tổ chức", max_length=255, blank=True)
    is_demo = models.BooleanField("tài khoản trình diễn", default=False)
    # When the phone or e-mail given at registration was confirmed by a one-time code (or the
    # identity came from the national e-ID). Self-registered accounts stay inactive until then.
    contact_verified_at = models.DateTimeField("xác thực liên hệ lúc", null=True, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(id_number__isnull=False),
                name="user_id_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == UserKind.OFFICIAL


ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]


class RoleAssignment(models.Model):
    """Vai trò: a role a user holds in one agency (and its sub-tree where the role says so)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("vai trò", max_length=30, choices=ROLE_CHOICES)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="role_assignments", verbose_name="cơ quan"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phân vai trò"
        verbose_name_plural = "phân vai trò"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "role", "agency"], name="role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class ApiToken(models.Model):
    """A bearer token for a machine client; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("tên", max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "khóa truy cập API"
        verbose_name_plural = "khóa truy cập API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class OtpChannel(models.TextChoices):
    SMS = "sms", "Tin nhắn SMS"
    EMAIL = "email", "Thư điện tử"


class OneTimeCode(models.Model):
    """Mã xác thực (OTP): a short code sent to a phone or mailbox; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=20, default="register")
    channel = models.CharField(max_length=8, choices=OtpChannel.choices)
    destination = models.CharField(max_length=255)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mã xác thực"
        verbose_name_plural = "mã xác thực"
        indexes: ClassVar = [
            models.Index(fields=["user", "purpose", "created_at"], name="otp_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class ExternalIdentity(models.Model):
    """A login at an external OpenID Connect provider (the national e-ID, VNeID-style)
    linked to a CQS account: the provider's (issuer, subject) pair is the key."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "định danh điện tử liên kết"
        verbose_name_plural = "định danh điện tử liên kết"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject} → {self.user}"
