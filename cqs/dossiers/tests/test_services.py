from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from cqs.audit.models import AuditEvent
from cqs.catalogue.models import Procedure
from cqs.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from cqs.dossiers.models import Dossier, DossierEvent, DossierFile, FileKind, IntakeNoticeKind
from cqs.dossiers.services import Applicant, dossier_act, intake_notice_issue
from cqs.dossiers.storage import Upload, check_upload
from cqs.dossiers.tests.conftest import BIRTH, COMMITTEE, PDF, PNG, at, citizen, mandatory_uploads
from cqs.notifications.models import Notification


def test_intake_issues_code_deadline_and_events(receive: Any, demo: Any) -> None:
    # Monday 23 Nov 2026 09:00; 1 working day; Tuesday 24 Nov is Vietnam Culture Day (a public
    # holiday from 2026), so the appointment is Wednesday 25 Nov 09:00.
    d = receive(now=at(2026, 11, 23, 9, 0))
    assert d.code == f"{COMMITTEE}-261123-0001"
    assert d.due_at == at(2026, 11, 25, 9, 0)
    assert d.status == "processing"
    assert d.step == 2  # the receiving step is done by the intake itself
    assert d.agency.code == COMMITTEE
    assert d.desk.code == "001.00.20.H49"
    assert d.fee_amount == sum(int(f.get("amount") or 0) for f in d.procedure.fees)
    [event] = DossierEvent.objects.filter(dossier=d)
    assert event.type == "received"
    assert event.actor_name == "Nguyễn Thị Hoa"
    files = DossierFile.objects.filter(dossier=d, kind=FileKind.INTAKE)
    assert files.count() == len(mandatory_uploads(d.procedure))
    assert all(len(f.sha256) == 64 for f in files)
    stored = files.first()
    assert stored.file.read().startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="dossier.receive", object_id=str(d.pk)).exists()
    assert Notification.objects.filter(reference=d.code, channel="email").exists()
    assert Notification.objects.filter(reference=d.code, channel="sms").exists()


def test_sequence_counts_per_agency_per_day(receive: Any) -> None:
    a = receive(now=at(2026, 11, 23, 8, 0))
    b = receive(now=at(2026, 11, 23, 10, 0))
    c = receive(now=at(2026, 11, 25, 8, 0))
    other = receive(now=at(2026, 11, 23, 8, 0), desk="001.00.21.H49", actor=_user("tiepnhan2"))
    assert [a.code[-4:], b.code[-4:], c.code[-4:]] == ["0001", "0002", "0001"]
    assert other.code == "000.00.21.H49-261123-0001"


def _user(name: str) -> Any:
    from cqs.accounts.models import User

    return User.objects.get(username=name)


def test_after_15h_counts_from_next_working_day(receive: Any) -> None:
    # Friday 27 Nov 2026 15:30 counts from Monday 30 Nov 07:30; +1 working day = Tue 1 Dec 07:30.
    d = receive(now=at(2026, 11, 27, 15, 30))
    assert d.clock_started_at == at(2026, 11, 30, 7, 30)
    assert d.due_at == at(2026, 12, 1, 7, 30)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"applicant": Applicant(kind="citizen", name="A", id_number="123")},
            "applicant.id_number",
        ),
        (
            {"applicant": Applicant(kind="citizen", name="A", id_number="003090001234")},
            "applicant.id_number",
        ),
        (
            {"applicant": Applicant(kind="citizen", name=" ", id_number="022090001234")},
            "applicant.name",
        ),
        (
            {
                "applicant": Applicant(
                    kind="citizen", name="A", id_number="022090001234", phone="12"
                )
            },
            "applicant.phone",
        ),
        (
            {"applicant": Applicant(kind="business", name="Cty", id_number="12")},
            "applicant.id_number",
        ),
        ({"files": []}, "documents.1"),
        ({"files": [Upload("x.pdf", b"MZ\x90\x00 not a pdf", requirement=1)]}, "files.0"),
        ({"files": [Upload("x.pdf", b"", requirement=1)]}, "files.0"),
        ({"files": [Upload("x.pdf", PDF, requirement=99)]}, "files.0"),
        ({"result_delivery": "pigeon"}, "result_delivery"),
    ],
)
def test_bad_intake_is_refused_and_nothing_saved(
    receive: Any, change: dict[str, Any], field: str
) -> None:
    before = (Dossier.objects.count(), DossierFile.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as err:
        receive(**change)
    assert field in err.value.details
    assert err.value.status == 422
    assert (
        Dossier.objects.count(),
        DossierFile.objects.count(),
        Notification.objects.count(),
    ) == before


@override_settings(CQS_MAX_UPLOAD_MB=1)
def test_oversized_file_is_refused(receive: Any) -> None:
    procedure = Procedure.objects.get(code=BIRTH)
    files = mandatory_uploads(procedure)
    files[0] = Upload("lon.pdf", PDF + b"0" * (1024 * 1024), requirement=files[0].requirement)
    with pytest.raises(ValidationError) as err:
        receive(files=files)
    assert "vượt quá 1 MB" in str(err.value.details)
    with pytest.raises(PayloadTooLarge):
        check_upload(files[0])


def test_only_the_desks_receiving_officer_may_receive(receive: Any, demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        receive(actor=demo.user("tiepnhan2"))  # Bãi Cháy's officer at Hạ Long's desk
    with pytest.raises(PermissionDenied):
        receive(actor=demo.user("xuly"))
    with pytest.raises(ValidationError, match="Chỉ Bộ phận Một cửa"):
        receive(desk=COMMITTEE)
    assert not Dossier.objects.exists()


def test_procedure_outside_the_agency_is_refused(receive: Any) -> None:
    province_level = Procedure.objects.filter(level="province").first()
    with pytest.raises(ValidationError, match="không thuộc thẩm quyền"):
        receive(code=province_level.code)


def _act(d: Any, actor: str, action: str, **kw: Any) -> Any:
    return dossier_act(actor=_user(actor), code=d.code, action=action, **kw)


def _result() -> list[Upload]:
    return [Upload("ket-qua.pdf", PDF + b"result", name="Giấy khai sinh")]


def test_happy_path_to_returned_result(receive: Any) -> None:
    d = receive(now=at(2026, 11, 23, 9, 0))
    d = _act(d, "xuly", "forward", now=at(2026, 11, 23, 10, 0), assignee="lanhdao")
    assert (d.step, d.assignee.username) == (3, "lanhdao")
    d = _act(d, "lanhdao", "attach_result", files=_result(), now=at(2026, 11, 23, 11, 0))
    d = _act(d, "lanhdao", "approve", now=at(2026, 11, 23, 14, 0))
    assert d.status == "result_ready"
    assert d.outcome == "early"  # finished Monday, due Wednesday
    d = _act(d, "tiepnhan", "return_result", method="counter", now=at(2026, 11, 24, 8, 0))
    assert d.status == "returned"
    types = list(d.events.values_list("type", flat=True))
    assert types == ["received", "forwarded", "result_attached", "result_ready", "returned"]
    assert Notification.objects.filter(reference=d.code, subject__contains="đã có kết quả").exists()


def test_late_finish_is_counted_late(receive: Any) -> None:
    d = receive(now=at(2026, 11, 23, 9, 0))
    d = _act(d, "lanhdao", "attach_result", files=_result())
    d = _act(d, "lanhdao", "approve", now=at(2026, 11, 25, 9, 1))
    assert d.outcome == "late"


def test_forbidden_transitions_are_explained(receive: Any) -> None:
    d = receive()
    with pytest.raises(TransitionNotAllowed, match="Đang giải quyết"):
        _act(d, "tiepnhan", "return_result")
    with pytest.raises(TransitionNotAllowed):
        _act(d, "tiepnhan", "receive_supplement", files=_result())
    with pytest.raises(NotFound):
        _act(d, "tiepnhan", "fly")
    with pytest.raises(ValidationError, match="Chưa có tệp kết quả"):
        _act(d, "lanhdao", "approve")
    d = _act(d, "lanhdao", "reject", reason="Không đủ điều kiện")
    for action in ["forward", "approve", "withdraw", "extend"]:
        with pytest.raises(TransitionNotAllowed):
            _act(d, "lanhdao", action, reason="x")


@pytest.mark.parametrize(
    ("actor", "action", "allowed"),
    [
        ("xuly", "forward", True),
        ("tiepnhan", "forward", False),  # receiving officers do not process
        ("vanthu", "forward", False),  # step 2 is the processing officer's
        ("truongphong", "forward", True),  # supervisors may move any step
        ("tiepnhan2", "forward", False),  # another commune
        ("congdan", "withdraw", False),  # not the applicant's account (counter intake)
        ("xuly", "reject", False),
        ("truongphong", "reject", True),
        ("xuly", "approve", False),
        ("quantri", "forward", False),  # administrators administer; they do not process
    ],
)
def test_role_matrix_on_a_fresh_dossier(
    receive: Any, actor: str, action: str, allowed: bool
) -> None:
    d = receive()
    if action == "approve":
        _act(d, "lanhdao", "attach_result", files=_result())
    params = {"reason": "Lý do"}
    if allowed:
        _act(d, actor, action, **params)
    else:
        with pytest.raises(PermissionDenied):
            _act(d, actor, action, **params)


def test_concurrent_actions_one_wins(receive: Any) -> None:
    d = receive()
    version = d.version
    _act(d, "xuly", "forward", expected_version=version)
    with pytest.raises(Conflict, match="người khác xử lý"):
        _act(d, "truongphong", "reject", reason="x", expected_version=version)
    d.refresh_from_db()
    assert d.status == "processing"
    assert d.step == 3


def test_supplement_restarts_the_clock(receive: Any) -> None:
    d = receive(now=at(2026, 11, 23, 9, 0))
    d = _act(
        d,
        "xuly",
        "request_supplement",
        reason="Thiếu giấy chứng sinh",
        missing=["Giấy chứng sinh"],
        now=at(2026, 11, 23, 10, 0),
    )
    assert d.status == "supplement_requested"
    assert d.paused_at == at(2026, 11, 23, 10, 0)
    with pytest.raises(ValidationError):
        _act(d, "tiepnhan", "receive_supplement", files=[])
    d = _act(
        d,
        "tiepnhan",
        "receive_supplement",
        files=[Upload("bs.png", PNG)],
        now=at(2026, 11, 26, 8, 0),
    )
    # Restart (Decree 118/2025): Thursday 26 Nov 08:00 + 1 working day = Friday 27 Nov 08:00.
    assert d.status == "processing"
    assert d.due_at == at(2026, 11, 27, 8, 0)
    assert d.paused_at is None
    assert d.supplement_count == 1


def test_supplement_pause_policy_keeps_remaining_time(receive: Any) -> None:
    Procedure.objects.filter(code=BIRTH).update(supplement_policy="pause")
    d = receive(now=at(2026, 11, 23, 9, 0))  # due Wed 25 Nov 09:00
    d = _act(
        d, "xuly", "request_supplement", reason="x", missing=["y"], now=at(2026, 11, 23, 10, 0)
    )
    d = _act(
        d,
        "tiepnhan",
        "receive_supplement",
        files=[Upload("bs.pdf", PDF)],
        now=at(2026, 11, 26, 8, 0),
    )
    # Left at the pause: Mon 10:00-11:30 (1.5 h) + 13:30-17:00 (3.5 h), Tue 24 Nov is a holiday,
    # Wed 07:30-09:00 (1.5 h) = 6.5 h of office time. From Thu 26 Nov 08:00: 3.5 h to 11:30,
    # then 3 h from 13:30 -> Thu 26 Nov 16:30.
    assert d.due_at == at(2026, 11, 26, 16, 30)


def test_transfer_keeps_clock_and_history(receive: Any, demo: Any) -> None:
    d = receive(now=at(2026, 11, 23, 9, 0))
    due = d.due_at
    with pytest.raises(ValidationError):
        _act(d, "truongphong", "transfer", to_agency="nope", reason="x")
    with pytest.raises(ValidationError, match="không chuyển về bộ phận một cửa"):
        _act(d, "truongphong", "transfer", to_agency="001.00.21.H49", reason="x")
    d = _act(
        d, "truongphong", "transfer", to_agency="000.00.15.H49", reason="Liên thông Sở Tư pháp"
    )
    assert d.agency.code == "000.00.15.H49"
    assert d.due_at == due
    from cqs.dossiers.selectors import visible_dossiers

    assert visible_dossiers(demo.user("xuly")).filter(pk=d.pk).exists()  # history kept visible
    # Hạ Long's officers no longer act on it; the department's would.
    with pytest.raises(PermissionDenied):
        _act(d, "xuly", "forward")


def test_extend_records_apology_and_keeps_late_count(receive: Any) -> None:
    d = receive(now=at(2026, 11, 23, 9, 0))
    with pytest.raises(ValidationError, match="phải sau"):
        _act(
            d,
            "lanhdao",
            "extend",
            reason="Cần xác minh",
            new_due_at=at(2026, 11, 24, 9, 0).isoformat(),
        )
    d = _act(
        d, "lanhdao", "extend", reason="Cần xác minh", new_due_at=at(2026, 11, 30, 9, 0).isoformat()
    )
    assert d.due_at == at(2026, 11, 30, 9, 0)
    d = _act(d, "lanhdao", "attach_result", files=_result())
    d = _act(d, "lanhdao", "approve", now=at(2026, 11, 27, 9, 0))
    assert d.outcome == "late"  # Decision 766 counts against the legal time limit


def test_applicant_withdraws_own_online_dossier(receive: Any, demo: Any) -> None:
    owner = demo.user("congdan")
    d = receive(applicant=Applicant(**{**citizen().__dict__, "user": owner}))
    with pytest.raises(ValidationError):
        _act(d, "congdan", "withdraw")
    d = _act(d, "congdan", "withdraw", reason="Không còn nhu cầu")
    assert d.status == "withdrawn"
    assert d.finished_at is not None


def test_return_step_needs_reason_and_a_previous_step(receive: Any) -> None:
    d = receive()
    with pytest.raises(TransitionNotAllowed):
        _act(d, "xuly", "return_step", reason="x")
    d = _act(d, "xuly", "forward")
    with pytest.raises(ValidationError):
        _act(d, "lanhdao", "return_step")
    d = _act(d, "lanhdao", "return_step", reason="Bổ sung ý kiến thẩm định")
    assert d.step == 2


def test_intake_notice(demo: Any) -> None:
    procedure = Procedure.objects.get(code=BIRTH)
    with pytest.raises(ValidationError):
        intake_notice_issue(
            actor=demo.user("tiepnhan"),
            desk=demo.agency("001.00.20.H49"),
            procedure=procedure,
            applicant=citizen(),
            kind=IntakeNoticeKind.SUPPLEMENT,
            reason="x",
            missing=[],
        )
    notice = intake_notice_issue(
        actor=demo.user("tiepnhan"),
        desk=demo.agency("001.00.20.H49"),
        procedure=procedure,
        applicant=citizen(),
        kind=IntakeNoticeKind.SUPPLEMENT,
        reason="Thiếu giấy tờ",
        missing=["Giấy chứng sinh"],
    )
    assert notice.missing == ["Giấy chứng sinh"]
    with pytest.raises(PermissionDenied):
        intake_notice_issue(
            actor=demo.user("xuly"),
            desk=demo.agency("001.00.20.H49"),
            procedure=procedure,
            applicant=citizen(),
            kind=IntakeNoticeKind.REFUSAL,
            reason="Không thuộc thẩm quyền",
        )


def test_events_are_append_only(receive: Any) -> None:
    d = receive()
    event = d.events.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_due_soon_and_overdue(receive: Any) -> None:
    from cqs.dossiers.rules import DueState, due_soon_window, due_state
    from cqs.workdays.selectors import work_calendar

    d = receive(now=at(2026, 11, 23, 9, 0))
    cal = work_calendar()
    # A 1-working-day dossier is "due soon" in the last 20% of its office time (1.5 h).
    window = due_soon_window(cal, d.clock_started_at, d.due_at)
    assert window == timedelta(hours=1, minutes=30)
    assert due_state(at(2026, 11, 23, 9, 0), d.due_at, cal, soon=window) == DueState.ON_TRACK
    assert due_state(at(2026, 11, 25, 7, 45), d.due_at, cal, soon=window) == DueState.DUE_SOON
    assert (
        due_state(d.due_at + timedelta(minutes=1), d.due_at, cal, soon=window) == DueState.OVERDUE
    )
    assert due_state(d.due_at, d.due_at, cal, paused=True) == DueState.PAUSED
