from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cqs.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from cqs.audit.services import audit_record, audit_verify


def _tamper(sql: str, params: list[Any]) -> None:
    """Change a row behind the application's back, as an attacker with DB access would."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
        cursor.execute(sql, params)


@pytest.fixture
def events(demo: Any) -> list[AuditEvent]:
    actor = demo.user("quantri")
    return [
        audit_record(actor=actor, action="test.one", object_type="x.y", object_id="1"),
        audit_record(
            actor=actor,
            action="test.two",
            object_type="x.y",
            object_id="2",
            changes={"ten": "Hạ Long"},
        ),
        audit_record(actor=None, action="test.three", object_type="x.y", object_id="3"),
    ]


def test_rows_are_chained_to_their_predecessor(events: list[AuditEvent]) -> None:
    chain = events[0].chain
    rows = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    for prev, row in itertools.pairwise(rows):
        assert row.prev_hash == prev.hash
    head = AuditChainHead.objects.get(chain=chain)
    assert head.last_hash == rows[-1].hash
    assert events[2].actor_username == "system"
    assert audit_verify() == []


def test_application_cannot_update_or_delete(events: list[AuditEvent]) -> None:
    row = events[0]
    row.action = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=row.pk).delete()


def test_database_refuses_update_even_with_raw_sql(events: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[0].pk])
    assert AuditEvent.objects.get(pk=events[0].pk).action == "test.one"


def test_verify_reports_a_changed_row(events: list[AuditEvent]) -> None:
    target = events[1]
    _tamper("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [target.pk])
    problems = audit_verify()
    assert len(problems) == 1
    assert problems[0].chain == target.chain
    assert problems[0].seq == target.seq
    assert "changed" in problems[0].reason
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stderr=err)
    assert f"seq {target.seq}" in err.getvalue()


def test_verify_reports_a_deleted_row(events: list[AuditEvent]) -> None:
    target = events[1]
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    problems = audit_verify()
    assert [(p.chain, p.seq) for p in problems] == [(target.chain, target.seq)]
    assert "missing" in problems[0].reason


def test_verify_reports_rows_cut_from_the_end(events: list[AuditEvent]) -> None:
    last = AuditEvent.objects.filter(chain=events[2].chain).order_by("-seq").first()
    assert last is not None
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    problems = audit_verify()
    assert [p.chain for p in problems] == [last.chain]


def test_verify_command_ok(events: list[AuditEvent]) -> None:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "every link intact" in out.getvalue()


def test_audit_row_rolls_back_with_the_failed_service(demo: Any) -> None:
    before = AuditEvent.objects.count()

    def failing_service() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="test.rolled_back")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_service()
    assert AuditEvent.objects.count() == before
    assert audit_verify() == []
