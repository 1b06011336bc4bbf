"""Citizen and business registration with a one-time code, as a person sees it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cqs.accounts.models import OneTimeCode, User
from cqs.accounts.registration import Registration, account_register, otp_resend, otp_verify
from cqs.accounts.rules import TaxCodeError, parse_tax_code, tax_code_check_digit
from cqs.core.errors import Conflict, RateLimited, ValidationError
from cqs.notifications.adapters import MemorySms

PASSWORD = "Hoa-sen-2026-xanh"
REGISTER = "/dang-ky/"
VERIFY = "/dang-ky/xac-thuc/"


@pytest.fixture(autouse=True)
def memory_sms(settings: Any) -> Any:
    settings.CQS_SMS_BACKEND = "memory"
    MemorySms.sent.clear()
    yield MemorySms.sent
    MemorySms.sent.clear()


def _code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def _page(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(response.content.decode())))


# --- Tax code rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0100109106", "0300588569", "0100109106-001", "0100109106001"])
def test_published_tax_codes_are_valid(code: str) -> None:
    assert parse_tax_code(code).startswith(code[:10])


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("0100109107", "chữ số kiểm tra không đúng"),
        ("010010910", "Mã số thuế gồm 10 chữ số"),
        ("01001091061", "Mã số thuế gồm 10 chữ số"),
        ("0100109106-000", "bắt đầu từ 001"),
        ("abcdefghij", "Mã số thuế gồm 10 chữ số"),
    ],
)
def test_bad_tax_codes_say_why(code: str, message: str) -> None:
    with pytest.raises(TaxCodeError, match=message):
        parse_tax_code(code)


def test_a_remainder_of_zero_has_no_valid_check_digit() -> None:
    # 31·1 + 29·1 + 23·0 … = 60 + 5·... : find nine digits whose weighted sum is 0 mod 11.
    assert tax_code_check_digit("000000000") is None
    assert tax_code_check_digit("010010910") == 6


# --- Registration and the one-time code ---------------------------------------------------------


def _citizen(**kw: Any) -> Registration:
    data = {
        "kind": "citizen",
        "full_name": "Phạm Thị Mai",
        "password": PASSWORD,
        "id_number": "022195004321",
        "phone": "0987 654 321",
    }
    data.update(kw)
    return Registration(**data)


def test_registration_sends_a_code_and_activates_on_it(
    demo: Any, memory_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = account_register(registration=_citizen())
    assert user.is_active is False
    assert user.username == "022195004321"
    assert memory_sms[-1][0] == "0987654321"
    code = _code_in(memory_sms[-1][1])
    stored = OneTimeCode.objects.get(user=user)
    assert code not in stored.code_hash  # only the hash is kept
    otp_verify(user=user, code=code)
    user.refresh_from_db()
    assert user.is_active is True
    assert user.contact_verified_at is not None


def test_invalid_id_number_creates_nothing(demo: Any, memory_sms: Any) -> None:
    before = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        account_register(registration=_citizen(id_number="999195004321"))
    assert "Mã tỉnh nơi đăng ký khai sinh «999» không tồn tại." in exc.value.details["id_number"]
    assert User.objects.count() == before
    assert memory_sms == []


def test_business_needs_a_valid_tax_code(
    demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        account_register(
            registration=Registration(
                kind="business",
                full_name="Lê Văn Tâm",
                organization_name="Công ty TNHH Biển Xanh",
                tax_code="5701234567",
                email="bienxanh@example.invalid",
                password=PASSWORD,
            )
        )
    assert "chữ số kiểm tra không đúng" in exc.value.details["tax_code"][0]
    with django_capture_on_commit_callbacks(execute=True):
        user = account_register(
            registration=Registration(
                kind="business",
                full_name="Lê Văn Tâm",
                organization_name="Công ty TNHH Biển Xanh",
                tax_code="0100109106",
                email="bienxanh@example.invalid",
                password=PASSWORD,
            )
        )
    assert user.username == "0100109106"
    assert mail.outbox[-1].to == ["bienxanh@example.invalid"]
    assert _code_in(str(mail.outbox[-1].body))


def test_same_id_number_twice_is_a_conflict(demo: Any) -> None:
    with pytest.raises(Conflict, match="đã có tài khoản"):
        account_register(registration=_citizen(id_number="022090001234"))


def test_expired_code_is_refused_and_account_stays_inactive(
    demo: Any, memory_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = account_register(registration=_citizen())
    code = _code_in(memory_sms[-1][1])
    later = timezone.now() + timedelta(minutes=6)
    with pytest.raises(ValidationError, match="Mã xác thực đã hết hạn"):
        otp_verify(user=user, code=code, now=later)
    user.refresh_from_db()
    assert user.is_active is False


def test_wrong_code_five_times_locks_the_code(
    demo: Any, memory_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = account_register(registration=_citizen())
    code = _code_in(memory_sms[-1][1])
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"Bạn còn {left} lần thử"):
            otp_verify(user=user, code=wrong)
    with pytest.raises(ValidationError, match="hết lượt thử"):
        otp_verify(user=user, code=wrong)
    with pytest.raises(RateLimited, match="quá 5 lần"):
        otp_verify(user=user, code=code)  # even the right code: the attempts are spent
    user.refresh_from_db()
    assert user.is_active is False


def test_resend_is_throttled(
    demo: Any, memory_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = account_register(registration=_citizen())
    with pytest.raises(RateLimited, match="Vui lòng chờ"):
        otp_resend(user=user)
    later = timezone.now() + timedelta(seconds=61)
    with django_capture_on_commit_callbacks(execute=True):
        otp_resend(user=user, now=later)
    assert len(memory_sms) == 2
    first, second = _code_in(memory_sms[0][1]), _code_in(memory_sms[1][1])
    if first != second:  # the old code no longer works; the new one does
        with pytest.raises(ValidationError):
            otp_verify(user=user, code=first, now=later)
    otp_verify(user=user, code=second, now=later)


# --- The pages ------------------------------------------------------------------------------------


def test_register_page_flow(
    client: Client, demo: Any, memory_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page = client.get(REGISTER)
    assert "Đăng ký tài khoản" in _page(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            REGISTER,
            {
                "kind": "citizen",
                "full_name": "Phạm Thị Mai",
                "id_number": "022195004321",
                "phone": "0987654321",
                "password": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    page = client.get(VERIFY)
    assert "098****321" in _page(page)
    wrong = client.post(VERIFY, {"code": "12345"})
    assert wrong.status_code == 422
    assert "Mã xác thực không đúng" in _page(wrong)
    code = _code_in(memory_sms[-1][1])
    done = client.post(VERIFY, {"code": code}, follow=True)
    assert done.redirect_chain[-1][0] == "/ca-nhan/"
    assert "Xin chào, Phạm Thị Mai" in _page(done)


def test_register_page_shows_invalid_id_number(client: Client, demo: Any) -> None:
    response = client.post(
        REGISTER,
        {
            "kind": "citizen",
            "full_name": "Phạm Thị Mai",
            "id_number": "02219500432",
            "phone": "0987654321",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in _page(response)
    assert not User.objects.filter(full_name="Phạm Thị Mai").exists()


def test_unverified_account_cannot_log_in(client: Client, demo: Any) -> None:
    account_register(registration=_citizen())
    response = client.post("/dang-nhap/", {"username": "022195004321", "password": PASSWORD})
    assert response.status_code == 422


def test_demo_business_has_a_valid_tax_code(demo: Any) -> None:
    assert parse_tax_code(demo.user("doanhnghiep").tax_code) == "5701234566"


def test_one_phone_cannot_be_flooded_by_many_registrations(demo: Any, settings: Any) -> None:
    settings.CQS_OTP_MAX_PER_HOUR = 2
    account_register(registration=_citizen(id_number="022195004321"))
    account_register(registration=_citizen(id_number="022195004322"))
    with pytest.raises(RateLimited, match="quá nhiều mã"):
        account_register(registration=_citizen(id_number="022195004323"))
    assert not User.objects.filter(username="022195004323").exists()  # nothing half-written
