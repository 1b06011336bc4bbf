from __future__ import annotations

from typing import ClassVar

from django.db import models

from cqs.units.models import Agency


class Level(models.TextChoices):
    CENTRAL = "central", "Cấp trung ương"
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"


class OnlineLevel(models.TextChoices):
    # Decree 42/2022/NĐ-CP, Article 11: full-online and partial-online public services.
    FULL = "full", "Dịch vụ công trực tuyến toàn trình"
    PARTIAL = "partial", "Dịch vụ công trực tuyến một phần"
    NONE = "none", "Cung cấp thông tin"


class SupplementPolicy(models.TextChoices):
    # Decree 118/2025/NĐ-CP: after a supplement the time limit counts again from the complete
    # dossier (restart); some sector laws only pause the clock.
    RESTART = "restart", "Tính lại từ đầu khi nhận đủ hồ sơ bổ sung"
    PAUSE = "pause", "Tạm dừng, tính tiếp khi nhận hồ sơ bổ sung"


class AgencyKindForStep(models.TextChoices):
    ONE_STOP_DESK = "one_stop_desk", "Bộ phận Một cửa"
    COMMUNE_COMMITTEE = "commune_committee", "UBND xã/phường"
    DEPARTMENT = "department", "Sở, ban, ngành"
    PROVINCE_COMMITTEE = "province_committee", "UBND tỉnh"


class Sector(models.Model):
    """Lĩnh vực: a field of procedures (hộ tịch, đất đai, xây dựng...)."""

    code = models.SlugField("mã", max_length=60, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=150)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính: one entry of the national procedure database, as the province runs it."""

    code = models.CharField("mã thủ tục", max_length=40, unique=True)
    name = models.CharField("tên thủ tục", max_length=500)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="procedures", verbose_name="lĩnh vực"
    )
    level = models.CharField("cấp thực hiện", max_length=10, choices=Level.choices)
    implementing_agency = models.CharField("cơ quan thực hiện", max_length=255)
    agency_kind = models.CharField(max_length=30, choices=AgencyKindForStep.choices)
    department_hint = models.CharField(max_length=150, blank=True)
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="procedures", verbose_name="cơ quan giải quyết"
    )
    applicant_kinds = models.JSONField("đối tượng thực hiện", default=list)
    time_limit_value = models.DecimalField("thời hạn giải quyết", max_digits=7, decimal_places=2)
    time_limit_unit = models.CharField("đơn vị thời hạn", max_length=15, choices=TimeUnit.choices)
    time_limit_note = models.TextField("ghi chú thời hạn", blank=True)
    fees = models.JSONField("phí, lệ phí", default=list, blank=True)
    submission_channels = models.JSONField("cách thức thực hiện", default=list)
    online_level = models.CharField("mức độ trực tuyến", max_length=10, choices=OnlineLevel.choices)
    requirements = models.TextField("yêu cầu, điều kiện", blank=True)
    legal_basis = models.JSONField("căn cứ pháp lý", default=list, blank=True)
    results = models.JSONField("kết quả thực hiện", default=list, blank=True)
    supplement_policy = models.CharField(
        max_length=10, choices=SupplementPolicy.choices, default=SupplementPolicy.RESTART
    )
    form_schema = models.JSONField("trường khai báo (JSON Schema)", default=dict, blank=True)
    source = models.CharField("nguồn", max_length=500, blank=True)
    is_active = models.BooleanField("đang áp dụng", default=True)
    search_text = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering: ClassVar = ["sector__name", "code"]
        indexes: ClassVar = [models.Index(fields=["level", "online_level"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class DocumentRequirement(models.Model):
    """Thành phần hồ sơ: one paper the applicant must provide."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField()
    name = models.CharField("tên giấy tờ", max_length=500)
    originals = models.PositiveSmallIntegerField("số bản chính", default=1)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    form_name = models.CharField("mẫu đơn, tờ khai", max_length=500, blank=True)
    mandatory = models.BooleanField("bắt buộc", default=True)
    note = models.TextField("ghi chú", blank=True)
    # The blank form itself (mẫu đơn, tờ khai), published on the procedure page. Stored under
    # its SHA-256 (catalogue/forms/ab/<sha256>.pdf): a new version gets a new name, the same
    # form shared by several procedures is stored once. Set only by document_form_attach.
    form_file = models.FileField(
        "tệp mẫu đơn, tờ khai", upload_to="catalogue/forms/", max_length=200, blank=True
    )
    form_filename = models.CharField("tên tệp gốc", max_length=255, blank=True)
    form_content_type = models.CharField(max_length=100, blank=True)
    form_size = models.PositiveIntegerField("dung lượng (byte)", default=0)
    form_sha256 = models.CharField(max_length=64, blank=True)
    form_uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering: ClassVar = ["procedure", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["procedure", "position"], name="document_position")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def form_type_label(self) -> str:
        """ "PDF", "DOCX", ... for the portal's link."""
        from cqs.catalogue.rules import FORM_TYPES

        return next((t.label for t in FORM_TYPES if t.content_type == self.form_content_type), "")

    @property
    def form_size_text(self) -> str:
        from cqs.catalogue.rules import human_size

        return human_size(self.form_size)

    @property
    def form_url(self) -> str:
        """Absolute path of the public download, "" when no file is attached."""
        if not self.form_file:
            return ""
        from cqs.catalogue.selectors import form_download_path

        return form_download_path(self.procedure.code, self.position, self.form_sha256)


class ProcessStep(models.Model):
    """Bước của quy trình nội bộ: who does what, and its share of the time limit."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField("tên bước", max_length=255)
    role = models.CharField("vai trò thực hiện", max_length=30)
    agency_kind = models.CharField(max_length=30, choices=AgencyKindForStep.choices)
    share_percent = models.DecimalField("tỷ lệ thời gian (%)", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "bước quy trình"
        verbose_name_plural = "quy trình nội bộ"
        ordering: ClassVar = ["procedure", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["procedure", "position"], name="step_position")
        ]

    def __str__(self) -> str:
        return self.name
