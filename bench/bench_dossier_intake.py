"""Counter intake through the API: POST /api/v1/dossiers with three small PDFs.

Measured in-process with Django's test client on one thread (no HTTP server, no network):
it is the cost of the request itself — validation, code, deadlines, files written and hashed,
events, audit row, notifications queued and (as the code does today) delivered after commit,
to an in-memory mail outbox and the logging SMS backend silenced — not of a deployment.
Target >= 300 dossiers/s.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time

from bench._db import bench_database, engine
from bench.harness import Result

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_INTAKE_N", "1000"))
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

        bodies = [payload(i) for i in range(n + 20)]
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
    return [
        Result(
            f"intake POST /api/v1/dossiers, {engine()}, in-process client, 1 thread",
            n / elapsed,
            300,
            "dossiers/s",
            True,
        )
    ]
