"""POST /api/v1/dossiers/batch: many counter intakes in one request, each checked alone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cqs.audit.models import AuditEvent
from cqs.audit.services import audit_verify
from cqs.dashboard import rollups
from cqs.dashboard.models import OpenDossier
from cqs.dossiers import rules
from cqs.dossiers.models import Dossier, DossierEvent, DossierFile, DossierParticipant
from cqs.dossiers.tests.test_api import _payload
from cqs.notifications.models import Notification

BATCH = "/api/v1/dossiers/batch"


def _post(client: Client, body: Any) -> Any:
    return client.post(BATCH, json.dumps(body), content_type="application/json")


@pytest.fixture
def officer(client: Client, demo: Any) -> Client:
    client.force_login(demo.user("tiepnhan"))
    return client


def _applicant(name: str, id_number: str = "022090001234") -> dict[str, str]:
    return {
        "kind": "citizen",
        "name": name,
        "id_number": id_number,
        "phone": "0912345678",
        "email": "an@example.invalid",
    }


def _counts() -> tuple[int, ...]:
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        DossierFile.objects.count(),
        DossierParticipant.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
        OpenDossier.objects.count(),
    )


def test_batch_receives_the_valid_items_and_refuses_the_others_in_order(
    officer: Client, demo: Any
) -> None:
    before = _counts()
    first = _payload(applicant=_applicant("Nguyễn Văn An"))
    bad_id = _payload(applicant=_applicant("Trần Thị Bình", id_number="12345"))
    third = _payload(applicant=_applicant("Lê Văn Cường"), result_delivery="post")
    unknown = _payload(procedure="9.999999")
    response = _post(officer, {"items": [first, bad_id, third, unknown]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"]) == (2, 2)
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert [r["status"] for r in body["results"]] == [201, 422, 201, 422]
    refused = body["results"][1]["error"]
    assert refused["code"] == "validation_error"
    assert "applicant.id_number" in refused["details"]
    assert "9.999999" in body["results"][3]["error"]["message"]

    codes = [body["results"][i]["dossier"]["code"] for i in (0, 2)]
    parsed = [rules.parse_dossier_code(c) for c in codes]
    assert all(p is not None for p in parsed)
    # Consecutive numbers of the agency's day, in the order sent.
    assert parsed[0] is not None and parsed[1] is not None
    assert parsed[1][2] == parsed[0][2] + 1
    a, b = (Dossier.objects.get(code=c) for c in codes)
    assert (a.applicant_name, b.applicant_name) == ("Nguyễn Văn An", "Lê Văn Cường")
    assert b.result_delivery == "post"
    assert a.status == b.status == "processing"
    assert a.due_at is not None and a.due_at == b.due_at
    for d in (a, b):
        assert list(d.events.values_list("type", flat=True)) == ["received"]
        assert d.files.count() == 3
        assert all(len(f.sha256) == 64 for f in d.files.all())
        assert Notification.objects.filter(reference=d.code).count() == 2  # e-mail and SMS
        assert AuditEvent.objects.filter(action="dossier.receive", object_id=str(d.pk)).exists()
    # Two dossiers, each with its event, 3 files, participant, 2 messages, audit row, open row;
    # the refused items wrote nothing.
    assert _counts() == tuple(x + y for x, y in zip(before, (2, 2, 6, 2, 4, 2, 2), strict=True))
    assert audit_verify() == []
    # Same rollups as a rebuild from the event log.
    incremental = rollups.snapshot()
    rollups.rebuild()
    assert rollups.snapshot() == incremental


def test_batch_items_follow_the_permission_of_each_desk(officer: Client, demo: Any) -> None:
    other_desk = _payload(desk="001.00.21.H49")  # Bãi Cháy's desk: not tiepnhan's
    unknown_desk = _payload(desk="999.99.99.H99")
    response = _post(officer, {"items": [other_desk, unknown_desk, _payload()]})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == [403, 422, 201]
    assert results[0]["error"]["code"] == "permission_denied"
    assert "Bãi Cháy" in results[0]["error"]["message"]
    assert results[1]["error"]["details"] == {"desk": ["999.99.99.H99"]}


def test_batch_with_every_item_refused_writes_nothing(officer: Client, demo: Any) -> None:
    before = _counts()
    missing_papers = _payload(files=[])
    fake_pdf = _payload()
    fake_pdf["files"][0]["content_base64"] = "bm90IGEgcGRm"  # "not a pdf"
    response = _post(officer, {"items": [missing_papers, fake_pdf]})
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["refused"]) == (0, 2)
    assert any(k.startswith("documents.") for k in body["results"][0]["error"]["details"])
    assert "files.0" in body["results"][1]["error"]["details"]
    assert _counts() == before


@pytest.mark.parametrize("items", [[], "too many"])
def test_batch_size_is_bounded(officer: Client, demo: Any, items: Any) -> None:
    if items == "too many":
        items = [{"desk": "x", "procedure": "y", "applicant": _applicant("A")}] * 101
    before = _counts()
    response = _post(officer, {"items": items})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert _counts() == before


def test_batch_needs_a_login(client: Client, demo: Any) -> None:
    response = _post(client, {"items": [_payload()]})
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


def test_a_resent_request_with_its_idempotency_key_gets_the_first_answer(
    officer: Client, demo: Any
) -> None:
    body = {"items": [_payload(), _payload(applicant=_applicant("Lê Thị Dung"))]}
    headers = {"Idempotency-Key": "buu-dien-tui-0042"}
    first = officer.post(BATCH, json.dumps(body), content_type="application/json", headers=headers)
    assert first.status_code == 200
    before = _counts()
    again = officer.post(BATCH, json.dumps(body), content_type="application/json", headers=headers)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _counts() == before  # no second pair of dossiers

    other = {"items": [_payload(applicant=_applicant("Phạm Văn Em"))]}
    reused = officer.post(
        BATCH, json.dumps(other), content_type="application/json", headers=headers
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert _counts() == before

    # Another officer's key of the same name is another key.
    officer.force_login(demo.user("tiepnhan2"))
    own = _payload(desk="001.00.21.H49")
    theirs = officer.post(
        BATCH, json.dumps({"items": [own]}), content_type="application/json", headers=headers
    )
    assert theirs.status_code == 200
    assert theirs.json()["created"] == 1


def test_single_intake_with_idempotency_key(officer: Client, demo: Any) -> None:
    url = "/api/v1/dossiers"
    headers = {"Idempotency-Key": "f3b1c2d4-0001"}
    first = officer.post(
        url, json.dumps(_payload()), content_type="application/json", headers=headers
    )
    assert first.status_code == 201
    count = Dossier.objects.count()
    again = officer.post(
        url, json.dumps(_payload()), content_type="application/json", headers=headers
    )
    assert again.status_code == 201
    assert again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == count
    # A refused request is not remembered: corrected and resent with the same key, it works.
    key = {"Idempotency-Key": "f3b1c2d4-0002"}
    bad = _payload(files=[])
    refused = officer.post(url, json.dumps(bad), content_type="application/json", headers=key)
    assert refused.status_code == 422
    assert Dossier.objects.count() == count
    fixed = officer.post(url, json.dumps(_payload()), content_type="application/json", headers=key)
    assert fixed.status_code == 201
    assert Dossier.objects.count() == count + 1
    invalid = officer.post(
        url,
        json.dumps(_payload()),
        content_type="application/json",
        headers={"Idempotency-Key": "khóa có dấu"},
    )
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "idempotency_key_invalid"
    assert Dossier.objects.count() == count + 1
