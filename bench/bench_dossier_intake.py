"""Counter intake through the API: POST /api/v1/dossiers with three small PDFs.

Two figures. The system, as a user sees it (the issue's target, >= 300 dossiers/s): a real
granian server (2 workers x BENCH_SERVER_THREADS threads, as `make run` serves) on the bench
database, driven by BENCH_CLIENTS concurrent keep-alive clients on 127.0.0.1 with a bearer
token, notifications delivered by a background thread after commit (CQS_NOTIFICATIONS_DELIVERY
=thread, e-mail kept in memory, SMS logged). And the cost of the request alone: Django's test
client in-process on one thread (no HTTP, notifications delivered in the request).
Every dossier carries distinct bytes, so no file is shared with another one.
Run it on PostgreSQL with its own database: DATABASE_URL=postgres://…/cqs_bench_intake.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from pathlib import Path

from bench._db import bench_database, engine
from bench._server import cpu_seconds, hammer, served, server_and_database_pids
from bench.harness import Result

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_INTAKE_N", "1000"))
    server_n = int(os.environ.get("BENCH_INTAKE_SERVER_N", "3000"))
    threads = int(os.environ.get("BENCH_SERVER_THREADS", "4"))
    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    logging.getLogger("cqs.notifications").setLevel(logging.WARNING)
    with bench_database():
        from django.conf import settings
        from django.test import Client

        from cqs.accounts.models import User
        from cqs.catalogue.models import Procedure

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        procedure = Procedure.objects.get(code="1.001193")
        mandatory = [d.position for d in procedure.documents.all() if d.mandatory]

        def payload(i: int) -> str:
            files = [
                {
                    "filename": f"giay-to-{p}.pdf",
                    # Distinct bytes per dossier: no file is shared with another one.
                    "content_base64": base64.b64encode(PDF + f"{i}-{p}".encode()).decode(),
                    "requirement": p,
                }
                for p in mandatory
            ]
            return json.dumps(
                {
                    "desk": "001.00.20.H49",
                    "procedure": procedure.code,
                    "applicant": {
                        "kind": "citizen",
                        "name": "Nguyễn Văn An",
                        "id_number": "022090001234",
                        "phone": "0912345678",
                        "email": "an@example.invalid",
                    },
                    "files": files,
                }
            )

        bodies = [payload(i) for i in range(n + 20 + server_n + 200)]
        server_bodies = [b.encode() for b in bodies[n + 20 :]]
        bodies = bodies[: n + 20]
        client = Client()
        client.force_login(User.objects.get(username="tiepnhan"))
        for body in bodies[:20]:  # warm-up
            assert (
                client.post("/api/v1/dossiers", body, content_type="application/json").status_code
                == 201
            )
        start = time.perf_counter()
        for body in bodies[20:]:
            response = client.post("/api/v1/dossiers", body, content_type="application/json")
            assert response.status_code == 201, response.content[:300]
        elapsed = time.perf_counter() - start

        from cqs.accounts.services import api_token_create

        _, token = api_token_create(actor=None, user=User.objects.get(username="tiepnhan"))
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with served(
            media=Path(settings.MEDIA_ROOT),
            threads=threads,
            env={"CQS_NOTIFICATIONS_DELIVERY": "thread"},
        ) as (port, pid):
            url = "/api/v1/dossiers"
            hammer(
                port,
                "POST",
                [(url, b) for b in server_bodies[:200]],
                clients=clients,
                headers=headers,
                expect=201,
            )
            time.sleep(1)  # the warm-up's notifications are delivered
            pids = server_and_database_pids(pid)
            cpu0 = cpu_seconds(pids)
            wall = hammer(
                port,
                "POST",
                [(url, b) for b in server_bodies[200:]],
                clients=clients,
                headers=headers,
                expect=201,
            )
            time.sleep(2)  # the delivery threads catch up
            cpu = cpu_seconds(pids) - cpu0
        from cqs.notifications.models import Notification

        pending = Notification.objects.filter(status="pending").count()
    per = cpu / server_n
    print(
        f"  server: granian 2 workers x {threads} threads, {clients} clients, "
        f"{server_n:,} dossiers in {wall:.1f} s; notifications still pending 2 s later: "
        f"{pending}; CPU (server + database) {per * 1000:.1f} ms per dossier -> "
        f"~{2 / per:,.0f} dossiers/s if 2 cores were free; load average "
        f"{os.getloadavg()[0]:.1f} (other work on the machine)"
    )
    return [
        Result(
            f"intake POST /api/v1/dossiers, {engine()}, granian 2x{threads}, {clients} clients",
            server_n / wall,
            300,
            "dossiers/s",
            True,
        ),
        Result(
            f"intake POST /api/v1/dossiers, {engine()}, in-process client, 1 thread",
            n / elapsed,
            300,
            "dossiers/s",
            True,
        ),
    ]
