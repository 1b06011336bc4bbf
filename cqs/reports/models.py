from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from cqs.reports.rules import DeadlineUnit
from cqs.reports.workflow import STATUS_LABELS, Status
from cqs.units.models import AdministrativeUnit, Agency


class Category(models.Model):
    """Lĩnh vực phản ánh (e.g. trật tự đô thị): the Open311 "service"."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=150)
    description = models.TextField("mô tả", blank=True)
    group = models.CharField("nhóm", max_length=100, blank=True)
    keywords = models.CharField("từ khóa", max_length=255, blank=True)
    deadline_value = models.PositiveSmallIntegerField("thời hạn xử lý", default=5)
    deadline_unit = models.CharField(
        "đơn vị thời hạn",
        max_length=15,
        choices=[
            (DeadlineUnit.WORKING_DAYS, "ngày làm việc"),
            (DeadlineUnit.WORKING_HOURS, "giờ làm việc"),
        ],
        default=DeadlineUnit.WORKING_DAYS,
    )
    default_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Open311 service attributes: [{"code", "datatype", "description", "required", "values"}]
    attributes = models.JSONField("thuộc tính bổ sung", default=list, blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "lĩnh vực phản ánh"
        verbose_name_plural = "lĩnh vực phản ánh"
        ordering: ClassVar = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class AnswerTemplate(models.Model):
    """Mẫu trả lời: a reusable answer text for one category."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="templates")
    title = models.CharField("tiêu đề", max_length=150)
    body = models.TextField("nội dung")

    class Meta:
        verbose_name = "mẫu trả lời"
        verbose_name_plural = "mẫu trả lời"
        ordering: ClassVar = ["category", "title"]

    def __str__(self) -> str:
        return self.title


class Report(models.Model):
    """Phản ánh hiện trường: one citizen report. Its status is a projection of ``ReportEvent``."""

    code = models.CharField("mã theo dõi", max_length=20, unique=True)
    token = models.CharField(max_length=64, unique=True)  # Open311 token; the reporter's key
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    description = models.TextField("nội dung")
    public_description = models.TextField("nội dung công khai", blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    commune = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="field_reports",
    )
    # Kept private: never shown publicly nor returned by Open311.
    contact_name = models.CharField(max_length=150, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    channel = models.CharField(max_length=20, default="web")
    status = models.CharField(
        "trạng thái", max_length=15, choices=[(s.value, STATUS_LABELS[s]) for s in Status]
    )
    is_open = models.BooleanField(default=True)  # Open311 open/closed, indexed for filters
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="field_reports")
    agency_since = models.DateTimeField()
    routing_rule_id = models.BigIntegerField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_field_reports",
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_near = models.BooleanField(default=False)
    escalated_overdue = models.BooleanField(default=False)
    answer = models.TextField("trả lời", blank=True)
    reject_reason = models.CharField(max_length=20, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    is_public = models.BooleanField("đã duyệt công khai", default=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_count = models.PositiveSmallIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "phản ánh hiện trường"
        verbose_name_plural = "phản ánh hiện trường"
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                name="report_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="report_rating_range",
            ),
        ]
        indexes: ClassVar = [
            # Open311 GET requests: newest first, filtered by service or open/closed.
            models.Index(fields=["category", "-created_at"], name="report_cat_created"),
            # service_code + status (open/closed): the page is read straight off this index.
            models.Index(
                fields=["category", "is_open", "-created_at"], name="report_cat_open_created"
            ),
            models.Index(fields=["is_open", "-created_at"], name="report_open_created"),
            models.Index(fields=["agency", "status"], name="report_agency_status"),
            models.Index(fields=["category", "is_open", "lat"], name="report_nearby"),
            models.Index(fields=["is_public", "-created_at"], name="report_public_created"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[Status(self.status)]


class ReportEvent(models.Model):
    """One thing that happened to a report; append-only, the timeline and the SLA source."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=30)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện phản ánh"
        verbose_name_plural = "sự kiện phản ánh"
        ordering: ClassVar = ["report", "seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "seq"], name="report_event_seq")
        ]
        indexes: ClassVar = [
            models.Index(fields=["type", "at"], name="report_event_type_at"),
            # Open311 servicerequestupdates: public events in a time window, oldest first.
            models.Index(fields=["at", "id"], name="report_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.seq} {self.type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("report events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("report events are append-only")


class PhotoKind(models.TextChoices):
    BEFORE = "before", "Ảnh hiện trường"
    AFTER = "after", "Ảnh sau xử lý"


class PhotoReview(models.TextChoices):
    APPROVED = "approved", "Đã duyệt"
    PENDING = "pending", "Chờ duyệt"
    WITHHELD = "withheld", "Không công khai"


class ReportPhoto(models.Model):
    """A photo: the original (private, for staff) and a public copy without EXIF."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(max_length=10, choices=PhotoKind.choices, default=PhotoKind.BEFORE)
    original = models.FileField(upload_to="reports/private/%Y/%m/")
    public = models.FileField(upload_to="reports/public/%Y/%m/")
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()
    # Photos the reporter adds after sending wait for a moderator before they are public;
    # those sent with the report are published together with its text.
    review = models.CharField(
        "duyệt công khai", max_length=10, choices=PhotoReview.choices, default=PhotoReview.APPROVED
    )

    class Meta:
        verbose_name = "ảnh phản ánh"
        verbose_name_plural = "ảnh phản ánh"
        ordering: ClassVar = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.pk}"

    @property
    def approved(self) -> bool:
        return self.review == PhotoReview.APPROVED


class RoutingRule(models.Model):
    """Quy tắc chuyển phản ánh: the first active rule by priority that matches wins."""

    priority = models.PositiveIntegerField("thứ tự ưu tiên", default=100)
    name = models.CharField("tên", max_length=150)
    commune = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True)
    start_time = models.TimeField("từ giờ", null=True, blank=True)
    end_time = models.TimeField("đến giờ", null=True, blank=True)
    keywords = models.CharField("từ khóa (phân cách bằng dấu phẩy)", max_length=255, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "quy tắc chuyển phản ánh"
        verbose_name_plural = "quy tắc chuyển phản ánh"
        ordering: ClassVar = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class Open311Key(models.Model):
    """An Open311 api_key for one client system; only its SHA-256 is stored."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "khóa Open311"
        verbose_name_plural = "khóa Open311"
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
