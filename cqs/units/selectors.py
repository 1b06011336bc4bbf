"""Reads over units and agencies."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from cqs.units.models import AdministrativeUnit, Agency, UnitLevel


def agency_descendant_ids(root_ids: Iterable[int]) -> set[int]:
    """The given agencies and every agency below them (one query per tree level)."""
    found: set[int] = set(root_ids)
    frontier = set(found)
    while frontier:
        children = (
            set(Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        )
        found |= children
        frontier = children
    return found


def current_provinces() -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_until__isnull=True)


def current_communes(province: AdministrativeUnit | None = None) -> QuerySet[AdministrativeUnit]:
    qs = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_until__isnull=True)
    if province is not None:
        qs = qs.filter(parent=province)
    return qs


def unit_lineage(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit and all units it was formed from, oldest last (for history and statistics)."""
    seen: dict[int, AdministrativeUnit] = {unit.pk: unit}
    frontier = [unit]
    while frontier:
        preds = list(
            AdministrativeUnit.objects.filter(successors__in=[u.pk for u in frontier]).distinct()
        )
        frontier = [p for p in preds if p.pk not in seen]
        seen.update({p.pk: p for p in frontier})
    return list(seen.values())
