"""Online submission: drafts, the e-repository, the desk's queue, supplements and ratings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from cqs.catalogue.models import Procedure
from cqs.core.errors import Conflict, NotFound, TransitionNotAllowed, ValidationError
from cqs.dossiers.models import Dossier, DossierDraft, DossierFile, DossierRating
from cqs.dossiers.online import (
    DraftInput,
    dossier_draft_save,
    dossier_rate,
    dossier_submit_online,
    repository_files,
)
from cqs.dossiers.selectors import inbox
from cqs.dossiers.services import dossier_act
from cqs.dossiers.storage import Upload
from cqs.dossiers.tests.conftest import BIRTH, COMMITTEE, DESK, PDF, PNG, at

DECLARED = {
    "child_name": "Nguyễn Minh Khang",
    "child_birth_date": "2026-11-02",
    "child_sex": "Nam",
    "child_birth_place": "Bệnh viện Bãi Cháy",
    "father_name": "Nguyễn Văn An",
    "mother_name": "Trần Thị Hạnh",
    "copies": "1",
}
ALL_SCORES = {"access": 5, "procedure_clarity": 4, "officers": 5, "result": 5, "timeliness": 4}


def _uploads(procedure: Procedure) -> tuple[Upload, ...]:
    return tuple(
        Upload(f"giay-{d.position}.pdf", PDF + b"online" + bytes([d.position]), d.position, d.name)
        for d in procedure.documents.all()
        if d.mandatory
    )


def _draft(demo: Any, **kw: Any) -> DossierDraft:
    procedure = Procedure.objects.get(code=kw.pop("code", BIRTH))
    form = DraftInput(
        agency_code=kw.pop("agency_code", COMMITTEE),
        data=kw.pop("data", DECLARED),
        result_delivery=kw.pop("result_delivery", "online"),
        uploads=kw.pop("uploads", None) or _uploads(procedure),
        reuse=kw.pop("reuse", ()),
    )
    return dossier_draft_save(
        actor=kw.pop("actor", demo.user("congdan")), procedure=procedure, form=form, **kw
    )


def _submit(demo: Any, **kw: Any) -> Dossier:
    draft = _draft(demo, **kw)
    return dossier_submit_online(actor=demo.user("congdan"), draft=draft, now=at(2026, 11, 23, 9))


def test_submission_waits_in_the_desk_queue_then_the_clock_starts_at_acceptance(demo: Any) -> None:
    dossier = _submit(demo)
    assert dossier.status == "submitted"
    assert dossier.code.startswith("000.00.20.H49-261123-")
    assert dossier.received_at is None and dossier.due_at is None  # no clock yet
    assert dossier.channel == "online"
    assert dossier.extra["declared"]["child_name"] == "Nguyễn Minh Khang"
    assert dossier.extra["declared"]["copies"] == 1  # typed by the schema
    assert not DossierDraft.objects.exists()  # the draft became the dossier
    desk_queue = inbox(demo.user("tiepnhan"), box="unit")
    assert desk_queue.filter(code=dossier.code, status="submitted").exists()
    # Accepted at 16:00: after 15:00 the time limit counts from the next working day.
    accepted = dossier_act(
        actor=demo.user("tiepnhan"),
        code=dossier.code,
        action="accept_online",
        now=at(2026, 11, 23, 16),
    )
    assert accepted.status == "processing"
    assert accepted.received_at == at(2026, 11, 23, 16)
    from cqs.workdays.selectors import work_calendar

    start = work_calendar().intake_start(at(2026, 11, 23, 16))
    assert accepted.clock_started_at == start
    assert start.date() > at(2026, 11, 23).date() and (start.hour, start.minute) == (7, 30)
    assert accepted.due_at is not None and accepted.due_at > start
    assert [e.type for e in accepted.events.order_by("seq")] == ["submitted", "received"]


def test_a_procedure_that_is_not_online_saves_nothing(demo: Any) -> None:
    with pytest.raises(ValidationError, match="không cung cấp dịch vụ công trực tuyến") as exc:
        _draft(demo, code="1.003583")  # đăng ký khai sinh lưu động: information only
    assert exc.value.code == "not_online"
    assert not DossierDraft.objects.exists()
    assert not Dossier.objects.filter(channel="online").exists()


@override_settings(CQS_MAX_UPLOAD_MB=1)
def test_an_oversized_upload_saves_nothing(demo: Any) -> None:
    big = Upload("to.pdf", PDF + b"0" * (1024 * 1024 + 1), 1, "Tờ khai")
    files_before = DossierFile.objects.count()
    with pytest.raises(ValidationError, match="vượt quá 1 MB") as exc:
        _draft(demo, uploads=(big,))
    assert "files.1" in exc.value.details
    assert not DossierDraft.objects.exists()
    assert DossierFile.objects.count() == files_before


def test_declared_fields_are_validated_on_submission(demo: Any) -> None:
    draft = _draft(demo, data={**DECLARED, "child_birth_date": "02/11/2026", "child_name": ""})
    with pytest.raises(ValidationError) as exc:
        dossier_submit_online(actor=demo.user("congdan"), draft=draft)
    assert exc.value.details["fields.child_name"] == [
        "Vui lòng nhập «Họ, chữ đệm và tên người được khai sinh»."
    ]
    assert "không đúng định dạng ngày" in exc.value.details["fields.child_birth_date"][0]
    assert DossierDraft.objects.filter(pk=draft.pk).exists()  # kept for correction
    assert not Dossier.objects.filter(channel="online").exists()


def test_missing_mandatory_paper_is_named(demo: Any) -> None:
    procedure = Procedure.objects.get(code=BIRTH)
    first = next(d for d in procedure.documents.all() if d.mandatory)
    only_one = (Upload("a.png", PNG, first.position, first.name),)
    draft = _draft(demo, uploads=only_one)
    with pytest.raises(ValidationError) as exc:
        dossier_submit_online(actor=demo.user("congdan"), draft=draft)
    missing = [k for k in exc.value.details if k.startswith("documents.")]
    assert missing, exc.value.details
    assert all("Thiếu thành phần bắt buộc" in exc.value.details[k][0] for k in missing)


def test_reuse_from_the_repository_shares_the_same_bytes(demo: Any, receive: Any) -> None:
    # An earlier counter dossier of congdan put papers in the e-repository.
    from cqs.dossiers.tests.conftest import citizen

    earlier = receive(
        applicant=citizen().__class__(**{**citizen().__dict__, "user": demo.user("congdan")})
    )
    repo = list(repository_files(demo.user("congdan")))
    assert {f.dossier_id for f in repo} >= {earlier.pk}
    paper = next(f for f in repo if f.dossier_id == earlier.pk and f.requirement_id)
    procedure = Procedure.objects.get(code=BIRTH)
    position = paper.requirement.position
    uploads = tuple(u for u in _uploads(procedure) if u.requirement != position)
    dossier = _submit(demo, uploads=uploads, reuse=((position, paper.sha256),))
    reused = dossier.files.get(requirement__position=position)
    assert reused.sha256 == paper.sha256
    assert reused.file.name == paper.file.name  # the same stored bytes, not a copy
    with reused.file.open("rb") as fh:
        assert fh.read() == paper.file.open("rb").read()
    assert dossier.events.get(seq=1).data["reused"] == 1


def test_someone_elses_repository_paper_is_refused(demo: Any, receive: Any) -> None:
    other = receive()  # no account attached
    sha = other.files.first().sha256
    with pytest.raises(ValidationError, match="Không tìm thấy giấy tờ này trong kho dữ liệu"):
        _draft(demo, reuse=((1, sha),))


def test_supplement_answered_online_then_result_then_one_rating(demo: Any) -> None:
    dossier = _submit(demo)
    tiepnhan, lanhdao, congdan = demo.user("tiepnhan"), demo.user("lanhdao"), demo.user("congdan")
    dossier_act(
        actor=tiepnhan,
        code=dossier.code,
        action="request_supplement",
        reason="Ảnh giấy chứng sinh mờ",
        missing=["Giấy chứng sinh (bản rõ nét)"],
    )
    answered = dossier_act(
        actor=congdan,
        code=dossier.code,
        action="receive_supplement",
        files=[Upload("chung-sinh.pdf", PDF + b"ro-net", name="Giấy chứng sinh")],
    )
    assert answered.status == "processing"
    assert answered.files.filter(kind="supplement").count() == 1
    with pytest.raises(TransitionNotAllowed):
        dossier_rate(actor=congdan, code=dossier.code, scores=ALL_SCORES)
    dossier_act(
        actor=lanhdao,
        code=dossier.code,
        action="attach_result",
        files=[Upload("ket-qua.pdf", PDF + b"kq", name="Giấy khai sinh")],
    )
    dossier_act(actor=lanhdao, code=dossier.code, action="approve")
    dossier_act(actor=tiepnhan, code=dossier.code, action="return_result", method="online")
    rating = dossier_rate(actor=congdan, code=dossier.code, scores=ALL_SCORES, comment="Nhanh")
    assert rating.score == 5  # mean 4.6 rounds to 5
    dossier.refresh_from_db()
    assert dossier.extra["rating"]["score"] == 5
    with pytest.raises(Conflict, match="chỉ đánh giá một lần"):
        dossier_rate(actor=congdan, code=dossier.code, scores=ALL_SCORES)
    assert DossierRating.objects.filter(dossier=dossier).count() == 1


def test_rating_needs_every_criterion_and_the_owner(demo: Any) -> None:
    dossier = _submit(demo)
    with pytest.raises(ValidationError) as exc:
        dossier_rate(actor=demo.user("congdan"), code=dossier.code, scores={"access": 9})
    assert set(exc.value.details) == {
        "access",
        "procedure_clarity",
        "officers",
        "result",
        "timeliness",
    }
    with pytest.raises(NotFound):
        dossier_rate(actor=demo.user("doanhnghiep"), code=dossier.code, scores=ALL_SCORES)


def test_an_official_cannot_answer_the_citizens_supplement_for_another_agency(demo: Any) -> None:
    from cqs.core.errors import PermissionDenied

    dossier = _submit(demo)
    dossier_act(
        actor=demo.user("tiepnhan"),
        code=dossier.code,
        action="request_supplement",
        reason="Thiếu",
        missing=["Tờ khai"],
    )
    with pytest.raises(PermissionDenied):
        dossier_act(
            actor=demo.user("tiepnhan2"),
            code=dossier.code,
            action="receive_supplement",
            files=[Upload("x.pdf", PDF)],
        )


def test_applicant_withdraws_a_submitted_dossier(demo: Any) -> None:
    dossier = _submit(demo)
    done = dossier_act(
        actor=demo.user("congdan"), code=dossier.code, action="withdraw", reason="Nộp nhầm"
    )
    assert done.status == "withdrawn"


def test_desk_code_matches_the_agency(demo: Any) -> None:
    dossier = _submit(demo)
    assert dossier.desk.code == DESK


def test_an_accepted_online_dossier_exports_and_reimports_to_the_same_state(demo: Any) -> None:
    from cqs.dossiers.interchange import dossiers_export, dossiers_import
    from cqs.dossiers.tests.test_interchange import wipe

    waiting = _submit(demo)
    accepted = _submit(demo, data=DECLARED)
    dossier_act(
        actor=demo.user("tiepnhan"),
        code=accepted.code,
        action="accept_online",
        now=at(2026, 11, 23, 10),
    )
    qs = Dossier.objects.filter(code__in=[waiting.code, accepted.code])
    first = list(dossiers_export(qs))
    # The filing still waiting for the desk is not a received dossier yet: not exported.
    assert len(first) == 1 and waiting.code not in first[0]
    before = Dossier.objects.get(code=accepted.code)
    wipe([accepted.code])
    report = dossiers_import(first)
    assert report.ok, report.errors
    after = Dossier.objects.get(code=accepted.code)
    fields = ("status", "channel", "received_at", "clock_started_at", "due_at", "step")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert after.extra["declared"] == before.extra["declared"]
    assert list(dossiers_export(Dossier.objects.filter(code=accepted.code))) == first
