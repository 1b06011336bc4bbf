"""The province administrator configures routing rules, categories and answer templates in
/admin/; every change goes through the config services (checked, audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cqs.audit.models import AuditEvent
from cqs.reports.models import Category, RoutingRule
from cqs.reports.services import report_route
from cqs.reports.tests.conftest import BAI_CHAY, at, category, commune
from cqs.units.models import Agency

pytestmark = pytest.mark.django_db
ADD_RULE = "/admin/reports/routingrule/add/"


def _rule(**kw: Any) -> dict[str, Any]:
    return {
        "priority": "10",
        "name": "Môi trường về Sở",
        "category": str(category("moi-truong").pk),
        "commune": "",
        "start_time": "",
        "end_time": "",
        "keywords": "",
        "agency": str(Agency.objects.get(code="000.00.13.H49").pk),
        "is_active": "on",
        **kw,
    }


def test_admin_adds_a_routing_rule_that_routes(client: Client, demo: Any) -> None:
    client.force_login(demo.user("quantri"))
    response = client.post(ADD_RULE, _rule())
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get(name="Môi trường về Sở")
    assert AuditEvent.objects.filter(
        action="report_config.routingrule.create", object_id=str(rule.pk)
    ).exists()
    agency, rule_id = report_route(
        category=category("moi-truong"), commune=commune(BAI_CHAY), text="", at=at(2026, 3, 2, 9)
    )
    assert (agency.code, rule_id) == ("000.00.13.H49", rule.pk)


def test_half_a_time_window_is_a_form_error(client: Client, demo: Any) -> None:
    client.force_login(demo.user("quantri"))
    response = client.post(ADD_RULE, _rule(start_time="22:00"))
    assert response.status_code == 200
    assert "Khung giờ cần đủ" in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_category_deadline_and_attributes_checked(client: Client, demo: Any) -> None:
    client.force_login(demo.user("quantri"))
    c = category("an-toan-giao-thong")
    url = f"/admin/reports/category/{c.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "code": c.code,
        "name": c.name,
        "description": c.description,
        "group": c.group,
        "keywords": c.keywords,
        "deadline_value": "2",
        "deadline_unit": "working_days",
        "default_agency": "",
        "attributes": '[{"code": "x", "datatype": "colour"}]',
        "is_active": "on",
        "position": "1",
        "templates-TOTAL_FORMS": "0",
        "templates-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "không hợp lệ" in response.content.decode()
    response = client.post(url, {**form, "attributes": "[]"})
    assert response.status_code == 302
    assert Category.objects.get(pk=c.pk).deadline_value == 2


def test_officials_cannot_configure(client: Client, demo: Any) -> None:
    client.force_login(demo.user("truongphong"))
    assert client.get(ADD_RULE).status_code in {302, 403}
    assert not RoutingRule.objects.exists()
