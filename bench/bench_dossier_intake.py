"""Counter intake through the API (target >= 300 dossiers/s on PostgreSQL, 2 cores).

Three figures, every dossier with three small PDFs of its own bytes (no file shared):
1. POST /api/v1/dossiers/batch, 100 dossiers per request (a post-office bag, a scanning
   station or a connected system handing over many dossiers), through the real server;
2. POST /api/v1/dossiers, one dossier per request (the desk's own form), through the real
   server;
3. the cost of one request alone: Django's test client in-process on one thread (no HTTP,
   notifications delivered in the request).
The real server is granian (2 workers x BENCH_SERVER_THREADS threads, as `make run` serves) on
the bench database, driven by concurrent keep-alive clients on 127.0.0.1 with a bearer token
(BENCH_CLIENTS for single requests, BENCH_BATCH_CLIENTS for batches), notifications delivered
by a background thread after commit (CQS_NOTIFICATIONS_DELIVERY=thread, e-mail kept in
memory, SMS logged). The clients run on the same 2 cores as the server and the database.
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
    batch_n = int(os.environ.get("BENCH_INTAKE_BATCH_N", "5000"))
    batch_size = int(os.environ.get("BENCH_INTAKE_BATCH_SIZE", "100"))
    batch_clients = int(os.environ.get("BENCH_BATCH_CLIENTS", "4"))
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

        bodies = [payload(i) for i in range(n + 20 + server_n + 200 + batch_n + 200)]
        batch_items = bodies[n + 20 + server_n + 200 :]
        batch_bodies = [
            ('{"items": [' + ", ".join(batch_items[k : k + batch_size]) + "]}").encode()
            for k in range(0, len(batch_items), batch_size)
        ]
        server_bodies = [b.encode() for b in bodies[n + 20 : n + 20 + server_n + 200]]
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
            batch_url = "/api/v1/dossiers/batch"
            warm = 200 // batch_size
            hammer(
                port,
                "POST",
                [(batch_url, b) for b in batch_bodies[:warm]],
                clients=batch_clients,
                headers=headers,
                expect=200,
            )
            time.sleep(1)
            pids = server_and_database_pids(pid)
            cpu0 = cpu_seconds(pids)
            batch_wall = hammer(
                port,
                "POST",
                [(batch_url, b) for b in batch_bodies[warm:]],
                clients=batch_clients,
                headers=headers,
                expect=200,
            )
            time.sleep(2)
            batch_cpu = cpu_seconds(pids) - cpu0
        from cqs.dossiers.models import Dossier

        # Every item of every batch was received (a refused item would still answer 200).
        assert Dossier.objects.count() == n + 20 + server_n + 200 + batch_n + 200
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
    batch_per = batch_cpu / batch_n
    print(
        f"  batch: {batch_n:,} dossiers in batches of {batch_size} from {batch_clients} clients "
        f"in {batch_wall:.1f} s; CPU (server + database) {batch_per * 1000:.1f} ms per dossier"
    )
    return [
        Result(
            f"intake POST /api/v1/dossiers/batch ({batch_size} per request), {engine()}, "
            f"granian 2x{threads}, {batch_clients} clients",
            batch_n / batch_wall,
            300,
            "dossiers/s",
            True,
        ),
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
