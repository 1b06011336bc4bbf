"""Tables of document and executive management (quản lý văn bản và điều hành).

Incoming and outgoing documents share one table (``Document`` with a direction); their
history is the append-only ``DocumentEvent`` log. Exchange with other agencies goes through
``OutboxMessage`` (at-least-once sending) and ``InboxMessage`` (idempotent receiving).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cqs.units.models import Agency


class DocumentType(models.Model):
    """A document type (thể loại văn bản) with its Decree 30 Appendix III abbreviation."""

    abbreviation = models.CharField("chữ viết tắt", max_length=10, unique=True)
    name = models.CharField("tên", max_length=100)
    is_letter = models.BooleanField("công văn", default=False)
    template = models.TextField("mẫu nội dung", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"
        ordering: ClassVar = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AgencyProfile(models.Model):
    """Records-work settings of an agency: its abbreviation in notations (e.g. UBND, VP)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="records_profile")
    abbreviation = models.CharField("chữ viết tắt", max_length=20)

    class Meta:
        verbose_name = "thông tin văn thư của cơ quan"
        verbose_name_plural = "thông tin văn thư của cơ quan"

    def __str__(self) -> str:
        return f"{self.agency.code} {self.abbreviation}"


class RegisterCounter(models.Model):
    """The last number an agency's register (sổ văn bản đến/đi) gave in one year.

    Decree 30/2020 Article 15.1 (outgoing) and the article on registering incoming documents (Article 22, verify the clause): numbering starts
    at 01 on 1 January and ends on 31 December, so the year is part of the key.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "sổ văn bản"
        verbose_name_plural = "sổ văn bản"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agency", "direction", "year"], name="register_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.direction} {self.year}: {self.last}"


class DocumentStatus(models.TextChoices):
    # incoming
    REGISTERED = "registered", "Đã vào sổ, chờ phân công"
    ASSIGNED = "assigned", "Đã giao đơn vị chủ trì"
    PROCESSING = "processing", "Đang xử lý"
    DONE = "done", "Đã xử lý xong"
    # outgoing
    DRAFT = "draft", "Dự thảo"
    IN_REVIEW = "in_review", "Chờ trưởng phòng duyệt"
    AWAITING_SIGNATURE = "awaiting_signature", "Chờ lãnh đạo ký"
    SIGNED = "signed", "Đã ký, chờ ban hành"
    ISSUED = "issued", "Đã ban hành"
    SENT = "sent", "Đã gửi"


class Document(models.Model):
    """A document (văn bản): incoming (văn bản đến) or outgoing (văn bản đi).

    Metadata per Decree 30/2020 Appendix VI (number and notation, date, issuing agency, type,
    summary/trích yếu, signer, urgency, confidentiality, pages, attachments).
    """

    direction = models.CharField("chiều", max_length=10)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("trạng thái", max_length=20, choices=DocumentStatus.choices)
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("số", null=True, blank=True)
    notation = models.CharField("ký hiệu", max_length=60, blank=True)
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    arrival_number = models.PositiveIntegerField("số đến", null=True, blank=True)
    issued_on = models.DateField("ngày văn bản", null=True, blank=True)
    issuer_code = models.CharField("mã cơ quan ban hành", max_length=35, blank=True)
    issuer_name = models.CharField("cơ quan ban hành", max_length=255)
    drafting_unit = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField("trích yếu")
    signer_name = models.CharField("người ký", max_length=150, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=150, blank=True)
    urgency = models.CharField("độ khẩn", max_length=12, default="normal")
    confidentiality = models.CharField("độ mật", max_length=12, default="normal")
    pages = models.PositiveIntegerField("số trang", default=1)
    channel = models.CharField("hình thức nhận", max_length=12, default="electronic")
    body = models.TextField("nội dung dự thảo", blank=True)
    received_at = models.DateTimeField("thời gian đến", null=True, blank=True)
    deadline = models.DateField("hạn xử lý", null=True, blank=True)
    instructions = models.TextField("ý kiến chỉ đạo", blank=True)
    lead_division = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    signature_report = models.JSONField(default=dict, blank=True)
    fully_signed = models.BooleanField(default=False)
    external_message_id = models.CharField(max_length=64, blank=True)
    search_text = models.TextField(blank=True)  # folded: number, notation, summary, PDF text
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["agency", "direction", "status"]),
            models.Index(fields=["agency", "created_at"]),
        ]
        constraints: ClassVar = [
            # Article 15: a register never gives the same number twice in a year.
            models.UniqueConstraint(
                fields=["agency", "direction", "year", "number"],
                condition=models.Q(number__isnull=False),
                name="document_number_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "direction", "year", "arrival_number"],
                condition=models.Q(arrival_number__isnull=False),
                name="document_arrival_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number or self.summary[:60]

    @property
    def display_number(self) -> str:
        if self.number is None:
            return ""
        return f"{self.number:02d}/{self.notation}"

    @property
    def is_incoming(self) -> bool:
        return self.direction == "incoming"


def _file_path(instance: DocumentFile, filename: str) -> str:
    return f"documents/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


FILE_KIND_LABELS: dict[str, Any] = {
    "main": _("Văn bản chính"),
    "attachment": _("Tệp đính kèm"),
    "draft": _("Dự thảo"),
    "signed": _("Bản đã ký số"),
    "progress": _("Báo cáo tiến độ"),
}
PACKAGE_KIND_LABELS: dict[str, Any] = {"document": _("Văn bản"), "status": _("Trạng thái")}


class DocumentFile(models.Model):
    """A file of a document, stored bit-exact, identified by its SHA-256."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=12)  # main | attachment | draft | signed | progress
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to=_file_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["document", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> Any:
        return FILE_KIND_LABELS.get(self.kind, self.kind)


class DraftVersion(models.Model):
    """One saved version of an outgoing document's draft (dự thảo)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    summary = models.TextField()
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["document", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["document", "number"], name="draft_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class ReviewComment(models.Model):
    """A reviewer's comment on a draft (ý kiến góp ý)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["document", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "Chủ trì"
    COOPERATE = "cooperate", "Phối hợp"
    INFORMATION = "information", "Để biết"
    OFFICER = "officer", "Cán bộ xử lý"


class Assignment(models.Model):
    """Who holds an incoming document: a division (lead, co-operating, for information) or an
    officer (giao xử lý)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=12, choices=AssignmentRole.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deadline = models.DateField(null=True, blank=True)
    instructions = models.TextField(blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["document", "id"]
        indexes: ClassVar = [models.Index(fields=["agency", "role"]), models.Index(fields=["user"])]

    def __str__(self) -> str:
        return f"{self.role} {self.agency_id or self.user_id}"


class DocumentEvent(models.Model):
    """Append-only history of a document (lịch sử xử lý)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["document", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("document events are append-only")
        super().save(*args, **kwargs)


class Recipient(models.Model):
    """An addressee of an outgoing document (nơi nhận), inside this system or outside."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    agency_code = models.CharField(max_length=35)
    agency_name = models.CharField(max_length=255)
    internal = models.BooleanField(default=False)
    status_code = models.CharField(max_length=2, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    incoming = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["document", "id"]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.agency_name}"


class ExchangePeer(models.Model):
    """Another document system we exchange edXML with (liên thông): a CQS instance or the hub.

    ``token`` is the shared secret both sides use for the HMAC of every message.
    """

    agency_code = models.CharField("mã định danh cơ quan", max_length=35, unique=True)
    name = models.CharField("tên", max_length=255)
    url = models.URLField("địa chỉ nhận edXML", max_length=300, blank=True)
    token = models.CharField("khóa chia sẻ", max_length=128)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "đơn vị liên thông"
        verbose_name_plural = "đơn vị liên thông"
        ordering: ClassVar = ["agency_code"]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.name}"


class OutboxMessage(models.Model):
    """An edXML package waiting to be sent (at-least-once, retried with back-off)."""

    message_id = models.UUIDField(default=uuid.uuid4, unique=True)
    kind = models.CharField(max_length=10)  # document | status
    from_code = models.CharField(max_length=35)
    to_code = models.CharField(max_length=35)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbox"
    )
    payload = models.BinaryField()
    content_type = models.CharField(max_length=200)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["id"]
        indexes: ClassVar = [models.Index(fields=["delivered_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} -> {self.to_code}"

    @property
    def kind_label(self) -> Any:
        return PACKAGE_KIND_LABELS.get(self.kind, self.kind)


class InboxMessage(models.Model):
    """An edXML package received (idempotent by the sender's message id)."""

    message_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10)
    from_code = models.CharField(max_length=35)
    sha256 = models.CharField(max_length=64)
    outcome = models.CharField(max_length=10)  # accepted | refused
    reason = models.TextField(blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} <- {self.from_code}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Đang thực hiện"
    DONE = "done", "Đã hoàn thành"


class Task(models.Model):
    """An assigned task (nhiệm vụ) from a document or a meeting."""

    title = models.CharField("tên nhiệm vụ", max_length=500)
    source_document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    source_meeting = models.CharField("cuộc họp", max_length=255, blank=True)
    assigner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    co_owners = models.ManyToManyField(Agency, blank=True, related_name="+")
    deadline = models.DateField("hạn hoàn thành")
    expected_output = models.TextField("sản phẩm đầu ra", blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    progress = models.PositiveSmallIntegerField(default=0)
    done_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering: ClassVar = ["deadline", "id"]
        indexes: ClassVar = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.title


class TaskReport(models.Model):
    """A progress report on a task (báo cáo tiến độ), optionally with a file."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    progress = models.PositiveSmallIntegerField()
    text = models.TextField()
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="documents/tasks/", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["task", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.progress}%"
