"""'Hồ sơ của tôi' (/ca-nhan/ho-so/): pages of MY_DOSSIERS_PAGE, only the citizen's own rows."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cqs.catalogue.models import Procedure
from cqs.dossiers.models import Dossier
from cqs.dossiers.selectors import MY_DOSSIERS_PAGE
from cqs.dossiers.services import Applicant, dossier_receive
from cqs.dossiers.tests.conftest import BIRTH, DESK, mandatory_uploads

CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.H49-\d{6}-\d{4}")


def _receive(demo: Any, username: str, count: int) -> list[Dossier]:
    user = demo.user(username)
    procedure = Procedure.objects.get(code=BIRTH)
    return [
        dossier_receive(
            actor=demo.user("tiepnhan"),
            desk=demo.agency(DESK),
            procedure=procedure,
            applicant=Applicant(
                kind="citizen",
                name=user.get_full_name() or username,
                id_number="022090001234",
                user=user,
            ),
            files=mandatory_uploads(procedure),
        )
        for _ in range(count)
    ]


def _codes(html: str) -> list[str]:
    """The dossier codes in the list, in page order (each row shows its code once)."""
    rows = html.rsplit('<ul class="results">', maxsplit=1)[-1].split("</ul>", maxsplit=1)[0]
    return re.findall(r'<span class="code">([^<]+)</span>', rows)


def _next(html: str) -> str | None:
    found = re.search(r'<a class="btn" rel="next" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


@pytest.fixture
def many(demo: Any) -> tuple[list[Dossier], list[Dossier]]:
    """MY_DOSSIERS_PAGE + 3 dossiers of congdan (eight of them received in the same instant,
    so the order falls back on the id) and two of doanhnghiep received in between."""
    mine = _receive(demo, "congdan", MY_DOSSIERS_PAGE - 5)
    theirs = _receive(demo, "doanhnghiep", 2)
    mine += _receive(demo, "congdan", 8)
    same = timezone.now() - timedelta(minutes=5)
    Dossier.objects.filter(pk__in=[d.pk for d in mine[-8:]]).update(created_at=same)
    return mine, theirs


def test_citizen_pages_through_all_own_dossiers_and_never_sees_others(
    client: Client, demo: Any, many: tuple[list[Dossier], list[Dossier]]
) -> None:
    mine, theirs = many
    client.force_login(demo.user("congdan"))
    first = client.get("/ca-nhan/ho-so/").content.decode()
    page_one = _codes(first)
    assert len(page_one) == MY_DOSSIERS_PAGE
    assert "Xem thêm" in first
    assert "Bạn chưa có hồ sơ nào" not in first

    seen = list(page_one)
    url = _next(first)
    pages = 1
    while url:
        html = client.get(f"/ca-nhan/ho-so/{url}").content.decode()
        assert "Về trang đầu" in html
        seen += _codes(html)
        url = _next(html)
        pages += 1
    assert pages == 2
    # Every dossier of the citizen exactly once, newest first (created_at, then id).
    expected = Dossier.objects.filter(pk__in=[d.pk for d in mine]).order_by("-created_at", "-id")
    assert seen == [d.code for d in expected]
    assert not {d.code for d in theirs} & set(seen)

    # The other applicant sees only theirs, on one page without "Xem thêm".
    client.force_login(demo.user("doanhnghiep"))
    html = client.get("/ca-nhan/ho-so/").content.decode()
    assert sorted(_codes(html)) == sorted(d.code for d in theirs)
    assert "Xem thêm" not in html


def test_a_cursor_from_someone_elses_dossier_shows_nothing_of_theirs(
    client: Client, demo: Any, many: tuple[list[Dossier], list[Dossier]]
) -> None:
    _, theirs = many
    client.force_login(demo.user("congdan"))
    html = client.get(f"/ca-nhan/ho-so/?sau={theirs[-1].pk}").content.decode()
    assert _codes(html) == []
    assert "Không còn hồ sơ nào." in html
    for bad in ("abc", "-1", "9" * 40, "", "²", "١٢"):
        response = client.get("/ca-nhan/ho-so/", {"sau": bad})
        assert response.status_code == 200
        assert len(_codes(response.content.decode())) == MY_DOSSIERS_PAGE


def test_status_filter_is_kept_on_the_next_page(
    client: Client, demo: Any, many: tuple[list[Dossier], list[Dossier]]
) -> None:
    mine, _ = many
    Dossier.objects.filter(pk__in=[d.pk for d in mine[:2]]).update(status="withdrawn")
    client.force_login(demo.user("congdan"))
    processing = client.get("/ca-nhan/ho-so/?trang-thai=processing").content.decode()
    assert len(_codes(processing)) == MY_DOSSIERS_PAGE
    assert "Đang giải quyết" in processing
    url = _next(processing)
    assert url is not None and "trang-thai=processing" in url
    rest = _codes(client.get(f"/ca-nhan/ho-so/{url}").content.decode())
    assert len(rest) == len(mine) - 2 - MY_DOSSIERS_PAGE
    withdrawn = client.get("/ca-nhan/ho-so/?trang-thai=withdrawn").content.decode()
    assert sorted(_codes(withdrawn)) == sorted(d.code for d in mine[:2])
    assert "Đã rút hồ sơ" in withdrawn and "Xem thêm" not in withdrawn


def test_rows_show_status_due_date_and_link_and_escape_names(client: Client, demo: Any) -> None:
    (dossier,) = _receive(demo, "congdan", 1)
    Procedure.objects.filter(code=BIRTH).update(name='Khai sinh <script>alert("x")</script>')
    client.force_login(demo.user("congdan"))
    html = client.get("/ca-nhan/ho-so/").content.decode()
    due = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
    assert f'<a href="/ca-nhan/ho-so/{dossier.code}/">' in html
    assert f"Đang giải quyết</strong> · hẹn trả {due}" in html
    assert "<script>alert" not in html
    assert "Khai sinh &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_page_reads_the_list_in_one_query(
    client: Client, demo: Any, many: tuple[list[Dossier], list[Dossier]]
) -> None:
    client.force_login(demo.user("congdan"))
    client.get("/ca-nhan/ho-so/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/ca-nhan/ho-so/").content.decode()
    assert len(_codes(html)) == MY_DOSSIERS_PAGE
    # session, user, the page of dossiers (with procedure names), the drafts.
    assert len(queries.captured_queries) == 4, [q["sql"] for q in queries.captured_queries]


def test_odd_digits_in_a_draft_id_show_the_empty_form(client: Client, demo: Any) -> None:
    client.force_login(demo.user("congdan"))
    for odd in ("²", "١٢", "9" * 40):
        response = client.get(f"/thu-tuc/{BIRTH}/nop-truc-tuyen/", {"nhap": odd})
        assert response.status_code == 200
        assert "Lưu nháp" in response.content.decode()
