from __future__ import annotations

from typing import Any

from django.test import Client

from cqs.audit.models import AuditEvent
from cqs.audit.services import audit_record


def test_admin_shows_audit_rows_read_only(client: Client, demo: Any) -> None:
    row = audit_record(actor=demo.user("quantri"), action="test.admin", object_repr="Thử")
    client.force_login(demo.user("quantri"))
    assert client.get("/admin/").status_code == 200
    listing = client.get("/admin/audit/auditevent/?action=test.admin")
    assert listing.status_code == 200
    assert "test.admin" in listing.content.decode()
    detail = client.get(f"/admin/audit/auditevent/{row.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert (
        client.post(f"/admin/audit/auditevent/{row.pk}/change/", {"action": "x"}).status_code == 403
    )
    assert (
        client.post(f"/admin/audit/auditevent/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.get(pk=row.pk).action == "test.admin"


def test_admin_is_closed_to_officials_without_staff(client: Client, demo: Any) -> None:
    client.force_login(demo.user("lanhdao"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
