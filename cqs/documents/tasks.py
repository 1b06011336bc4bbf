"""Assigned tasks (nhiệm vụ) and their progress reports: one door per change."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.core.text import nfc
from cqs.documents import permissions as perms
from cqs.documents.models import Document, Task, TaskReport, TaskStatus
from cqs.dossiers.storage import Upload, check_upload
from cqs.units.models import Agency


def task_assign(
    *,
    actor: Any,
    assigner_agency: Agency,
    title: str,
    owner: Agency,
    deadline: date,
    co_owners: Sequence[Agency] = (),
    expected_output: str = "",
    source_document: Document | None = None,
    source_meeting: str = "",
    today: date | None = None,
) -> Task:
    """A leader assigns a task from a document or a meeting to an owner agency."""
    if not perms.can_assign_task(actor, assigner_agency):
        raise PermissionDenied()
    title = nfc(title).strip()
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Vui lòng nhập nội dung nhiệm vụ."
    if deadline < today:
        errors["deadline"] = "Hạn hoàn thành không được trước ngày hôm nay."
    if source_document is None and not nfc(source_meeting).strip():
        errors["source"] = "Nhiệm vụ phải giao từ một văn bản hoặc một cuộc họp."
    if owner in co_owners:
        errors["co_owners"] = "Đơn vị chủ trì không được đồng thời là đơn vị phối hợp."
    if errors:
        raise ValidationError(next(iter(errors.values())), details=errors)
    with transaction.atomic():
        task = Task.objects.create(
            title=title[:500],
            source_document=source_document,
            source_meeting=nfc(source_meeting).strip()[:255],
            assigner_agency=assigner_agency,
            owner=owner,
            deadline=deadline,
            expected_output=nfc(expected_output).strip(),
            assigned_by=actor,
        )
        task.co_owners.set(co_owners)
        audit_record(
            actor=actor,
            action="task.assign",
            obj=task,
            changes={"owner": owner.code, "deadline": deadline.isoformat()},
        )
    return task


def task_report(
    *,
    actor: Any,
    task: Task,
    progress: int,
    text: str,
    file: Upload | None = None,
    today: date | None = None,
) -> TaskReport:
    """The owner (or a co-owner) reports progress; 100% closes the task (done on ``today``)."""
    if not perms.can_report_task(actor, task):
        raise PermissionDenied()
    text = nfc(text).strip()
    if not text:
        raise ValidationError("Vui lòng nhập nội dung báo cáo.", details={"text": "required"})
    if not 0 <= progress <= 100:
        raise ValidationError("Tiến độ phải từ 0 đến 100%.", details={"progress": "range"})
    if file is not None:
        check_upload(file)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status == TaskStatus.DONE:
            raise TransitionNotAllowed("Nhiệm vụ đã hoàn thành.")
        report = TaskReport(task=locked, author=actor, progress=progress, text=text)
        if file is not None:
            digest = hashlib.sha256(file.content).hexdigest()
            report.file_name = nfc(file.filename)[:255]
            report.file_sha256 = digest
            report.file.save(f"{digest}", ContentFile(file.content), save=False)
        report.save()
        locked.progress = progress
        fields = ["progress"]
        if progress == 100:
            locked.status = TaskStatus.DONE
            locked.done_on = today
            fields += ["status", "done_on"]
        locked.save(update_fields=fields)
        audit_record(actor=actor, action="task.report", obj=locked, changes={"progress": progress})
    return report
