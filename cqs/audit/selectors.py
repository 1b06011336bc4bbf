from __future__ import annotations

from django.db.models import QuerySet

from cqs.audit.models import AuditEvent


def audit_events(
    *, action_prefix: str = "", object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.order_by("-occurred_at", "-id")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs
