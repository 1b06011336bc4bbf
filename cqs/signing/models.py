"""Certificates, trust anchors and the register of every signature CQS made.

Private key material is never stored here: PKCS#12 files live under ``CQS_PKI_DIR`` (protected
by ``CQS_PKI_PASSPHRASE``), token keys stay on the PKCS#11 token, remote keys at the provider.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from cqs.units.models import Agency


class CertificateKind(models.TextChoices):
    PERSONAL = "personal", "Chứng thư số cá nhân"
    SEAL = "seal", "Chứng thư số cơ quan (con dấu)"


class KeyKind(models.TextChoices):
    PKCS12 = "pkcs12", "Tệp PKCS#12"
    PKCS11 = "pkcs11", "USB token/HSM (PKCS#11)"
    REMOTE = "remote", "Ký số từ xa"


class Certificate(models.Model):
    """Chứng thư số: an official's personal certificate or an agency's seal certificate."""

    kind = models.CharField("loại", max_length=10, choices=CertificateKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name="người ký",
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="certificates", verbose_name="cơ quan"
    )
    subject = models.CharField("chủ thể", max_length=500)
    issuer = models.CharField("tổ chức cấp", max_length=500)
    serial = models.CharField("số hiệu", max_length=64)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    pem = models.TextField("chứng thư (PEM)")
    key_kind = models.CharField(
        "nơi giữ khóa", max_length=10, choices=KeyKind.choices, default=KeyKind.PKCS12
    )
    # pkcs12: file name under CQS_PKI_DIR; pkcs11: "token=<label>;key=<label>"; remote: key id
    key_ref = models.CharField("tham chiếu khóa", max_length=255)
    is_demo = models.BooleanField("chứng thư trình diễn", default=False)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư số"
        verbose_name_plural = "chứng thư số"
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(kind="seal") | Q(user__isnull=False), name="signing_personal_has_user"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["kind", "agency"])]

    def __str__(self) -> str:
        return self.subject


class TrustAnchor(models.Model):
    """Chứng thư gốc tin cậy: a root CA whose chains CQS accepts (the demo root, Vietnam's
    national root CA, the government CA...)."""

    name = models.CharField("tên", max_length=255)
    pem = models.TextField("chứng thư gốc (PEM)")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    is_demo = models.BooleanField("gốc trình diễn", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư gốc tin cậy"
        verbose_name_plural = "chứng thư gốc tin cậy"
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class SignatureKind(models.TextChoices):
    PERSONAL = "personal", "Chữ ký của người có thẩm quyền"
    SEAL = "seal", "Chữ ký số cơ quan (đóng dấu)"
    SYSTEM = "system", "Ký tự động của cơ quan"


class SignatureRecord(models.Model):
    """Sổ chữ ký: one signature CQS added to a PDF, with the SHA-256 before and after."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    level = models.CharField("cấp", max_length=10)  # unit level: province / commune
    kind = models.CharField("loại", max_length=10, choices=SignatureKind.choices)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    context = models.CharField("ngữ cảnh", max_length=100, blank=True)  # "dossier:<code>"
    sha256_in = models.CharField(max_length=64)
    sha256_out = models.CharField(max_length=64)
    at = models.DateTimeField("thời điểm ký", auto_now_add=True)

    class Meta:
        verbose_name = "chữ ký đã thực hiện"
        verbose_name_plural = "chữ ký đã thực hiện"
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["agency", "at"]),
            models.Index(fields=["context"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.context or self.sha256_out[:12]}"
