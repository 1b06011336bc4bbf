from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from PIL import Image

from cqs.accounts.rules import Role
from cqs.accounts.services import role_assign
from cqs.audit.models import AuditEvent
from cqs.core.errors import (
    Conflict,
    PayloadTooLarge,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from cqs.notifications.models import Notification
from cqs.reports.models import PhotoKind, Report, RoutingRule
from cqs.reports.photos import PhotoUpload, read_file
from cqs.reports.selectors import nearby_similar, report_queue, report_stats, time_held_by_agency
from cqs.reports.services import (
    Contact,
    open311_key_authenticate,
    open311_key_create,
    open311_key_revoke,
    report_act,
    report_moderate,
    report_rate,
    report_recategorize,
    reports_close_expired,
    reports_escalate,
)
from cqs.reports.tests.conftest import (
    BAI_CHAY,
    COMMITTEE_BC,
    COMMITTEE_HL,
    LON,
    at,
    category,
    commune,
    jpeg_with_gps,
    png_bytes,
)
from cqs.reports.workflow import TRANSITIONS, Action, Status

pytestmark = pytest.mark.django_db


def test_submit_routes_plans_and_notifies(demo: Any, submit: Any, photo: PhotoUpload) -> None:
    report = submit(photos=[photo], now=at(2026, 3, 2, 9))  # a Monday
    assert report.status == Status.RECEIVED and report.is_open
    assert report.agency.code == COMMITTEE_HL  # fallback: the commune's committee
    # 5 working days from Monday 09:00
    assert report.deadline == at(2026, 3, 9, 9)
    assert report.events.get().type == "received"
    assert AuditEvent.objects.filter(action="report.submit", object_id=str(report.pk)).exists()
    assert Notification.objects.filter(reference=report.code).exists()
    assert report.photos.count() == 1


def test_public_copy_has_no_exif(submit: Any, photo: PhotoUpload) -> None:
    report = submit(photos=[photo, PhotoUpload("b.png", png_bytes())])
    first, second = report.photos.order_by("id")
    original = Image.open(io.BytesIO(read_file(first.original)))
    assert original.getexif().get_ifd(0x8825)  # the original keeps its GPS (staff evidence)
    public = Image.open(io.BytesIO(read_file(first.public)))
    assert dict(public.getexif()) == {}
    assert public.getexif().get_ifd(0x8825) == {}
    assert "exif" not in public.info
    assert Image.open(io.BytesIO(read_file(second.public))).format == "PNG"


def test_anonymous_needs_contact_and_keeps_it_private(
    submit: Any, anonymous_contact: Contact
) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ValidationError) as exc:
        submit(actor=AnonymousUser())
    assert "contact" in exc.value.details
    report = submit(actor=AnonymousUser(), contact=anonymous_contact)
    assert report.reporter is None
    assert report.contact_phone == "0987654321"
    assert "0987654321" not in report.public_description


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"lat": Decimal("13.75"), "lon": Decimal("100.5")}, "location"),  # Bangkok
        ({"lat": Decimal("48.85"), "lon": Decimal("2.35")}, "location"),
        ({"lat": None, "lon": None, "commune": None, "address": ""}, "location"),
        ({"lat": None, "lon": None, "address": ""}, "address"),
        ({"lat": Decimal("20.9"), "lon": None}, "location"),
        ({"description": "ngắn"}, "description"),
        ({"photos": [PhotoUpload("x.jpg", b"%PDF-1.4 not an image")]}, "photos.0"),
        ({"photos": [PhotoUpload("x.jpg", b"\xff\xd8\xff\xe0 broken jpeg")]}, "photos.0"),
        ({"photos": [PhotoUpload(f"{i}.png", png_bytes()) for i in range(6)]}, "photos"),
    ],
)
def test_bad_input_saves_nothing(submit: Any, kw: dict[str, Any], field: str) -> None:
    before = Report.objects.count()
    with pytest.raises(ValidationError) as exc:
        submit(**kw)
    assert field in exc.value.details
    assert Report.objects.count() == before


@override_settings(CQS_REPORTS_PHOTO_MAX_MB=0.01)
def test_oversized_photo_refused(submit: Any) -> None:
    before = Report.objects.count()
    with pytest.raises(PayloadTooLarge):
        submit(photos=[PhotoUpload("big.jpg", jpeg_with_gps() + b"\x00" * 20_000)])
    assert Report.objects.count() == before


def test_masking_and_script_kept_as_text(submit: Any) -> None:
    report = submit(
        description="<script>alert(1)</script> Gọi 0912345678, CCCD 022090001234, a@b.vn"
    )
    assert "0912345678" not in report.public_description
    assert "022090001234" not in report.public_description
    assert "a@b.vn" not in report.public_description
    assert report.description.startswith("<script>")  # stored as text; escaped on output


def test_routing_rule_wins(demo: Any, submit: Any) -> None:
    RoutingRule.objects.create(
        priority=1,
        name="Xây dựng -> Bãi Cháy",
        category=category("trat-tu-xay-dung"),
        agency=demo.agency(COMMITTEE_BC),
    )
    report = submit(category=category("trat-tu-xay-dung"))
    assert report.agency.code == COMMITTEE_BC
    assert report.routing_rule_id is not None
    assert submit().agency.code == COMMITTEE_HL


def _full_cycle(demo: Any, report: Report) -> Report:
    report = report_act(actor=demo.user("xuly"), code=report.code, action="verify")
    report = report_act(
        actor=demo.user("truongphong"),
        code=report.code,
        action="assign",
        assignee=demo.user("xuly"),
    )
    report = report_act(actor=demo.user("xuly"), code=report.code, action="start")
    return report_act(
        actor=demo.user("xuly"),
        code=report.code,
        action="resolve",
        answer="Đã giải tỏa vỉa hè, lập biên bản.",
        photos=[PhotoUpload("sau.png", png_bytes())],
    )


def test_happy_path_reopen_dispute_close_rate(demo: Any, submit: Any) -> None:
    report = _full_cycle(demo, submit())
    assert report.status == Status.RESOLVED and not report.is_open
    assert report.photos.filter(kind=PhotoKind.AFTER).count() == 1
    citizen = demo.user("congdan")
    report = report_act(actor=citizen, code=report.code, action="dispute", note="Vẫn còn lấn chiếm")
    assert report.status == Status.DISPUTED and report.is_open
    assert report in report_queue(demo.user("truongphong"))
    report = report_act(
        actor=demo.user("xuly"), code=report.code, action="resolve", answer="Đã cưỡng chế lần hai."
    )
    report = report_act(actor=citizen, code=report.code, action="reopen", note="Tái lấn chiếm")
    assert report.status == Status.REOPENED and report.reopen_count == 2
    report = report_act(
        actor=demo.user("xuly"), code=report.code, action="resolve", answer="Đã xử lý dứt điểm."
    )
    report = report_act(actor=citizen, code=report.code, action="close")
    assert report.status == Status.CLOSED
    report = report_rate(actor=citizen, code=report.code, rating=4, comment="Tốt")
    assert report.rating == 4
    with pytest.raises(Conflict):
        report_rate(actor=citizen, code=report.code, rating=5)
    types = list(report.events.values_list("type", flat=True))
    assert types[:5] == ["received", "verify", "assign", "start", "resolve"]
    assert (
        AuditEvent.objects.filter(object_id=str(report.pk), object_type="reports.report").count()
        >= 10
    )


def test_reopen_window(demo: Any, submit: Any, settings: Any) -> None:
    settings.CQS_REPORTS_REOPEN_DAYS = 3
    report = _full_cycle(demo, submit())
    assert report.resolved_at is not None
    later = report.resolved_at + timedelta(days=4)
    with pytest.raises(TransitionNotAllowed):
        report_act(
            actor=demo.user("congdan"), code=report.code, action="reopen", note="x", now=later
        )
    assert reports_close_expired(now=later) == 1
    assert Report.objects.get(pk=report.pk).status == Status.CLOSED


def test_anonymous_reporter_acts_with_key(
    demo: Any, submit: Any, anonymous_contact: Contact
) -> None:
    from django.contrib.auth.models import AnonymousUser

    report = _full_cycle(demo, submit(actor=AnonymousUser(), contact=anonymous_contact))
    with pytest.raises(PermissionDenied):
        report_act(actor=AnonymousUser(), code=report.code, action="dispute", note="Chưa xong")
    with pytest.raises(PermissionDenied):
        report_act(
            actor=AnonymousUser(), code=report.code, action="dispute", note="x", reporter_key="bad"
        )
    report = report_act(
        actor=AnonymousUser(),
        code=report.code,
        action="dispute",
        note="Chưa xong",
        reporter_key=report.token,
    )
    assert report.status == Status.DISPUTED


# Every (status, action) pair that is not in the table is refused.
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
def test_forbidden_transitions(demo: Any, submit: Any, status: Status, action: Action) -> None:
    if (status, action) in TRANSITIONS:
        return
    report = submit()
    Report.objects.filter(pk=report.pk).update(status=status)
    with pytest.raises(TransitionNotAllowed):
        report_act(actor=demo.user("lanhdao"), code=report.code, action=action)


PERSONAS = ["tiepnhan", "xuly", "truongphong", "lanhdao", "quantri", "congdan", "tiepnhan2"]
# Who may do what on a report at the Hạ Long committee (x = allowed).
MATRIX = {
    "verify": {"xuly", "truongphong", "lanhdao"},
    "assign": {"truongphong", "lanhdao"},
    "transfer": {"truongphong", "lanhdao"},
    "reject": {"truongphong", "lanhdao"},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(demo: Any, submit: Any, persona: str, action: str) -> None:
    report = submit()
    kw: dict[str, Any] = {
        "assign": {"assignee": demo.user("xuly")},
        "transfer": {"to_agency": demo.agency(COMMITTEE_BC), "note": "Sai địa bàn"},
        "reject": {"reason": "out_of_scope", "note": "Không thuộc phạm vi"},
    }.get(action, {})
    if persona in MATRIX[action]:
        report_act(actor=demo.user(persona), code=report.code, action=action, **kw)
    else:
        with pytest.raises(PermissionDenied):
            report_act(actor=demo.user(persona), code=report.code, action=action, **kw)


def test_reporter_only_actions_refuse_staff(demo: Any, submit: Any) -> None:
    report = _full_cycle(demo, submit())
    with pytest.raises(PermissionDenied):
        report_act(actor=demo.user("lanhdao"), code=report.code, action="dispute", note="x")
    other = demo.user("doanhnghiep")
    with pytest.raises(PermissionDenied):
        report_act(actor=other, code=report.code, action="reopen", note="x")


def test_transfer_keeps_clock_and_records_time_held(demo: Any, submit: Any) -> None:
    report = submit(now=at(2026, 3, 2, 9))
    deadline = report.deadline
    report = report_act(
        actor=demo.user("truongphong"),
        code=report.code,
        action="transfer",
        to_agency=demo.agency(COMMITTEE_BC),
        note="Địa điểm thuộc phường Bãi Cháy",
        now=at(2026, 3, 3, 9),
    )
    assert report.agency.code == COMMITTEE_BC
    assert report.deadline == deadline
    assert time_held_by_agency(report) == [(COMMITTEE_HL, 8 * 3600 - 30 * 60)]
    # no longer in the first agency's queue, now in the second's (its admin sees it)
    assert report not in report_queue(demo.user("truongphong"))
    assert report in report_queue(demo.user("quantrixa"))


def test_reject_duplicate_merges(demo: Any, submit: Any) -> None:
    original = submit()
    duplicate = submit()
    with pytest.raises(ValidationError):
        report_act(
            actor=demo.user("truongphong"),
            code=duplicate.code,
            action="reject",
            reason="duplicate",
            note="Trùng",
            duplicate_of="PA000000-XXXXXX",
        )
    duplicate = report_act(
        actor=demo.user("truongphong"),
        code=duplicate.code,
        action="reject",
        reason="duplicate",
        note="Trùng phản ánh đang xử lý",
        duplicate_of=original.code,
    )
    assert duplicate.status == Status.REJECTED and duplicate.merged_into == original
    assert original.events.filter(type="merged").exists()


def test_assign_requires_officer_of_agency(demo: Any, submit: Any) -> None:
    report = submit()
    with pytest.raises(ValidationError):
        report_act(
            actor=demo.user("truongphong"),
            code=report.code,
            action="assign",
            assignee=demo.user("tiepnhan2"),
        )


def test_expected_version_conflict(demo: Any, submit: Any) -> None:
    report = submit()
    report_act(actor=demo.user("xuly"), code=report.code, action="verify", expected_version=1)
    with pytest.raises(Conflict):
        report_act(
            actor=demo.user("truongphong"),
            code=report.code,
            action="assign",
            assignee=demo.user("xuly"),
            expected_version=1,
        )


def test_moderation(demo: Any, submit: Any) -> None:
    report = submit()
    assert not report.is_public
    with pytest.raises(PermissionDenied):
        report_moderate(
            actor=demo.user("xuly"), code=report.code, public_description="x" * 20, publish=True
        )
    report = report_moderate(
        actor=demo.user("truongphong"),
        code=report.code,
        public_description="Lấn chiếm vỉa hè, liên hệ 0912345678",
        publish=True,
    )
    assert report.is_public
    assert report.public_description == "Lấn chiếm vỉa hè, liên hệ [đã ẩn số điện thoại]"


def test_recategorize_reroutes(demo: Any, submit: Any) -> None:
    RoutingRule.objects.create(
        priority=1,
        name="Môi trường",
        category=category("moi-truong"),
        agency=demo.agency("000.00.09.H49"),
    )
    report = submit()
    report = report_recategorize(
        actor=demo.user("truongphong"), code=report.code, category=category("moi-truong")
    )
    assert report.agency.code == "000.00.09.H49"
    assert report.events.filter(type="recategorized").exists()


def test_escalation_command(demo: Any, submit: Any) -> None:
    report = submit(category=category("an-ninh-trat-tu"), now=at(2026, 3, 2, 9))  # 24 office hours
    assert reports_escalate(now=at(2026, 3, 2, 10)) == (0, 0)
    # 24 office hours from Monday 09:00 end on Thursday 10:30; near = 4 office hours left
    assert report.deadline == at(2026, 3, 5, 10, 30)
    near, over = reports_escalate(now=at(2026, 3, 4, 16, 30))
    assert (near, over) == (1, 0)
    assert reports_escalate(now=at(2026, 3, 4, 16, 45)) == (0, 0)  # once per level
    out = io.StringIO()
    call_command("escalate_reports", "--now", at(2026, 3, 9, 9).isoformat(), stdout=out)
    assert "1 quá hạn" in out.getvalue()
    report.refresh_from_db()
    assert report.escalated_overdue
    assert report.events.filter(type="escalated").count() == 2
    heads = Notification.objects.filter(
        reference=report.code,
        recipient__in=["lanhdao@example.invalid", "truongphong@example.invalid"],
    )
    assert heads.count() == 4


def test_nearby_similar(submit: Any) -> None:
    a = submit(lat=Decimal("20.951500"), lon=Decimal("107.078000"))
    submit(lat=Decimal("20.960000"), lon=Decimal("107.078000"))  # ~ 950 m away
    submit(category=category("moi-truong"))  # another category
    found = nearby_similar(category=category(), lat=Decimal("20.952000"), lon=LON)
    assert [n.report for n in found] == [a]
    assert 50 < found[0].distance_m < 60


def test_stats(demo: Any, submit: Any) -> None:
    r1 = _full_cycle(demo, submit())
    report_act(actor=demo.user("congdan"), code=r1.code, action="reopen", note="Chưa xong")
    submit(commune=commune(BAI_CHAY))
    stats = report_stats(demo.user("quantri"))
    assert stats["total"] >= 2
    assert stats["resolved"] == 1
    assert stats["resolved_on_time_share"] == 1.0
    assert stats["reopen_rate"] == 1.0
    assert stats["by_month"]


def test_open311_keys(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        open311_key_create(actor=demo.user("xuly"), name="x")
    key, raw = open311_key_create(actor=demo.user("quantri"), name="Ứng dụng Hạ Long Smart")
    assert raw not in key.key_hash
    assert open311_key_authenticate(raw) == key
    assert open311_key_authenticate(raw + "x") is None
    open311_key_revoke(actor=demo.user("quantri"), key=key)
    assert open311_key_authenticate(raw) is None


def test_role_assign_helper_for_other_agency(demo: Any, submit: Any) -> None:
    role_assign(
        actor=None,
        user=demo.user("tiepnhan2"),
        role=Role.HEAD_OF_DIVISION,
        agency=demo.agency(COMMITTEE_BC),
    )
    report = submit(commune=commune(BAI_CHAY), lat=None, lon=None)
    assert report.agency.code == COMMITTEE_BC
    report_act(actor=demo.user("tiepnhan2"), code=report.code, action="verify")
