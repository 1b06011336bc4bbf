"""Who may see and record payments: the applicant for their own dossier, officials by agency."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cqs.accounts.permissions import agency_scope
from cqs.accounts.rules import Role
from cqs.dossiers.models import Dossier
from cqs.payments.models import EReceipt, Payment

# Roles that take money at the counter: the one-stop desk's receiving officers.
COUNTER_ROLES = (Role.RECEIVING_OFFICER,)
# Roles that may ask the gateway about a payment and settle it (reconciliation): those who
# take the money, and the agency's leaders and administrators (not read-only viewers).
QUERY_ROLES = (Role.RECEIVING_OFFICER, Role.LEADER, Role.AGENCY_ADMIN, Role.PROVINCE_ADMIN)


def is_applicant(user: Any, dossier: Dossier) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and dossier.applicant_user_id is not None
        and dossier.applicant_user_id == user.pk
    )


def can_record_counter_payment(user: Any, dossier: Dossier) -> bool:
    scope = agency_scope(user, COUNTER_ROLES)
    return dossier.agency_id in scope or (dossier.desk_id is not None and dossier.desk_id in scope)


def can_query_payment(user: Any, payment: Payment) -> bool:
    scope = agency_scope(user, QUERY_ROLES)
    return payment.agency_id in scope or payment.dossier.desk_id in scope


def can_view_reconciliation(user: Any) -> bool:
    return bool(agency_scope(user))


def visible_payments(user: Any) -> QuerySet[Payment]:
    """Payments of the agencies (collecting agency or receiving desk) in the official's scope."""
    scope = agency_scope(user)
    if not scope:
        return Payment.objects.none()
    return Payment.objects.filter(Q(agency_id__in=scope) | Q(dossier__desk_id__in=scope))


def can_view_receipt(user: Any, receipt: EReceipt) -> bool:
    dossier = receipt.payment.dossier
    if is_applicant(user, dossier):
        return True
    scope = agency_scope(user)
    return receipt.agency_id in scope or (dossier.desk_id is not None and dossier.desk_id in scope)
