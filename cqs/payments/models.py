from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from cqs.dossiers.models import Dossier
from cqs.units.models import Agency


class Method(models.TextChoices):
    ONLINE = "online", "Trực tuyến"
    COUNTER = "counter", "Tại quầy"


class Gateway(models.TextChoices):
    VNPAY = "vnpay", "Cổng thanh toán VNPAY"
    CASH = "cash", "Tiền mặt tại quầy"
    CARD = "card", "Thẻ tại quầy (POS)"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    FAILED = "failed", "Không thành công"
    CANCELLED = "cancelled", "Đã hủy"
    # The gateway took the money but the dossier was already paid (two tabs, two payments):
    # the reconciliation report lists it until it is refunded.
    REFUND = "refund", "Trùng thanh toán, cần hoàn tiền"


class Payment(models.Model):
    """Thanh toán phí, lệ phí: one attempt to pay a dossier's fees and charges, online through a
    gateway or at the counter. A dossier has at most one paid payment (constraint)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan thu"
    )
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    method = models.CharField("hình thức", max_length=10, choices=Method.choices)
    gateway = models.CharField("kênh", max_length=10, choices=Gateway.choices)
    txn_ref = models.CharField("mã giao dịch của CQS", max_length=40, unique=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    gateway_txn_no = models.CharField("mã giao dịch tại cổng", max_length=40, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=20, blank=True)
    card_type = models.CharField(max_length=20, blank=True)
    response_code = models.CharField(max_length=4, blank=True)
    pay_date = models.DateTimeField("thời điểm thanh toán (cổng)", null=True, blank=True)
    paid_at = models.DateTimeField("thời điểm ghi nhận", null=True, blank=True)
    ipn_params = models.JSONField("tham số IPN", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "thanh toán"
        verbose_name_plural = "thanh toán"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status="paid"), name="payment_paid_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["agency", "created_at"], name="payment_agency_day"),
            models.Index(fields=["agency", "paid_at"], name="payment_agency_paid"),
        ]

    def __str__(self) -> str:
        return f"{self.txn_ref} ({self.get_status_display()})"


class EReceipt(models.Model):
    """Biên lai điện tử thu phí, lệ phí (Decree 123/2020/NĐ-CP, Article 32; symbols per
    Circular 78/2021/TT-BTC, Article 6): numbered without gaps within (agency, series, year)."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="tổ chức thu"
    )
    template_symbol = models.CharField("ký hiệu mẫu biên lai", max_length=20)
    series = models.CharField("ký hiệu biên lai", max_length=20)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField("số biên lai")
    payer_name = models.CharField("người nộp", max_length=255)
    payer_id_number = models.CharField(max_length=20, blank=True)
    payer_address = models.CharField(max_length=255, blank=True)
    fee_name = models.CharField("tên phí, lệ phí", max_length=500)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    amount_words = models.CharField("bằng chữ", max_length=300)
    method = models.CharField("hình thức thanh toán", max_length=10, choices=Method.choices)
    issued_at = models.DateTimeField("ngày lập")
    collector_name = models.CharField("người thu tiền", max_length=150, blank=True)
    verify_code = models.CharField(max_length=32, unique=True)
    # Rendered and sealed on first download (services.receipt_render); empty until then.
    pdf = models.BinaryField(default=b"", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "biên lai điện tử"
        verbose_name_plural = "biên lai điện tử"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["agency", "series", "year", "number"], name="receipt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number:07d}"

    @property
    def number_text(self) -> str:
        return f"{self.number:07d}"


class ReceiptCounter(models.Model):
    """The last receipt number of one (agency, series, year): taken with one
    INSERT … ON CONFLICT DO UPDATE … RETURNING inside the receipt's transaction, so numbers
    have no gaps (a rollback gives the number back) and no duplicates."""

    agency_code = models.CharField(max_length=35)
    series = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["agency_code", "series", "year"], name="receipt_counter_series_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.series} {self.year}: {self.last}"
