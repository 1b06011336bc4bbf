"""Who may change what in the catalogue."""

from __future__ import annotations

from typing import Any

from cqs.accounts.permissions import agency_scope, can_manage_catalogue
from cqs.accounts.rules import Role
from cqs.catalogue.models import DocumentRequirement


def can_manage_document_form(user: Any, requirement: DocumentRequirement) -> bool:
    """Attach or remove the blank form of a document requirement.

    The province administrator manages every form. An agency administrator manages the forms
    of a procedure that only agencies in their scope carry out (a department's own
    procedures): a form shown province-wide must not be changed by one commune among many.
    """
    if can_manage_catalogue(user):
        return True
    scope = agency_scope(user, [Role.AGENCY_ADMIN])
    if not scope:
        return False
    agencies = set(requirement.procedure.agencies.values_list("pk", flat=True))
    return bool(agencies) and agencies <= scope
