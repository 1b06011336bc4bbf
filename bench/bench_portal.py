"""The citizen portal's two busiest pages beside a bare Django view in the same run.

- the procedure page ``GET /thu-tuc/1.001193/`` (anonymous visitor);
- "my dossiers" ``GET /ca-nhan/ho-so/`` as a signed-in citizen with 25 dossiers (20 received
  at the counter, 5 submitted online).

Each is called alternately with a bare view doing one primary-key SELECT (same client, same
middleware), so the ratio says what the page adds on top of Django's own floor.
Target: each page >= 40 % of the bare view's throughput.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from bench._db import bench_database, engine
from bench.harness import Result

PROCEDURE = "1.001193"


def bare(request: HttpRequest, pk: int) -> JsonResponse:
    from cqs.catalogue.models import Procedure

    return JsonResponse(
        {"code": Procedure.objects.filter(pk=pk).values_list("code", flat=True).first()}
    )


def bare_signed_in(request: HttpRequest, pk: int) -> JsonResponse:
    """The floor of any signed-in page: the session and the user are read, then one SELECT."""
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.path)  # type: ignore[return-value]
    return bare(request, pk)


urlpatterns: list[Any] = [
    path("bench/bare/<int:pk>", bare),
    path("bench/bare-signed-in/<int:pk>", bare_signed_in),
    path("", include("cqs.urls")),
]


def _citizen_dossiers() -> None:
    from cqs.accounts.models import User
    from cqs.catalogue.models import Procedure
    from cqs.dossiers.online import DraftInput, dossier_draft_save, dossier_submit_online
    from cqs.dossiers.services import Applicant, dossier_receive
    from cqs.dossiers.storage import Upload
    from cqs.units.models import Agency

    pdf = b"%PDF-1.4\n% bench\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    congdan = User.objects.get(username="congdan")
    procedure = Procedure.objects.get(code=PROCEDURE)
    mandatory = [d for d in procedure.documents.all() if d.mandatory]
    for i in range(20):
        dossier_receive(
            actor=User.objects.get(username="tiepnhan"),
            desk=Agency.objects.get(code="001.00.20.H49"),
            procedure=procedure,
            applicant=Applicant(
                kind="citizen", name="Nguyễn Văn An", id_number="022090001234", user=congdan
            ),
            files=[
                Upload(f"{d.position}.pdf", pdf + bytes([i, d.position]), d.position)
                for d in mandatory
            ],
        )
    declared = {
        "child_name": "Nguyễn Minh Khang",
        "child_birth_date": "2026-01-02",
        "child_sex": "Nam",
        "child_birth_place": "Hạ Long",
        "mother_name": "Trần Thị Hạnh",
    }
    for i in range(5):
        draft = dossier_draft_save(
            actor=congdan,
            procedure=procedure,
            form=DraftInput(
                agency_code="000.00.20.H49",
                data=declared,
                uploads=tuple(
                    Upload(f"{d.position}.pdf", pdf + bytes([99, i, d.position]), d.position)
                    for d in mandatory
                ),
            ),
        )
        dossier_submit_online(actor=congdan, draft=draft)


def _measure(client: Any, url: str, bare_url: str, n: int) -> tuple[float, float]:
    for _ in range(30):  # warm-up
        assert client.get(url).status_code == 200
        assert client.get(bare_url).status_code == 200
    page_total = bare_total = 0.0
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        t1 = time.perf_counter()
        client.get(bare_url)
        t2 = time.perf_counter()
        assert response.status_code == 200
        page_total += t1 - t0
        bare_total += t2 - t1
    return n / page_total, n / bare_total


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_PORTAL_N", "1000"))
    with bench_database():
        from django.conf import settings
        from django.test import Client
        from django.urls import clear_url_caches

        from cqs.accounts.models import User
        from cqs.catalogue.models import Procedure

        _citizen_dossiers()
        pk = Procedure.objects.get(code=PROCEDURE).pk
        settings.ROOT_URLCONF = __name__
        clear_url_caches()
        try:
            visitor = Client()
            page_rate, page_bare = _measure(
                visitor, f"/thu-tuc/{PROCEDURE}/", f"/bench/bare/{pk}", n
            )
            citizen = Client()
            citizen.force_login(User.objects.get(username="congdan"))
            assert b"000.00.20.H49-" in citizen.get("/ca-nhan/ho-so/").content
            mine_rate, mine_bare = _measure(citizen, "/ca-nhan/ho-so/", f"/bench/bare/{pk}", n)
            signed_rate, signed_bare = _measure(
                citizen, "/ca-nhan/ho-so/", f"/bench/bare-signed-in/{pk}", n
            )
        finally:
            settings.ROOT_URLCONF = "cqs.urls"
            clear_url_caches()
    print(
        f"  procedure page {page_rate:,.0f} req/s vs bare {page_bare:,.0f}; my dossiers "
        f"{mine_rate:,.0f} req/s vs bare {mine_bare:,.0f} (anonymous bare: "
        f"{100 * mine_rate / mine_bare:.1f} %), {signed_rate:,.0f} req/s vs signed-in bare "
        f"{signed_bare:,.0f} ({engine()}, in-process test client, 1 thread)"
    )
    return [
        Result(
            f"GET /thu-tuc/<code>/ vs bare PK view, {engine()}",
            100 * page_rate / page_bare,
            40,
            "% of bare",
            True,
        ),
        Result(
            f"GET /ca-nhan/ho-so/ (25 dossiers) vs signed-in bare view, {engine()}",
            100 * signed_rate / signed_bare,
            40,
            "% of bare",
            True,
        ),
    ]
