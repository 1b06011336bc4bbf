"""Who may do what with documents and tasks.

An official sees the documents of the agencies in their scope, and those assigned to them or
to an agency in their scope (lead, co-operating, for information).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cqs.accounts.permissions import agency_scope, roles_of
from cqs.accounts.rules import Role
from cqs.documents.models import Document, Task
from cqs.units.models import Agency


def _at(user: Any, role: Role, agency_id: int | None) -> bool:
    return agency_id is not None and agency_id in agency_scope(user, [role])


def visible_documents(user: Any) -> QuerySet[Document]:
    scope = agency_scope(user)
    if not scope:
        return Document.objects.none()
    return Document.objects.filter(
        Q(agency_id__in=scope)
        | Q(assignments__agency_id__in=scope)
        | Q(assignments__user_id=user.pk)
    ).distinct()


def can_view_document(user: Any, document: Document) -> bool:
    return visible_documents(user).filter(pk=document.pk).exists()


def can_register_incoming(user: Any, agency: Agency) -> bool:
    return _at(user, Role.RECORDS_CLERK, agency.pk)


def can_assign_division(user: Any, document: Document) -> bool:
    return _at(user, Role.LEADER, document.agency_id)


def can_assign_officer(user: Any, document: Document) -> bool:
    return _at(user, Role.HEAD_OF_DIVISION, document.agency_id) or _at(
        user, Role.HEAD_OF_DIVISION, document.lead_division_id
    )


def can_complete_incoming(user: Any, document: Document) -> bool:
    return document.officer_id == getattr(user, "pk", None) or can_assign_officer(user, document)


def can_draft(user: Any, agency: Agency) -> bool:
    return any(
        _at(user, r, agency.pk)
        for r in (Role.PROCESSING_OFFICER, Role.HEAD_OF_DIVISION, Role.LEADER)
    )


def can_review(user: Any, document: Document) -> bool:
    return _at(user, Role.HEAD_OF_DIVISION, document.agency_id) or _at(
        user, Role.HEAD_OF_DIVISION, document.drafting_unit_id
    )


def can_sign(user: Any, document: Document) -> bool:
    return _at(user, Role.LEADER, document.agency_id)


def can_issue(user: Any, document: Document) -> bool:
    return _at(user, Role.RECORDS_CLERK, document.agency_id)


def can_manage_exchange(user: Any) -> bool:
    return Role.PROVINCE_ADMIN in roles_of(user)


def can_assign_task(user: Any, agency: Agency) -> bool:
    return _at(user, Role.LEADER, agency.pk)


def visible_tasks(user: Any) -> QuerySet[Task]:
    scope = agency_scope(user)
    if not scope:
        return Task.objects.none()
    return Task.objects.filter(
        Q(owner_id__in=scope) | Q(co_owners__in=scope) | Q(assigner_agency_id__in=scope)
    ).distinct()


def can_report_task(user: Any, task: Task) -> bool:
    scope = agency_scope(user)
    if task.owner_id in scope:
        return True
    return task.co_owners.filter(pk__in=scope).exists()
