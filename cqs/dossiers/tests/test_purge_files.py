"""purge_files: papers of deleted drafts leave the disk; nothing a dossier or draft uses does."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cqs.audit.models import AuditEvent
from cqs.catalogue.models import Procedure
from cqs.dossiers.models import DossierFile, IntakeReplay
from cqs.dossiers.online import dossier_draft_delete
from cqs.dossiers.storage import Upload, files_purge_unreferenced
from cqs.dossiers.tests.conftest import BIRTH, PDF
from cqs.dossiers.tests.test_online import _draft


@pytest.fixture(autouse=True)
def own_media(settings: Any, tmp_path: Any) -> None:
    """A file store of this test's own: other tests' files are no business of the purge here."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _paths(draft: Any) -> list[str]:
    storage = DossierFile._meta.get_field("file").storage
    return [storage.path(f["path"]) for f in draft.files]


def _age(paths: list[str], hours: float) -> None:
    then = time.time() - hours * 3600
    for p in paths:
        os.utime(p, (then, then))


def test_a_deleted_drafts_papers_are_purged_and_everything_in_use_is_kept(
    demo: Any, receive: Any
) -> None:
    procedure = Procedure.objects.get(code=BIRTH)
    kept_dossier = receive()
    kept_files = [f.file.path for f in kept_dossier.files.all()]
    kept_draft = _draft(demo)
    gone_uploads = tuple(
        Upload(f"cccd-{d.position}.pdf", PDF + b"private" + bytes([d.position]), d.position)
        for d in procedure.documents.all()
        if d.mandatory
    )
    gone = _draft(demo, uploads=gone_uploads)
    gone_paths = _paths(gone)
    dossier_draft_delete(actor=demo.user("congdan"), draft=gone)
    assert all(os.path.exists(p) for p in gone_paths)  # deleting the draft left the bytes
    _age(gone_paths + kept_files + _paths(kept_draft), hours=48)

    dry = files_purge_unreferenced(actor=None, dry_run=True)
    assert dry.deleted == len(gone_paths)
    assert all(os.path.exists(p) for p in gone_paths)

    report = files_purge_unreferenced(actor=demo.user("quantri"))
    assert report.deleted == len(gone_paths)
    assert report.freed_bytes == sum(len(u.content) for u in gone_uploads)
    assert not any(os.path.exists(p) for p in gone_paths)
    assert all(os.path.exists(p) for p in kept_files + _paths(kept_draft))
    row = AuditEvent.objects.filter(action="dossier_files.purge").latest("occurred_at")
    assert row.changes["deleted"] == len(gone_paths)
    assert row.actor_username == "quantri"
    # Nothing left to purge: a second run deletes nothing and writes no audit row.
    count = AuditEvent.objects.count()
    assert files_purge_unreferenced(actor=None).deleted == 0
    assert AuditEvent.objects.count() == count


def test_recent_unreferenced_files_are_kept(demo: Any) -> None:
    gone = _draft(demo)
    paths = _paths(gone)
    dossier_draft_delete(actor=demo.user("congdan"), draft=gone)
    report = files_purge_unreferenced(actor=None, older_than=timedelta(hours=24))
    assert report.deleted == 0
    assert report.kept_recent == len(paths)
    assert all(os.path.exists(p) for p in paths)
    out = io.StringIO()
    call_command("purge_files", "--older-than-hours", "0", stdout=out)
    assert f"đã xóa {len(paths)} tệp" in out.getvalue()
    assert not any(os.path.exists(p) for p in paths)


def test_expired_idempotency_answers_are_forgotten(demo: Any) -> None:
    user = demo.user("tiepnhan")
    now = timezone.now()
    for key, age in (("old", 25), ("fresh", 1)):
        IntakeReplay.objects.create(
            user=user,
            key=key,
            path="dossiers",
            fingerprint="0" * 64,
            status=201,
            body="{}",
            created_at=now - timedelta(hours=age),
        )
    out = io.StringIO()
    call_command("purge_files", stdout=out)
    assert "Đã xóa 1 kết quả" in out.getvalue()
    assert list(IntakeReplay.objects.filter(user=user).values_list("key", flat=True)) == ["fresh"]
