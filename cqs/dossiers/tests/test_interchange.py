from __future__ import annotations

import copy
import gzip
import io
import json
from datetime import date, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from cqs.audit.models import AuditEvent
from cqs.catalogue.models import Procedure
from cqs.dossiers import services
from cqs.dossiers.interchange import (
    dossiers_export,
    dossiers_import,
    importer,
)
from cqs.dossiers.models import (
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    DossierFile,
    DossierParticipant,
)
from cqs.dossiers.projection import EVENT_ACTIONS
from cqs.dossiers.services import dossier_act
from cqs.dossiers.storage import Upload
from cqs.dossiers.tests.conftest import BIRTH, PDF, PNG, at

AGENCY = "000.00.21.H49"  # Ủy ban nhân dân phường Bãi Cháy
CODE = f"{AGENCY}-261015-0007"


def spec_line(**over: Any) -> dict[str, Any]:
    """The example of shared/domain/interchange.md with the demo province's codes."""
    line = {
        "code": CODE,
        "procedure_code": BIRTH,
        "agency_code": AGENCY,
        "unit_code": "06673",
        "channel": "online",
        "applicant": {
            "kind": "citizen",
            "id_number": "022190001234",
            "name": "Nguyễn Văn A",
            "phone": "0912345678",
            "email": None,
            "address_unit_code": "06673",
        },
        "received_at": "2026-10-15T08:31:00+07:00",
        "due_at": None,
        "fee": {"amount": 0, "paid_online": False, "paid_at": None},
        "files": [{"requirement": "Tờ khai đăng ký khai sinh", "digitized": True, "sha256": None}],
        "result": {"digitized": True, "signed": True},
        "rating": {"score": 5, "at": "2026-10-19T10:00:00+07:00"},
        "events": [
            {"type": "received", "at": "2026-10-15T08:31:00+07:00", "actor": "receiving-officer"},
            {
                "type": "supplement_requested",
                "at": "2026-10-15T10:00:00+07:00",
                "reason": "Thiếu giấy chứng sinh",
            },
            {"type": "supplement_received", "at": "2026-10-16T09:00:00+07:00"},
            {"type": "result_ready", "at": "2026-10-19T08:00:00+07:00"},
            {"type": "returned", "at": "2026-10-19T09:30:00+07:00", "method": "counter"},
        ],
        "legacy_id": {"system": "motcua-2019", "id": 48213},
    }
    line.update(over)
    return line


def text(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)


def wipe(codes: list[str] | None = None) -> None:
    """A fresh state for these dossiers (events are append-only: only tests remove them)."""
    qs = Dossier.objects.all() if codes is None else Dossier.objects.filter(code__in=codes)
    ids = list(qs.values_list("pk", flat=True))
    DossierEvent.objects.filter(dossier_id__in=ids).delete()
    DossierFile.objects.filter(dossier_id__in=ids).delete()
    DossierParticipant.objects.filter(dossier_id__in=ids).delete()
    Dossier.objects.filter(pk__in=ids).delete()


# --- Import ---------------------------------------------------------------------------------


def test_spec_example_imports_with_derived_state(demo: Any) -> None:
    report = dossiers_import([text(spec_line())])
    assert report.as_dict() == {
        "lines": 1,
        "created": 1,
        "unchanged": 0,
        "conflicts": 0,
        "errors": 0,
    }
    d = Dossier.objects.select_related("agency", "desk", "unit").get(code=CODE)
    assert d.status == "returned"
    assert d.received_at == at(2026, 10, 15, 8, 31)
    # Received Thu 08:31, 1 working day; the supplement came back Fri 09:00 and the birth
    # registration restarts its clock (Decree 118/2025): due Mon 19 Oct 09:00.
    assert d.clock_started_at == at(2026, 10, 16, 9, 0)
    assert d.due_at == at(2026, 10, 19, 9, 0)
    assert d.extra["original_due_at"] == "2026-10-19T09:00:00+07:00"
    assert d.supplement_count == 1
    assert d.paused_at is None
    assert d.finished_at == at(2026, 10, 19, 8, 0)
    assert d.outcome == "on_time"  # the appointment day, before the appointed hour
    assert (d.agency.code, d.desk.code, d.unit.code) == (AGENCY, "001.00.21.H49", "06673")
    assert d.applicant_user is None
    assert d.step == 2 and d.version == 5
    assert d.extra["raw"] == {"legacy_id": {"system": "motcua-2019", "id": 48213}}
    assert d.extra["rating"] == {"score": 5, "at": "2026-10-19T10:00:00+07:00"}
    assert not DossierFile.objects.filter(dossier=d).exists()  # metadata only, no bytes
    events = list(d.events.order_by("seq").values_list("type", "from_status", "to_status"))
    assert events == [
        ("received", "", "processing"),
        ("supplement_requested", "processing", "supplement_requested"),
        ("supplement_received", "supplement_requested", "processing"),
        ("result_ready", "processing", "result_ready"),
        ("returned", "result_ready", "returned"),
    ]
    assert d.events.get(seq=1).actor_name == "receiving-officer"
    assert d.events.get(seq=2).data == {"reason": "Thiếu giấy chứng sinh"}
    assert list(d.participants.values_list("agency__code", flat=True)) == [AGENCY]
    [audit] = AuditEvent.objects.filter(action="dossier.import")
    assert audit.changes["created"] == 1
    exported = json.loads(next(dossiers_export(Dossier.objects.filter(code=CODE))))
    assert exported["legacy_id"] == spec_line()["legacy_id"]
    assert exported["rating"] == spec_line()["rating"]
    assert exported["files"] == spec_line()["files"]
    assert exported["due_at"] == "2026-10-19T09:00:00+07:00"
    assert exported["applicant"]["address_unit_code"] == "06673"


def test_reimport_is_idempotent(demo: Any) -> None:
    lines = [text(spec_line()), text(spec_line(code=f"{AGENCY}-261015-0008"))]
    assert dossiers_import(lines).created == 2
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), AuditEvent.objects.count())
    again = dossiers_import(lines)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert counts == (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        AuditEvent.objects.count(),
    )
    # Our own export of the same dossiers is the same content too.
    exported = list(dossiers_export(Dossier.objects.filter(code__startswith=AGENCY)))
    assert dossiers_import(exported).unchanged == 2


def test_same_code_other_content_is_a_conflict(demo: Any) -> None:
    dossiers_import([text(spec_line())])
    other = spec_line()
    other["applicant"] = {**other["applicant"], "name": "Trần Thị B"}
    report = dossiers_import(["", text(other)])
    assert report.conflicts == 1
    assert [(e.line, e.code) for e in report.errors] == [(2, CODE)]
    assert "xung đột" in report.errors[0].reason
    assert Dossier.objects.get(code=CODE).applicant_name == "Nguyễn Văn A"


def _bad_lines() -> list[tuple[str, str]]:
    events = spec_line()["events"]
    out_of_order = copy.deepcopy(events)
    out_of_order[2]["at"] = "2026-10-15T09:00:00+07:00"
    return [
        ('{"code": "X-1", "procedure_code": ', "JSON không hợp lệ"),
        (text(spec_line(code="A-2", procedure_code="9.999999")), "không có thủ tục mã «9.999999»"),
        (text(spec_line(code="A-3", agency_code="999.99.99.H49")), "không có cơ quan mã"),
        (text(spec_line(code="A-4", events=out_of_order)), "thứ tự thời gian"),
        (text(spec_line(code="A-5", events=events[1:])), "sự kiện đầu tiên phải là «received»"),
        (text(spec_line(code="A-6", received_at="2026-10-15T08:31:00")), "thiếu múi giờ"),
        (text(spec_line(code="A-7", received_at="15/10/2026 08:31")), "không đúng ISO 8601"),
        (text(spec_line(code="A-8", channel="fax")), "channel"),
        (text(spec_line(code="A-9", events=[events[0], events[4]])), "không thể xảy ra"),
        (text(spec_line(code="A-10", unit_code="99999")), "không có đơn vị hành chính"),
        ("[1, 2]", "đối tượng JSON"),
    ]


def test_bad_lines_are_reported_and_good_ones_imported(demo: Any) -> None:
    bad = _bad_lines()
    lines = [text(spec_line())] + [b for b, _ in bad] + ["   ", text(spec_line(code="B-1"))]
    report = dossiers_import(lines)
    assert report.created == 2
    assert [e.line for e in report.errors] == list(range(2, 2 + len(bad)))
    for error, (_, reason) in zip(report.errors, bad, strict=True):
        assert reason in error.reason, (error.line, error.reason)
    assert str(report.errors[0]).startswith("line 2: JSON không hợp lệ")
    assert set(Dossier.objects.values_list("code", flat=True)) == {CODE, "B-1"}


def test_nothing_is_half_written(demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A line whose events cannot have happened writes nothing at all.
    dossiers_import([text(spec_line(code="C-1", events=spec_line()["events"][::-1]))])
    assert not Dossier.objects.filter(code="C-1").exists()
    # A database failure in the middle of a batch (after its dossiers, events and participants
    # were written): the batch rolls back, then each line is written alone, all or nothing;
    # the failing one leaves no dossier without its events.
    real = importer._raise_counters
    c2, c3, c4 = f"{AGENCY}-261015-0102", f"{AGENCY}-261016-0103", f"{AGENCY}-261015-0104"

    def flaky(counters: dict[tuple[str, Any], int]) -> None:
        if (AGENCY, date(2026, 10, 16)) in counters:  # only the line of c3
            raise IntegrityError("simulated")
        real(counters)

    monkeypatch.setattr(importer, "_raise_counters", flaky)
    report = dossiers_import([text(spec_line(code=c)) for c in (c2, c3, c4)])
    assert report.created == 2
    assert [(e.line, e.code) for e in report.errors] == [(2, c3)]
    assert not Dossier.objects.filter(code=c3).exists()
    assert not DossierEvent.objects.filter(dossier__code=c3).exists()
    for code in (c2, c4):
        d = Dossier.objects.get(code=code)
        assert d.events.count() == 5 and d.participants.count() == 1
    assert not Dossier.objects.filter(events__isnull=True).exists()


def test_transfer_extension_and_pause_are_projected(demo: Any) -> None:
    Procedure.objects.filter(code=BIRTH).update(supplement_policy="pause")
    events = [
        {"type": "received", "at": "2026-11-23T09:00:00+07:00"},
        {"type": "supplement_requested", "at": "2026-11-23T10:00:00+07:00"},
        {"type": "supplement_received", "at": "2026-11-26T08:00:00+07:00"},
        {
            "type": "transferred",
            "at": "2026-11-26T09:00:00+07:00",
            "to_agency_code": "000.00.15.H49",
        },
        {
            "type": "extended",
            "at": "2026-11-26T10:00:00+07:00",
            "new_due_at": "2026-11-30T09:00:00+07:00",
            "reason": "Cần xác minh",
        },
        {"type": "result_ready", "at": "2026-11-27T09:00:00+07:00"},
    ]
    report = dossiers_import([text(spec_line(code="D-1", received_at=None, events=events))])
    assert report.ok, report.errors
    d = Dossier.objects.select_related("agency").get(code="D-1")
    # Same figures as test_services' pause test: 6.5 office hours left, resumed Thu 08:00.
    assert d.extra["original_due_at"] == "2026-11-26T16:30:00+07:00"
    assert d.due_at == at(2026, 11, 30, 9, 0)
    assert d.outcome == "late"  # Decision 766 counts the legal date, not the apology's
    assert d.agency.code == "000.00.15.H49"
    assert sorted(d.participants.values_list("agency__code", flat=True)) == [
        "000.00.15.H49",
        AGENCY,
    ]
    assert d.events.get(type="transferred").agency.code == "000.00.15.H49"


def test_imported_code_is_never_given_again_by_live_intake(receive: Any) -> None:
    dossiers_import(
        [
            text(
                spec_line(
                    code="000.00.20.H49-261123-0005", agency_code="000.00.20.H49", unit_code="06688"
                )
            )
        ]
    )
    assert DossierCodeCounter.objects.get(agency_code="000.00.20.H49").last == 5
    d = receive(now=at(2026, 11, 23, 9, 0))
    assert d.code == "000.00.20.H49-261123-0006"


def test_event_types_match_the_live_services() -> None:
    from typing import get_args

    from cqs.dossiers.interchange.schema import EventType

    live = {t: a for a, t in services._EVENT_TYPES.items() if t != "received"}
    assert live == EVENT_ACTIONS
    assert set(get_args(EventType)) == {"received", *EVENT_ACTIONS}


# --- Export and the round trip -------------------------------------------------------------


def _user(name: str) -> Any:
    from cqs.accounts.models import User

    return User.objects.get(username=name)


def _act(code: str, actor: str, action: str, **kw: Any) -> Dossier:
    return dossier_act(actor=_user(actor), code=code, action=action, **kw)


def _result() -> list[Upload]:
    return [Upload("ket-qua.pdf", PDF + b"result", name="Giấy khai sinh")]


def _live_dossiers(receive: Any) -> list[str]:
    codes = []
    # 1. Supplement (restart), forward, result, returned early.
    d = receive(now=at(2026, 11, 23, 9, 0))
    _act(
        d.code,
        "xuly",
        "request_supplement",
        reason="Thiếu",
        missing=["Giấy chứng sinh"],
        now=at(2026, 11, 23, 10, 0),
    )
    _act(
        d.code,
        "tiepnhan",
        "receive_supplement",
        files=[Upload("bs.png", PNG)],
        now=at(2026, 11, 26, 8, 0),
    )
    _act(d.code, "xuly", "forward", now=at(2026, 11, 26, 9, 0), assignee="lanhdao")
    _act(d.code, "lanhdao", "attach_result", files=_result(), now=at(2026, 11, 26, 10, 0))
    _act(d.code, "lanhdao", "approve", now=at(2026, 11, 26, 14, 0))
    _act(d.code, "tiepnhan", "return_result", method="counter", now=at(2026, 11, 27, 8, 0))
    codes.append(d.code)
    # 2. Extended (apology), approved after the legal date: late.
    d = receive(now=at(2026, 11, 25, 16, 10))
    _act(
        d.code,
        "lanhdao",
        "extend",
        reason="Cần xác minh",
        new_due_at=at(2026, 12, 3, 9, 0).isoformat(),
        now=at(2026, 11, 26, 9, 0),
    )
    _act(d.code, "lanhdao", "attach_result", files=_result(), now=at(2026, 12, 1, 9, 0))
    _act(d.code, "lanhdao", "approve", now=at(2026, 12, 1, 9, 5))
    codes.append(d.code)
    # 3. Forward and back, then transferred to a department (still open there).
    d = receive(now=at(2026, 11, 27, 8, 0))
    _act(d.code, "xuly", "forward", now=at(2026, 11, 27, 9, 0))
    _act(d.code, "lanhdao", "return_step", reason="Bổ sung ý kiến", now=at(2026, 11, 27, 10, 0))
    _act(
        d.code,
        "truongphong",
        "transfer",
        to_agency="000.00.15.H49",
        reason="Liên thông",
        now=at(2026, 11, 27, 11, 0),
    )
    codes.append(d.code)
    # 4. Waiting for a supplement (paused), and 5. rejected.
    d = receive(now=at(2026, 11, 30, 14, 0))
    _act(
        d.code,
        "xuly",
        "request_supplement",
        reason="Thiếu",
        missing=["Tờ khai"],
        now=at(2026, 11, 30, 15, 0),
    )
    codes.append(d.code)
    d = receive(now=at(2026, 11, 30, 14, 30))
    _act(d.code, "truongphong", "reject", reason="Không đủ điều kiện", now=at(2026, 12, 1, 8, 0))
    codes.append(d.code)
    return codes


STATE = (
    "status",
    "step",
    "agency_id",
    "desk_id",
    "receiving_agency_id",
    "unit_id",
    "channel",
    "result_delivery",
    "received_at",
    "clock_started_at",
    "due_at",
    "step_due_at",
    "paused_at",
    "supplement_count",
    "finished_at",
    "outcome",
    "fee_amount",
    "version",
    "search_text",
)


def _state(code: str) -> dict[str, Any]:
    d = Dossier.objects.get(code=code)
    out = {f: getattr(d, f) for f in STATE}
    out["original_due_at"] = d.extra.get("original_due_at")
    out["step_deadlines"] = [datetime.fromisoformat(x) for x in d.extra.get("step_deadlines", [])]
    out["held"] = sorted(d.participants.values_list("agency_id", flat=True))
    out["events"] = list(
        d.events.order_by("seq").values_list(
            "type", "at", "from_status", "to_status", "step", "agency_id"
        )
    )
    return out


def test_live_dossiers_reimport_to_the_same_state(receive: Any) -> None:
    codes = _live_dossiers(receive)
    live = {c: _state(c) for c in codes}
    assert [live[c]["outcome"] for c in codes] == ["early", "late", "", "", ""]
    first = list(dossiers_export(Dossier.objects.filter(code__in=codes)))
    # Derived the same way as live: the exported due_at is dropped and computed again.
    derived = [json.loads(line) | {"due_at": None} for line in first]
    wipe(codes)
    report = dossiers_import([text(obj) for obj in derived])
    assert report.ok, report.errors
    for c in codes:
        assert _state(c) == live[c], c
    # And the export of the re-imported dossiers is the first export, byte for byte.
    assert list(dossiers_export(Dossier.objects.filter(code__in=codes))) == first


def test_export_import_export_is_identical(receive: Any) -> None:
    codes = _live_dossiers(receive)
    dossiers_import([text(spec_line())])
    call_command(
        "generate_dossiers",
        count=60,
        seed=5,
        end="2026-10-01",
        no_progress=True,
        stdout=io.StringIO(),
    )
    first = list(dossiers_export(Dossier.objects.all()))
    assert len(first) == len(codes) + 61
    wipe()
    report = dossiers_import(first)
    assert report.created == len(first), report.errors
    assert list(dossiers_export(Dossier.objects.all())) == first


def test_export_command_filters(demo: Any, tmp_path: Any) -> None:
    dossiers_import(
        [
            text(spec_line()),
            text(
                spec_line(
                    code="E-1",
                    received_at="2026-09-01T08:00:00+07:00",
                    events=[{"type": "received", "at": "2026-09-01T08:00:00+07:00"}],
                )
            ),
            text(spec_line(code="E-2", agency_code="000.00.20.H49", unit_code="06688")),
        ]
    )
    target = tmp_path / "out.jsonl.gz"
    err = io.StringIO()
    call_command("export_dossiers", str(target), agency=AGENCY, since="2026-10-01", stderr=err)
    with gzip.open(target, "rt", encoding="utf-8") as f:
        assert [json.loads(x)["code"] for x in f] == [CODE]
    assert "exported 1" in err.getvalue()
    out = io.StringIO()
    call_command("export_dossiers", agency="001.00.21.H49", stdout=out, stderr=io.StringIO())
    assert {json.loads(x)["code"] for x in out.getvalue().splitlines()} == {CODE, "E-1"}
    with pytest.raises(CommandError):
        call_command("export_dossiers", agency="nope", stdout=io.StringIO())


# --- Commands ------------------------------------------------------------------------------


def test_import_command_reads_gzip_and_stdin(demo: Any, tmp_path: Any) -> None:
    path = tmp_path / "dossiers.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(text(spec_line()) + "\n")
    out = io.StringIO()
    call_command("import_dossiers", str(path), stdout=out, stderr=io.StringIO())
    assert "created 1" in out.getvalue()
    data = (text(spec_line(code="F-1")) + "\nnot json\n").encode()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 bad lines"):
        call_command("import_dossiers", "-", stdin=io.BytesIO(data), stdout=out, stderr=err)
    assert "created 1" in out.getvalue()
    assert err.getvalue().startswith("line 2: JSON không hợp lệ")
    zipped = gzip.compress(text(spec_line(code="F-2")).encode() + b"\n\xff\xfe\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_dossiers", "-", stdin=io.BytesIO(zipped), stdout=io.StringIO(), stderr=err
        )
    assert "line 2: không phải văn bản UTF-8" in err.getvalue()
    assert Dossier.objects.filter(code__in=[CODE, "F-1", "F-2"]).count() == 3


def test_generate_is_deterministic_by_seed(demo: Any, tmp_path: Any) -> None:
    def generate(seed: int, name: str) -> str:
        path = tmp_path / name
        call_command(
            "generate_dossiers",
            count=200,
            months=6,
            seed=seed,
            end="2026-06-01",
            output=str(path),
            stderr=io.StringIO(),
        )
        return path.read_text("utf-8")

    a, b, c = generate(42, "a.jsonl"), generate(42, "b.jsonl"), generate(43, "c.jsonl")
    assert a == b
    assert a != c
    lines = [json.loads(x) for x in a.splitlines()]
    assert len(lines) == 200
    assert len({x["code"] for x in lines}) == 200
    online = sum(x["channel"] == "online" for x in lines) / 200
    assert 0.6 < online < 0.9
    from cqs.accounts.rules import parse_id_number

    for x in lines:
        if x["applicant"]["kind"] == "citizen":
            parse_id_number(x["applicant"]["id_number"])
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "generate_dossiers", count=200, months=6, seed=42, end="2026-06-01", stdout=out, stderr=err
    )
    assert "created 200" in out.getvalue() and "errors 0" in out.getvalue()
    assert "100%" in err.getvalue()  # the progress bar
    exported = [
        json.loads(x)
        for x in dossiers_export(Dossier.objects.filter(code__in=[x["code"] for x in lines]))
    ]
    assert len(exported) == 200
    # Deadlines and outcomes were derived on import; some dossiers are late.
    outcomes = Dossier.objects.exclude(outcome="").values_list("outcome", flat=True)
    assert set(outcomes) <= {"early", "on_time", "late"}


def test_helper_processes_import_the_same(demo: Any, tmp_path: Any) -> None:
    path = tmp_path / "lines.jsonl"
    call_command(
        "generate_dossiers",
        count=300,
        seed=9,
        end="2026-05-01",
        output=str(path),
        stderr=io.StringIO(),
    )
    lines = path.read_text("utf-8").splitlines()
    bad = text(spec_line(code="G-1", agency_code="999.99.99.H49"))
    report = dossiers_import([*lines[:150], bad, *lines[150:]], batch_size=50, workers=2)
    assert (report.created, [e.line for e in report.errors]) == (300, [151])
    parallel = list(dossiers_export(Dossier.objects.all()))
    wipe()
    assert dossiers_import(lines, batch_size=50).created == 300
    assert list(dossiers_export(Dossier.objects.all())) == parallel
    again = dossiers_import(lines, batch_size=50, workers=1)
    assert (again.created, again.unchanged) == (0, 300)


def test_helper_processes_tell_a_rewritten_line_from_a_conflict(demo: Any, tmp_path: Any) -> None:
    # Helpers do not send each line back: the writer must still re-project a line whose bytes
    # differ from the stored one (same dossier written another way: unchanged; another
    # applicant under the same code: a conflict, never overwritten).
    path = tmp_path / "lines.jsonl"
    call_command(
        "generate_dossiers",
        count=30,
        seed=11,
        end="2026-05-01",
        output=str(path),
        stderr=io.StringIO(),
    )
    lines = path.read_text("utf-8").splitlines()
    assert dossiers_import(lines, batch_size=10).created == 30
    reordered = json.dumps(json.loads(lines[0]), sort_keys=True, ensure_ascii=False, indent=1)
    changed = json.loads(lines[1])
    changed["applicant"]["name"] = "Người Khác Hẳn"
    report = dossiers_import(
        [reordered.replace("\n", ""), text(changed), *lines[2:]], batch_size=10, workers=1
    )
    assert (report.created, report.unchanged, report.conflicts) == (0, 29, 1)
    assert [(e.line, e.code) for e in report.errors] == [(2, changed["code"])]
    assert "xung đột" in report.errors[0].reason
    name = Dossier.objects.get(code=changed["code"]).applicant_name
    assert name != "Người Khác Hẳn"


def test_import_writes_every_model_column() -> None:
    from cqs.dossiers.interchange import DOSSIER_COLUMNS, EVENT_ROW_COLUMNS

    def columns(model: Any) -> set[str]:
        return {
            f.column
            for f in model._meta.concrete_fields
            if not f.primary_key and not f.generated  # computed by the database
        }

    assert set(DOSSIER_COLUMNS) == columns(Dossier)
    assert set(EVENT_ROW_COLUMNS) == columns(DossierEvent)
