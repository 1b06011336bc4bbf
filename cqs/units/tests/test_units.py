from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cqs.audit.models import AuditEvent
from cqs.core.errors import Conflict, ValidationError
from cqs.units import rules
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel
from cqs.units.selectors import agency_descendant_ids, current_communes, unit_lineage
from cqs.units.services import agency_save, unit_merge, units_load_national


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("000.00.00.H49", True),
        ("000.00.21.H35", True),
        ("001.00.20.H49", True),
        ("H44.07", True),
        ("G12", True),
        ("000.00.21", False),
        ("00.00.21.H35", False),
        ("000.00.21.h35", False),
        ("abc", False),
        ("", False),
        ("H44." + "1" * 40, False),
    ],
)
def test_agency_code_shape(code: str, valid: bool) -> None:
    assert rules.is_valid_agency_code(code) is valid


def test_level1_group() -> None:
    assert rules.level1_group("000.00.21.H49") == "H49"
    assert rules.level1_group("H44.07") == "H44"


def test_national_units_are_loaded(demo: Any) -> None:
    provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_until=None)
    assert provinces.count() == 34
    assert current_communes().count() == 3321
    quang_ninh = provinces.get(code="22")
    assert quang_ninh.name == "Quảng Ninh"
    ha_long = AdministrativeUnit.objects.get(code="06688", level=UnitLevel.COMMUNE)
    assert ha_long.name == "Phường Hạ Long"
    assert ha_long.parent == quang_ninh
    assert ha_long.valid_from == date(2025, 7, 1)


def test_loading_again_changes_nothing(demo: Any) -> None:
    before = AuditEvent.objects.count()
    result = units_load_national(actor=None)
    assert (result.provinces_created, result.communes_created, result.updated) == (0, 0, 0)
    assert AuditEvent.objects.count() == before


def test_merge_keeps_history_and_agencies(demo: Any) -> None:
    a = AdministrativeUnit.objects.get(code="06688", level=UnitLevel.COMMUNE)
    b = AdministrativeUnit.objects.get(code="06673", level=UnitLevel.COMMUNE)
    agency_of_a = Agency.objects.get(code="000.00.20.H49")
    merged = unit_merge(
        actor=demo.user("quantri"),
        sources=[a, b],
        code="99001",
        name="Phường Hạ Long Mới",
        division_type="phường",
        effective=date(2027, 1, 1),
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.valid_until == date(2027, 1, 1)
    assert b.valid_until == date(2027, 1, 1)
    assert merged.parent == a.parent
    assert {u.code for u in unit_lineage(merged)} == {"99001", "06688", "06673"}
    # The old unit keeps its agencies (and, later, dossiers) for history.
    agency_of_a.refresh_from_db()
    assert agency_of_a.unit == a
    assert not current_communes().filter(code__in=["06688", "06673"]).exists()
    assert AuditEvent.objects.filter(action="unit.merge", object_id=str(merged.pk)).exists()


def test_merge_refuses_a_unit_already_merged(demo: Any) -> None:
    a = AdministrativeUnit.objects.get(code="06688", level=UnitLevel.COMMUNE)
    b = AdministrativeUnit.objects.get(code="06673", level=UnitLevel.COMMUNE)
    unit_merge(
        actor=None,
        sources=[a],
        code="99002",
        name="X",
        division_type="phường",
        effective=date(2027, 1, 1),
    )
    with pytest.raises(Conflict):
        unit_merge(
            actor=None,
            sources=[a, b],
            code="99003",
            name="Y",
            division_type="phường",
            effective=date(2028, 1, 1),
        )
    b.refresh_from_db()
    assert b.valid_until is None  # nothing half-written


def test_merge_refuses_mixed_levels_and_empty(demo: Any) -> None:
    a = AdministrativeUnit.objects.get(code="06688", level=UnitLevel.COMMUNE)
    p = AdministrativeUnit.objects.get(code="22", level=UnitLevel.PROVINCE)
    with pytest.raises(ValidationError):
        unit_merge(
            actor=None,
            sources=[a, p],
            code="1",
            name="x",
            division_type="x",
            effective=date(2027, 1, 1),
        )
    with pytest.raises(ValidationError):
        unit_merge(
            actor=None,
            sources=[],
            code="1",
            name="x",
            division_type="x",
            effective=date(2027, 1, 1),
        )


def test_agency_tree(demo: Any) -> None:
    province = Agency.objects.get(code="000.00.00.H49")
    commune = Agency.objects.get(code="000.00.20.H49")
    below_commune = agency_descendant_ids([commune.pk])
    assert {a.code for a in Agency.objects.filter(pk__in=below_commune)} == {
        "000.00.20.H49",
        "001.00.20.H49",
        "002.00.20.H49",
        "003.00.20.H49",
        "004.00.20.H49",
    }
    assert below_commune < agency_descendant_ids([province.pk])
    assert Agency.objects.get(code="001.00.20.H49").kind == AgencyKind.ONE_STOP_DESK


def test_agency_save_validates_code_and_is_idempotent(demo: Any) -> None:
    unit = AdministrativeUnit.objects.get(code="22", level=UnitLevel.PROVINCE)
    with pytest.raises(ValidationError) as err:
        agency_save(actor=None, code="bad-code", name="Sở X", kind=AgencyKind.DEPARTMENT, unit=unit)
    assert "QCVN 102" in str(err.value.details)
    assert not Agency.objects.filter(code="bad-code").exists()
    agency, changed = agency_save(
        actor=None,
        code="000.00.99.H49",
        name="Sở Thử nghiệm",
        kind=AgencyKind.DEPARTMENT,
        unit=unit,
    )
    assert changed
    before = AuditEvent.objects.count()
    again, changed = agency_save(
        actor=None,
        code="000.00.99.H49",
        name="Sở Thử nghiệm",
        kind=AgencyKind.DEPARTMENT,
        unit=unit,
    )
    assert not changed
    assert again.pk == agency.pk
    assert AuditEvent.objects.count() == before


def test_admin_creates_agency_through_the_service(client: Any, demo: Any) -> None:
    client.force_login(demo.user("quantri"))
    unit = AdministrativeUnit.objects.get(code="22", level=UnitLevel.PROVINCE)
    parent = Agency.objects.get(code="000.00.00.H49")
    data = {
        "code": "000.00.31.H49",
        "name": "Sở Khoa học và Công nghệ tỉnh Quảng Ninh",
        "short_name": "SKHCN",
        "kind": "department",
        "parent": parent.pk,
        "unit": unit.pk,
        "address": "",
        "phone": "",
        "email": "",
    }
    response = client.post("/admin/units/agency/add/", data)
    assert response.status_code == 302
    agency = Agency.objects.get(code="000.00.31.H49")
    assert AuditEvent.objects.filter(
        action="agency.create", object_id=str(agency.pk), actor_username="quantri"
    ).exists()
    bad = client.post("/admin/units/agency/add/", {**data, "code": "sai-ma"})
    assert bad.status_code == 200  # the admin re-shows its form with the error
    assert "QCVN 102:2016/BTTTT" in bad.content.decode()
    assert not Agency.objects.filter(code="sai-ma").exists()
