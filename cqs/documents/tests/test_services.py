from __future__ import annotations

import hashlib
import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from cqs.audit.models import AuditEvent
from cqs.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.documents import selectors, services, tasks
from cqs.documents.models import Document, DocumentEvent, RegisterCounter, TaskStatus
from cqs.documents.services import Upload
from cqs.documents.tests.conftest import COMMITTEE, DIVISION, PDF, doc_type


def test_register_gives_arrival_numbers_in_sequence_and_keeps_metadata(
    demo: Any, register: Any
) -> None:
    a = register(summary="Công văn thứ nhất")
    b = register(summary="Công văn thứ hai")
    assert (a.arrival_number, b.arrival_number) == (1, 2)
    assert a.status == "registered" and a.notation == "15/STP-VP"
    f = a.files.get()
    assert f.sha256 == hashlib.sha256(f.file.read()).hexdigest() and f.size > 500
    assert a.signature_report["files"][0]["signatures"] == 0
    assert DocumentEvent.objects.filter(document=a, action="registered").exists()
    assert AuditEvent.objects.filter(
        action="document.incoming_register", object_id=str(a.pk)
    ).exists()


def test_only_the_records_clerk_registers(demo: Any, register: Any) -> None:
    with pytest.raises(PermissionDenied):
        register(actor=demo.user("xuly"))
    with pytest.raises(PermissionDenied):
        register(actor=demo.user("vanthu"), agency=demo.agency("000.00.21.H49"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"issuer_name": ""}, "issuer_name"),
        ({"urgency": "soon"}, "urgency"),
        ({"files": []}, "files"),
        ({"pages": 0}, "pages"),
    ],
)
def test_bad_metadata_is_refused_and_nothing_registered(
    register: Any, change: dict[str, Any], field: str
) -> None:
    before = Document.objects.count()
    with pytest.raises(ValidationError) as exc:
        register(**change)
    assert field in exc.value.details
    assert Document.objects.count() == before
    assert not RegisterCounter.objects.filter(direction="incoming").exists()


def test_non_pdf_upload_is_refused(register: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        register(files=[Upload("virus.exe", b"MZ\x90\x00")])
    assert "không phải PDF" in exc.value.message


def test_arrival_numbers_restart_on_first_of_january(demo: Any, register: Any) -> None:
    tz = timezone.get_current_timezone()
    from datetime import datetime

    last_day = datetime(2026, 12, 31, 16, 0, tzinfo=tz)
    first_day = datetime(2027, 1, 1, 8, 0, tzinfo=tz)
    a = register(now=last_day, summary="a")
    b = register(now=last_day, summary="b")
    c = register(now=first_day, summary="c")
    assert (a.arrival_number, b.arrival_number, c.arrival_number) == (1, 2, 1)
    assert (a.year, c.year) == (2026, 2027)


def test_incoming_is_routed_assigned_and_processed(demo: Any, register: Any) -> None:
    doc = register()
    leader, head, officer = demo.user("lanhdao"), demo.user("truongphong"), demo.user("xuly")
    deadline = timezone.localdate() + timedelta(days=10)
    with pytest.raises(PermissionDenied):
        services.incoming_assign(actor=head, document=doc, lead_division=demo.agency(DIVISION))
    doc = services.incoming_assign(
        actor=leader,
        document=doc,
        lead_division=demo.agency(DIVISION),
        cooperating=[demo.agency("003.00.20.H49")],
        information=[demo.agency("004.00.20.H49")],
        deadline=deadline,
        instructions="Giao Văn phòng chủ trì",
        expected_version=doc.version,
    )
    assert doc.status == "assigned" and doc.lead_division.code == DIVISION
    assert doc in selectors.inbox(head).to_assign_officer
    with pytest.raises(Conflict):
        services.incoming_assign_officer(
            actor=head, document=doc, officer=officer, expected_version=doc.version - 1
        )
    doc = services.incoming_assign_officer(actor=head, document=doc, officer=officer)
    assert doc in selectors.inbox(officer).processing
    with pytest.raises(ValidationError):
        services.incoming_complete(actor=officer, document=doc, note="")
    doc = services.incoming_complete(
        actor=officer, document=doc, note="Đã tham mưu văn bản trả lời"
    )
    assert doc.status == "done"
    actions = list(doc.events.values_list("action", flat=True))
    assert actions == ["registered", "assigned", "officer_assigned", "completed"]
    with pytest.raises(TransitionNotAllowed):
        services.incoming_complete(actor=officer, document=doc, note="again")


def test_assignment_outside_the_agency_is_refused(demo: Any, register: Any) -> None:
    doc = register()
    with pytest.raises(ValidationError):
        services.incoming_assign(
            actor=demo.user("lanhdao"), document=doc, lead_division=demo.agency("000.00.21.H49")
        )
    with pytest.raises(ValidationError):
        services.incoming_assign(
            actor=demo.user("lanhdao"),
            document=doc,
            lead_division=demo.agency(DIVISION),
            deadline=timezone.localdate() - timedelta(days=1),
        )


def test_visibility_is_per_agency(demo: Any, register: Any) -> None:
    doc = register()
    assert selectors.document_list(demo.user("xuly")) == [doc]
    assert selectors.document_list(demo.user("tiepnhan2")) == []
    from cqs.core.errors import NotFound

    with pytest.raises(NotFound):
        services.document_get(actor=demo.user("tiepnhan2"), pk=doc.pk)


def test_due_soon_and_overdue_counts(demo: Any, register: Any) -> None:
    today = timezone.localdate()
    leader = demo.user("lanhdao")
    soon = register(summary="sắp hạn")
    services.incoming_assign(
        actor=leader, document=soon, lead_division=demo.agency(DIVISION), deadline=today
    )
    late = register(summary="quá hạn")
    services.incoming_assign(
        actor=leader, document=late, lead_division=demo.agency(DIVISION), deadline=today
    )
    Document.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=3))
    box = selectors.inbox(leader)
    assert (box.due_soon, box.overdue) == (1, 1)
    assert [d.pk for d in selectors.document_list(leader, due="overdue")] == [late.pk]


def test_accent_insensitive_search(demo: Any, register: Any) -> None:
    a = register(summary="Về việc tổ chức Lễ hội Carnaval Hạ Long", notation="KH-UBND", number=102)
    register(summary="Về việc phòng chống bão số 3")
    user = demo.user("vanthu")
    assert [d.pk for d in selectors.document_list(user, query="le hoi carnaval")] == [a.pk]
    assert [d.pk for d in selectors.document_list(user, query="Lễ Hội")] == [a.pk]
    assert [d.pk for d in selectors.document_list(user, query="102/KH-UBND")] == [a.pk]
    assert selectors.document_list(user, query="khong co tu nay") == []


def test_search_reads_text_extracted_from_the_pdf(demo: Any, register: Any) -> None:
    from cqs.documents.render import render_document_pdf

    pdf = render_document_pdf(
        agency_name="Sở Tư pháp",
        parent_name="UBND tỉnh Quảng Ninh",
        place="Hạ Long",
        notation="STP-VP",
        type_name="Công văn",
        summary="Tuyên truyền pháp luật",
        body="Đề nghị phối hợp tổ chức Ngày Pháp luật Việt Nam tại khu phố Cột Đồng Hồ.",
        signer_position="Giám đốc",
        signer_name="Nguyễn Văn Bình",
        day=date(2026, 11, 9),
        is_letter=True,
    )
    doc = register(summary="Công văn của Sở Tư pháp", files=[Upload("cv.pdf", pdf)])
    user = demo.user("vanthu")
    assert [d.pk for d in selectors.document_list(user, query="cot dong ho")] == [doc.pk]


def test_outgoing_draft_review_versions_and_comments(demo: Any) -> None:
    officer, head = demo.user("xuly"), demo.user("truongphong")
    doc = services.outgoing_draft(
        actor=officer,
        agency=demo.agency(COMMITTEE),
        doc_type=doc_type("QĐ"),
        summary="Về việc thành lập Tổ công tác",
    )
    assert "QUYẾT ĐỊNH" in doc.body and "thành lập Tổ công tác" in doc.body
    doc = services.outgoing_revise(
        actor=officer, document=doc, summary=doc.summary, body=doc.body + "\nĐiều 4. ..."
    )
    doc = services.outgoing_submit(actor=officer, document=doc)
    with pytest.raises(ValidationError):
        services.outgoing_review(actor=head, document=doc, approve=False, comment="")
    doc = services.outgoing_review(
        actor=head, document=doc, approve=False, comment="Bổ sung căn cứ pháp lý"
    )
    assert doc.status == "draft"
    doc = services.outgoing_revise(
        actor=officer, document=doc, summary=doc.summary, body="Căn cứ Luật ...\n" + doc.body
    )
    doc = services.outgoing_submit(actor=officer, document=doc)
    doc = services.outgoing_review(actor=head, document=doc, approve=True, comment="Đồng ý")
    assert doc.status == "awaiting_signature"
    assert list(doc.versions.values_list("number", flat=True)) == [1, 2, 3]
    assert [c.text for c in doc.comments.all()] == ["Bổ sung căn cứ pháp lý", "Đồng ý"]
    assert doc in selectors.inbox(demo.user("lanhdao")).to_sign
    with pytest.raises(PermissionDenied):
        services.outgoing_sign(actor=head, document=doc)


def test_notation_uses_agency_and_unit_for_letters(demo: Any) -> None:
    officer = demo.user("xuly")
    letter = services.outgoing_draft(
        actor=officer,
        agency=demo.agency(COMMITTEE),
        doc_type=doc_type("CV"),
        summary="Về việc báo cáo",
        drafting_unit=demo.agency(DIVISION),
    )
    services.agency_profile_set(
        actor=demo.user("quantri"), agency=demo.agency(DIVISION), abbreviation="VP"
    )
    assert services._notation_for(letter) == "UBND-VP"
    decision = services.outgoing_draft(
        actor=officer, agency=demo.agency(COMMITTEE), doc_type=doc_type("QĐ"), summary="Về việc ..."
    )
    assert services._notation_for(decision) == "QĐ-UBND"


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_gives_the_same_number_twice(seeded_transactional_db: Any) -> None:
    from cqs.units.models import Agency

    agency = Agency.objects.get(code=COMMITTEE)
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            from django.db import OperationalError, transaction

            for _ in range(10):
                for attempt in range(50):
                    try:
                        with transaction.atomic():
                            number = services.next_register_number(agency, "outgoing", 2026)
                        break
                    except OperationalError as exc:
                        # The test database is SQLite in memory with a shared cache, whose
                        # table locks fail at once ("database table is locked") instead of
                        # waiting on busy_timeout as the file database (WAL, BEGIN IMMEDIATE)
                        # does in production. A rolled-back attempt took no number; retry.
                        if "locked" not in str(exc) or attempt == 49:
                            raise
                        time.sleep(0.01)
                results.append(number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == list(range(1, 81)), connection.vendor


def test_tasks_progress_and_statistics(demo: Any, register: Any) -> None:
    leader = demo.user("lanhdao")
    source = register()
    today = timezone.localdate()
    t1 = tasks.task_assign(
        actor=leader,
        assigner_agency=demo.agency(COMMITTEE),
        title="Rà soát thủ tục hành chính",
        owner=demo.agency(COMMITTEE),
        deadline=today + timedelta(days=5),
        source_document=source,
        co_owners=[demo.agency("003.00.20.H49")],
        expected_output="Báo cáo",
    )
    t2 = tasks.task_assign(
        actor=leader,
        assigner_agency=demo.agency(COMMITTEE),
        title="Tổng kết năm",
        owner=demo.agency(COMMITTEE),
        deadline=today,
        source_meeting="Giao ban tuần 47",
    )
    with pytest.raises(ValidationError):
        tasks.task_assign(
            actor=leader,
            assigner_agency=demo.agency(COMMITTEE),
            title="x",
            owner=demo.agency(DIVISION),
            deadline=today,
        )
    with pytest.raises(PermissionDenied):
        tasks.task_assign(
            actor=demo.user("xuly"),
            assigner_agency=demo.agency(COMMITTEE),
            title="x",
            owner=demo.agency(DIVISION),
            deadline=today,
            source_meeting="họp",
        )
    tasks.task_report(
        actor=demo.user("xuly"),
        task=t1,
        progress=50,
        text="Đã rà soát 20 thủ tục",
        file=Upload("bao-cao.pdf", PDF),
    )
    tasks.task_report(actor=demo.user("xuly"), task=t1, progress=100, text="Hoàn thành")
    t1.refresh_from_db()
    assert t1.status == TaskStatus.DONE and t1.done_on == today
    with pytest.raises(TransitionNotAllowed):
        tasks.task_report(actor=demo.user("xuly"), task=t1, progress=100, text="lại")
    stats = {
        s.agency.code: s for s in selectors.task_stats(leader, today=today + timedelta(days=1))
    }
    s = stats[COMMITTEE]
    assert (s.done_on_time, s.done_late, s.open_on_track, s.open_overdue) == (1, 0, 0, 1)
    assert selectors.due_state(t2.deadline, today=today) == "due_soon"


def test_document_stats_for_the_dashboard(demo: Any, register: Any) -> None:
    a = register()
    register()
    services.incoming_assign(
        actor=demo.user("lanhdao"), document=a, lead_division=demo.agency(DIVISION)
    )
    start = timezone.now() - timedelta(days=1)
    rows = selectors.document_stats(None, start, timezone.now() + timedelta(days=1))
    (row,) = rows
    assert row["agency_code"] == COMMITTEE and row["level"] == "commune"
    assert (row["documents"], row["processed_online"], row["online_share"]) == (2, 1, 0.5)
    assert row["signed_share"] is None
    assert selectors.document_stats([demo.agency("000.00.21.H49").pk], start, timezone.now()) == []
