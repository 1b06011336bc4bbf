"""Rollups behind the Decision 766 index, and the digital-transformation (DX) plan.

Rollups are derived data: ``cqs.dashboard.rollups`` keeps them in step with every dossier
event in the event's own transaction, and ``manage.py rebuild_rollups`` recomputes them.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from cqs.catalogue.models import Procedure
from cqs.dossiers.models import Dossier
from cqs.units.models import AdministrativeUnit, Agency

# The additive counters of one rollup row (see rules.COUNTERS for what each counts).
COUNTER_FIELDS = (
    "received",
    "online",
    "withdrawn",
    "timely_fixed",
    "satisfied_fixed",
    "fee_due",
    "paid_online",
    "with_result",
    "electronic_result",
    "digitized_intake",
    "rated",
    "rated_satisfied",
    "finished_late",
    "finished_seconds",
    "supplemented",
    "open",
)


class RollupBase(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    received = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    timely_fixed = models.IntegerField(default=0)
    satisfied_fixed = models.IntegerField(default=0)
    fee_due = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    with_result = models.IntegerField(default=0)
    electronic_result = models.IntegerField(default=0)
    digitized_intake = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rated_satisfied = models.IntegerField(default=0)
    finished_late = models.IntegerField(default=0)
    finished_seconds = models.BigIntegerField(default=0)
    supplemented = models.IntegerField(default=0)
    open = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupBase):
    """Dossiers received on one local day, per agency × procedure × commune (the issue's grain)."""

    day = models.DateField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["day", "agency", "procedure", "unit"], name="dashboard_daily_key"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["unit", "day"], name="dashboard_daily_unit")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}/{self.procedure_id}/{self.unit_id}"


class MonthlyRollup(RollupBase):
    """The same counters per month (``month`` = its first day): what the panels read."""

    month = models.DateField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["month", "agency", "procedure", "unit"], name="dashboard_monthly_key"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["unit", "month"], name="dashboard_monthly_unit"),
            models.Index(fields=["agency", "month"], name="dashboard_monthly_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id}/{self.procedure_id}/{self.unit_id}"


class OpenDossier(models.Model):
    """A dossier in processing now: whether it is still within time depends on the clock, so
    this small set is read at query time instead of being rolled up."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    legal_due = models.DateTimeField(null=True)
    supplements = models.PositiveSmallIntegerField(default=0)
    unsatisfied = models.BooleanField(default=False)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["unit", "day"], name="dashboard_open_unit"),
            models.Index(fields=["agency", "day"], name="dashboard_open_agency"),
        ]

    def __str__(self) -> str:
        return str(self.dossier_id)


# --- DX plan (kế hoạch chuyển đổi số) --------------------------------------------------------


class Pillar(models.TextChoices):
    GOVERNMENT = "government", "Chính quyền số"
    ECONOMY = "economy", "Kinh tế số"
    SOCIETY = "society", "Xã hội số"


class DxTarget(models.Model):
    """Chỉ tiêu chuyển đổi số: one target of the plan, owned by an agency."""

    code = models.CharField("mã", max_length=20, unique=True)
    pillar = models.CharField("trụ cột", max_length=12, choices=Pillar.choices)
    name = models.CharField("chỉ tiêu", max_length=300)
    metric = models.CharField(
        "chỉ số hệ thống", max_length=40, blank=True, help_text="trống: đơn vị chủ trì báo cáo"
    )
    scope_code = models.CharField("phạm vi (mã đơn vị/cơ quan)", max_length=35, blank=True)
    unit_label = models.CharField("đơn vị tính", max_length=20, default="%")
    baseline = models.DecimalField("giá trị đầu kỳ", max_digits=14, decimal_places=2, default=0)
    target_value = models.DecimalField("giá trị mục tiêu", max_digits=14, decimal_places=2)
    start = models.DateField("bắt đầu")
    deadline = models.DateField("hạn")
    owner = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan chủ trì"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chỉ tiêu chuyển đổi số"
        verbose_name_plural = "chỉ tiêu chuyển đổi số"
        ordering: ClassVar = ["pillar", "code"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("start")), name="dx_target_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def _evidence_path(instance: DxReport, filename: str) -> str:
    return f"dx/{instance.target_id}/{filename}"


class DxReport(models.Model):
    """A value reported by the owner for a target not measured by the system, with evidence."""

    target = models.ForeignKey(DxTarget, on_delete=models.PROTECT, related_name="reports")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)
    evidence_link = models.URLField(blank=True)
    evidence_file = models.FileField(upload_to=_evidence_path, blank=True, max_length=200)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.value}"


class DxBlocker(models.Model):
    """Vướng mắc: what blocks the plan and who must act."""

    target = models.ForeignKey(
        DxTarget, on_delete=models.PROTECT, related_name="blockers", null=True, blank=True
    )
    description = models.TextField("vướng mắc")
    must_act = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan phải xử lý"
    )
    since = models.DateField("từ ngày")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["resolved_at", "since", "id"]

    def __str__(self) -> str:
        return self.description[:60]
