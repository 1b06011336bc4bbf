"""Two CQS instances exchange signed documents in edXML both ways, with status messages.

Instance A is this test's live server (Phường Hạ Long, 000.00.20.H49); instance B is a second
CQS started as a subprocess (`manage.py runserver --noreload` on a free 127.0.0.1 port) with its
own SQLite file, media and demo PKI (Phường Bãi Cháy, 000.00.21.H49). Each trusts the other's
root CA and knows the other as an exchange peer with a shared HMAC token.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from cqs.documents import exchange, services
from cqs.documents.models import Document, OutboxMessage, Recipient
from cqs.documents.tests.conftest import COMMITTEE, doc_type

BAI_CHAY = "000.00.21.H49"
TOKEN = "ha-long-bai-chay-shared-token-2026"
ROOT = Path(__file__).resolve().parents[3]

B_SETUP = """
import json, sys
from cqs.accounts.models import User
from cqs.accounts.rules import Role
from cqs.accounts.services import role_assign
from cqs.documents import exchange
from cqs.signing.certificates import trust_anchor_add
from cqs.signing.models import TrustAnchor
from cqs.units.models import Agency
args = json.loads(sys.argv[-1]) if False else json.load(open('{args}'))
trust_anchor_add(actor=None, name='Gốc A', pem=args['root'])
exchange.peer_save(actor=None, agency_code='000.00.20.H49', name='UBND phường Hạ Long',
                   url=args['url'], token=args['token'])
bc = Agency.objects.get(code='000.00.21.H49')
for username, role in [('lanhdao', Role.LEADER), ('truongphong', Role.HEAD_OF_DIVISION),
                       ('xuly', Role.PROCESSING_OFFICER), ('vanthu', Role.RECORDS_CLERK)]:
    role_assign(actor=None, user=User.objects.get(username=username), role=role, agency=bc)
own = [t for t in TrustAnchor.objects.all() if t.pem.strip() != args['root'].strip()]
print(json.dumps({{'root': own[0].pem}}))
"""

B_PROCESS = """
import json
from cqs.accounts.models import User
from cqs.documents import services
from cqs.documents.models import Document
from cqs.units.models import Agency
u = User.objects.get
doc = Document.objects.get(direction='incoming', agency__code='000.00.21.H49')
out = {{'notation': doc.notation, 'signatures': doc.signature_report['files'][0]['signatures'],
        'valid': doc.signature_report['files'][0]['valid'], 'summary': doc.summary}}
div = Agency.objects.filter(parent__code='000.00.21.H49', kind='division').order_by('code').first()
doc = services.incoming_assign(actor=u(username='lanhdao'), document=doc, lead_division=div)
doc = services.incoming_assign_officer(actor=u(username='truongphong'), document=doc,
                                       officer=u(username='xuly'))
doc = services.incoming_complete(actor=u(username='xuly'), document=doc, note='Đã xử lý')
reply = services.outgoing_draft(actor=u(username='xuly'), agency=Agency.objects.get(code='000.00.21.H49'),
    doc_type=services.DocumentType.objects.get(abbreviation='CV'),
    summary='Về việc phúc đáp Quyết định của phường Hạ Long',
    external_recipients=[('000.00.20.H49', 'UBND phường Hạ Long')])
reply = services.outgoing_submit(actor=u(username='xuly'), document=reply)
reply = services.outgoing_review(actor=u(username='truongphong'), document=reply, approve=True)
reply = services.outgoing_sign(actor=u(username='lanhdao'), document=reply)
reply = services.outgoing_issue(actor=u(username='vanthu'), document=reply)
out['reply'] = reply.display_number
print(json.dumps(out, ensure_ascii=False))
"""

B_STATUS = """
import json
from cqs.documents.models import Recipient
r = Recipient.objects.get(document__direction='outgoing')
print(json.dumps({'status': r.status_code}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


@pytest.fixture
def instance_b(tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/b.sqlite3",
        "CQS_VAR_DIR": str(tmp_path / "var"),
        "CQS_MEDIA_ROOT": str(tmp_path / "media"),
        "CQS_PKI_DIR": str(tmp_path / "pki"),
        "CQS_ENV": "development",
        "CQS_EDXML_TIMEOUT": "15",
        "DJANGO_SETTINGS_MODULE": "cqs.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    manage = [sys.executable, str(ROOT / "manage.py")]

    def run(*args: str, script: str | None = None) -> str:
        result = subprocess.run(
            [*manage, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            input=script,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    run("migrate", "-v0")
    run("seed_demo", "--quiet-accounts")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:  # noqa: S310
                return bool(r.status == 200)
        except OSError:
            return False

    try:
        assert wait_for(up, 60), "instance B did not start"
        yield {"url": url, "run": run, "tmp": tmp_path}
    finally:
        server.terminate()
        server.wait(timeout=20)


def shell(b: dict[str, Any], script: str) -> dict[str, Any]:
    out = b["run"]("shell", script=script)
    return dict(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.django_db(transaction=True)
def test_two_instances_exchange_signed_documents_both_ways(
    seeded_transactional_db: Any, live_server: Any, instance_b: dict[str, Any]
) -> None:
    from cqs.accounts.models import User
    from cqs.signing.certificates import trust_anchor_add
    from cqs.signing.models import TrustAnchor

    b = instance_b
    a_root = TrustAnchor.objects.get().pem
    args = b["tmp"] / "args.json"
    args.write_text(
        json.dumps({"root": a_root, "url": f"{live_server.url}/lien-thong/edxml/", "token": TOKEN})
    )
    b_root = shell(b, B_SETUP.format(args=args))["root"]
    trust_anchor_add(actor=None, name="Gốc B", pem=b_root)
    exchange.peer_save(
        actor=None,
        agency_code=BAI_CHAY,
        name="UBND phường Bãi Cháy",
        url=f"{b['url']}/lien-thong/edxml/",
        token=TOKEN,
    )
    assert settings.CQS_EDXML_SEND_ON_COMMIT

    # A: drafted, reviewed, signed, issued, sent to Bãi Cháy on instance B
    u = User.objects.get
    from cqs.units.models import Agency

    doc = services.outgoing_draft(
        actor=u(username="xuly"),
        agency=Agency.objects.get(code=COMMITTEE),
        doc_type=doc_type("QĐ"),
        summary="Về việc phối hợp tổ chức Lễ hội Carnaval Hạ Long",
        external_recipients=[(BAI_CHAY, "UBND phường Bãi Cháy")],
    )
    doc = services.outgoing_submit(actor=u(username="xuly"), document=doc)
    doc = services.outgoing_review(actor=u(username="truongphong"), document=doc, approve=True)
    doc = services.outgoing_sign(actor=u(username="lanhdao"), document=doc)
    doc = services.outgoing_issue(actor=u(username="vanthu"), document=doc)
    assert doc.display_number == "01/QĐ-UBND"

    def status() -> str:
        return Recipient.objects.get(document=doc).status_code

    assert wait_for(lambda: status() == "03"), status()
    # the envelope carried Hạ Long's XML-DSig seal signature, which B checked against root A
    sent = OutboxMessage.objects.get(document=doc, kind="document")
    assert b"<ds:Signature" in bytes(sent.payload)

    # B: the document arrived with both signatures valid; it is routed, processed and answered
    result = shell(b, B_PROCESS.format())
    assert result["notation"] == "01/QĐ-UBND" and result["summary"].startswith("Về việc phối hợp")
    assert (result["signatures"], result["valid"]) == (2, True)
    assert result["reply"] == "01/UBND"
    assert wait_for(lambda: status() == "06"), status()
    history = [e.data.get("code") for e in doc.events.filter(action="exchange_status")]
    assert {"03", "04", "05", "06"} <= set(history)

    # A: B's reply arrived as an incoming document of Hạ Long, signatures verified
    def reply() -> Document | None:
        return Document.objects.filter(
            direction="incoming", agency__code=COMMITTEE, issuer_code=BAI_CHAY
        ).first()

    incoming = wait_for(reply)
    assert incoming is not None and incoming.notation == "01/UBND"
    checks = incoming.signature_report["files"][0]
    assert (checks["signatures"], checks["valid"]) == (2, True) and incoming.fully_signed
    # ... and B sees A's "accepted" status for its reply
    assert wait_for(lambda: shell(b, B_STATUS)["status"] == "03")
