"""What users see through the paths made faster for issue 3: the inbox read from the open-due
index in two ordered parts, the one-query public lookup, content-addressed file storage and
the per-process font cache of the PDF forms."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cqs.dossiers import pdf_forms
from cqs.dossiers.models import Dossier, DossierFile
from cqs.dossiers.pdf_forms import ApplicantInfo
from cqs.dossiers.services import dossier_act
from cqs.dossiers.storage import Upload
from cqs.dossiers.tests.conftest import BIRTH, PDF, at, mandatory_uploads
from cqs.dossiers.tests.test_pdf_forms import make_ctx, receipt, text_of

API = "/api/v1/dossiers"


def _codes_in_order(client: Client, wanted: set[str], **params: str) -> list[str]:
    seen: list[str] = []
    after = ""
    while True:
        page = client.get(API, {**params, "limit": "1", "after": after}).json()
        seen += [d["code"] for d in page["items"] if d["code"] in wanted]
        after = page["next"]
        if not after:
            return seen


def test_inbox_lists_by_due_date_then_the_undated_across_pages(
    client: Client, demo: Any, receive: Any
) -> None:
    # Received on three different days: three different deadlines.
    late = receive(now=at(2026, 11, 20, 9))
    early = receive(now=at(2026, 11, 16, 9))
    middle = receive(now=at(2026, 11, 18, 9))
    undated = receive(now=at(2026, 11, 17, 9))
    Dossier.objects.filter(pk=undated.pk).update(due_at=None)  # e.g. waiting for acceptance
    finished = receive(now=at(2026, 11, 15, 9))
    Dossier.objects.filter(pk=finished.pk).update(status="returned")
    client.force_login(demo.user("xuly"))
    codes = {d.code for d in (late, early, middle, undated, finished)}

    order = _codes_in_order(client, codes, box="unit")

    assert order == [early.code, middle.code, late.code, undated.code]  # no finished one
    assert _codes_in_order(client, codes, box="done") == [finished.code]


def test_public_lookup_shows_the_timeline_in_order_with_the_detail_dates(
    client: Client, demo: Any, receive: Any
) -> None:
    d = receive()
    dossier_act(actor=demo.user("xuly"), code=d.code, action="forward")
    client.force_login(demo.user("xuly"))
    detail = client.get(f"{API}/{d.code}").json()

    public = Client().get(f"{API}/lookup", {"code": f"  {d.code} "})

    assert public.status_code == 200
    body = public.json()
    assert body["code"] == d.code
    assert body["applicant"] == "N***** V** A*"
    assert body["received_at"] == detail["received_at"]
    assert body["due_at"] == detail["due_at"]
    assert [s["label"] for s in body["timeline"]] == ["Tiếp nhận hồ sơ", "Chuyển bước xử lý"]
    assert body["timeline"][0]["at"] <= body["timeline"][1]["at"]
    missing = Client().get(f"{API}/lookup", {"code": "000.00.20.H49-990101-0001"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_same_bytes_are_stored_once_bit_exact(
    demo: Any, receive: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    first = receive()
    second = receive()

    a = {f.sha256: f for f in DossierFile.objects.filter(dossier=first)}
    b = {f.sha256: f for f in DossierFile.objects.filter(dossier=second)}
    assert set(a) == set(b)  # mandatory_uploads gives the same papers each time
    for sha, record in a.items():
        assert b[sha].file.name == record.file.name  # one stored copy
        with record.file.open("rb") as f:
            content = f.read()
        assert content == next(
            u.content for u in mandatory_uploads(first.procedure) if u.content[-1:] == content[-1:]
        )
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(stored) == len(a)
    assert not [p for p in stored if p.name.startswith(".upload-")]  # no temporary file left


def test_intake_answer_lists_the_files_and_event_just_written(client: Client, demo: Any) -> None:
    import base64
    import json

    from cqs.catalogue.models import Procedure

    procedure = Procedure.objects.get(code=BIRTH)
    files = [
        {
            "filename": f"{u.requirement}.pdf",
            "content_base64": base64.b64encode(u.content).decode(),
            "requirement": u.requirement,
        }
        for u in mandatory_uploads(procedure)
    ]
    client.force_login(demo.user("tiepnhan"))
    body = {
        "desk": "001.00.20.H49",
        "procedure": BIRTH,
        "applicant": {"kind": "citizen", "name": "Lê Thị Hoa", "id_number": "022090001234"},
        "files": files,
    }
    created = client.post(API, json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    again = client.get(f"{API}/{created.json()['code']}").json()
    assert created.json()["files"] == again["files"]
    assert created.json()["events"] == again["events"]
    assert [e["type"] for e in again["events"]] == ["received"]


def test_cached_fonts_show_the_same_text_as_fonts_parsed_per_document(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    applicant = ApplicantInfo(
        name="Đặng Thị Ánh Tuyết — Ελένη Ковалёва",
        id_number="022090001234",
        phone="0912345678",
        email="",
        address="Số 1, phố Nguyễn Văn Cừ, phường Hạ Long",
    )
    ctx = make_ctx(applicant=applicant)
    cached = receipt(ctx)
    assert receipt(ctx) == cached  # deterministic with the cache too

    def uncached(pdf: Any, style: str, path: Path) -> None:
        pdf.add_font(pdf_forms._FAMILY, style, str(path))

    monkeypatch.setattr(pdf_forms, "_add_cached_font", uncached)
    expected = text_of(receipt(ctx), tmp_path)
    assert "Ελένη Ковалёва" in expected
    assert text_of(cached, tmp_path) == expected


def test_upload_of_a_file_already_stored_is_not_rewritten(
    demo: Any, receive: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    d = receive()
    record = DossierFile.objects.filter(dossier=d).first()
    assert record is not None
    path = Path(record.file.path)
    inode = path.stat().st_ino  # a rewrite goes through a new file renamed into place
    later = receive(
        now=at(2026, 11, 16, 9) + timedelta(days=1),
        files=[*mandatory_uploads(d.procedure), Upload(filename="x.pdf", content=PDF)],
    )
    assert path.stat().st_ino == inode
    assert (
        DossierFile.objects.filter(dossier=later).count() == len(mandatory_uploads(d.procedure)) + 1
    )
