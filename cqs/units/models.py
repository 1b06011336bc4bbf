from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cqs.units import rules


class UnitLevel(models.TextChoices):
    PROVINCE = "province", "Tỉnh/thành phố"
    COMMUNE = "commune", "Xã/phường/đặc khu"


class AdministrativeUnit(models.Model):
    """Đơn vị hành chính: a province or a commune, with validity dates.

    A unit is never deleted: when units merge, the old ones get ``valid_until`` and the new one
    lists them as ``predecessors``, so dossiers attached to an old unit keep their history.
    """

    code = models.CharField("mã", max_length=10)
    name = models.CharField("tên", max_length=150)
    codename = models.CharField(max_length=150, blank=True)
    level = models.CharField("cấp", max_length=10, choices=UnitLevel.choices)
    division_type = models.CharField("loại", max_length=30)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField("hiệu lực từ", default=rules.TWO_LEVEL_REFORM_DATE)
    valid_until = models.DateField("hết hiệu lực", null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="successors"
    )

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering: ClassVar = ["level", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_until__isnull=True),
                name="unit_current_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="unit_validity_order",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["parent", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_until is None


class AgencyKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province_committee", "UBND tỉnh"
    DEPARTMENT = "department", "Sở, ban, ngành"
    COMMUNE_COMMITTEE = "commune_committee", "UBND xã/phường"
    ONE_STOP_DESK = "one_stop_desk", "Bộ phận Một cửa"
    PUBLIC_SERVICE_CENTER = "public_service_center", "Trung tâm Phục vụ hành chính công"
    DIVISION = "division", "Phòng, ban chuyên môn"


def validate_agency_code(value: str) -> None:
    if not rules.is_valid_agency_code(value):
        raise ValidationError(
            "Mã định danh cơ quan không đúng cấu trúc QCVN 102:2016/BTTTT (ví dụ 000.00.21.H49)."
        )


class Agency(models.Model):
    """Cơ quan: a body that receives or processes dossiers, in a tree, attached to a unit."""

    code = models.CharField(
        "mã định danh", max_length=35, unique=True, validators=[validate_agency_code]
    )
    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=50, blank=True)
    kind = models.CharField("loại cơ quan", max_length=30, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="cơ quan cấp trên",
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name="đơn vị hành chính",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    valid_from = models.DateField("hiệu lực từ", default=rules.TWO_LEVEL_REFORM_DATE)
    valid_until = models.DateField("hết hiệu lực", null=True, blank=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering: ClassVar = ["code"]
        indexes: ClassVar = [models.Index(fields=["parent"]), models.Index(fields=["unit", "kind"])]

    def __str__(self) -> str:
        return self.name
