"""The sidebar shows each official exactly the pages they may open."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Every page the sidebar may link to (the full menu an official with every right would see).
ALL_LINKS = {
    "/quan-tri/": "Bàn làm việc",
    "/quan-tri/ho-so/": "Hồ sơ",
    "/quan-tri/ho-so/tiep-nhan/": "Tiếp nhận hồ sơ",
    "/quan-tri/thanh-toan/doi-soat/": "Đối soát thanh toán",
    "/quan-tri/dieu-hanh/": "Điều hành (chỉ số 766)",
    "/quan-tri/phan-anh/": "Phản ánh hiện trường",
    "/quan-tri/van-ban/": "Văn bản",
    "/quan-tri/nhiem-vu/": "Nhiệm vụ",
    "/quan-tri/co-quan/": "Cơ quan",
    "/quan-tri/thu-tuc/": "Danh mục thủ tục",
    "/quan-tri/lich-lam-viec/": "Lịch làm việc",
    "/quan-tri/nhat-ky/": "Nhật ký hệ thống",
    "/quan-tri/tro-ly/": "Trợ lý ảo",
    "/admin/": "Quản trị danh mục (admin)",
    "/": "Cổng dịch vụ công",
}
OFFICIALS = [
    "tiepnhan",
    "xuly",
    "truongphong",
    "lanhdao",
    "vanthu",
    "quantri",
    "quantrixa",
    "theodoi",
    "tiepnhan2",
]
# What each role must find (a regression that hid everything would otherwise pass).
MUST_SEE = {
    "tiepnhan": ["Tiếp nhận hồ sơ"],
    "tiepnhan2": ["Tiếp nhận hồ sơ"],
    "theodoi": ["Điều hành (chỉ số 766)"],
    "lanhdao": ["Điều hành (chỉ số 766)"],
    "quantrixa": ["Điều hành (chỉ số 766)"],
    "quantri": ["Nhật ký hệ thống", "Trợ lý ảo", "Quản trị danh mục (admin)"],
}


class SidebarLinks(HTMLParser):
    """(href, text, aria-current) of each link inside <nav class="sidebar">."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 while inside the sidebar nav
        self.links: list[tuple[str, str, str]] = []
        self._open: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and ("sidebar" in (a.get("class") or "").split() or self.depth):
            self.depth += 1
        elif tag == "a" and self.depth:
            self._open = [a.get("href") or "", "", a.get("aria-current") or ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.depth:
            self.depth -= 1
        elif tag == "a" and self._open is not None:
            href, text, current = self._open
            self.links.append((href, text.strip(), current))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1] += data


def sidebar(html: str) -> list[tuple[str, str, str]]:
    parser = SidebarLinks()
    parser.feed(html)
    return parser.links


def login(client: Client, username: str) -> None:
    """Through the login form, as the official would (the demo password of the fixtures)."""
    response = client.post(
        "/dang-nhap/", {"username": username, "password": settings.CQS_DEMO_PASSWORD}
    )
    assert response.status_code == 302, (username, response.status_code)


@pytest.mark.parametrize("username", OFFICIALS)
def test_sidebar_shows_what_opens_and_hides_what_is_refused(
    client: Client, demo: Any, username: str
) -> None:
    login(client, username)
    home = client.get("/quan-tri/")
    assert home.status_code == 200
    links = sidebar(home.content.decode())
    shown = {href: text for href, text, _ in links}
    assert shown, "no sidebar on the back-office home page"
    assert set(shown) <= set(ALL_LINKS), f"unexpected links: {set(shown) - set(ALL_LINKS)}"
    for href, text in shown.items():
        assert text == ALL_LINKS[href]
    for label in MUST_SEE.get(username, []):
        assert label in shown.values(), f"{username} should see «{label}»"

    for href, text in shown.items():
        response = client.get(href, follow=True)
        assert response.status_code == 200, (
            f"{username}: «{text}» {href} answers {response.status_code}"
        )

    hidden = [href for href in ALL_LINKS if href not in shown]
    assert hidden, f"{username} sees every link: nothing proves the menu is filtered"
    refused = []
    for href in hidden:
        response = client.get(href)
        if href == "/admin/":
            # The admin site refuses non-staff by sending them to its own login page.
            assert response.status_code == 302, (username, href, response.status_code)
            assert response["Location"].startswith("/admin/login/")
        else:
            assert response.status_code == 403, (username, href, response.status_code)
            assert "Không có quyền truy cập" in response.content.decode()
            refused.append(href)
    assert refused, f"{username}: no hidden link was checked to answer 403"


def test_current_page_is_marked(client: Client, demo: Any) -> None:
    login(client, "tiepnhan")
    intake = sidebar(client.get("/quan-tri/ho-so/tiep-nhan/").content.decode())
    marked = [(text, current) for _, text, current in intake if current]
    assert marked == [("Tiếp nhận hồ sơ", "page")]
    home = sidebar(client.get("/quan-tri/").content.decode())
    assert [(text, current) for _, text, current in home if current] == [("Bàn làm việc", "page")]


def test_home_shortcuts_follow_the_same_rule(client: Client, demo: Any) -> None:
    login(client, "theodoi")
    page = client.get("/quan-tri/").content.decode()
    assert "/quan-tri/nhat-ky/" not in page
    admin = Client()
    login(admin, "quantri")
    page = admin.get("/quan-tri/").content.decode()
    main = page[page.index("<main") :]
    assert 'href="/quan-tri/nhat-ky/"' in main


@pytest.mark.parametrize("username", ["quantri", "lanhdao", "tiepnhan"])
def test_menu_costs_no_query_per_link(rf: Any, demo: Any, username: str) -> None:
    from cqs.backoffice.navigation import NAV_LINKS, nav_items

    request = rf.get("/quan-tri/")
    request.user = demo.user(username)
    with CaptureQueriesContext(connection) as first:
        items = nav_items(request)
    # The scope look-ups are cached on the user: building the menu again costs nothing but
    # the receiving desks of a receiving officer (the intake page's own check).
    with CaptureQueriesContext(connection) as second:
        assert nav_items(request) == items
    assert len(second) == (1 if username == "tiepnhan" else 0)
    # Bounded by the role sets the checks use (each a walk down the agency tree), not by
    # the number of links.
    assert len(first) < len(NAV_LINKS)
