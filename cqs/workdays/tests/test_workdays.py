from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from cqs.audit.models import AuditEvent
from cqs.core.errors import NotFound, ValidationError
from cqs.workdays.models import CalendarOverride
from cqs.workdays.selectors import work_calendar
from cqs.workdays.services import calendar_override_delete, calendar_override_set

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_override_changes_due_dates_at_once(
    demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Thursday 3 Dec 2026 09:00 + 1 working day = Friday 4 Dec 09:00 ...
    start = datetime(2026, 12, 3, 9, 0, tzinfo=TZ)
    assert work_calendar().add_working_days(start, 1) == datetime(2026, 12, 4, 9, 0, tzinfo=TZ)
    # ... until the government declares Friday 4 Dec a day off: then Monday 7 Dec.
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_set(
            actor=demo.user("quantri"),
            day=date(2026, 12, 4),
            is_working_day=False,
            reason="Quyết định nghỉ bù (thử nghiệm)",
        )
    assert work_calendar().add_working_days(start, 1) == datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
    assert AuditEvent.objects.filter(action="calendar_override.create").exists()
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_delete(actor=demo.user("quantri"), day=date(2026, 12, 4))
    assert work_calendar().add_working_days(start, 1) == datetime(2026, 12, 4, 9, 0, tzinfo=TZ)


def test_make_up_day_must_be_a_weekend(demo: Any) -> None:
    with pytest.raises(ValidationError, match="thứ Bảy hoặc Chủ nhật"):
        calendar_override_set(actor=None, day=date(2026, 12, 3), is_working_day=True, reason="x")
    with pytest.raises(ValidationError, match="lý do"):
        calendar_override_set(actor=None, day=date(2026, 12, 5), is_working_day=True, reason="  ")
    assert not CalendarOverride.objects.exists()
    with pytest.raises(NotFound):
        calendar_override_delete(actor=None, day=date(2026, 12, 5))


def test_calendar_page_for_admin_and_officer(client: Client, demo: Any) -> None:
    client.force_login(demo.user("quantri"))
    page = client.get("/quan-tri/lich-lam-viec/").content.decode()
    assert "Thêm điều chỉnh" in page
    response = client.post(
        "/quan-tri/lich-lam-viec/", {"day": "2026-12-05", "is_working_day": "1", "reason": "Làm bù"}
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get(day=date(2026, 12, 5)).is_working_day
    bad = client.post(
        "/quan-tri/lich-lam-viec/", {"day": "2026-12-03", "is_working_day": "1", "reason": "Làm bù"}
    )
    assert bad.status_code == 422
    assert "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật." in bad.content.decode()
    garbage = client.post("/quan-tri/lich-lam-viec/", {"day": "không-phải-ngày", "reason": ""})
    assert garbage.status_code == 422
    assert "Ngày không hợp lệ." in garbage.content.decode()
    client.force_login(demo.user("tiepnhan"))
    page = client.get("/quan-tri/lich-lam-viec/").content.decode()
    assert "Thêm điều chỉnh" not in page
    response = client.post(
        "/quan-tri/lich-lam-viec/", {"day": "2026-12-12", "is_working_day": "1", "reason": "x"}
    )
    assert response.status_code == 403
    assert not CalendarOverride.objects.filter(day=date(2026, 12, 12)).exists()
