from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

LOGIN = "/dang-nhap/"


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_vietnamese(client: Client, demo: Any) -> None:
    page = client.get(LOGIN).content.decode()
    assert "Tên đăng nhập" in page
    assert "Mật khẩu" in page
    assert '<html lang="vi">' in page


def test_official_lands_in_back_office(client: Client, demo: Any) -> None:
    response = _login(client, "tiepnhan", settings.CQS_DEMO_PASSWORD)
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == "/quan-tri/"
    page = response.content.decode()
    assert "Nguyễn Thị Hoa" in page
    assert "Cán bộ tiếp nhận (Bộ phận Một cửa)" in page
    assert "Bộ phận Một cửa phường Hạ Long" in page


def test_citizen_lands_on_personal_page(client: Client, demo: Any) -> None:
    response = _login(client, "congdan", settings.CQS_DEMO_PASSWORD)
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == "/ca-nhan/"
    assert "Nguyễn Văn An" in response.content.decode()


def test_wrong_password_is_explained(client: Client, demo: Any) -> None:
    response = _login(client, "tiepnhan", "sai-mat-khau")
    assert response.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_repeated_failures_lock_the_account(client: Client, demo: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "xuly", "sai-mat-khau")
    response = _login(client, "xuly", settings.CQS_DEMO_PASSWORD)
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    # Another account from the same machine is not locked.
    assert _login(client, "vanthu", settings.CQS_DEMO_PASSWORD).status_code == 302


@override_settings(IS_PRODUCTION=True)
def test_demo_accounts_are_refused_in_production(client: Client, demo: Any) -> None:
    response = _login(client, "tiepnhan", settings.CQS_DEMO_PASSWORD)
    assert response.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_back_office_requires_login_and_an_official(client: Client, demo: Any) -> None:
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=/quan-tri/")
    client.force_login(demo.user("congdan"))
    response = client.get("/quan-tri/")
    assert response.status_code == 403
    assert "Trang quản trị chỉ dành cho cán bộ" in response.content.decode()


def test_empty_login_form_is_explained(client: Client, demo: Any) -> None:
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in response.content.decode()


def test_logout_needs_post(client: Client, demo: Any) -> None:
    client.force_login(demo.user("congdan"))
    assert client.get("/dang-xuat/").status_code == 405
    assert client.post("/dang-xuat/").status_code == 302
    assert client.get("/ca-nhan/").status_code == 302


@pytest.mark.parametrize("path", ["/", "/dang-nhap/", "/thu-tuc/"])
def test_security_headers(client: Client, demo: Any, path: str) -> None:
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced_on_login(demo: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "tiepnhan", "password": settings.CQS_DEMO_PASSWORD})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
