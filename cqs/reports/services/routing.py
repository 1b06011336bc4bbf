"""Which agency a report goes to: the routing rules, then the category's default agency, the
commune's committee, the province's."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from cqs.core.errors import ValidationError
from cqs.reports import rules
from cqs.reports.models import Category, RoutingRule
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind


def _routes() -> list[rules.Route]:
    return [
        rules.Route(
            rule_id=r.pk,
            priority=r.priority,
            agency_id=r.agency_id,
            commune_id=r.commune_id,
            category_id=r.category_id,
            start=r.start_time,
            end=r.end_time,
            keywords=rules.parse_keywords(r.keywords),
        )
        for r in RoutingRule.objects.filter(is_active=True, agency__is_active=True)
    ]


def report_route(
    *, category: Category, commune: AdministrativeUnit | None, text: str, at: datetime
) -> tuple[Agency, int | None]:
    """The responsible agency: the first matching rule, else the category's default agency,
    else the commune's people's committee, else the province's."""
    route = rules.choose_route(
        _routes(),
        category_id=category.pk,
        commune_id=commune.pk if commune else None,
        local_time=timezone.localtime(at).time(),
        text=text,
    )
    if route is not None:
        return Agency.objects.get(pk=route.agency_id), route.rule_id
    if category.default_agency_id and category.default_agency.is_active:  # type: ignore[union-attr]
        return category.default_agency, None  # type: ignore[return-value]
    kinds = [AgencyKind.COMMUNE_COMMITTEE]
    if commune is not None:
        agency = Agency.objects.filter(unit=commune, kind__in=kinds, is_active=True).first()
        if agency is not None:
            return agency, None
    agency = Agency.objects.filter(kind=AgencyKind.PROVINCE_COMMITTEE, is_active=True).first()
    if agency is None:
        raise ValidationError("Chưa cấu hình cơ quan tiếp nhận phản ánh.")
    return agency, None
