"""Every change to administrative units and agencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from vietnam_provinces import Province, Ward

from cqs.audit.services import audit_record
from cqs.core.errors import Conflict, ValidationError
from cqs.units import rules
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel


@dataclass(frozen=True)
class LoadResult:
    provinces_created: int
    communes_created: int
    updated: int


def units_load_national(*, actor: Any = None) -> LoadResult:
    """Load the 34 provinces and 3,321 communes (vietnam-provinces, in force from 1 July 2025).

    Idempotent: existing current units are matched by (level, code); names are refreshed.
    """
    provinces_created = communes_created = updated = 0
    with transaction.atomic():
        existing = {
            (u.level, u.code): u
            for u in AdministrativeUnit.objects.filter(valid_until__isnull=True)
        }
        new_provinces: list[AdministrativeUnit] = []
        for p in Province.iter_all():
            code = rules.province_code(int(p.code))
            unit = existing.get((UnitLevel.PROVINCE, code))
            if unit is None:
                new_provinces.append(
                    AdministrativeUnit(
                        code=code,
                        name=p.name,
                        codename=p.codename,
                        level=UnitLevel.PROVINCE,
                        division_type=p.division_type.value,
                    )
                )
            elif unit.name != p.name:
                unit.name = p.name
                unit.save(update_fields=["name"])
                updated += 1
        AdministrativeUnit.objects.bulk_create(new_provinces)
        provinces_created = len(new_provinces)
        province_ids = dict(
            AdministrativeUnit.objects.filter(
                level=UnitLevel.PROVINCE, valid_until__isnull=True
            ).values_list("code", "id")
        )
        new_communes: list[AdministrativeUnit] = []
        for w in Ward.iter_all():
            code = rules.commune_code(int(w.code))
            unit = existing.get((UnitLevel.COMMUNE, code))
            if unit is None:
                new_communes.append(
                    AdministrativeUnit(
                        code=code,
                        name=w.name,
                        codename=w.codename,
                        level=UnitLevel.COMMUNE,
                        division_type=w.division_type.value,
                        parent_id=province_ids[rules.province_code(int(w.province_code))],
                    )
                )
            elif unit.name != w.name:
                unit.name = w.name
                unit.save(update_fields=["name"])
                updated += 1
        AdministrativeUnit.objects.bulk_create(new_communes, batch_size=500)
        communes_created = len(new_communes)
        if provinces_created or communes_created or updated:
            audit_record(
                actor=actor,
                action="units.load_national",
                object_type="units.administrativeunit",
                changes={
                    "provinces_created": provinces_created,
                    "communes_created": communes_created,
                    "updated": updated,
                },
            )
    return LoadResult(provinces_created, communes_created, updated)


def unit_merge(
    *,
    actor: Any,
    sources: list[AdministrativeUnit],
    code: str,
    name: str,
    division_type: str,
    effective: date,
) -> AdministrativeUnit:
    """Merge ``sources`` into a new unit in force from ``effective``.

    The sources end the day before; they are kept (with their agencies and dossiers) and
    linked as predecessors, so history stays attributable.
    """
    if not sources:
        raise ValidationError("Cần ít nhất một đơn vị được sáp nhập.")
    levels = {s.level for s in sources}
    if len(levels) != 1:
        raise ValidationError("Chỉ sáp nhập các đơn vị cùng cấp.")
    with transaction.atomic():
        locked = list(
            AdministrativeUnit.objects.select_for_update().filter(pk__in=[s.pk for s in sources])
        )
        for unit in locked:
            if unit.valid_until is not None:
                raise Conflict(f"{unit.name} đã hết hiệu lực, không thể sáp nhập.")
            if effective <= unit.valid_from:
                raise ValidationError("Ngày hiệu lực phải sau ngày hiệu lực của đơn vị cũ.")
        for unit in locked:
            unit.valid_until = effective
            unit.save(update_fields=["valid_until"])
        parents = {u.parent_id for u in locked}
        merged = AdministrativeUnit.objects.create(
            code=code,
            name=name,
            level=locked[0].level,
            division_type=division_type,
            parent_id=parents.pop() if len(parents) == 1 else None,
            valid_from=effective,
        )
        merged.predecessors.set(locked)
        audit_record(
            actor=actor,
            action="unit.merge",
            obj=merged,
            changes={"sources": [u.code for u in locked], "effective": effective.isoformat()},
        )
    return merged


def agency_save(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: AgencyKind,
    unit: AdministrativeUnit,
    parent: Agency | None = None,
    short_name: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
) -> tuple[Agency, bool]:
    """Create the agency ``code`` or update it; returns (agency, changed).

    Agencies are reference data kept by the province administrators in /admin/ and by
    commands; callers check the actor's permission (accounts sits above units).
    """
    values = {
        "name": name,
        "kind": kind.value,
        "unit": unit,
        "parent": parent,
        "short_name": short_name,
        "address": address,
        "phone": phone,
        "email": email,
    }
    with transaction.atomic():
        agency = Agency.objects.select_for_update().filter(code=code).first()
        created = agency is None
        if agency is None:
            agency = Agency(code=code)
        changes = {
            k: str(v)
            for k, v in values.items()
            if getattr(agency, k if k not in {"unit", "parent"} else f"{k}_id")
            != (v.pk if hasattr(v, "pk") else v)
        }
        if not created and not changes:
            return agency, False
        for k, v in values.items():
            setattr(agency, k, v)
        try:
            agency.full_clean()
        except DjangoValidationError as exc:
            raise ValidationError(
                "Thông tin cơ quan không hợp lệ.", details=exc.message_dict
            ) from exc
        agency.save()
        audit_record(
            actor=actor,
            action="agency.create" if created else "agency.update",
            obj=agency,
            changes=changes,
        )
    return agency, True
