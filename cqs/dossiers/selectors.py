"""Reads over dossiers that apply visibility: an official sees the dossiers of the agencies
in their scope (including dossiers their agency once held); an applicant sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from cqs.accounts.permissions import agency_scope
from cqs.core.errors import NotFound
from cqs.dossiers.models import Dossier, DossierParticipant


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    scope = agency_scope(user)
    q = Q(applicant_user_id=user.pk)
    if scope:
        q |= Q(agency_id__in=scope) | Q(desk_id__in=scope)
        q |= Exists(DossierParticipant.objects.filter(dossier=OuterRef("pk"), agency_id__in=scope))
    return Dossier.objects.filter(q)


def dossier_for(user: Any, code: str) -> Dossier:
    dossier = (
        visible_dossiers(user)
        .select_related("procedure", "agency", "desk", "assignee", "unit")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ «{code}» trong phạm vi của bạn.")
    return dossier


def dossier_public(code: str) -> Dossier:
    dossier = (
        Dossier.objects.select_related("procedure", "agency").filter(code=code.strip()).first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ có mã «{code}».")
    return dossier
