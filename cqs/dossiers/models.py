from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from cqs.catalogue.models import DocumentRequirement, Procedure
from cqs.dossiers.workflow import FINAL, STATUS_LABELS, Status
from cqs.units.models import AdministrativeUnit, Agency

OPEN_STATUSES = [s.value for s in Status if s not in FINAL]


class Channel(models.TextChoices):
    COUNTER = "counter", "Trực tiếp"
    ONLINE = "online", "Trực tuyến"
    POST = "post", "Bưu chính"


class Delivery(models.TextChoices):
    COUNTER = "counter", "Nhận tại Bộ phận Một cửa"
    POST = "post", "Nhận qua bưu chính"
    ONLINE = "online", "Nhận trực tuyến"


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", "Công dân"
    BUSINESS = "business", "Tổ chức, doanh nghiệp"


class Dossier(models.Model):
    """Hồ sơ: one application for one procedure. Its status and dates are a projection of
    its append-only ``DossierEvent`` log."""

    code = models.CharField("mã hồ sơ", max_length=60, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossiers", verbose_name="cơ quan giải quyết"
    )
    desk = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="desk_dossiers",
        null=True,
        blank=True,
        verbose_name="bộ phận tiếp nhận",
    )
    receiving_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name="cơ quan tiếp nhận (mã hồ sơ)",
    )
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="dossiers")
    channel = models.CharField("kênh nộp", max_length=10, choices=Channel.choices)
    applicant_kind = models.CharField(max_length=10, choices=ApplicantKind.choices)
    applicant_name = models.CharField("người nộp", max_length=255)
    applicant_id_number = models.CharField("số định danh", max_length=20, blank=True, db_index=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=255, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    search_text = models.TextField(blank=True, editable=False)
    status = models.CharField(
        "trạng thái", max_length=25, choices=[(s.value, STATUS_LABELS[s]) for s in Status]
    )
    step = models.PositiveSmallIntegerField("bước hiện tại", default=1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
    )
    received_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField("hạn trả kết quả", null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, blank=True)
    result_delivery = models.CharField(max_length=10, choices=Delivery.choices, default="counter")
    fee_amount = models.PositiveIntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Computed by the database from status (never written by the code): the officers' open
    # lists scan the index (is_open, due_at, id) in due order and stop at the page's end.
    is_open = models.GeneratedField(
        expression=Q(status__in=OPEN_STATUSES),  # type: ignore[arg-type]  # a condition
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes: ClassVar = [
            models.Index(fields=["agency", "status", "due_at"], name="dossier_inbox"),
            models.Index(fields=["desk", "status", "due_at"], name="dossier_desk_inbox"),
            models.Index(fields=["unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["assignee", "status"], name="dossier_assignee"),
            models.Index(fields=["procedure", "received_at"], name="dossier_procedure"),
            models.Index(fields=["is_open", "due_at", "id"], name="dossier_open_due"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[Status(self.status)]


class DossierEvent(models.Model):
    """One thing that happened to a dossier; append-only, the source of truth."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=30)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True)
    from_status = models.CharField(max_length=25, blank=True)
    to_status = models.CharField(max_length=25, blank=True)
    step = models.PositiveSmallIntegerField(null=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"
        ordering: ClassVar = ["dossier", "seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq")
        ]
        indexes: ClassVar = [models.Index(fields=["type", "at"], name="dossier_event_type_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("dossier events are append-only")


class DossierParticipant(models.Model):
    """Every agency that ever held the dossier keeps seeing it (inter-agency processing)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["dossier", "agency"], name="dossier_participant")
        ]
        indexes: ClassVar = [models.Index(fields=["agency", "dossier"], name="participant_agency")]

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.agency_id}"


class FileKind(models.TextChoices):
    INTAKE = "intake", "Thành phần hồ sơ"
    SUPPLEMENT = "supplement", "Hồ sơ bổ sung"
    RESULT = "result", "Kết quả giải quyết"
    FORM = "form", "Phiếu, biểu mẫu"


def _upload_path(instance: DossierFile, filename: str) -> str:
    return f"dossiers/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class DossierFile(models.Model):
    """A stored file of a dossier, bit-exact, identified by its SHA-256."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="files")
    requirement = models.ForeignKey(
        DocumentRequirement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=FileKind.choices)
    name = models.CharField("tên", max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to=_upload_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tệp hồ sơ"
        verbose_name_plural = "tệp hồ sơ"
        ordering: ClassVar = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class DossierCodeCounter(models.Model):
    """The last sequence number an agency gave on one day.

    One row per (agency, day), incremented by a single INSERT … ON CONFLICT DO UPDATE …
    RETURNING, so concurrent intakes at different agencies never touch the same row.
    """

    agency_code = models.CharField(max_length=35)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="dossier_counter_day")
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day}: {self.last}"


class IntakeNoticeKind(models.TextChoices):
    SUPPLEMENT = "supplement", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    REFUSAL = "refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"


class IntakeNotice(models.Model):
    """A form issued at the counter instead of receiving an incomplete or ineligible dossier."""

    kind = models.CharField(max_length=12, choices=IntakeNoticeKind.choices)
    desk = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField(max_length=255)
    applicant_id_number = models.CharField(max_length=20, blank=True)
    applicant_phone = models.CharField(max_length=20, blank=True)
    applicant_email = models.EmailField(blank=True)
    applicant_address = models.CharField(max_length=255, blank=True)
    missing = models.JSONField(default=list, blank=True)
    reason = models.TextField()
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()

    class Meta:
        verbose_name = "phiếu tại quầy"
        verbose_name_plural = "phiếu tại quầy"
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(reason=""), name="intake_notice_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.applicant_name}"


class DossierDraft(models.Model):
    """Hồ sơ nháp: an online application a citizen saved before submitting.

    Not a dossier yet (no code, no agency queue, no clock): submitting it creates the
    ``Dossier`` in status SUBMITTED and deletes the draft. ``files`` lists the papers attached
    so far as content addresses (``sha256``, ``path`` in the dossier file store), whether
    uploaded into the draft or reused from the citizen's e-repository.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_drafts"
    )
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField("thông tin khai báo", default=dict, blank=True)
    result_delivery = models.CharField(max_length=10, choices=Delivery.choices, default="online")
    files = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        indexes: ClassVar = [models.Index(fields=["owner", "updated_at"], name="draft_owner")]

    def __str__(self) -> str:
        return f"{self.owner} — {self.procedure.code} (nháp)"


class DossierRating(models.Model):
    """Đánh giá mức độ hài lòng: the applicant's rating of one finished dossier (once).

    Criteria after the satisfaction survey used for Decision 766/QĐ-TTg's "satisfaction with
    dossier handling" indicator (the SIPAS groups: access to the service, the procedure, the
    officers, the result, the time taken); each 1 (very dissatisfied) – 5 (very satisfied).
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    access = models.PositiveSmallIntegerField("tiếp cận dịch vụ")
    procedure_clarity = models.PositiveSmallIntegerField("thủ tục hành chính")
    officers = models.PositiveSmallIntegerField("công chức giải quyết")
    result = models.PositiveSmallIntegerField("kết quả giải quyết")
    timeliness = models.PositiveSmallIntegerField("thời gian giải quyết")
    score = models.PositiveSmallIntegerField("mức độ hài lòng chung")
    comment = models.TextField("góp ý", blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "đánh giá hài lòng"
        verbose_name_plural = "đánh giá hài lòng"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(access__gte=1, access__lte=5)
                & Q(procedure_clarity__gte=1, procedure_clarity__lte=5)
                & Q(officers__gte=1, officers__lte=5)
                & Q(result__gte=1, result__lte=5)
                & Q(timeliness__gte=1, timeliness__lte=5)
                & Q(score__gte=1, score__lte=5),
                name="dossier_rating_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}/5"


class IntakeReplay(models.Model):
    """The answer to an intake request sent with an ``Idempotency-Key`` header
    (draft-ietf-httpapi-idempotency-key-header): a client that resends the same request
    with the same key after a lost answer gets this answer back instead of a second dossier.
    Written in the intake's own transaction, so the dossier and its replay commit together."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the request body
    status = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "khóa chống gửi lặp"
        verbose_name_plural = "khóa chống gửi lặp"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "key"], name="intake_replay_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
